import Compactor
import Foundation
import Logging
import ObjectStore
import PromModel
import PromQL
import Receiver
import StorageAPI
import Testing
import TSDB

/// PromQL over downsampled blocks, through the receiver's resolution-aware bucket querier, against
/// the same PromQL over the raw blocks the downsampled ones were made from.
///
/// Dataset: 30 gauges and 30 counters over 4 days at one sample a minute (7s past the minute, so no
/// sample sits on a window edge), counters resetting to zero every few hours; uploaded as 8h raw
/// blocks, compacted to 2d, downsampled to 5m and (threshold lowered) 1h by the Compactor API.
@Suite(.serialized) struct DownsampledQueryTests {
    static let day = 24 * hour
    /// Aligned to 2d, so blocks, 5m and 1h windows all start on it.
    static let t0: Int64 = 10_000 * 2 * day
    static let span = 4 * day
    static let step: Int64 = 60_000

    static func gauge(_ i: Int, _ t: Int64) -> Double {
        let x = Double(t - t0) / 1000
        let noise = Double((UInt64(truncatingIfNeeded: t / step) &* 2_654_435_761 &+ UInt64(i) &* 97) % 1000) / 100
        return 50 + Double(i) + 30 * sin(x / (3_000 + 200 * Double(i))) + noise
    }

    /// Counters: a per-series rate with a slow ±2% wiggle; at a reset the counter restarts from 0
    /// right after a scrape, so the next sample holds the whole interval's increase.
    static func counters() -> [ArraySeries] {
        (0..<30).map { i in
            let rate = 0.5 + Double(i) * 0.37
            let resetEvery = (5 + Int64(i % 4)) * hour + Int64(i) * 11 * step
            var v = 0.0
            var samples: [Sample] = []
            var t = t0 + 7_000
            var lastReset = t0
            while t < t0 + span {
                if t - lastReset >= resetEvery {
                    v = 0
                    lastReset = t
                }
                let x = Double(t - t0) / 1000
                v += rate * 60 * (1 + 0.02 * sin(x / 5_000))
                samples.append(Sample(t: Timestamp(ms: t), v: v))
                t += step
            }
            return ArraySeries(labels: Labels(["__name__": "c", "instance": "host-\(i)", "job": "j\(i % 3)"]), samples: samples)
        }
    }

    static func gauges() -> [ArraySeries] {
        (0..<30).map { i in
            let samples = stride(from: t0 + 7_000, to: t0 + span, by: Int(step)).map { Sample(t: Timestamp(ms: $0), v: gauge(i, $0)) }
            return ArraySeries(labels: Labels(["__name__": "g", "instance": "host-\(i)", "job": "j\(i % 3)"]), samples: samples)
        }
    }

    /// The bucket after compaction and downsampling, and a receiver serving it.
    final class Setup: @unchecked Sendable {
        let fixture: BucketFixture
        let service: ReceiveService

        init() async throws {
            fixture = try BucketFixture()
            let all = DownsampledQueryTests.gauges() + DownsampledQueryTests.counters()
            for from in stride(from: t0, to: t0 + span, by: Int(8 * hour)) {
                let part = all.map { s in
                    ArraySeries(labels: s.labels, samples: s.samples.filter { $0.t.ms >= from && $0.t.ms < from + 8 * hour })
                }
                try fixture.putBlock(series: part, minTime: from, maxTime: from + 8 * hour)
            }
            var c = fixture.configuration()
            c.levelsMs = [2 * hour, 8 * hour, 2 * day]
            c.downsample1hAfterMs = 40 * hour
            let summary = try await fixture.compactor(c, nowMs: t0 + span + 3 * day).runOnce()
            #expect(!summary.failed, "\(summary.failures)")
            #expect(summary.blocksDownsampled == 4, "two 2d blocks to 5m, then to 1h")
            let logger = Logger(label: "test")
            service = ReceiveService(
                configuration: ReceiverConfiguration(storagePath: fixture.root + "/receiver"), bucket: fixture.bucket,
                storageFactory: TSDBTenantStorage.factory(options: try .init(fsync: "never"), logger: logger), logger: logger)
            try await service.start()
        }

        func storage(_ r: SourceResolution) async throws -> any Queryable {
            try await service.queryable(tenant: "t1").reading(r)
        }

        /// Removes the live blocks of `resolution` that end by `before`, as retention would.
        func dropBlocks(resolution: Int64, endingBy before: Int64) async throws {
            for b in try await fixture.liveBlocks() where (b.meta.thanos?.downsample.resolution ?? 0) == resolution && b.meta.maxTime <= before {
                for key in b.keys { try await fixture.bucket.delete(key) }
            }
        }

        func close() async throws { try await service.shutdown() }
    }

    typealias Result = [Labels: [Int64: Double]]

    static func run(_ q: String, _ storage: any Queryable, step: Int64, from: Int64 = t0, to: Int64 = t0 + span) async throws -> Result {
        let value = try await Engine().rangeQuery(q, start: Timestamp(ms: from), end: Timestamp(ms: to), stepMs: step, storage: storage)
        guard case .matrix(let series) = value else {
            Issue.record("\(q) did not return a matrix")
            return [:]
        }
        var out: Result = [:]
        for s in series { out[s.labels] = Dictionary(uniqueKeysWithValues: s.samples.map { ($0.t.ms, $0.v) }) }
        return out
    }

    /// Every point of `want` is in `got` within `tolerance` (relative); returns the worst error seen.
    @discardableResult
    static func compare(_ got: Result, _ want: Result, _ what: String, tolerance: Double, skip: (Int64) -> Bool = { _ in false }) -> Double {
        #expect(!want.isEmpty, "\(what): raw result is empty")
        #expect(Set(got.keys) == Set(want.keys), "\(what): series differ")
        var worst = 0.0
        var compared = 0
        var reported = 0
        for (labels, points) in want {
            for (t, w) in points where !skip(t) {
                compared += 1
                guard let g = got[labels]?[t] else {
                    if reported < 3 { Issue.record("\(what): \(labels) has no point at \(t - t0)"); reported += 1 }
                    continue
                }
                let err = abs(g - w) / max(abs(w), 1e-9)
                worst = max(worst, err)
                if err > tolerance && reported < 3 {
                    Issue.record("\(what): \(labels) at +\(t - t0)ms: got \(g), raw \(w) (error \(err))")
                    reported += 1
                }
            }
        }
        #expect(compared > 100, "\(what): only \(compared) points compared")
        return worst
    }

    static let overTime = ["avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time"]

    @Test func downsampledResultsEqualRaw() async throws {
        let setup = try await Setup()
        let raw = try await setup.storage(.atMost(0))
        for (resolution, ranges) in [(CompactorConfiguration.resolution5m, ["5m", "30m", "1h"]), (CompactorConfiguration.resolution1h, ["1h", "3h"])] {
            let coarse = try await setup.storage(.atMost(resolution))
            // Windows aligned to the resolution: steps on its multiples, ranges its multiples.
            for f in Self.overTime {
                for range in ranges {
                    let q = "\(f)(g[\(range)])"
                    let want = try await Self.run(q, raw, step: resolution)
                    let got = try await Self.run(q, coarse, step: resolution)
                    Self.compare(got, want, "\(q) at \(resolution)ms", tolerance: 1e-9)
                }
            }
            // rate and increase over windows of at least 5× the resolution, across counter resets.
            let counterRanges = resolution == CompactorConfiguration.resolution5m ? ["25m", "1h"] : ["5h", "12h"]
            for f in ["rate", "increase"] {
                for range in counterRanges {
                    let q = "\(f)(c[\(range)])"
                    let want = try await Self.run(q, raw, step: resolution)
                    let got = try await Self.run(q, coarse, step: resolution)
                    // Windows reaching before the first sample extrapolate differently by design.
                    let rangeMs = try PrometheusDuration.parseMilliseconds(range)
                    Self.compare(got, want, "\(q) at \(resolution)ms", tolerance: 0.01) { $0 - rangeMs < Self.t0 }
                }
            }
            // The query shape of the performance note, starting inside the data: the first
            // window's downsampled points begin before the query's first needed millisecond.
            let q = "sum by (job) (rate(c[\(resolution == CompactorConfiguration.resolution5m ? "1h" : "6h")]))"
            let from = Self.t0 + 7 * hour
            Self.compare(
                try await Self.run(q, coarse, step: hour, from: from), try await Self.run(q, raw, step: hour, from: from), q,
                tolerance: 0.01)
        }
        try await setup.close()
    }

    /// Raw data of the first two days removed (retention), then 5m data too: the default querier
    /// reads 5m (then 1h) there and raw after, and aligned windows still equal raw results.
    @Test func finestResolutionIsStitchedAtSeams() async throws {
        let setup = try await Setup()
        let seam = Self.t0 + 2 * Self.day
        let raw = try await setup.storage(.atMost(0))
        let cases: [(String, Int64)] = Self.overTime.map { ("\($0)(g[1h])", hour) } + [("rate(c[1h])", 5 * 60_000), ("increase(c[6h])", hour)]
        var expected: [String: Result] = [:]
        for (q, step) in cases { expected[q] = try await Self.run(q, raw, step: step) }
        for (dropped, name) in [(Int64(0), "raw"), (CompactorConfiguration.resolution5m, "5m")] {
            try await setup.dropBlocks(resolution: dropped, endingBy: seam)
            let finest = try await setup.storage(.finest)
            for (q, step) in cases {
                // One 1h point per 1h window: rate needs two, so only the raw side can answer it.
                if name == "5m" && q == "rate(c[1h])" { continue }
                let got = try await Self.run(q, finest, step: step)
                let range = q.contains("[6h]") ? 6 * hour : hour
                let isCounter = q.hasPrefix("rate") || q.hasPrefix("increase")
                // A rate window straddling the seam mixes 5m/1h points with raw samples, whose
                // spacing differs: extrapolation is then only approximate (see StitchedSeries).
                let straddles: (Int64) -> Bool = { t in t - range < seam && t > seam }
                let what = "\(q) after dropping \(name) before the seam"
                Self.compare(got, expected[q]!, what, tolerance: isCounter ? 0.01 : 1e-9) { t in
                    isCounter && (straddles(t) || t - range < Self.t0)
                }
                if isCounter {
                    // Extrapolation then loses at most about one coarse window of the range.
                    let coarse = name == "raw" ? CompactorConfiguration.resolution5m : CompactorConfiguration.resolution1h
                    let bound = Double(coarse) / Double(range) + 0.01
                    let worst = Self.compare(got, expected[q]!, what + " (straddling)", tolerance: bound) { !straddles($0) }
                    #expect(worst < bound)
                }
            }
        }
        try await setup.close()
    }

    /// A delete request stored in the bucket hides the data at query time, raw and downsampled.
    @Test func deleteRequestsAreFilteredAtQueryTime() async throws {
        let setup = try await Setup()
        let request = DeleteRequest(
            id: "drop-host-3", matchers: [.init(type: "=", name: "instance", value: "host-3")],
            startMs: Self.t0 + 10 * hour, endMs: Self.t0 + 60 * hour - 1)
        try await request.store(in: setup.fixture.bucket, tenant: "t1")
        for r in [SourceResolution.atMost(0), .atMost(CompactorConfiguration.resolution5m), .atMost(CompactorConfiguration.resolution1h)] {
            let result = try await Self.run("count_over_time(g{instance=~\"host-[34]\"}[1h])", try await setup.storage(r), step: hour)
            let host3 = try #require(result.first { $0.key.get("instance") == "host-3" }?.value)
            let host4 = try #require(result.first { $0.key.get("instance") == "host-4" }?.value)
            #expect(host3.keys.allSatisfy { $0 <= Self.t0 + 10 * hour || $0 >= Self.t0 + 61 * hour }, "\(r)")
            #expect(host4.count == 4 * 24, "\(r): host-4 untouched")
            #expect(host3[Self.t0 + 5 * hour] == 60)
        }
        try await setup.close()
    }
}
