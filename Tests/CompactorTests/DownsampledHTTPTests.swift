import Compactor
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PromModel
import PromWire
import Testing

/// `max_source_resolution` on the query API and downsampled answers to remote read, through the
/// receiver's HTTP routes over a compacted and downsampled bucket.
@Suite struct DownsampledHTTPTests {
    static let t0 = DownsampledQueryTests.t0
    static let span = DownsampledQueryTests.span
    static let tenant = HTTPField.Name("X-Scope-OrgID")!

    static func matrix(_ body: ByteBuffer) throws -> [Int64: Double] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any])
        let data = try #require(json["data"] as? [String: Any])
        let result = try #require(data["result"] as? [[String: Any]])
        var out: [Int64: Double] = [:]
        for series in result {
            for case let point as [Any] in series["values"] as? [Any] ?? [] {
                let t = Int64(((point[0] as? Double) ?? 0) * 1000)
                out[t] = Double(point[1] as? String ?? "")
            }
        }
        return out
    }

    static func read(_ client: any TestClientProtocol, _ hints: ReadHints?) async throws -> [Sample] {
        let query = Query(
            startTimestampMs: t0, endTimestampMs: t0 + span,
            matchers: [LabelMatcher(type: .equal, name: "__name__", value: "g"), LabelMatcher(type: .equal, name: "instance", value: "host-1")],
            hints: hints)
        let body = Snappy.compress(try ReadRequest(queries: [query], acceptedResponseTypes: [.samples]).protobuf())
        let r = try await client.execute(
            uri: "/api/v1/read", method: .post, headers: [.contentType: "application/x-protobuf", .contentEncoding: "snappy", Self.tenant: "t1"],
            body: ByteBuffer(bytes: body))
        #expect(r.status == .ok)
        let decoded = try ReadResponse(protobuf: try Snappy.decompress(Array(buffer: r.body)))
        return decoded.results.first?.timeseries.first?.samples ?? []
    }

    @Test func queryParameterAndRemoteReadUseDownsampledData() async throws {
        let setup = try await DownsampledQueryTests.Setup()
        let router = ReceiverRoutes.router(service: setup.service, logger: Logger(label: "test"), metricsText: { "" })
        try await Application(router: router).test(.router) { client in
            // The query API: the same answer from raw and from 1h data on aligned windows.
            func queryRange(_ resolution: String) async throws -> TestResponse {
                let q = "max_over_time(g%7Binstance=%22host-1%22%7D%5B1h%5D)"
                return try await client.execute(
                    uri: "/api/v1/query_range?query=\(q)&start=\(Self.t0 / 1000)&end=\((Self.t0 + Self.span) / 1000)&step=3600&max_source_resolution=\(resolution)",
                    method: .get, headers: [Self.tenant: "t1"])
            }
            let raw = try Self.matrix(try await queryRange("raw").body)
            let coarse = try Self.matrix(try await queryRange("1h").body)
            #expect(raw.count == 96)
            #expect(coarse == raw)
            #expect(try await queryRange("auto").status == .ok)
            #expect(try await queryRange("sometimes").status == .badRequest)

            // Remote read: raw samples without hints, 1h aggregates with a 1h step.
            let rawSamples = try await Self.read(client, nil)
            #expect(rawSamples.count == Int(Self.span / DownsampledQueryTests.step))
            var hints = ReadHints()
            hints.stepMs = 3_600_000
            hints.rangeMs = 0
            hints.function = "max_over_time"
            let maxes = try await Self.read(client, hints)
            #expect(maxes.count == 96)
            hints.function = ""
            let averages = try await Self.read(client, hints)
            #expect(averages.count == 96)
            for (i, (m, a)) in zip(maxes, averages).enumerated() {
                let window = rawSamples.filter { $0.t.ms / 3_600_000 == m.t.ms / 3_600_000 }
                #expect(window.count == 60, "window \(i)")
                #expect(m.v == window.map(\.v).max())
                let mean = window.map(\.v).reduce(0, +) / Double(window.count)
                #expect(abs(a.v - mean) < 1e-9 * abs(mean), "window \(i): \(a.v) vs \(mean)")
            }
            // A step below 5m keeps raw data.
            hints.stepMs = 60_000
            #expect(try await Self.read(client, hints).count == rawSamples.count)
        }
        try await setup.close()
    }
}
