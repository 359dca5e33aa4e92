import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ObjectStore
import PromModel
import PromWire
import Receiver
import StorageAPI
import Synchronization
import TSDB
import Testing

@testable import RemoteClient

/// Remote read as a StorageAPI source, and the whole path: local DB → WAL watcher → receiver → remote read.
@Suite struct RemoteReadTests {
    static func collect(_ set: any SeriesSet) throws -> [Labels: [Sample]] {
        var set = set
        var out: [Labels: [Sample]] = [:]
        while let s = try set.next() {
            var it = s.makeIterator()
            var samples: [Sample] = []
            while try it.next() { samples.append(it.at()) }
            out[s.labels] = samples
        }
        return out
    }

    /// A remote-read endpoint answering SAMPLES with fixed series and counting requests.
    final class FakeReadEndpoint: Sendable {
        let requests = Mutex<[ReadRequest]>([])
        let headers = Mutex<[String]>([])
        let series: [TimeSeries]
        init(_ series: [TimeSeries]) { self.series = series }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.post("/read") { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                let read = try ReadRequest(protobuf: try Snappy.decompress(Array(buffer: body)))
                self.requests.withLock { $0.append(read) }
                self.headers.withLock { $0.append(request.headers[HTTPField.Name("X-Scope")!] ?? "") }
                let q = read.queries[0]
                let answer = self.series.map { ts in
                    TimeSeries(
                        labels: ts.labels,
                        samples: ts.samples.filter {
                            $0.t.ms >= q.startTimestampMs && $0.t.ms <= q.endTimestampMs
                        })
                }
                let bytes = Snappy.compress(try ReadResponse(results: [QueryResult(timeseries: answer)]).protobuf())
                return Response(
                    status: .ok, headers: [.contentType: "application/x-protobuf", .contentEncoding: "snappy"],
                    body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
            return router
        }
    }

    static let remoteSeries = TimeSeries(
        labels: Labels(["__name__": "old", "job": "x"]).items,
        samples: (0..<10).map { Sample(t: Timestamp(ms: Int64($0) * 1000), v: Double($0)) })

    @Test func decodesSamplesResponsesAndSendsHeaders() async throws {
        let endpoint = FakeReadEndpoint([Self.remoteSeries])
        try await withServer(endpoint.router) { port in
            var config = RemoteReadConfiguration(url: "http://127.0.0.1:\(port)/read")
            config.headers = ["X-Scope": "team-a"]
            config.readRecent = true
            let queryable = try RemoteReadQueryable(configuration: config)
            let querier = try await queryable.querier(mint: Timestamp(ms: 2000), maxt: Timestamp(ms: 5000))
            let got = try Self.collect(
                try await querier.select(sorted: true, hints: nil, matchers: [.equal("__name__", "old")]))
            #expect(
                got[Self.remoteSeries.labelSet]
                    == Self.remoteSeries.samples.filter { $0.t.ms >= 2000 && $0.t.ms <= 5000 })
            #expect(endpoint.headers.withLock { $0 } == ["team-a"])
            let types = endpoint.requests.withLock { $0.first?.acceptedResponseTypes }
            #expect(types == [.streamedXORChunks, .samples])
        }
    }

    @Test func honoursRequiredMatchersAndReadRecent() async throws {
        let endpoint = FakeReadEndpoint([Self.remoteSeries])
        try await withServer(endpoint.router) { port in
            var config = RemoteReadConfiguration(url: "http://127.0.0.1:\(port)/read")
            config.requiredMatchers = ["job": "x"]
            // Local data starts at 6000: only [mint, 5999] is asked, and nothing for ranges after it.
            let queryable = try RemoteReadQueryable(configuration: config, localMinTime: { Timestamp(ms: 6000) })

            let withoutRequired = try await queryable.querier(mint: .min, maxt: .max)
            #expect(
                try Self.collect(
                    try await withoutRequired.select(sorted: true, hints: nil, matchers: [.equal("__name__", "old")])
                ).isEmpty)
            #expect(endpoint.requests.withLock { $0.count } == 0)

            let recent = try await queryable.querier(mint: Timestamp(ms: 7000), maxt: Timestamp(ms: 9000))
            #expect(
                try Self.collect(try await recent.select(sorted: true, hints: nil, matchers: [.equal("job", "x")]))
                    .isEmpty)
            #expect(endpoint.requests.withLock { $0.count } == 0)

            let old = try await queryable.querier(mint: Timestamp(ms: 0), maxt: Timestamp(ms: 9000))
            let got = try Self.collect(try await old.select(sorted: true, hints: nil, matchers: [.equal("job", "x")]))
            #expect(got[Self.remoteSeries.labelSet]?.map(\.t.ms) == [0, 1000, 2000, 3000, 4000, 5000])
            #expect(endpoint.requests.withLock { $0.last?.queries[0].endTimestampMs } == 5999)
        }
    }

    @Test func localDBToReceiverAndBackThroughStreamedRemoteRead() async throws {
        let dir = TempDir()
        let logger = Logger(label: "test")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let db = try smallSegmentDB(dir.path + "/db")
        let series = (0..<3).map { Labels(["__name__": "e2e_metric", "instance": "i\($0)"]) }
        let written = try await appendSamples(
            db, series: series, count: 600, start: now - 700_000,
            value: { s, i in
                i % 7 == 0 ? Double(i) * 0.1 : Double(s) + Double(i) / 3
            })

        var config = ReceiverConfiguration(storagePath: dir.path + "/receiver")
        config.futureGraceMs = 60_000
        let service = ReceiveService(
            configuration: config, bucket: try FilesystemBucket(root: dir.path + "/bucket"),
            storageFactory: TSDBTenantStorage.factory(options: try .init(fsync: "never"), logger: logger),
            logger: logger)
        try await service.start()
        let router = ReceiverRoutes.router(service: service, logger: logger, metricsText: { "" })
        try await withServer(router) { port in
            let manager = try QueueManager(
                configuration: testConfiguration(port: port, path: "/api/v1/write", shards: 2, maxPerSend: 500),
                dataDirectory: dir.path + "/db", options: testOptions(), logger: logger)
            try await withQueueManager(manager) {
                let ok = try await eventually { manager.stats.samplesSent == written.count }
                #expect(ok)
            }
            #expect(manager.stats.samplesFailed == 0)

            var readConfig = RemoteReadConfiguration(url: "http://127.0.0.1:\(port)/api/v1/read")
            readConfig.readRecent = true
            let queryable = try RemoteReadQueryable(configuration: readConfig)
            let querier = try await queryable.querier(mint: Timestamp(ms: now - 3_600_000), maxt: Timestamp(ms: now))
            let got = try Self.collect(
                try await querier.select(
                    sorted: true, hints: nil, matchers: [.equal("__name__", "e2e_metric")]))
            var want: [Labels: [Sample]] = [:]
            for s in written {
                want[s.labels, default: []].append(Sample(t: Timestamp(ms: s.t), v: Double(bitPattern: s.bits)))
            }
            #expect(got == want)
        }
        try db.close()
        try await service.shutdown()
    }
}
