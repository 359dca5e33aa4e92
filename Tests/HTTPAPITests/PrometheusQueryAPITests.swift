import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromModel
import PromWire
import Testing

@testable import HTTPAPI

@Suite struct PrometheusQueryAPITests {
    typealias H = ReceiverHTTPTests

    static func json(_ r: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as! [String: Any]
    }

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> (TestResponse, [String: Any]) {
        let r = try await client.execute(uri: uri, method: .get)
        return (r, try json(r))
    }

    @Test func queryQueryRangeSeriesLabelsAndValues() async throws {
        try await H.withReceiver { client, _ in
            let t0 = (H.now / 60_000) * 60_000 - 600_000
            let a = H.series("http_requests_total", ["job": "api", "code": "200"], samples: (0...10).map { (t0 + Int64($0) * 60_000, Double($0) * 60) })
            let b = H.series("http_requests_total", ["job": "api", "code": "500"], samples: (0...10).map { (t0 + Int64($0) * 60_000, Double($0) * 6) })
            #expect(try await H.write(client, [a, b]).status == .noContent)
            let at = Double(t0 + 600_000) / 1000

            let (r1, j1) = try await Self.get(client, "/api/v1/query?query=sum%20by%20(job)%20(rate(http_requests_total%5B5m%5D))&time=\(at)")
            #expect(r1.status == .ok, "\(String(buffer: r1.body))")
            #expect(j1["status"] as? String == "success")
            let data = j1["data"] as! [String: Any]
            #expect(data["resultType"] as? String == "vector")
            let result = data["result"] as! [[String: Any]]
            #expect(result.count == 1)
            #expect((result[0]["metric"] as? [String: String]) == ["job": "api"])
            // 60/min + 6/min = 1.1 per second.
            #expect(Double((result[0]["value"] as! [Any])[1] as! String)! == 1.1)

            let (r2, j2) = try await Self.get(client, "/api/v1/query_range?query=http_requests_total%7Bcode%3D%22500%22%7D&start=\(at - 120)&end=\(at)&step=60s")
            #expect(r2.status == .ok, "\(String(buffer: r2.body))")
            let m = (j2["data"] as! [String: Any])["result"] as! [[String: Any]]
            #expect((m[0]["values"] as! [[Any]]).map { $0[1] as! String } == ["48", "54", "60"])

            let (r3, j3) = try await Self.get(client, "/api/v1/series?match%5B%5D=http_requests_total%7Bcode%3D%22200%22%7D")
            #expect(r3.status == .ok, "\(String(buffer: r3.body))")
            #expect((j3["data"] as! [[String: String]]) == [["__name__": "http_requests_total", "code": "200", "job": "api"]])
            let (_, j4) = try await Self.get(client, "/api/v1/labels")
            #expect((j4["data"] as! [String]) == ["__name__", "code", "job"])
            let (_, j5) = try await Self.get(client, "/api/v1/label/code/values")
            #expect((j5["data"] as! [String]) == ["200", "500"])

            // POST with a form body works like GET.
            let post = try await client.execute(
                uri: "/api/v1/query", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "query=count(http_requests_total)&time=\(at)"))
            #expect(((try Self.json(post)["data"] as! [String: Any])["result"] as! [[String: Any]]).count == 1)
        }
    }

    @Test func errorsHavePrometheusShapeAndStatus() async throws {
        try await H.withReceiver { client, _ in
            let (r1, j1) = try await Self.get(client, "/api/v1/query?query=sum(")
            #expect(r1.status == .badRequest)
            #expect(j1["status"] as? String == "error" && j1["errorType"] as? String == "bad_data")
            #expect((j1["error"] as? String)?.isEmpty == false)
            let (r2, _) = try await Self.get(client, "/api/v1/query_range?query=up&start=10&end=0&step=1")
            #expect(r2.status == .badRequest)
            let (r3, j3) = try await Self.get(client, "/api/v1/query_range?query=up&start=0&end=100000&step=1")
            #expect(r3.status == .badRequest && (j3["error"] as! String).contains("11,000"))
            let (r4, _) = try await Self.get(client, "/api/v1/series")
            #expect(r4.status == .badRequest)
        }
    }

    @Test("floats print like Go's FormatFloat 'f' -1", arguments: [
        (1.0, "1"), (0.1, "0.1"), (1e-7, "0.0000001"), (1.5e21, "1500000000000000000000"), (-2.5, "-2.5"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (123456.789, "123456.789"),
        (0, "0"),
    ])
    func floatFormat(v: Double, want: String) { #expect(PrometheusFloat.format(v) == want) }

    @Test func timestampsKeepMillisecondsOnly() {
        var w = JSONWriter()
        w.timestamp(1_435_781_451_781)
        w.raw(" ")
        w.timestamp(1_435_781_451_000)
        w.raw(" ")
        w.timestamp(1_435_781_451_050)
        #expect(String(decoding: w.bytes, as: UTF8.self) == "1435781451.781 1435781451 1435781451.05")
    }
}
