import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// A fresh directory under the system temporary directory, removed by ``remove()``.
struct TempDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-tsdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum BlockFixtures {
    static let start: Int64 = 1_700_000_000_000

    /// `count` series of `samplesPerSeries` scrape-like samples (15 s apart, counters and gauges).
    static func series(count: Int, samplesPerSeries: Int, seed: UInt64 = 1) -> [ArraySeries] {
        var rng = SplitMix(seed: seed)
        var out: [ArraySeries] = []
        for i in 0..<count {
            let labels: Labels = [
                "__name__": i % 3 == 0 ? "http_requests_total" : "cpu_usage",
                "instance": "host-\(i % 7):9100",
                "job": i % 2 == 0 ? "api" : "node",
                "series": String(i),
            ]
            var samples: [Sample] = []
            var v = Double(rng.next() % 1000)
            for k in 0..<samplesPerSeries {
                let t = start + Int64(k) * 15_000 + Int64(rng.next() % 7)
                if i % 3 == 0 { v += Double(rng.next() % 50) } else { v = Double(rng.next() % 10_000) / 100 }
                samples.append(Sample(t: Timestamp(ms: t), v: v))
            }
            out.append(ArraySeries(labels: labels, samples: samples))
        }
        return out.sorted { labelsLess($0.labels, $1.labels) }
    }

    /// All samples of every series the matchers select in `[mint, maxt]`, by labels.
    static func read(
        _ block: Block, _ matchers: [Matcher] = [try! Matcher(.regexMatch, "__name__", ".+")],
        mint: Timestamp = .min, maxt: Timestamp = .max
    ) throws -> [ArraySeries] {
        var set = try BlockQuerier(block: block, mint: mint, maxt: maxt).selectSync(matchers: matchers)
        var out: [ArraySeries] = []
        while let s = try set.next() {
            var it = s.makeIterator()
            var samples: [Sample] = []
            while try it.next() { samples.append(it.at()) }
            out.append(ArraySeries(labels: s.labels, samples: samples))
        }
        return out
    }
}

/// A small deterministic generator so fixtures are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ArraySeries: Equatable {
    static func == (a: ArraySeries, b: ArraySeries) -> Bool { a.labels == b.labels && a.samples == b.samples }
}
