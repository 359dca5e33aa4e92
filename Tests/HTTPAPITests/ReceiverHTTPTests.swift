import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ObjectStore
import PromModel
import PromWire
import Receiver
import TSDB
import Testing

/// The receiver's HTTP surface over real TSDB tenant storage and a filesystem bucket.
@Suite struct ReceiverHTTPTests {
    static let now = Int64(Date().timeIntervalSince1970 * 1000)

    struct Harness {
        let dir: String
        let service: ReceiveService
        let app: Application<RouterResponder<BasicRequestContext>>
    }

    static func withReceiver(
        configure: (inout ReceiverConfiguration) -> Void = { _ in }, _ body: @Sendable (any TestClientProtocol, ReceiveService) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-http-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = ReceiverConfiguration(storagePath: dir + "/storage")
        configure(&config)
        let logger = Logger(label: "test")
        let service = ReceiveService(
            configuration: config, bucket: try FilesystemBucket(root: dir + "/bucket"),
            storageFactory: TSDBTenantStorage.factory(options: try .init(fsync: "never"), logger: logger), logger: logger,
            // A frozen clock: rate limits and the future-sample check must not depend on how fast the machine is.
            nowMs: { now })
        try await service.start()
        let router = ReceiverRoutes.router(service: service, logger: logger, metricsText: { "hearth_test_metric 1\n" })
        let app = Application(router: router)
        try await app.test(.router) { client in try await body(client, service) }
        try await service.shutdown()
    }

    static let v1Headers: HTTPFields = [
        .contentType: "application/x-protobuf", .contentEncoding: "snappy",
        HTTPField.Name("X-Prometheus-Remote-Write-Version")!: "0.1.0",
    ]

    static func series(_ name: String, _ extra: [String: String] = [:], samples: [(Int64, Double)]) -> TimeSeries {
        TimeSeries(
            labels: Labels(extra.merging(["__name__": name]) { a, _ in a }).items,
            samples: samples.map { Sample(t: Timestamp(ms: $0.0), v: $0.1) })
    }

    static func write(_ client: any TestClientProtocol, _ series: [TimeSeries], headers: HTTPFields = v1Headers) async throws -> TestResponse {
        let body = try WriteRequest(timeseries: series).snappyProtobuf()
        return try await client.execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    static func read(_ client: any TestClientProtocol, _ matchers: [LabelMatcher], streamed: Bool, headers: HTTPFields = [:]) async throws -> TestResponse {
        let query = Query(startTimestampMs: now - 3_600_000, endTimestampMs: now + 60_000, matchers: matchers)
        let request = ReadRequest(queries: [query], acceptedResponseTypes: streamed ? [.streamedXORChunks] : [.samples])
        let body = Snappy.compress(try request.protobuf())
        var h = headers
        h[.contentType] = "application/x-protobuf"
        h[.contentEncoding] = "snappy"
        return try await client.execute(uri: "/api/v1/read", method: .post, headers: h, body: ByteBuffer(bytes: body))
    }

    @Test func writeThenReadBackAsSamplesAndStreamedChunks() async throws {
        try await Self.withReceiver { client, _ in
            let samples = (0..<300).map { (Self.now - 300_000 + Int64($0) * 1000, Double($0) * 1.5) }
            let r = try await Self.write(client, [Self.series("http_requests_total", ["job": "api"], samples: samples), Self.series("up", samples: [(Self.now, 1)])])
            #expect(r.status == .noContent)

            let matcher = [LabelMatcher(type: .equal, name: "__name__", value: "http_requests_total")]
            let plain = try await Self.read(client, matcher, streamed: false)
            #expect(plain.status == .ok)
            let decoded = try ReadResponse(protobuf: try Snappy.decompress(Array(buffer: plain.body)))
            #expect(decoded.results.count == 1 && decoded.results[0].timeseries.count == 1)
            #expect(decoded.results[0].timeseries[0].samples == samples.map { Sample(t: Timestamp(ms: $0.0), v: $0.1) })

            let streamed = try await Self.read(client, matcher, streamed: true)
            #expect(streamed.status == .ok)
            #expect(streamed.headers[.contentType] == "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse")
            var reader = ChunkedReadReader()
            reader.append(Array(buffer: streamed.body))
            var got: [Sample] = []
            while let frame = try reader.next() {
                for s in frame.chunkedSeries {
                    #expect(s.labels.contains(Label(name: "job", value: "api")))
                    for c in s.chunks { got += try TSDBChunkSamples.decode(c.data) }
                }
            }
            try reader.finish()
            #expect(got == samples.map { Sample(t: Timestamp(ms: $0.0), v: $0.1) })
        }
    }

    @Test func remoteWrite2AnswersWithWrittenCounts() async throws {
        try await Self.withReceiver { client, _ in
            let request = WriteRequestV2(
                symbols: ["", "__name__", "m", "job", "x"],
                timeseries: [.init(labelsRefs: [1, 2, 3, 4], samples: [Sample(t: Timestamp(ms: Self.now - 1000), v: 1), Sample(t: Timestamp(ms: Self.now), v: 2)])])
            let headers: HTTPFields = [
                .contentType: "application/x-protobuf;proto=io.prometheus.write.v2.Request", .contentEncoding: "snappy",
                HTTPField.Name("X-Prometheus-Remote-Write-Version")!: "2.0.0",
            ]
            let r = try await client.execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: try request.snappyProtobuf()))
            #expect(r.status == .noContent)
            #expect(r.headers[HTTPField.Name("X-Prometheus-Remote-Write-Samples-Written")!] == "2")
            #expect(r.headers[HTTPField.Name("X-Prometheus-Remote-Write-Histograms-Written")!] == "0")
            #expect(r.headers[HTTPField.Name("X-Prometheus-Remote-Write-Exemplars-Written")!] == "0")
            // A bad symbol reference is bad data, and 2.0 answers still carry the counts.
            let bad = WriteRequestV2(symbols: ["", "__name__"], timeseries: [.init(labelsRefs: [1, 9], samples: [Sample(t: Timestamp(ms: Self.now), v: 1)])])
            let r2 = try await client.execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: try bad.snappyProtobuf()))
            #expect(r2.status == .badRequest)
            #expect(r2.headers[HTTPField.Name("X-Prometheus-Remote-Write-Samples-Written")!] == "0")
        }
    }

    @Test func operationalEndpoints() async throws {
        try await Self.withReceiver { client, _ in
            #expect(try await client.execute(uri: "/-/healthy", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/-/ready", method: .get).status == .ok)
            let m = try await client.execute(uri: "/metrics", method: .get)
            #expect(String(buffer: m.body).contains("hearth_test_metric 1"))
        }
    }

    @Test func tenantsReadOnlyTheirOwnData() async throws {
        try await Self.withReceiver { client, _ in
            var a = Self.v1Headers
            a[HTTPField.Name("THANOS-TENANT")!] = "team-a"
            var b = Self.v1Headers
            b[HTTPField.Name("X-Scope-OrgID")!] = "team-b"
            #expect(try await Self.write(client, [Self.series("only_a", samples: [(Self.now, 1)])], headers: a).status == .noContent)
            #expect(try await Self.write(client, [Self.series("only_b", samples: [(Self.now, 1)])], headers: b).status == .noContent)
            let any = [LabelMatcher(type: .regexMatch, name: "__name__", value: "only_.*")]
            let readA = try await Self.read(client, any, streamed: false, headers: [HTTPField.Name("THANOS-TENANT")!: "team-a"])
            let names = try ReadResponse(protobuf: try Snappy.decompress(Array(buffer: readA.body))).results[0].timeseries.map { Labels($0.labels).metricName }
            #expect(names == ["only_a"])
            var bad = Self.v1Headers
            bad[HTTPField.Name("THANOS-TENANT")!] = "../escape"
            #expect(try await Self.write(client, [Self.series("x", samples: [(Self.now, 1)])], headers: bad).status == .badRequest)
        }
    }
}

/// Decodes a chunk's samples for assertions (the TSDB's decoder, through its public API).
enum TSDBChunkSamples {
    static func decode(_ bytes: [UInt8]) throws -> [Sample] {
        try XORChunkDecoder.decodeAll(bytes)
    }
}
