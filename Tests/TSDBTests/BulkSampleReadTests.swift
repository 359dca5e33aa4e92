import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// `appendSamples` (the engine's one-call-per-series read) must return exactly what `seek` + `next` return.
@Suite struct BulkSampleReadTests {
    /// The per-sample reference: seek to `mint`, then next until past `maxt`.
    static func perSample(_ series: any Series, _ mint: Timestamp, _ maxt: Timestamp) throws -> [Sample] {
        var it = series.makeIterator()
        var out: [Sample] = []
        var ok = try it.seek(mint)
        while ok && it.at().t <= maxt {
            out.append(it.at())
            ok = try it.next()
        }
        return out
    }

    static func bulk(_ series: any Series, _ mint: Timestamp, _ maxt: Timestamp) throws -> [Sample] {
        var it = series.makeIterator()
        var ts: [Int64] = [], vs: [Double] = []
        try it.appendSamples(from: mint, through: maxt, timestamps: &ts, values: &vs)
        #expect(ts.count == vs.count)
        return zip(ts, vs).map { Sample(t: Timestamp(ms: $0), v: $1) }
    }

    @Test func blockSeriesWithTombstonesAndPartialRanges() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 4, samplesPerSeries: 500)
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)
        let path = dir.path + "/" + meta.ulid.description
        let refs = try Block.open(directory: path).allSeries()
        var tombstones = Tombstones()
        tombstones.add(refs[0].ref, TombstoneInterval(minTime: input[0].samples[100].t, maxTime: input[0].samples[260].t))
        try tombstones.write(toDirectory: path)
        let block = try Block.open(directory: path)

        let s0 = input[0].samples
        // Whole block, a range cutting into chunks on both sides, one inside a single chunk, and one past the end.
        let ranges: [(Timestamp, Timestamp)] = [
            (.min, .max), (s0[37].t, s0[411].t), (Timestamp(ms: s0[50].t.ms + 1), s0[60].t),
            (Timestamp(ms: s0[499].t.ms + 1), .max),
        ]
        for (mint, maxt) in ranges {
            // Both the querier's own range and a narrower read inside it.
            for (qmin, qmax) in [(mint, maxt), (Timestamp.min, Timestamp.max)] {
                var set = try BlockQuerier(block: block, mint: qmin, maxt: qmax).selectSync(
                    matchers: [try Matcher(.regexMatch, "__name__", ".+")])
                var seen = 0
                while let s = try set.next() {
                    let expected = try Self.perSample(s, mint, maxt)
                    #expect(try Self.bulk(s, mint, maxt) == expected, "\(s.labels) in [\(mint.ms), \(maxt.ms)]")
                    seen += 1
                }
                // A querier over the whole block yields every series; a narrow one only those with samples in it.
                if qmin == .min { #expect(seen == 4) } else { #expect(seen >= 1) }
            }
        }
    }

    @Test func mergedBlocksDeduplicateLikeThePerSamplePath() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 3, samplesPerSeries: 600)
        // Three overlapping blocks: samples 0..<300, 200..<500 (overlap, other values) and 500..<600.
        let parts: [(Range<Int>, Double)] = [(0..<300, 0), (200..<500, 1000), (500..<600, 0)]
        var blocks: [Block] = []
        for (range, shift) in parts {
            let slice = input.map { s in
                ArraySeries(labels: s.labels, samples: s.samples[range].map { Sample(t: $0.t, v: $0.v + shift) })
            }
            let meta = try BlockWriter(parentDirectory: dir.path).write(samples: slice)
            blocks.append(try Block.open(directory: dir.path + "/" + meta.ulid.description))
        }
        let matchers = [try Matcher(.regexMatch, "__name__", ".+")]
        let s = input[0].samples
        for (mint, maxt) in [(Timestamp.min, Timestamp.max), (s[150].t, s[550].t), (s[450].t, s[520].t)] {
            let db = DBQuerier(parts: blocks.map { BlockQuerier(block: $0, mint: .min, maxt: .max) })
            let merge = MergeQuerier(blocks.map { .init(BlockQuerier(block: $0, mint: .min, maxt: .max)) })
            for q in [db as any Querier, merge as any Querier] {
                var set = try await q.select(sorted: true, hints: nil, matchers: matchers)
                var seen = 0
                while let series = try set.next() {
                    let expected = try Self.perSample(series, mint, maxt)
                    #expect(!expected.isEmpty)
                    #expect(try Self.bulk(series, mint, maxt) == expected)
                    seen += 1
                }
                #expect(seen == 3)
            }
        }
    }
}
