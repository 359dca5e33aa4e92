import Compactor
import Foundation
import ObjectStore
import PromModel
import StorageAPI
import Testing
import TSDB

@Suite struct DownsamplingTests {
    /// A counter that grows by a varying step and resets to a small value every 7h.
    static func counter(_ i: Int, _ t: Int64) -> Double {
        let sinceReset = t % (7 * hour)
        return Double(sinceReset / 15_000) * (1.5 + Double(i)) + Double((t / 15_000) % 3)
    }

    /// Aggregates of one downsampled series, per type, all chunks concatenated.
    static func aggregates(_ block: Block, _ labels: Labels) throws -> (parts: [[Sample]], counterChunks: [[Sample]]) {
        let series = try #require(try block.allSeries().first { $0.labels == labels })
        var parts = Array(repeating: [Sample](), count: 5)
        var counters: [[Sample]] = []
        for c in series.chunks {
            let stored = try block.chunkBytes(c.ref)
            #expect(stored.encoding == 0xff)
            let decoded = try AggregateChunk.decode(stored.bytes)
            for i in 0..<4 { parts[i] += try #require(decoded[i]) }
            counters.append(try #require(decoded[4]))
        }
        return (parts, counters)
    }

    /// Raw increase since the first sample, at every sample, with resets handled the way
    /// Prometheus' `increase` does (a drop means the counter restarted from 0).
    static func cumulativeIncrease(_ samples: [Sample]) -> [Double] {
        var out: [Double] = []
        var total = 0.0
        for (i, s) in samples.enumerated() {
            if i > 0 { total += s.v >= samples[i - 1].v ? s.v - samples[i - 1].v : s.v }
            out.append(total)
        }
        return out
    }

    @Test func rawTo5mAnd1hMatchRawAggregates() async throws {
        let f = try BucketFixture()
        let span = 10 * 24 * hour + 2 * hour
        let gauges = generateSeries(metric: "g", count: 2, from: 0, to: span, stepMs: 60_000) { i, t in
            sin(Double(t) / 3_600_000) * 100 + Double(i)
        }
        let counters = generateSeries(metric: "c", count: 1, from: 0, to: span, stepMs: 15_000, value: Self.counter)
        try f.putBlock(series: gauges + counters, minTime: 0, maxTime: span)
        let summary = try await f.compactor(f.configuration(), nowMs: span + hour).runOnce()
        #expect(summary.blocksDownsampled == 2, "\(summary)")
        #expect(!summary.failed, "\(summary)")
        let live = try await f.liveBlocks()
        #expect(live.count == 3)
        for b in live.sorted(by: { ($0.meta.thanos?.downsample.resolution ?? 0) < ($1.meta.thanos?.downsample.resolution ?? 0) }) {
            print("downsampling: resolution \(b.meta.thanos?.downsample.resolution ?? 0) ms: \(b.bytes) bytes, \(b.meta.stats.numChunks) chunks, \(b.meta.stats.numSamples) samples/windows")
        }
        for resolution in [Int64(300_000), 3_600_000] {
            let b = try #require(live.first { $0.meta.thanos?.downsample.resolution == resolution })
            let block = try Block.open(directory: try f.bucket.localPath(String(b.prefix.dropLast())))
            #expect(block.meta.compaction.sources == live.first { $0.meta.thanos?.downsample.resolution == 0 }?.meta.compaction.sources)
            for s in gauges + counters {
                let (parts, counterChunks) = try Self.aggregates(block, s.labels)
                try checkWindows(raw: s.samples, parts: parts, resolution: resolution)
                if s.labels.metricName == "c" { try checkCounter(raw: s.samples, chunks: counterChunks, resolution: resolution) }
            }
            #expect(b.meta.stats.numSamples > 0)
        }
    }

    /// count, sum, min and max of every aligned window equal the raw ones.
    func checkWindows(raw: [Sample], parts: [[Sample]], resolution: Int64) throws {
        var windows: [Int64: [Double]] = [:]
        for s in raw { windows[Downsampler.windowEnd(s.t.ms, resolution), default: []].append(s.v) }
        #expect(parts[0].count == windows.count)
        var mismatches: [String] = []
        for i in parts[0].indices {
            let key = Downsampler.windowEnd(parts[0][i].t.ms, resolution)
            let values = try #require(windows[key])
            let sum = values.reduce(0, +)
            if parts[0][i].v != Double(values.count) || abs(parts[1][i].v - sum) > 1e-9 * max(1, abs(sum))
                || parts[2][i].v != values.min() || parts[3][i].v != values.max()
            {
                mismatches.append("window \(key)")
            }
        }
        #expect(mismatches.isEmpty)
    }

    /// The counter aggregate, read back monotone, gives the raw increase between window ends,
    /// across resets and chunk boundaries.
    func checkCounter(raw: [Sample], chunks: [[Sample]], resolution: Int64) throws {
        let mono = CounterAggregate.monotone(chunks)
        #expect(mono.count > 10)
        let first = try #require(mono.first)
        #expect(first.t == raw[0].t)
        let cumulative = Self.cumulativeIncrease(raw)
        var i = 0
        var mismatches = 0
        for point in mono.dropFirst() where (point.t.ms + 1) % resolution == 0 {
            while i + 1 < raw.count && raw[i + 1].t <= point.t { i += 1 }
            if abs((point.v - first.v) - cumulative[i]) > 1e-6 * max(1, cumulative[i]) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(abs((mono.last!.v - first.v) - cumulative.last!) <= 1e-6 * cumulative.last!)
    }

    @Test func aggregateChunkRoundTrips() throws {
        var a = XORChunk()
        a.append(t: Timestamp(ms: 299_999), v: 4)
        var b = XORChunk()
        b.append(t: Timestamp(ms: 299_999), v: 1.5)
        let bytes = AggregateChunk.encode([a, b, nil, nil, b])
        let decoded = try AggregateChunk.decode(bytes)
        #expect(decoded[0] == [Sample(t: Timestamp(ms: 299_999), v: 4)])
        #expect(decoded[2] == nil && decoded[3] == nil)
        #expect(decoded[4] == [Sample(t: Timestamp(ms: 299_999), v: 1.5)])
        #expect(AggregateChunk.windowCount(bytes) == 1)
        #expect(throws: TSDBError.self) { try AggregateChunk.decode(Array(bytes.dropLast(3))) }
    }

    @Test func counterResetBetweenChunksIsKept() {
        // Chunk 1 ends at raw 100; chunk 2 starts at 5: a reset, so the increase is 5 more.
        let c1 = [Sample(t: Timestamp(ms: 0), v: 50), Sample(t: Timestamp(ms: 10), v: 100), Sample(t: Timestamp(ms: 10), v: 100)]
        let c2 = [Sample(t: Timestamp(ms: 20), v: 5), Sample(t: Timestamp(ms: 30), v: 8), Sample(t: Timestamp(ms: 30), v: 8)]
        let mono = CounterAggregate.monotone([c1, c2])
        #expect(mono.map(\.v) == [50, 100, 105, 108])
    }
}
