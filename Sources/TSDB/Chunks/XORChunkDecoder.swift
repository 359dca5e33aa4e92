public import PromModel

/// Why chunk bytes could not be decoded.
public struct ChunkDecodingError: Error, Sendable, CustomStringConvertible {
    /// Bit offset into the chunk where decoding stopped.
    public var bitOffset: Int
    public var message: String
    public var description: String { "corrupt XOR chunk at bit \(bitOffset): \(message)" }
}

/// Decodes an XOR chunk. The bytes must outlive the decoder; nothing is copied.
///
/// Every read is bounds-checked: truncated or corrupt input gives ``ChunkDecodingError``, never a
/// crash or samples beyond the buffer.
public struct XORChunkDecoder {
    private var reader: BitReader
    /// Samples announced by the chunk header.
    public let count: Int
    private var read = 0
    private var t: Int64 = 0
    private var v: UInt64 = 0
    private var tDelta: UInt64 = 0
    private var leading: UInt8 = 0
    private var trailing: UInt8 = 0

    /// - Throws: ``ChunkDecodingError`` when the buffer is shorter than the header.
    public init(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count >= 2 else { throw ChunkDecodingError(bitOffset: 0, message: "shorter than the 2-byte header") }
        count = Int(bytes[0]) << 8 | Int(bytes[1])
        reader = BitReader(bytes, startByte: 2)
    }

    /// The next sample, or nil after the last one.
    public mutating func next() throws -> Sample? {
        guard read < count else { return nil }
        switch read {
        case 0:
            guard let t0 = reader.readVarint(), let v0 = reader.readBits(64) else { throw truncated("first sample") }
            t = t0
            v = v0
        case 1:
            guard let d = reader.readUvarint() else { throw truncated("second timestamp") }
            tDelta = d
            t = t &+ Int64(bitPattern: d)
            try readValue()
        default:
            let dod = try readDeltaOfDelta()
            tDelta = tDelta &+ UInt64(bitPattern: dod)
            t = t &+ Int64(bitPattern: tDelta)
            try readValue()
        }
        read += 1
        return Sample(t: Timestamp(ms: t), v: Double(bitPattern: v))
    }

    /// All samples of the chunk.
    public static func decodeAll(_ bytes: [UInt8]) throws -> [Sample] {
        try bytes.withUnsafeBytes { raw in
            var d = try XORChunkDecoder(raw)
            var out: [Sample] = []
            out.reserveCapacity(d.count)
            while let s = try d.next() { out.append(s) }
            return out
        }
    }

    private func truncated(_ what: String) -> ChunkDecodingError {
        ChunkDecodingError(bitOffset: reader.position, message: "truncated while reading \(what) of sample \(read)")
    }

    private mutating func readDeltaOfDelta() throws -> Int64 {
        var prefix = 0
        while prefix < 4 {
            guard let bit = reader.readBit() else { throw truncated("timestamp") }
            if !bit { break }
            prefix += 1
        }
        let size: Int
        switch prefix {
        case 0: return 0
        case 1: size = 14
        case 2: size = 17
        case 3: size = 20
        default: size = 64
        }
        guard let bits = reader.readBits(size) else { throw truncated("timestamp") }
        if size == 64 { return Int64(bitPattern: bits) }
        // Sign-extend, matching the encoder's asymmetric range.
        if bits > UInt64(1) << UInt64(size - 1) { return Int64(bitPattern: bits) - (Int64(1) << size) }
        return Int64(bitPattern: bits)
    }

    private mutating func readValue() throws {
        guard let changed = reader.readBit() else { throw truncated("value") }
        if !changed { return }
        guard let newWindow = reader.readBit() else { throw truncated("value") }
        if newWindow {
            guard let lead = reader.readBits(5), let sig = reader.readBits(6) else { throw truncated("value") }
            let sigBits = sig == 0 ? 64 : Int(sig)
            guard Int(lead) + sigBits <= 64 else {
                throw ChunkDecodingError(bitOffset: reader.position, message: "leading \(lead) + significant \(sigBits) bits exceed 64")
            }
            leading = UInt8(lead)
            trailing = UInt8(64 - Int(lead) - sigBits)
        }
        let sigBits = 64 - Int(leading) - Int(trailing)
        guard let bits = reader.readBits(sigBits) else { throw truncated("value") }
        v ^= bits << UInt64(trailing)
    }
}
