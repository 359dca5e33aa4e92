import Foundation
import Logging
import ObjectStore
import PromModel
import Receiver
import StorageAPI
import Testing
import TSDB

@Suite struct BucketBlocksTests {
    /// Downsampled blocks from `hearth compact` are served beside raw ones (the tenant querier picks
    /// a resolution per sub-range); stored delete requests are picked up on sync.
    @Test func downsampledBlocksAndDeleteRequestsAreServed() async throws {
        let root = NSTemporaryDirectory() + "hearth-bucketblocks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = try FilesystemBucket(root: root + "/bucket")
        let dir = root + "/bucket/t1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let series = [ArraySeries(labels: ["__name__": "up"], samples: [Sample(t: Timestamp(ms: 1000), v: 1)])]
        var ulids: [ULID] = []
        for resolution in [Int64(0), 300_000] {
            let ulid = ULID(time: Timestamp(ms: 1000 + resolution))
            var meta = try BlockWriter(parentDirectory: dir).write(samples: series, ulid: ulid)
            meta.thanos = .init(labels: ["tenant_id": "t1"], downsample: .init(resolution: resolution), source: "compactor")
            try meta.write(toDirectory: dir + "/" + ulid.description)
            ulids.append(ulid)
        }
        let request = DeleteRequest(id: "r1", matchers: [.init(type: "=", name: "__name__", value: "up")], startMs: 0, endMs: 500)
        try await bucket.put("t1/delete-requests/r1.json", Array(try JSONEncoder().encode(request)))
        try await bucket.put("t1/delete-requests/broken.json", Array("{".utf8))
        let view = BucketBlocks(bucket: bucket, tenant: "t1", cacheDirectory: root + "/cache", logger: Logger(label: "test"))
        try await view.sync()
        let served = await view.blocks(overlapping: Timestamp(ms: 0), Timestamp(ms: 10_000))
        #expect(Set(served.map(\.ulid)) == Set(ulids))
        #expect(Set(served.map { $0.meta.thanos?.downsample.resolution ?? -1 }) == [0, 300_000])
        #expect(await view.refusedBlocks.isEmpty)
        let deleted = await view.deletions.intervals(for: ["__name__": "up"])
        #expect(deleted.map(\.maxTime) == [Timestamp(ms: 500)])
        #expect(await view.deletions.intervals(for: ["__name__": "down"]).isEmpty)
    }
}
