import PromModel
/// Frames ``ChunkedReadResponse`` messages for a streamed (STREAMED_XOR_CHUNKS) remote-read response.
///
/// Each frame is: the message length as a uvarint, the CRC32-Castagnoli of the message as 4
/// big-endian bytes, then the message. See <doc:WireFormats>.
public struct ChunkedReadWriter: Sendable {
    /// Prometheus' default limit on one frame's message: 50 MB.
    public static let defaultMaxFrameBytes = 50_000_000

    /// The largest message this writer emits; larger messages are refused so readers never see them.
    public let maxFrameBytes: Int

    /// Creates a writer.
    public init(maxFrameBytes: Int = defaultMaxFrameBytes) { self.maxFrameBytes = maxFrameBytes }

    /// One complete frame for `response`.
    /// - Throws: `frameTooLarge` when the encoded message exceeds ``maxFrameBytes``; `unencodable`.
    public func frame(_ response: ChunkedReadResponse) throws(WireError) -> [UInt8] {
        try frame(message: try response.protobuf())
    }

    /// One complete frame around an already encoded message.
    public func frame(message: [UInt8]) throws(WireError) -> [UInt8] {
        guard message.count <= maxFrameBytes else {
            throw WireError(
                .frameTooLarge, "frame message of \(message.count) bytes exceeds the limit of \(maxFrameBytes)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(message.count + 14)
        var n = UInt64(message.count)
        while n >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
        let crc = CRC32C.checksum(message)
        out.append(contentsOf: [
            UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16),
            UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc),
        ])
        out.append(contentsOf: message)
        return out
    }
}

/// Reads frames of a streamed remote-read response incrementally, as bytes arrive.
///
/// Feed bytes with ``append(_:)`` and pull messages with ``next()``; a declared length above
/// ``maxFrameBytes`` is refused as soon as its header is read, before buffering the message.
/// Not thread-safe.
public struct ChunkedReadReader: Sendable {
    /// The largest message accepted.
    public let maxFrameBytes: Int
    private var pending: [UInt8] = []
    private var start = 0
    /// Bytes consumed by complete frames so far, for error offsets.
    private var consumed = 0

    /// Creates a reader.
    public init(maxFrameBytes: Int = ChunkedReadWriter.defaultMaxFrameBytes) { self.maxFrameBytes = maxFrameBytes }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= pending.count / 2 {
            pending.removeFirst(start)
            start = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// The next complete frame's message bytes (CRC checked), or nil when more bytes are needed.
    /// - Throws: `malformedVarint`, `frameTooLarge`, `checksumMismatch`.
    public mutating func nextMessage() throws(WireError) -> [UInt8]? {
        var length: UInt64 = 0
        var shift: UInt64 = 0
        var i = start
        while true {
            guard i < pending.count else { return nil }
            guard i - start < 10 else {
                throw WireError(
                    .malformedVarint, "frame length at stream offset \(consumed) does not end within 10 bytes")
            }
            let b = pending[i]
            length |= UInt64(b & 0x7f) &<< shift
            i += 1
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= UInt64(maxFrameBytes) else {
            throw WireError(
                .frameTooLarge,
                "frame at stream offset \(consumed) declares \(length) bytes, above the limit of \(maxFrameBytes)")
        }
        let headerEnd = i + 4
        guard pending.count - i >= 4, pending.count - headerEnd >= Int(length) else { return nil }
        let want = pending[i..<headerEnd].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let message = Array(pending[headerEnd..<headerEnd + Int(length)])
        let got = CRC32C.checksum(message)
        guard got == want else {
            throw WireError(
                .checksumMismatch,
                "frame at stream offset \(consumed): crc32c mismatch (got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16)))"
            )
        }
        consumed += headerEnd + Int(length) - start
        start = headerEnd + Int(length)
        return message
    }

    /// The next complete frame decoded, or nil when more bytes are needed.
    public mutating func next() throws(WireError) -> ChunkedReadResponse? {
        guard let message = try nextMessage() else { return nil }
        return try ChunkedReadResponse(protobuf: message)
    }

    /// Throws unless the stream ended on a frame boundary.
    public func finish() throws(WireError) {
        guard start == pending.count else {
            throw WireError(
                .truncated, "stream ends inside a frame at offset \(consumed) (\(pending.count - start) bytes left)")
        }
    }
}
