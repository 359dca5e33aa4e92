import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromModel
import PromQL
import StorageAPI
import Testing

@testable import HTTPAPI

/// Annotations, limits, format_query, parse_query and Grafana's extra endpoints, over an in-memory storage at
/// fixed timestamps (no wall clock involved).
@Suite struct QueryAPIExtrasTests {
    /// Series held in memory; `warnings` are reported by every select, `delay` is slept before answering.
    struct FixedStorage: Queryable, Querier {
        var series: [ArraySeries]
        var warnings: [String] = []
        var delay: Duration = .zero

        func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier { self }

        func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
            if delay > .zero { try await Task.sleep(for: delay) }
            let hits = series.filter { s in matchers.allSatisfy { $0.matches(s.labels[$0.name]) } }
            return ArraySeriesSet(hits.sorted { $0.labels < $1.labels }, warnings: warnings)
        }

        func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
            Array(Set(series.compactMap { $0.labels.get(name) })).sorted()
        }

        func labelNames(matchers: [Matcher]) async throws -> [String] {
            Array(Set(series.flatMap { $0.labels.items.map(\.name) })).sorted()
        }

        func close() {}
    }

    static func series(_ labels: [String: String], every ms: Int64 = 15_000, count: Int = 41, _ value: (Int) -> Double)
        -> ArraySeries
    {
        ArraySeries(
            labels: Labels(labels), samples: (0..<count).map { Sample(t: Timestamp(ms: Int64($0) * ms), v: value($0)) })
    }

    /// A counter without a counter suffix, a classic histogram with one bad and one non-monotonic bucket.
    static let storage = FixedStorage(series: [
        series(["__name__": "requests", "job": "a"]) { Double($0) * 3 },
        series(["__name__": "requests_total", "job": "a"]) { Double($0) * 3 },
        series(["__name__": "latency_bucket", "le": "0.1"]) { Double($0) * 2 },
        series(["__name__": "latency_bucket", "le": "1"]) { Double($0) },
        series(["__name__": "latency_bucket", "le": "+Inf"]) { Double($0) * 4 },
        series(["__name__": "latency_bucket", "le": "oops"]) { Double($0) },
    ])

    static func withAPI(
        _ storage: FixedStorage = storage, timeout: Duration = .seconds(120), options: EngineOptions = EngineOptions(),
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let router = Router()
        PrometheusQueryAPI(engine: Engine(options: options), timeout: timeout) { _ in storage }.addRoutes(to: router)
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    static func call(
        _ client: any TestClientProtocol, _ path: String, _ form: String, post: Bool = false
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        let r: TestResponse
        if post {
            r = try await client.execute(
                uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form))
        } else {
            r = try await client.execute(uri: path + "?" + form, method: .get)
        }
        let json = try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as? [String: Any]
        return (r.status, try #require(json, "not JSON: \(String(buffer: r.body))"))
    }

    static func form(_ query: String, _ extra: String = "") -> String {
        "query=" + query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + extra
    }

    @Test func rateOfANonCounterNameGetsAnInfoWithPosition() async throws {
        try await Self.withAPI { client in
            let (status, j) = try await Self.call(client, "/api/v1/query", Self.form("rate(requests[5m])", "&time=600"))
            #expect(status == .ok)
            #expect(
                j["infos"] as? [String] == [
                    "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
                        + "\"requests\" (1:6)"
                ])
            #expect(j["warnings"] == nil)
            let (_, clean) = try await Self.call(client, "/api/v1/query", Self.form("rate(requests_total[5m])", "&time=600"))
            #expect(clean["infos"] == nil && clean["warnings"] == nil)
            // irate is not checked, as in Prometheus.
            let (_, irate) = try await Self.call(client, "/api/v1/query", Self.form("irate(requests[5m])", "&time=600"))
            #expect(irate["infos"] == nil)
        }
    }

    @Test func histogramQuantileWarnsAboutBadBucketsAndMonotonicity() async throws {
        try await Self.withAPI { client in
            let (status, j) = try await Self.call(
                client, "/api/v1/query_range", Self.form("histogram_quantile(0.5, latency_bucket)", "&start=60&end=120&step=60"))
            #expect(status == .ok)
            #expect(
                j["warnings"] as? [String] == [
                    "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"oops\" for metric name "
                        + "\"latency_bucket\" (1:25)"
                ])
            let infos = try #require(j["infos"] as? [String])
            #expect(infos.count == 1)
            #expect(infos[0].hasPrefix("PromQL info: input to histogram_quantile needed to be fixed for monotonicity"))
            #expect(infos[0].contains("for metric name \"latency_bucket\", from buckets 1 to 1, with a max diff of 8"))
            #expect(infos[0].hasSuffix("over 2 samples from 1970-01-01T00:01:00Z to 1970-01-01T00:02:00Z (1:25)"))
        }
    }

    @Test(arguments: [
        ("quantile(1.5, requests)", "got 1.5 (1:10)"), ("quantile(-0.5, requests)", "got -0.5 (1:10)"),
        ("histogram_quantile(NaN, latency_bucket)", "got NaN (1:20)"),
        ("quantile_over_time(2, requests[1m])", "got 2 (1:20)"),
    ])
    func invalidQuantilesWarn(query: String, suffix: String) async throws {
        try await Self.withAPI { client in
            let (status, j) = try await Self.call(client, "/api/v1/query", Self.form(query, "&time=600"))
            #expect(status == .ok)
            let warnings = (j["warnings"] as? [String]) ?? []
            #expect(warnings.contains("PromQL warning: quantile value should be between 0 and 1, " + suffix), "\(warnings)")
        }
    }

    @Test func storageWarningsReachTheAnswer() async throws {
        var storage = Self.storage
        storage.warnings = ["remote read http://r:9090 failed: connection refused"]
        try await Self.withAPI(storage) { client in
            let (status, j) = try await Self.call(client, "/api/v1/query", Self.form("requests_total", "&time=600"), post: true)
            #expect(status == .ok)
            #expect(j["warnings"] as? [String] == ["remote read http://r:9090 failed: connection refused"])
        }
    }

    /// A querier that always fails, like an unreachable remote-read endpoint.
    struct FailingQuerier: Querier {
        struct Unreachable: Error, CustomStringConvertible {
            var description: String { "remote read from http://127.0.0.1:1/api/v1/read: connection refused" }
        }
        func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
            throw Unreachable()
        }
        func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] { throw Unreachable() }
        func labelNames(matchers: [Matcher]) async throws -> [String] { throw Unreachable() }
        func close() {}
    }

    @Test func failedOptionalMergeSourcesBecomeWarnings() async throws {
        struct Merged: Queryable {
            func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
                MergeQuerier([.init(QueryAPIExtrasTests.storage), .init(FailingQuerier(), optional: true)])
            }
        }
        let router = Router()
        PrometheusQueryAPI(engine: Engine()) { _ in Merged() }.addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            let (status, j) = try await Self.call(
                client, "/api/v1/query_range", Self.form("sum(requests_total)", "&start=60&end=600&step=60"))
            #expect(status == .ok)
            #expect(
                j["warnings"] as? [String] == ["remote read from http://127.0.0.1:1/api/v1/read: connection refused"])
            let values = try #require(((j["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first?["values"])
            #expect((values as? [Any])?.count == 10)
            let (s2, series) = try await Self.call(client, "/api/v1/series", "match%5B%5D=requests_total&start=0&end=600")
            #expect(s2 == .ok && (series["data"] as? [Any])?.count == 1)
            #expect(
                series["warnings"] as? [String] == ["remote read from http://127.0.0.1:1/api/v1/read: connection refused"])
        }
    }

    @Test func annotationListsAreCappedAtTenLikePrometheus() async throws {
        // Twelve metrics without a counter suffix: twelve distinct infos.
        let many = FixedStorage(series: (0..<12).map { Self.series(["__name__": "m\($0)", "i": "\($0)"]) { Double($0) } })
        try await Self.withAPI(many) { client in
            let (status, j) = try await Self.call(client, "/api/v1/query", Self.form("rate({__name__=~\"m.*\"}[5m])", "&time=600"))
            #expect(status == .ok)
            let infos = try #require(j["infos"] as? [String])
            #expect(infos.count == 11 && infos.last == "2 more info annotations omitted", "\(infos)")
        }
    }

    @Test func timeoutsAnswer503AndTheSmallerLimitWins() async throws {
        var slow = Self.storage
        slow.delay = .milliseconds(300)
        // The request's timeout is shorter than the server's.
        try await Self.withAPI(slow) { client in
            let (status, j) = try await Self.call(
                client, "/api/v1/query", Self.form("requests_total", "&time=600&timeout=20ms"))
            #expect(status == .serviceUnavailable)
            #expect(j["errorType"] as? String == "timeout")
            #expect(j["error"] as? String == "query timed out in expression evaluation")
            let (ok, _) = try await Self.call(client, "/api/v1/query", Self.form("requests_total", "&time=600&timeout=1m"))
            #expect(ok == .ok)
        }
        // The server's timeout is shorter than the request's.
        try await Self.withAPI(slow, timeout: .milliseconds(20)) { client in
            let (status, j) = try await Self.call(
                client, "/api/v1/query_range", Self.form("requests_total", "&start=0&end=600&step=15&timeout=5m"))
            #expect(status == .serviceUnavailable && j["errorType"] as? String == "timeout")
        }
    }

    @Test func tooManySamplesIsAnExecutionError() async throws {
        var options = EngineOptions()
        options.maxSamples = 10
        try await Self.withAPI(options: options) { client in
            let (status, j) = try await Self.call(client, "/api/v1/query", Self.form("count_over_time(requests[10m])", "&time=600"))
            #expect(status == .unprocessableContent)
            #expect(j["errorType"] as? String == "execution")
            #expect(
                j["error"] as? String == "query processing would load too many samples into memory in query execution")
        }
    }

    @Test func formatQueryReturnsTheCanonicalExpression() async throws {
        try await Self.withAPI { client in
            for post in [false, true] {
                let (status, j) = try await Self.call(
                    client, "/api/v1/format_query", Self.form("sum  by(job)(rate( requests_total[5m] ))>bool 1"), post: post)
                #expect(status == .ok)
                #expect(j["data"] as? String == "sum by (job) (rate(requests_total[5m])) > bool 1")
            }
            let (bad, e) = try await Self.call(client, "/api/v1/format_query", Self.form("sum(rate(x[5m])"))
            #expect(bad == .badRequest && e["errorType"] as? String == "bad_data")
            #expect((e["error"] as? String)?.contains("1:16: parse error") == true, "\(e)")
        }
    }

    @Test func parseQueryReturnsTheSyntaxTree() async throws {
        try await Self.withAPI { client in
            let (status, j) = try await Self.call(
                client, "/api/v1/parse_query",
                Self.form("sum by (job) (rate(requests_total{job=~\"a.*\"}[5m] offset 1m)) / on(job) group_left up"))
            #expect(status == .ok)
            let data = try #require(j["data"] as? [String: Any])
            #expect(data["type"] as? String == "binaryExpr" && data["op"] as? String == "/")
            let matching = try #require(data["matching"] as? [String: Any])
            #expect(matching["card"] as? String == "many-to-one" && matching["labels"] as? [String] == ["job"])
            #expect(matching["on"] as? Bool == true && matching["include"] as? [String] == [])
            let agg = try #require(data["lhs"] as? [String: Any])
            #expect(agg["type"] as? String == "aggregation" && agg["op"] as? String == "sum")
            #expect(agg["grouping"] as? [String] == ["job"] && agg["without"] as? Bool == false)
            let call = try #require(agg["expr"] as? [String: Any])
            let function = try #require(call["func"] as? [String: Any])
            #expect(function["name"] as? String == "rate" && function["argTypes"] as? [String] == ["matrix"])
            #expect(function["returnType"] as? String == "vector")
            let ms = try #require((call["args"] as? [[String: Any]])?.first)
            #expect(ms["type"] as? String == "matrixSelector" && ms["name"] as? String == "requests_total")
            #expect(ms["range"] as? Int == 300_000 && ms["offset"] as? Int == 60_000)
            let matchers = try #require(ms["matchers"] as? [[String: String]])
            #expect(matchers.contains(["name": "job", "value": "a.*", "type": "=~"]))
            let rhs = try #require(data["rhs"] as? [String: Any])
            #expect(rhs["type"] as? String == "vectorSelector" && rhs["name"] as? String == "up")
            #expect(rhs["timestamp"] is NSNull && rhs["startOrEnd"] is NSNull)

            let (bad, e) = try await Self.call(client, "/api/v1/parse_query", Self.form("rate(x[5m]"), post: true)
            #expect(bad == .badRequest && e["errorType"] as? String == "bad_data")
            let (empty, _) = try await Self.call(client, "/api/v1/parse_query", "query=")
            #expect(empty == .badRequest)
        }
    }

    @Test func grafanaEndpointsAnswer() async throws {
        try await Self.withAPI { client in
            let (s1, exemplars) = try await Self.call(
                client, "/api/v1/query_exemplars", Self.form("requests_total", "&start=0&end=600"), post: true)
            #expect(s1 == .ok && (exemplars["data"] as? [Any])?.isEmpty == true)
            let (s2, build) = try await Self.call(client, "/api/v1/status/buildinfo", "")
            #expect(s2 == .ok && ((build["data"] as? [String: Any])?["version"] as? String)?.hasPrefix("2.") == true)
            let (s3, labels) = try await Self.call(client, "/api/v1/labels", "start=0&end=600", post: true)
            #expect(s3 == .ok && labels["data"] as? [String] == ["__name__", "job", "le"])
            let (s4, values) = try await Self.call(client, "/api/v1/label/__name__/values", "start=0&end=600")
            #expect(s4 == .ok && values["data"] as? [String] == ["latency_bucket", "requests", "requests_total"])
            let (s5, series) = try await Self.call(client, "/api/v1/series", "match%5B%5D=requests_total&start=0&end=600", post: true)
            #expect(s5 == .ok && (series["data"] as? [[String: String]]) == [["__name__": "requests_total", "job": "a"]])
            let (s6, metadata) = try await Self.call(client, "/api/v1/metadata", "")
            #expect(s6 == .ok && metadata["data"] is [String: Any])
            // Grafana's health check.
            let (s7, health) = try await Self.call(client, "/api/v1/query", Self.form("1+1", "&time=600"), post: true)
            #expect(s7 == .ok && ((health["data"] as? [String: Any])?["result"] as? [Any])?.last as? String == "2")
        }
    }
}
