import PromModel

/// Reads a memory-mapped `index` file (format version 2). See <doc:BlockFormat>.
///
/// Opening checks the header, the TOC and the checksums of the symbol table and postings offset
/// table, and keeps only offsets in memory: one per symbol and one per label pair. Series and
/// postings lists are checked when read. Thread-safe: immutable after init.
package final class IndexReader: Sendable {
    let file: MappedFile
    /// File name for error messages, e.g. `<ulid>/index`.
    let name: String
    let toc: IndexTOC
    /// File offset of each symbol's length prefix, by symbol reference.
    private let symbolOffsets: [UInt32]
    /// Per label name, the file offsets of its postings-offset-table entries' value fields,
    /// in ascending value order.
    let postingsEntries: [String: [Int]]
    /// Label names in ascending byte order, the empty all-postings name excluded.
    package let labelNames: [String]
    /// Offset of the all-series postings list, if present.
    let allPostingsOffset: Int?

    /// Maps and validates the index at `path`.
    /// - Parameter displayName: name used in errors, e.g. `<ulid>/index`.
    /// - Throws: ``TSDBError`` `corruption` naming the file and offset, or `io`.
    package init(path: String, displayName: String) throws(TSDBError) {
        file = try MappedFile(path: path)
        name = displayName
        let bytes = file.bytes
        var d = DecodingBuffer(bytes, file: name)
        let magic = try d.be32("index magic")
        guard magic == IndexFormat.magic else {
            throw d.corruption("bad magic 0x\(String(magic, radix: 16)), want 0xbaaad700", at: 0)
        }
        let version = try d.byte("index version")
        guard version == IndexFormat.version else { throw d.corruption("unsupported index version \(version)", at: 4) }
        toc = try IndexTOC(from: bytes, file: name)
        symbolOffsets = try Self.readSymbols(bytes, toc: toc, file: name)
        var entries: [String: [Int]] = [:]
        var all: Int?
        try Self.readPostingsTable(bytes, toc: toc, file: name, entries: &entries, all: &all)
        postingsEntries = entries
        labelNames = entries.keys.sorted(by: utf8Less)
        allPostingsOffset = all
    }

    /// Number of symbols.
    package var symbolCount: Int { symbolOffsets.count }

    /// Size of the index file in bytes.
    package var size: Int { file.bytes.count }

    /// The symbol with reference `ref`.
    package func symbol(_ ref: UInt64) throws(TSDBError) -> String {
        guard ref < UInt64(symbolOffsets.count) else {
            throw TSDBError(.corruption, "\(name): symbol reference \(ref) out of range (\(symbolOffsets.count) symbols)")
        }
        var d = DecodingBuffer(file.bytes, file: name)
        d.position = Int(symbolOffsets[Int(ref)])
        return try d.uvarintString("symbol")
    }

    /// A `len <4b> body CRC` section at `offset`, checksum verified: returns a decoder over the body.
    static func section(
        _ bytes: UnsafeRawBufferPointer, at offset: UInt64, file: String, what: String
    ) throws(TSDBError) -> DecodingBuffer {
        var d = DecodingBuffer(bytes, file: file)
        guard offset <= UInt64(bytes.count) else { throw d.corruption("\(what) offset \(offset) past the end") }
        d.position = Int(offset)
        let length = Int(try d.be32("\(what) length"))
        let body = try d.slice(length, what)
        let want = try d.be32("\(what) checksum")
        let got = CRC32C.checksum(body)
        guard got == want else {
            throw d.corruption("\(what) checksum mismatch (got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16)))", at: Int(offset))
        }
        return DecodingBuffer(body, file: file, base: Int(offset) + 4)
    }

    private static func readSymbols(
        _ bytes: UnsafeRawBufferPointer, toc: IndexTOC, file: String
    ) throws(TSDBError) -> [UInt32] {
        guard toc.symbols != 0 else { return [] }
        var d = try section(bytes, at: toc.symbols, file: file, what: "symbol table")
        // Each symbol takes at least one byte, which bounds the count before we allocate.
        let count = Int(try d.be32("symbol count"))
        guard count <= d.remaining else { throw d.corruption("symbol count \(count) exceeds the section size") }
        var offsets: [UInt32] = []
        offsets.reserveCapacity(count)
        for _ in 0..<count {
            offsets.append(UInt32(d.fileOffset))
            _ = try d.uvarintBytes("symbol")
        }
        return offsets
    }

    private static func readPostingsTable(
        _ bytes: UnsafeRawBufferPointer, toc: IndexTOC, file: String, entries: inout [String: [Int]], all: inout Int?
    ) throws(TSDBError) {
        guard toc.postingsTable != 0 else { return }
        var d = try section(bytes, at: toc.postingsTable, file: file, what: "postings offset table")
        let count = Int(try d.be32("postings offset table count"))
        guard count <= d.remaining else { throw d.corruption("postings offset table count \(count) exceeds the section size") }
        var currentName: String?
        var current: [Int] = []
        for _ in 0..<count {
            let at = d.fileOffset
            guard try d.byte("postings key size") == 2 else { throw d.corruption("postings offset entry without 2 strings", at: at) }
            let labelName = try d.uvarintString("label name")
            let valueAt = d.fileOffset
            _ = try d.uvarintBytes("label value")
            let offset = try d.uvarint("postings offset")
            guard offset < UInt64(bytes.count) else { throw d.corruption("postings offset \(offset) past the end", at: at) }
            if labelName.isEmpty {
                all = Int(offset)
                continue
            }
            if labelName != currentName {
                if let n = currentName { entries[n] = current }
                guard entries[labelName] == nil else { throw d.corruption("label name \(labelName) is not contiguous", at: at) }
                currentName = labelName
                current = []
            }
            current.append(valueAt)
        }
        if let n = currentName { entries[n] = current }
    }
}
