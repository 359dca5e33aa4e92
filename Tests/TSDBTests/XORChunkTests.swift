import PromModel
import Testing

@testable import TSDB

@Suite struct XORChunkTests {
    static func roundTrip(_ samples: [Sample]) throws -> [Sample] {
        var c = XORChunk()
        for s in samples { c.append(t: s.t, v: s.v) }
        #expect(c.count == samples.count)
        return try XORChunkDecoder.decodeAll(c.bytes)
    }

    @Test("edge timestamps round-trip", arguments: [Int64.min, -1, 0, 1, Int64.max])
    func edgeTimestamp(ms: Int64) throws {
        let s = [Sample(t: Timestamp(ms: ms), v: .pi)]
        #expect(try Self.roundTrip(s) == s)
    }

    @Test("special values round-trip bit for bit", arguments: [
        Double.nan, StaleNaN.value, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude,
        .leastNonzeroMagnitude,
    ])
    func specialValues(v: Double) throws {
        let s = [Sample(t: Timestamp(ms: 1000), v: 1), Sample(t: Timestamp(ms: 2000), v: v),
                 Sample(t: Timestamp(ms: 3000), v: 1), Sample(t: Timestamp(ms: 4000), v: v)]
        #expect(try Self.roundTrip(s) == s)
    }

    @Test("every delta-of-delta bucket boundary round-trips", arguments: [
        0, 1, -1, 8191, 8192, -8191, -8192, 65535, 65536, -65535, -65536, 524_287, 524_288, -524_287, -524_288,
        1 << 40, -(1 << 40),
    ] as [Int64])
    func deltaOfDeltaBuckets(dod: Int64) throws {
        // Two equal deltas then one changed by `dod` exercises exactly one bucket.
        let base: Int64 = 1 << 50
        let d: Int64 = 1 << 45
        let ts = [base, base + d, base + 2 * d, base + 3 * d + dod, base + 4 * d + dod]
        let s = ts.enumerated().map { Sample(t: Timestamp(ms: $1), v: Double($0)) }
        #expect(try Self.roundTrip(s) == s)
    }

    @Test func scrapeLikeSeriesRoundTripsAndCompresses() throws {
        var rng = SystemRandomNumberGenerator()
        var samples: [Sample] = []
        var v = 0.0
        for i in 0..<120 {
            v += Double(Int.random(in: 0...100, using: &rng))
            let jitter = Int64.random(in: -5...5, using: &rng)
            samples.append(Sample(t: Timestamp(ms: 1_700_000_000_000 + Int64(i) * 15_000 + jitter), v: v))
        }
        var c = XORChunk()
        for s in samples { c.append(t: s.t, v: s.v) }
        #expect(try XORChunkDecoder.decodeAll(c.bytes) == samples)
        #expect(c.minTime == samples.first!.t && c.maxTime == samples.last!.t)
        // Integer counters at a steady interval compress far below the raw 16 bytes per sample.
        #expect(c.bytes.count < 120 * 5)
    }

    @Test func randomFullPrecisionValuesRoundTrip() throws {
        var samples: [Sample] = []
        var t: Int64 = -500_000
        for _ in 0..<1000 {
            t += Int64.random(in: 1...100_000)
            samples.append(Sample(t: Timestamp(ms: t), v: Double.random(in: -1e300...1e300)))
        }
        #expect(try Self.roundTrip(samples) == samples)
    }

    @Test func knownBytesForSimpleChunk() {
        // Two samples: t=0,v=1 then t=1000,v=1 — header 0x0002, varint 0, 64 bits of 1.0,
        // uvarint 1000 (0xe8 0x07), then a single 0 bit for the unchanged value.
        var c = XORChunk()
        c.append(t: Timestamp(ms: 0), v: 1)
        c.append(t: Timestamp(ms: 1000), v: 1)
        #expect(c.bytes == [0x00, 0x02, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xe8, 0x07, 0x00])
    }

    @Test func byteAlignedEndKeepsPrometheusTrailingByte() throws {
        // Prometheus' writeByte always appends the next byte, so a chunk whose last write was whole
        // bytes on a byte boundary (here: the first sample) ends with one extra zero byte.
        var c = XORChunk()
        c.append(t: Timestamp(ms: 0), v: 1)
        #expect(c.bytes == [0x00, 0x01, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x00])
        #expect(try XORChunkDecoder.decodeAll(c.bytes) == [Sample(t: Timestamp(ms: 0), v: 1)])
    }

    @Test func truncatedChunkThrowsInsteadOfInventingSamples() throws {
        var c = XORChunk()
        for i in 0..<50 { c.append(t: Timestamp(ms: Int64(i) * 1000), v: Double(i) * 1.5) }
        let bytes = c.bytes
        for cut in [0, 1, 2, 5, bytes.count / 2, bytes.count - 1] {
            let truncated = Array(bytes.prefix(cut))
            #expect(throws: ChunkDecodingError.self) { try XORChunkDecoder.decodeAll(truncated) }
        }
    }
}
