import PromModel
/// Constants and the table of contents of the index file, format version 2. See <doc:BlockFormat>.
package enum IndexFormat {
    /// First four bytes of an index file.
    package static let magic: UInt32 = 0xBAAA_D700
    /// The index format version we read and write.
    package static let version: UInt8 = 2
    /// Magic and version.
    package static let headerSize = 5
    /// Six 8-byte offsets and a CRC.
    package static let tocSize = 6 * 8 + 4
    /// Series entries start on multiples of this; a series reference is offset / 16.
    package static let seriesAlignment = 16
}

/// The table of contents at the end of the index: where each section starts (0 = absent).
package struct IndexTOC: Equatable, Sendable {
    package var symbols: UInt64 = 0
    package var series: UInt64 = 0
    package var labelIndices: UInt64 = 0
    package var labelIndicesTable: UInt64 = 0
    package var postings: UInt64 = 0
    package var postingsTable: UInt64 = 0

    /// A TOC with every section absent.
    package init() {}

    /// Appends the six offsets and their CRC.
    package func encode(into b: inout EncodingBuffer) {
        let start = b.count
        for v in [symbols, series, labelIndices, labelIndicesTable, postings, postingsTable] { b.putBE64(v) }
        b.putCRC(from: start)
    }

    /// Decodes the TOC from the last ``IndexFormat/tocSize`` bytes of `bytes`.
    package init(from bytes: UnsafeRawBufferPointer, file: String) throws(TSDBError) {
        guard bytes.count >= IndexFormat.headerSize + IndexFormat.tocSize else {
            throw TSDBError(.corruption, "\(file): \(bytes.count) bytes is too short for an index at offset 0")
        }
        let start = bytes.count - IndexFormat.tocSize
        var d = DecodingBuffer(UnsafeRawBufferPointer(rebasing: bytes[start...]), file: file, base: start)
        let covered = UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count - 4])
        symbols = try d.be64()
        series = try d.be64()
        labelIndices = try d.be64()
        labelIndicesTable = try d.be64()
        postings = try d.be64()
        postingsTable = try d.be64()
        let want = try d.be32("TOC checksum")
        let got = CRC32C.checksum(covered)
        guard got == want else {
            throw TSDBError(.corruption, "\(file): TOC checksum mismatch at offset \(start) (got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16)))")
        }
        for (name, v) in [("symbols", symbols), ("series", series), ("label indices", labelIndices),
                          ("label offset table", labelIndicesTable), ("postings", postings),
                          ("postings offset table", postingsTable)] where v > UInt64(start) {
            throw TSDBError(.corruption, "\(file): TOC points \(name) to \(v), past the TOC at offset \(start)")
        }
    }
}

/// Byte-wise ordering of strings, the order Prometheus sorts symbols, labels and postings in.
package func utf8Less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
