import Compactor
import Foundation
import Logging
import ObjectStore
import PromModel
import StorageAPI
import TSDB

/// A temporary filesystem bucket with helpers to put raw blocks in it and read everything back.
final class BucketFixture {
    let root: String
    let bucket: FilesystemBucket

    init() throws {
        root = NSTemporaryDirectory() + "hearth-compactor-\(UUID().uuidString)"
        bucket = try FilesystemBucket(root: root + "/bucket")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Configuration with scratch space inside the fixture and no delays.
    func configuration() -> CompactorConfiguration {
        var c = CompactorConfiguration()
        c.dataDirectory = root + "/scratch"
        c.deleteDelayMs = 0
        return c
    }

    /// Writes a raw block as the receiver ships it: a `thanos` section with the tenant label.
    @discardableResult
    func putBlock(
        tenant: String = "t1", series: [ArraySeries], minTime: Int64, maxTime: Int64, labels: [String: String] = [:],
        resolution: Int64 = 0, ulidTime: Int64? = nil
    ) throws -> BlockMeta {
        let dir = root + "/bucket/" + tenant
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ulid = ULID(time: Timestamp(ms: ulidTime ?? minTime))
        var meta = try BlockWriter(parentDirectory: dir).write(
            samples: series.filter { !$0.samples.isEmpty }, ulid: ulid, minTime: Timestamp(ms: minTime), maxTime: Timestamp(ms: maxTime))
        var all = labels
        all["tenant_id"] = tenant
        meta.thanos = .init(labels: all, downsample: .init(resolution: resolution), source: "receive")
        try meta.write(toDirectory: dir + "/" + ulid.description)
        return meta
    }

    /// Complete blocks not marked for deletion.
    func liveBlocks() async throws -> [BucketBlock] {
        try await BucketCatalog.scan(bucket).blocks.filter { $0.deletionMark == nil }
    }

    /// Every raw sample of live raw blocks per series, in time order, duplicates kept (so a test sees them).
    func rawData(tenant: String = "t1") async throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for b in try await liveBlocks() where b.tenant == tenant && (b.meta.thanos?.downsample.resolution ?? 0) == 0 {
            let block = try Block.open(directory: try bucket.localPath(String(b.prefix.dropLast())))
            var set = try BlockQuerier(block: block, mint: .min, maxt: .max).selectSync(matchers: [])
            while let s = try set.next() {
                var it = s.makeIterator()
                while try it.next() { out[s.labels, default: []].append(it.at()) }
            }
        }
        return out.mapValues { $0.sorted { $0.t < $1.t } }
    }

    func compactor(_ c: CompactorConfiguration, nowMs: Int64) -> Compactor {
        Compactor(bucket: bucket, configuration: c, logger: Logger(label: "test"), now: { nowMs })
    }
}

/// Deterministic test series: `count` series of `metric`, one sample every `stepMs` in `[from, to)`.
func generateSeries(
    metric: String = "up", count: Int, from: Int64, to: Int64, stepMs: Int64 = 15_000, extra: [String: String] = [:],
    value: (Int, Int64) -> Double = { i, t in Double(i) + Double(t % 1_000_000) / 1000 }
) -> [ArraySeries] {
    (0..<count).map { i in
        var l = extra
        l["__name__"] = metric
        l["instance"] = "host-\(i)"
        let samples = stride(from: from, to: to, by: Int(stepMs)).map { Sample(t: Timestamp(ms: $0), v: value(i, $0)) }
        return ArraySeries(labels: Labels(l), samples: samples)
    }
}

let hour: Int64 = 3_600_000
