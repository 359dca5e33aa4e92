public import PromModel
public import StorageAPI

/// Thanos' aggregate chunk (encoding byte 0xff): for each of count, sum, min, max and counter in
/// that order, a uvarint length, then — when the length is not 0 — an encoding byte and that many
/// bytes of the sub-chunk (XOR here). A zero length marks an absent aggregate.
///
/// The counter sub-chunk starts with the first raw sample, holds the running counter (resets
/// folded in) at each window, and ends with the last raw value repeated at the last timestamp, so a
/// reader can tell whether the counter reset between this chunk and the next.
public enum AggregateChunk {
    /// Encodes the sub-chunks; nil entries are absent aggregates.
    /// - Parameter parts: exactly five entries, indexed by ``AggregateType``.
    public static func encode(_ parts: [XORChunk?]) -> [UInt8] {
        precondition(parts.count == AggregateType.allCases.count, "an aggregate chunk has five parts")
        var out: [UInt8] = []
        for part in parts {
            guard let part else {
                out.append(0)
                continue
            }
            let bytes = part.bytes
            appendUvarint(&out, UInt64(bytes.count))
            out.append(ChunkEncoding.xor.rawValue)
            out += bytes
        }
        return out
    }

    /// Decodes every present aggregate.
    /// - Returns: five entries indexed by ``AggregateType``; nil where the aggregate is absent.
    /// - Throws: ``TSDBError`` `corruption` for truncated input or a non-XOR sub-chunk.
    public static func decode(_ bytes: [UInt8]) throws -> [[Sample]?] {
        var result: [[Sample]?] = []
        var pos = 0
        for type in AggregateType.allCases {
            guard let length = readUvarint(bytes, &pos) else {
                throw TSDBError(.corruption, "aggregate chunk of \(bytes.count) bytes ends in the length of \(type)")
            }
            if length == 0 {
                result.append(nil)
                continue
            }
            guard pos + 1 + Int(length) <= bytes.count else {
                throw TSDBError(.corruption, "aggregate \(type) of \(length) bytes at offset \(pos) overruns the \(bytes.count)-byte chunk")
            }
            guard bytes[pos] == ChunkEncoding.xor.rawValue else {
                throw TSDBError(.corruption, "aggregate \(type) at offset \(pos) has encoding \(bytes[pos]), want XOR")
            }
            let sub = Array(bytes[(pos + 1)..<(pos + 1 + Int(length))])
            result.append(try XORChunkDecoder.decodeAll(sub))
            pos += 1 + Int(length)
        }
        return result
    }

    /// Decodes one aggregate only, skipping the others' bytes.
    /// - Returns: nil when the chunk does not hold that aggregate.
    /// - Throws: ``TSDBError`` `corruption` for truncated input or a non-XOR sub-chunk.
    public static func decode(_ bytes: [UInt8], only wanted: AggregateType) throws -> [Sample]? {
        var pos = 0
        for type in AggregateType.allCases {
            guard let length = readUvarint(bytes, &pos) else {
                throw TSDBError(.corruption, "aggregate chunk of \(bytes.count) bytes ends in the length of \(type)")
            }
            if length == 0 {
                if type == wanted { return nil }
                continue
            }
            guard pos + 1 + Int(length) <= bytes.count else {
                throw TSDBError(.corruption, "aggregate \(type) of \(length) bytes at offset \(pos) overruns the \(bytes.count)-byte chunk")
            }
            if type == wanted {
                guard bytes[pos] == ChunkEncoding.xor.rawValue else {
                    throw TSDBError(.corruption, "aggregate \(type) at offset \(pos) has encoding \(bytes[pos]), want XOR")
                }
                return try XORChunkDecoder.decodeAll(Array(bytes[(pos + 1)..<(pos + 1 + Int(length))]))
            }
            pos += 1 + Int(length)
        }
        return nil
    }

    /// Number of aggregated points (windows) in the chunk: the length of its count aggregate.
    public static func windowCount(_ bytes: [UInt8]) -> Int {
        var pos = 0
        guard let length = readUvarint(bytes, &pos), length >= 2, pos + 3 <= bytes.count else { return 0 }
        return Int(bytes[pos + 1]) << 8 | Int(bytes[pos + 2])
    }

    static func appendUvarint(_ out: inout [UInt8], _ value: UInt64) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func readUvarint(_ bytes: [UInt8], _ pos: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while pos < bytes.count, shift < 64 {
            let b = bytes[pos]
            pos += 1
            value |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}

/// Reads counter aggregates back into one monotone series, the way `rate` needs them.
public enum CounterAggregate {
    /// Folds counter resets into a running total across consecutive counter sub-chunks.
    ///
    /// A sample whose timestamp does not advance is a chunk's trailing raw value: it is not emitted,
    /// but the next chunk's first value is compared with it to detect a reset between chunks.
    /// - Parameter chunks: the counter aggregates of consecutive chunks, in time order.
    public static func monotone(_ chunks: [[Sample]]) -> [Sample] {
        var out: [Sample] = []
        var total = 0.0
        var lastV = 0.0
        var lastT = Timestamp.min
        for chunk in chunks {
            for s in chunk where !s.v.isNaN {
                if out.isEmpty {
                    total = s.v
                } else if s.t > lastT {
                    total += s.v >= lastV ? s.v - lastV : s.v
                } else {
                    lastV = s.v
                    continue
                }
                lastV = s.v
                lastT = s.t
                out.append(Sample(t: s.t, v: total))
            }
        }
        return out
    }
}
