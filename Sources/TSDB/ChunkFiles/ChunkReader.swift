import PromModel
import Glibc

/// Reads chunks by reference from a block's memory-mapped segment files.
///
/// Thread-safe: all state is immutable after ``init(directory:displayName:)``. Returned byte windows
/// borrow the mapping and stay valid while the reader is alive.
package final class ChunkReader: Sendable {
    private let segments: [MappedFile]
    private let names: [String]

    /// Maps every segment file in `directory` and checks its header.
    /// - Parameters:
    ///   - directory: the block's `chunks/` directory.
    ///   - displayName: prefix for error messages, e.g. `<ulid>/chunks`.
    /// - Throws: ``TSDBError`` `corruption` for a bad header or a gap in the numbering, `io` otherwise.
    package init(directory: String, displayName: String) throws(TSDBError) {
        let files = try Self.listSegments(directory)
        var segments: [MappedFile] = []
        var names: [String] = []
        for (i, name) in files.enumerated() {
            let display = displayName + "/" + name
            guard name == ChunkSegment.fileName(i) else {
                throw TSDBError(.corruption, "\(display): expected segment \(ChunkSegment.fileName(i)) at position \(i)")
            }
            let m = try MappedFile(path: directory + "/" + name)
            var d = DecodingBuffer(m.bytes, file: display)
            let magic = try d.be32("segment magic")
            guard magic == ChunkSegment.magic else {
                throw d.corruption("bad magic 0x\(String(magic, radix: 16)), want 0x85bd40dd", at: 0)
            }
            let version = try d.byte("segment version")
            guard version == ChunkSegment.version else { throw d.corruption("unsupported version \(version)", at: 4) }
            try d.skip(3, "segment header padding")
            segments.append(m)
            names.append(display)
        }
        self.segments = segments
        self.names = names
    }

    /// Number of segment files.
    package var segmentCount: Int { segments.count }

    /// Total bytes of all segment files.
    package var totalBytes: Int { segments.reduce(0) { $0 + $1.bytes.count } }

    /// The chunk at `ref`, checksum verified.
    /// - Returns: the encoding byte and a window over the chunk data (borrowed from the mapping).
    /// - Throws: ``TSDBError`` `corruption` naming the segment file and offset.
    package func chunk(_ ref: ChunkRef) throws(TSDBError) -> (encoding: UInt8, data: UnsafeRawBufferPointer) {
        guard ref.segment < segments.count else {
            throw TSDBError(.corruption, "\(ref) refers to segment \(ref.segment) but the block has \(segments.count)")
        }
        let bytes = segments[ref.segment].bytes
        let file = names[ref.segment]
        guard ref.offset >= ChunkSegment.headerSize, ref.offset < bytes.count else {
            throw TSDBError(.corruption, "\(file): chunk offset \(ref.offset) outside the file (\(bytes.count) bytes)")
        }
        var d = DecodingBuffer(bytes, file: file)
        d.position = ref.offset
        let length = try d.uvarintInt("chunk length", limit: d.remaining)
        let crcStart = d.position
        let encoding = try d.byte("chunk encoding")
        let data = try d.slice(length, "chunk data")
        let covered = UnsafeRawBufferPointer(rebasing: bytes[crcStart..<d.position])
        let want = try d.be32("chunk checksum")
        let got = CRC32C.checksum(covered)
        guard got == want else {
            throw TSDBError(.corruption, "\(file): chunk checksum mismatch at offset \(ref.offset) (got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16)))")
        }
        return (encoding, data)
    }

    private static func listSegments(_ directory: String) throws(TSDBError) -> [String] {
        guard let dir = opendir(directory) else {
            throw TSDBError(.io, "cannot list \(directory): \(errnoString())")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        return names.sorted()
    }
}
