// Downsampled-query benchmark (not run in CI): writes a filesystem bucket of raw blocks, runs the
// compactor (compaction + 5m and 1h downsampling), then times one PromQL range query through the
// receiver's resolution-aware querier at raw, 5m and 1h source resolution.
//
// Usage: HearthDownsampleBench DIR [series=10000] [days=30] [intervalSeconds=60] [query]
// DIR must not exist (or hold a bucket from an earlier run, which is reused).
import Compactor
import Foundation
import Logging
import ObjectStore
import PromModel
import PromQL
import Receiver
import StorageAPI
import TSDB

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: HearthDownsampleBench DIR [series] [days] [intervalSeconds] [query]\n".utf8))
    exit(2)
}
let root = args[1]
let seriesCount = args.count > 2 ? Int(args[2])! : 10_000
let days = args.count > 3 ? Int64(args[3])! : 30
let intervalMs = (args.count > 4 ? Int64(args[4])! : 60) * 1000
let query = args.count > 5 ? args[5] : "sum by (job) (rate(x[1h]))"
let hour: Int64 = 3_600_000
let day = 24 * hour
let blockRange = 2 * day
let t0: Int64 = 10_000 * 14 * day  // aligned to 14d, so compaction levels line up
let end = t0 + days * day
var logger = Logger(label: "bench")
logger.logLevel = .warning

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// One counter per series: a per-series rate, resetting every 9–15h.
func chunks(_ i: Int, from: Int64, to: Int64) -> [EncodedChunk] {
    let rate = 0.2 + Double(i % 97) * 0.05
    let resetEvery = (9 + Int64(i % 7)) * hour
    var out: [EncodedChunk] = []
    var c = XORChunk()
    var t = from + Int64(i % 60) * 1000
    while t < to {
        let sinceReset = (t - t0 + Int64(i) * 600_000) % resetEvery
        c.append(t: Timestamp(ms: t), v: Double(sinceReset / 1000) * rate)
        if c.count == 120 {
            out.append(EncodedChunk(minTime: c.minTime, maxTime: c.maxTime, encoding: .xor, bytes: c.bytes))
            c = XORChunk()
        }
        t += intervalMs
    }
    if c.count > 0 { out.append(EncodedChunk(minTime: c.minTime, maxTime: c.maxTime, encoding: .xor, bytes: c.bytes)) }
    return out
}

func labels(_ i: Int) -> Labels { Labels(["__name__": "x", "instance": "host-\(i)", "job": "job-\(i % 10)"]) }

let bucketDir = root + "/bucket"
let tenantDir = bucketDir + "/t1"
let fm = FileManager.default
if !fm.fileExists(atPath: tenantDir) {
    try fm.createDirectory(atPath: tenantDir, withIntermediateDirectories: true)
    let order = (0..<seriesCount).sorted { labelsLess(labels($0), labels($1)) }
    var symbols = Set(["__name__", "x", "instance", "job"])
    for i in 0..<seriesCount { symbols.insert("host-\(i)"); symbols.insert("job-\(i % 10)") }
    let started = ContinuousClock.now
    for from in stride(from: t0, to: end, by: Int(blockRange)) {
        let to = min(end, from + blockRange)
        let ulid = ULID(time: Timestamp(ms: from))
        let series = order.lazy.map { ChunkSeries(labels: labels($0), chunks: chunks($0, from: from, to: to)) }
        var meta = try BlockWriter(parentDirectory: tenantDir).write(
            sortedSeries: series, symbols: symbols, ulid: ulid, minTime: Timestamp(ms: from), maxTime: Timestamp(ms: to))
        meta.thanos = .init(labels: ["tenant_id": "t1"], downsample: .init(resolution: 0), source: "receive")
        try meta.write(toDirectory: tenantDir + "/" + ulid.description)
    }
    print("wrote \(days / 2) raw 2d blocks: \(seriesCount) series x \(days)d every \(intervalMs / 1000)s in \(String(format: "%.1f", seconds(ContinuousClock.now - started)))s")
    var c = CompactorConfiguration()
    c.dataDirectory = root + "/scratch"
    c.deleteDelayMs = 0
    let compactStart = ContinuousClock.now
    let summary = try await Compactor(bucket: try FilesystemBucket(root: bucketDir), configuration: c, logger: logger, now: { end + day })
        .runOnce()
    print("compactor: \(summary.blocksCompacted) compacted, \(summary.blocksDownsampled) downsampled, \(summary.failures.count) failures in \(String(format: "%.1f", seconds(ContinuousClock.now - compactStart)))s")
}

// Bucket size per resolution.
let bucket = try FilesystemBucket(root: bucketDir)
let catalog = try await BucketCatalog.scan(bucket)
var bytesByResolution: [Int64: (blocks: Int, bytes: Int, chunkBytes: Int)] = [:]
for b in catalog.blocks where b.deletionMark == nil {
    let r = b.meta.thanos?.downsample.resolution ?? 0
    let chunkBytes = b.keys.filter { $0.contains("/chunks/") }.reduce(0) { acc, key in acc + ((try? fm.attributesOfItem(atPath: bucketDir + "/" + key)[.size] as? Int) ?? 0) ?? 0 }
    var e = bytesByResolution[r] ?? (0, 0, 0)
    e.blocks += 1
    e.bytes += b.bytes
    e.chunkBytes += chunkBytes
    bytesByResolution[r] = e
}
for (r, e) in bytesByResolution.sorted(by: { $0.key < $1.key }) {
    print("resolution \(r == 0 ? "raw" : "\(r / 60_000)m"): \(e.blocks) blocks, \(e.bytes) bytes (\(e.chunkBytes) in chunks)")
}

let service = ReceiveService(
    configuration: ReceiverConfiguration(storagePath: root + "/receiver"), bucket: bucket,
    storageFactory: TSDBTenantStorage.factory(options: try .init(fsync: "never"), logger: logger), logger: logger)
try await service.start()
let engine = Engine()
var baseline: [Labels: [Sample]] = [:]
var rawMedian = 0.0
for (name, resolution) in [("raw", SourceResolution.atMost(0)), ("5m (auto at step 1h)", .atMost(300_000)), ("1h", .atMost(3_600_000))] {
    let storage = try await service.queryable(tenant: "t1").reading(resolution)
    var times: [Double] = []
    var result: [ResultSeries] = []
    for _ in 0..<5 {
        let started = ContinuousClock.now
        let value = try await engine.rangeQuery(query, start: Timestamp(ms: t0 + 2 * hour), end: Timestamp(ms: end), stepMs: hour, storage: storage)
        times.append(seconds(ContinuousClock.now - started))
        if case .matrix(let m) = value { result = m }
    }
    times.sort()
    let median = times[times.count / 2]
    if name == "raw" {
        rawMedian = median
        baseline = Dictionary(uniqueKeysWithValues: result.map { ($0.labels, $0.samples) })
    }
    var worst = 0.0
    var worstAt = ""
    for s in result {
        guard let want = baseline[s.labels] else { continue }
        let byT = Dictionary(uniqueKeysWithValues: want.map { ($0.t, $0.v) })
        for p in s.samples {
            if let w = byT[p.t], w != 0, abs(p.v - w) / abs(w) > worst {
                worst = abs(p.v - w) / abs(w)
                worstAt = "\(s.labels) at +\((p.t.ms - t0) / 60_000)m: \(p.v) vs raw \(w)"
            }
        }
    }
    let r: Int64 = if case .atMost(let ms) = resolution { ms } else { 0 }
    let usable = bytesByResolution.filter { $0.key == r }.map(\.value.chunkBytes).reduce(0, +)
    print(String(format: "%@: median %.3fs (min %.3fs, max %.3fs) over %d runs; speedup vs raw %.1fx; %d series; worst relative difference to raw %.4f (%@); chunk bytes at this resolution %d",
                 name, median, times.first!, times.last!, times.count, rawMedian / median, result.count, worst, worstAt, usable))
}
try await service.shutdown()
