import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PromWire
import RemoteClient
import Synchronization
import Testing

/// Metadata goes out as remote write 1.0 requests holding only metadata, in chunks of `maxPerSend`,
/// with the endpoint's headers and credentials.
@Suite struct MetadataSenderTests {
    @Test func sendsAllMetadataInChunksWithAuth() async throws {
        let received = Mutex<[(metadata: [MetricMetadata], series: Int, auth: String, version: String)]>([])
        let router = Router()
        router.post("/write") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let decoded = try WriteRequest(snappyProtobuf: Array(buffer: body))
            received.withLock {
                $0.append(
                    (decoded.metadata, decoded.timeseries.count, request.headers[.authorization] ?? "",
                     request.headers[HTTPField.Name("X-Prometheus-Remote-Write-Version")!] ?? ""))
            }
            return Response(status: .noContent)
        }
        let all = (0..<5).map {
            MetricMetadata(type: .counter, metricFamilyName: "m\($0)_total", help: "help \($0)", unit: $0 == 0 ? "seconds" : "")
        }
        try await withServer(router) { port in
            var config = RemoteWriteConfiguration(url: "http://127.0.0.1:\(port)/write")
            config.bearerToken = "secret"
            let sender = MetadataSender(
                configuration: config, interval: .seconds(60), maxPerSend: 2, source: { all },
                logger: Logger(label: "test"))
            #expect(await sender.sendRound() == [204, 204, 204])
        }
        let requests = received.withLock { $0 }
        #expect(requests.map(\.metadata.count) == [2, 2, 1])
        #expect(requests.flatMap(\.metadata) == all)
        #expect(requests.allSatisfy { $0.series == 0 && $0.auth == "Bearer secret" && $0.version == "0.1.0" })
    }

    @Test func aDownEndpointIsReportedNotThrown() async throws {
        var config = RemoteWriteConfiguration(url: "http://127.0.0.1:1/write")
        config.remoteTimeout = ConfigDuration(.seconds(1))
        let sender = MetadataSender(
            configuration: config, interval: .seconds(60),
            maxPerSend: 10, source: { [MetricMetadata(type: .gauge, metricFamilyName: "g")] },
            logger: Logger(label: "test"))
        #expect(await sender.sendRound() == [0])
    }
}
