import Logging
import ObjectStore
import PromModel
import PromWire
import Receiver
import StorageAPI
import Testing

/// The allocation-free ingest path must decide exactly as the decoded path does.
@Suite struct RawPushTests {
    static let now: Int64 = 1_700_000_000_000

    func withService(_ body: (ReceiveService) async throws -> Void) async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let logger = Logger(label: "test")
        let service = ReceiveService(
            configuration: ReceiverConfiguration(storagePath: dir.path + "/storage"), bucket: try FilesystemBucket(root: dir.path + "/bucket"),
            storageFactory: TSDBTenantStorage.factory(options: try .init(fsync: "never"), logger: logger), logger: logger,
            nowMs: { Self.now })
        try await service.start()
        try await body(service)
        try await service.shutdown()
    }

    static func body(_ series: [TimeSeries]) throws -> [UInt8] { try WriteRequest(timeseries: series).protobuf() }

    static func series(_ labels: [(String, String)], _ samples: [(Int64, Double)]) -> TimeSeries {
        TimeSeries(labels: labels.map { Label(name: $0.0, value: $0.1) }, samples: samples.map { Sample(t: Timestamp(ms: $0.0), v: $0.1) })
    }

    @Test func knownSeriesTakeTheShortcutWithTheSameOutcomes() async throws {
        try await withService { service in
            let sorted: [(String, String)] = [("__name__", "m"), ("instance", "a"), ("job", "j")]
            let unsorted: [(String, String)] = [("job", "j"), ("__name__", "u")]
            let first = try await service.push(tenant: "t", protobuf: try Self.body([
                Self.series(sorted, [(Self.now - 2000, 1)]), Self.series(unsorted, [(Self.now - 2000, 1)]),
            ]))
            #expect(first.acceptedSamples == 2 && first.rejectedCount == 0)
            // Second request: both series exist; the sorted one is found by its bytes.
            let second = try await service.push(tenant: "t", protobuf: try Self.body([
                Self.series(sorted, [(Self.now - 1000, 2), (Self.now - 3000, 0), (Self.now + 3_600_000, 9), (Self.now, 3)]),
                Self.series(unsorted, [(Self.now - 1000, 2)]),
                Self.series([("__name__", "m"), ("instance", "b"), ("job", "j")], [(Self.now, 1)]),
            ]))
            #expect(second.acceptedSamples == 4)
            #expect(second.rejected[.outOfOrder] == 1)
            #expect(second.rejected[.tooFarInFuture] == 1)
            #expect(second.errorBody.contains("instance=\"a\""))
            let q = try await service.queryable(tenant: "t")
            #expect(q.handle.storage.headSeriesCount == 3)
            let querier = try await q.querier(mint: .min, maxt: .max)
            var set = try await querier.select(sorted: true, hints: nil, matchers: [.equal("instance", "a")])
            let s = try #require(try set.next())
            var it = s.makeIterator()
            var got: [Double] = []
            while try it.next() { got.append(it.at().v) }
            #expect(got == [1, 2, 3])
        }
    }

    @Test func malformedBodyIngestsNothing() async throws {
        try await withService { service in
            var body = try Self.body([Self.series([("__name__", "m")], [(Self.now, 1)])])
            body += [0x0a, 0x40]  // a second series claiming 64 bytes that are not there
            await #expect(throws: WireError.self) { _ = try await service.push(tenant: "t", protobuf: body) }
            #expect(try await service.queryable(tenant: "t").handle.storage.headSeriesCount == 0)
        }
    }
}
