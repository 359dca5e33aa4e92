import Benchmark
import Foundation
import PromModel
import PromQL
import StorageAPI
import TSDB

/// The two range queries of issue #5 over one TSDB block at a smaller scale than the side-by-side harness:
/// 1,000 series × 6 h at 15 s (1.44M samples), step 60 s.
///
/// The series mimic rwgen's application targets: `http_requests_total` counters by handler and code, and
/// `http_request_duration_seconds_bucket` with 10 `le` buckets per handler, over 10 jobs.
enum QueryFixture {
    static let start: Int64 = 1_700_000_000_000
    static let hours: Int64 = 6
    static let intervalMs: Int64 = 15_000
    static let jobs = 10
    static let handlers = 5
    static let codes = ["200", "404", "500", "503"]
    static let buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]

    static var end: Int64 { start + hours * 3_600_000 - intervalMs }

    /// 1,000 series: per job, 20 request counters and 50 bucket counters, 70 × 10 = 700; plus 300 more bucket
    /// series from a second instance of the first 6 jobs.
    static func series() -> [ArraySeries] {
        var out: [ArraySeries] = []
        var rng = SplitMix(seed: 42)
        let n = Int(hours * 3_600_000 / intervalMs)
        func counter(_ labels: Labels, rate: Double) -> ArraySeries {
            var v = 0.0
            var samples: [Sample] = []
            samples.reserveCapacity(n)
            for i in 0..<n {
                v += rate * (0.5 + rng.unit())
                // An occasional reset, as after a restart.
                if i % 997 == 996 { v = 0 }
                samples.append(Sample(t: Timestamp(ms: start + Int64(i) * intervalMs), v: v.rounded()))
            }
            return ArraySeries(labels: labels, samples: samples)
        }
        for j in 0..<jobs {
            for instance in 0..<(j < 6 ? 2 : 1) {
                for h in 0..<handlers {
                    let base: [String: String] = [
                        "job": "app-\(j)", "instance": "10.0.\(j).\(instance):8080", "handler": "/api/resource\(h)",
                    ]
                    if instance == 0 {
                        for code in codes {
                            var l = base
                            l["__name__"] = "http_requests_total"
                            l["code"] = code
                            out.append(counter(Labels(l), rate: code == "200" ? 20 : 1))
                        }
                    }
                    for (k, le) in buckets.enumerated() {
                        var l = base
                        l["__name__"] = "http_request_duration_seconds_bucket"
                        l["le"] = le
                        out.append(counter(Labels(l), rate: 2 + 2 * Double(k)))
                    }
                }
            }
        }
        return out
    }

    /// Writes the block into a fresh temporary directory and opens it.
    static func block() throws -> Block {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-promql-bench-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let meta = try BlockWriter(parentDirectory: dir).write(samples: series())
        return try Block.open(directory: dir + "/" + meta.ulid.description)
    }
}

/// A small deterministic generator so every run sees the same data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], warmupIterations: 1,
        maxDuration: .seconds(5), maxIterations: 50)

    let block: Block
    do { block = try QueryFixture.block() } catch { fatalError("cannot write the benchmark block: \(error)") }
    let engine = Engine()
    // The last 6 h minus the first 5 m so every step has a full window; 356 steps of 60 s.
    let start = Timestamp(ms: QueryFixture.start + 300_000)
    let end = Timestamp(ms: QueryFixture.end)
    let queries = [
        ("sum-by-job-rate-1k-series-6h", "sum by (job) (rate(http_requests_total[5m]))"),
        ("histogram-quantile-sum-by-le-rate-1k-series-6h",
         "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
    ]
    for (name, query) in queries {
        Benchmark(name) { b in
            for _ in b.scaledIterations {
                let result = try await engine.rangeQuery(query, start: start, end: end, stepMs: 60_000, storage: block)
                guard case .matrix(let series) = result, !series.isEmpty else {
                    fatalError("\(query) returned no series")
                }
                blackHole(series)
            }
        }
    }
}
