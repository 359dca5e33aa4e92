/// A place in the WAL: a segment index and a byte offset where a record starts.
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segment: Int
    public var offset: Int

    public init(segment: Int, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: WALPosition, b: WALPosition) -> Bool {
        (a.segment, a.offset) < (b.segment, b.offset)
    }

    public var description: String { "\(segment):\(offset)" }
}

/// The durable per-destination position: the WAL position up to which every sample was
/// acknowledged by (or deliberately dropped for) the remote endpoint.
///
/// Stored as one text line `segment offset` in `<stateDirectory>/position`, replaced atomically.
/// Blocking: call from a thread pool.
struct PositionStore: Sendable {
    let path: String

    init(stateDirectory: String) { path = stateDirectory + "/position" }

    func load() throws -> WALPosition? {
        guard let bytes = try PosixFile.read(path, from: 0, limit: 4096) else { return nil }
        let parts = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let s = Int(parts[0]), let o = Int(parts[1]), s >= 0, o >= 0 else {
            throw RemoteClientError(.corruption, "position file \(path) is malformed: \(bytes.count) bytes")
        }
        return WALPosition(segment: s, offset: o)
    }

    func save(_ p: WALPosition) throws {
        try PosixFile.replace(path, with: Array("\(p.segment) \(p.offset)\n".utf8))
    }
}
