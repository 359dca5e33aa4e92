import CSnappy

/// Snappy block compression as used by remote write and remote read bodies.
///
/// Only the block format is accepted: a body in the framed (stream) format starts with the stream
/// identifier chunk and is rejected with ``WireError/Code/snappyFramed``, because Prometheus never
/// sends it and silently mis-decoding it would be worse. See <doc:WireFormats>.
public enum Snappy {
    /// The default cap on a decoded body: 32 MiB, Prometheus' own remote-write limit.
    public static let defaultMaxDecodedBytes = 32 << 20

    /// The stream identifier that opens framed snappy: chunk type 0xff, length 6, "sNaPpY".
    static let framedStreamIdentifier: [UInt8] = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]

    /// Whether `bytes` start like framed snappy rather than a block.
    static func looksFramed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= framedStreamIdentifier.count else { return false }
        for (i, b) in framedStreamIdentifier.enumerated() where bytes[i] != b { return false }
        return true
    }

    /// The decoded length a block declares in its varint preamble, read without decoding anything.
    /// - Throws: ``WireError`` when the preamble is malformed or the input is framed snappy.
    public static func decodedLength(of compressed: UnsafeRawBufferPointer) throws(WireError) -> Int {
        if compressed.isEmpty { throw WireError(.emptyBody, "snappy block is empty") }
        if looksFramed(compressed) {
            throw WireError(.snappyFramed, "body is framed snappy (stream identifier at offset 0); send block snappy")
        }
        var length = 0
        let status = compressed.withMemoryRebound(to: CChar.self) { chars in
            snappy_uncompressed_length(chars.baseAddress, chars.count, &length)
        }
        guard status == SNAPPY_OK else {
            throw WireError(.snappyCorrupt, "snappy preamble (decoded length varint) is malformed at offset 0")
        }
        return length
    }

    /// Decompresses a snappy block, refusing before any allocation when its declared size exceeds the cap.
    /// - Parameters:
    ///   - compressed: a snappy block.
    ///   - maxDecodedBytes: the largest decoded size accepted.
    /// - Returns: the decoded bytes.
    /// - Throws: ``WireError`` for empty, framed, corrupt or oversized input.
    public static func decompress(
        _ compressed: UnsafeRawBufferPointer, maxDecodedBytes: Int = defaultMaxDecodedBytes
    ) throws(WireError) -> [UInt8] {
        let length = try decodedLength(of: compressed)
        guard length <= maxDecodedBytes else {
            throw WireError(
                .decodedTooLarge,
                "snappy block declares \(length) decoded bytes, above the limit of \(maxDecodedBytes)")
        }
        // A snappy element expands at most 64/3-fold (a 3-byte copy of 64 bytes), so a block cannot
        // decode to more than 22 bytes per input byte: refuse larger claims without allocating, so the
        // allocation below is bounded by the bytes actually received, not only by the cap.
        guard length / 22 <= compressed.count else {
            throw WireError(
                .snappyCorrupt,
                "snappy block of \(compressed.count) bytes cannot decode to the \(length) bytes it declares")
        }
        if length == 0 {
            let status = compressed.withMemoryRebound(to: CChar.self) {
                snappy_validate_compressed_buffer($0.baseAddress, $0.count)
            }
            guard status == SNAPPY_OK else {
                throw WireError(.snappyCorrupt, "snappy block of \(compressed.count) bytes is corrupt")
            }
            return []
        }
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var produced = length
            let status = compressed.withMemoryRebound(to: CChar.self) { src in
                buffer.withMemoryRebound(to: CChar.self) { dst in
                    snappy_uncompress(src.baseAddress, src.count, dst.baseAddress, &produced)
                }
            }
            if status == SNAPPY_OK && produced == length {
                initialized = length
            } else {
                failed = true
                initialized = 0
            }
        }
        if failed { throw WireError(.snappyCorrupt, "snappy block of \(compressed.count) bytes is corrupt") }
        return out
    }

    /// Decompresses a snappy block held in an array.
    public static func decompress(
        _ compressed: [UInt8], maxDecodedBytes: Int = defaultMaxDecodedBytes
    ) throws(WireError) -> [UInt8] {
        let result = compressed.withUnsafeBytes { raw in
            Result { () throws(WireError) in try decompress(raw, maxDecodedBytes: maxDecodedBytes) }
        }
        return try result.get()
    }

    /// Compresses bytes into one snappy block.
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        // The block of empty input is the preamble alone (a zero varint).
        if input.isEmpty { return [0] }
        let capacity = snappy_max_compressed_length(input.count)
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var produced = capacity
            let status = input.withMemoryRebound(to: CChar.self) { src in
                buffer.withMemoryRebound(to: CChar.self) { dst in
                    snappy_compress(src.baseAddress, src.count, dst.baseAddress, &produced)
                }
            }
            // Compression only fails for a too-small output buffer, which max_compressed_length rules out.
            precondition(status == SNAPPY_OK, "snappy_compress failed with status \(status)")
            initialized = produced
        }
    }

    /// Compresses an array into one snappy block.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }
}
