import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromModel
import StorageAPI
import Synchronization
import Testing

@testable import HTTPAPI

/// A fixed node: one up target, one dropped target, a group with a recording and an alerting rule.
final class FakeServerStatus: ServerStatus {
    let reloadError = Mutex<String?>(nil)
    let reloads = Mutex(0)

    func activeTargets() async -> [ActiveTargetInfo] {
        [
            ActiveTargetInfo(
                discoveredLabels: Labels(["__address__": "127.0.0.1:9100", "job": "node"]),
                labels: Labels(["instance": "127.0.0.1:9100", "job": "node"]), scrapePool: "node",
                scrapeURL: "http://127.0.0.1:9100/metrics", globalURL: "http://host:9100/metrics", lastError: "",
                lastScrape: Timestamp(ms: 1_700_000_000_123), lastScrapeDurationSeconds: 0.25, health: .up,
                scrapeInterval: "15s", scrapeTimeout: "10s"),
            ActiveTargetInfo(
                discoveredLabels: Labels(["__address__": "127.0.0.1:1", "job": "app"]),
                labels: Labels(["instance": "127.0.0.1:1", "job": "app"]), scrapePool: "app",
                scrapeURL: "http://127.0.0.1:1/metrics", globalURL: "http://host:1/metrics",
                lastError: "connection refused", lastScrape: nil, lastScrapeDurationSeconds: 0, health: .unknown,
                scrapeInterval: "1m", scrapeTimeout: "10s"),
        ]
    }

    func droppedTargets() async -> [DroppedTargetInfo] {
        [DroppedTargetInfo(discoveredLabels: Labels(["__address__": "10.0.0.1:80", "job": "node"]), scrapePool: "node")]
    }

    func ruleGroups() async -> [RuleGroupInfo] {
        let alert = AlertInfo(
            labels: Labels(["alertname": "High", "instance": "a"]), annotations: Labels(["summary": "a is high"]),
            state: "firing", activeAt: Timestamp(ms: 1_700_000_000_000), keepFiringSince: nil, value: 1234.5)
        return [
            RuleGroupInfo(
                name: "example", file: "rules.yml", intervalSeconds: 30, limit: 0,
                rules: [
                    RuleInfo(
                        name: "job:up:sum", query: "sum by (job) (up)", labels: Labels(), kind: .recording, lastError: nil,
                        lastEvaluation: Timestamp(ms: 1_700_000_001_000), evaluationSeconds: 0.001),
                    RuleInfo(
                        name: "High", query: "x > 1", labels: Labels(["severity": "page"]),
                        kind: .alerting(
                            durationSeconds: 600, keepFiringForSeconds: 0, annotations: Labels(["summary": "{{ $labels.instance }} is high"]),
                            alerts: [alert]),
                        lastError: "boom", lastEvaluation: Timestamp(ms: 1_700_000_001_000), evaluationSeconds: 0.002),
                ], lastEvaluation: Timestamp(ms: 1_700_000_001_000), evaluationSeconds: 0.003)
        ]
    }

    func configText() async -> String { "global:\n  scrape_interval: 15s\n" }
    func flags() -> [(String, String)] { [("config.file", "prometheus.yml")] }

    func reload() async throws {
        reloads.withLock { $0 += 1 }
        if let message = reloadError.withLock({ $0 }) { throw FakeError(message: message) }
    }

    struct FakeError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// Series with fixed samples, for `/federate`.
struct FixedQueryable: Queryable {
    let series: [ArraySeries]

    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier { FixedQuerier(series: series) }

    struct FixedQuerier: Querier {
        let series: [ArraySeries]
        func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
            ArraySeriesSet(series.filter { s in matchers.allSatisfy { $0.matches(s.labels[$0.name]) } })
        }
        func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] { [] }
        func labelNames(matchers: [Matcher]) async throws -> [String] { [] }
        func close() {}
    }
}

@Suite struct ServerStatusRoutesTests {
    static func withRoutes(
        _ status: FakeServerStatus = FakeServerStatus(), _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let router = Router()
        ServerStatusRoutes(status: status).addRoutes(to: router)
        var federate = FederateHandler(
            source: {
                FixedQueryable(series: [
                    ArraySeries(
                        labels: Labels(["__name__": "up", "job": "node", "instance": "a"]),
                        samples: [Sample(t: Timestamp(ms: 990_000), v: 0), Sample(t: Timestamp(ms: 995_000), v: 1)]),
                    ArraySeries(
                        labels: Labels(["__name__": "up", "job": "node", "instance": "b", "site": "own"]),
                        samples: [Sample(t: Timestamp(ms: 996_000), v: 1)]),
                    // Stale: not federated.
                    ArraySeries(
                        labels: Labels(["__name__": "up", "job": "node", "instance": "gone"]),
                        samples: [Sample(t: Timestamp(ms: 997_000), v: StaleNaN.value)]),
                    // Older than the lookback: not federated.
                    ArraySeries(
                        labels: Labels(["__name__": "up", "job": "node", "instance": "old"]),
                        samples: [Sample(t: Timestamp(ms: 100_000), v: 1)]),
                    ArraySeries(
                        labels: Labels(["__name__": "a_metric", "path": "say \"hi\"\n"]),
                        samples: [Sample(t: Timestamp(ms: 999_500), v: 0.5)]),
                ])
            }, externalLabels: { Labels(["site": "eu"]) })
        federate.now = { Timestamp(ms: 1_000_000) }
        federate.addRoutes(to: router)
        try await Application(router: router).test(.router, body)
    }

    static func data(_ r: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as! [String: Any]
        #expect(object["status"] as? String == "success", "\(String(buffer: r.body))")
        return object["data"] as? [String: Any] ?? [:]
    }

    @Test func targetsHavePrometheusShape() async throws {
        try await Self.withRoutes { client in
            let r = try await client.execute(uri: "/api/v1/targets", method: .get)
            #expect(r.status == .ok)
            let data = try Self.data(r)
            let active = data["activeTargets"] as! [[String: Any]]
            #expect(active.count == 2)
            let node = active[0]
            #expect(node["scrapePool"] as? String == "node")
            #expect(node["scrapeUrl"] as? String == "http://127.0.0.1:9100/metrics")
            #expect(node["globalUrl"] as? String == "http://host:9100/metrics")
            #expect(node["health"] as? String == "up")
            #expect(node["lastError"] as? String == "")
            #expect(node["lastScrape"] as? String == "2023-11-14T22:13:20.123Z")
            #expect(node["lastScrapeDuration"] as? Double == 0.25)
            #expect(node["scrapeInterval"] as? String == "15s")
            #expect(node["scrapeTimeout"] as? String == "10s")
            #expect(node["labels"] as? [String: String] == ["instance": "127.0.0.1:9100", "job": "node"])
            #expect(node["discoveredLabels"] as? [String: String] == ["__address__": "127.0.0.1:9100", "job": "node"])
            #expect(active[1]["lastScrape"] as? String == "0001-01-01T00:00:00Z")
            #expect(active[1]["health"] as? String == "unknown")
            let dropped = data["droppedTargets"] as! [[String: Any]]
            #expect(dropped.count == 1)
            #expect(dropped[0]["scrapePool"] as? String == "node")
            #expect(data["droppedTargetCounts"] as? [String: Int] == ["node": 1])
        }
    }

    @Test(
        "state and scrapePool filter targets",
        arguments: [
            ("state=active", 2, 0), ("state=dropped", 0, 1), ("state=any", 2, 1), ("scrapePool=app", 1, 0),
            ("state=any&scrapePool=node", 1, 1),
        ])
    func targetsFilter(query: String, active: Int, dropped: Int) async throws {
        try await Self.withRoutes { client in
            let data = try Self.data(try await client.execute(uri: "/api/v1/targets?\(query)", method: .get))
            #expect((data["activeTargets"] as! [Any]).count == active)
            #expect((data["droppedTargets"] as! [Any]).count == dropped)
        }
    }

    @Test func badStateIsBadData() async throws {
        try await Self.withRoutes { client in
            let r = try await client.execute(uri: "/api/v1/targets?state=sleepy", method: .get)
            #expect(r.status == .badRequest)
            #expect(String(buffer: r.body).contains(#""errorType":"bad_data""#))
        }
    }

    @Test func rulesHavePrometheusShape() async throws {
        try await Self.withRoutes { client in
            let data = try Self.data(try await client.execute(uri: "/api/v1/rules", method: .get))
            let groups = data["groups"] as! [[String: Any]]
            #expect(groups.count == 1)
            #expect(groups[0]["name"] as? String == "example")
            #expect(groups[0]["file"] as? String == "rules.yml")
            #expect(groups[0]["interval"] as? Double == 30)
            #expect(groups[0]["lastEvaluation"] as? String == "2023-11-14T22:13:21Z")
            let rules = groups[0]["rules"] as! [[String: Any]]
            #expect(rules[0]["type"] as? String == "recording")
            #expect(rules[0]["health"] as? String == "ok")
            #expect(rules[0]["query"] as? String == "sum by (job) (up)")
            #expect(rules[0]["alerts"] == nil)
            let alerting = rules[1]
            #expect(alerting["type"] as? String == "alerting")
            #expect(alerting["state"] as? String == "firing")
            #expect(alerting["duration"] as? Double == 600)
            #expect(alerting["keepFiringFor"] as? Double == 0)
            #expect(alerting["health"] as? String == "err")
            #expect(alerting["lastError"] as? String == "boom")
            #expect(alerting["annotations"] as? [String: String] == ["summary": "{{ $labels.instance }} is high"])
            let alerts = alerting["alerts"] as! [[String: Any]]
            #expect(alerts[0]["value"] as? String == "1.2345e+03")
            #expect(alerts[0]["activeAt"] as? String == "2023-11-14T22:13:20Z")
            #expect(alerts[0]["state"] as? String == "firing")
        }
    }

    @Test("type filters rules", arguments: [("alert", ["High"]), ("record", ["job:up:sum"]), ("", ["job:up:sum", "High"])])
    func rulesType(type: String, names: [String]) async throws {
        try await Self.withRoutes { client in
            let data = try Self.data(try await client.execute(uri: "/api/v1/rules?type=\(type)", method: .get))
            let groups = data["groups"] as! [[String: Any]]
            #expect((groups[0]["rules"] as! [[String: Any]]).map { $0["name"] as! String } == names)
        }
    }

    @Test func alertsListsActiveAlerts() async throws {
        try await Self.withRoutes { client in
            let data = try Self.data(try await client.execute(uri: "/api/v1/alerts", method: .get))
            let alerts = data["alerts"] as! [[String: Any]]
            #expect(alerts.count == 1)
            #expect(alerts[0]["labels"] as? [String: String] == ["alertname": "High", "instance": "a"])
            #expect(alerts[0]["annotations"] as? [String: String] == ["summary": "a is high"])
        }
    }

    @Test func statusConfigAndFlags() async throws {
        try await Self.withRoutes { client in
            let config = try Self.data(try await client.execute(uri: "/api/v1/status/config", method: .get))
            #expect(config["yaml"] as? String == "global:\n  scrape_interval: 15s\n")
            let flags = try Self.data(try await client.execute(uri: "/api/v1/status/flags", method: .get))
            #expect(flags as? [String: String] == ["config.file": "prometheus.yml"])
        }
    }

    @Test func reloadReportsFailureWith500() async throws {
        let status = FakeServerStatus()
        try await Self.withRoutes(status) { client in
            #expect(try await client.execute(uri: "/-/reload", method: .post).status == .ok)
            #expect(try await client.execute(uri: "/-/reload", method: .put).status == .ok)
            status.reloadError.withLock { $0 = "prometheus.yml: scrape_configs[0].foo: unknown field" }
            let r = try await client.execute(uri: "/-/reload", method: .post)
            #expect(r.status == .internalServerError)
            #expect(String(buffer: r.body).contains("scrape_configs[0].foo: unknown field"))
            #expect(try await client.execute(uri: "/-/reload", method: .get).status != .ok)
        }
        #expect(status.reloads.withLock { $0 } == 3)
    }

    @Test func federateWritesLatestSamplesWithExternalLabels() async throws {
        try await Self.withRoutes { client in
            let r = try await client.execute(uri: "/federate?match%5B%5D=up&match%5B%5D=a_metric", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(
                String(buffer: r.body) == """
                    # TYPE a_metric untyped
                    a_metric{path="say \\"hi\\"\\n",site="eu"} 0.5 999500
                    # TYPE up untyped
                    up{instance="a",job="node",site="eu"} 1 995000
                    up{instance="b",job="node",site="own"} 1 996000

                    """)
            let none = try await client.execute(uri: "/federate", method: .get)
            #expect(none.status == .badRequest)
            let bad = try await client.execute(uri: "/federate?match%5B%5D=sum(up)", method: .get)
            #expect(bad.status == .badRequest)
        }
    }

    @Test("Go's %e float format", arguments: [
        (1.0, "1e+00"), (0.0, "0e+00"), (1234.5, "1.2345e+03"), (0.00125, "1.25e-03"), (-2.5, "-2.5e+00"),
        (1e21, "1e+21"), (1.5e-300, "1.5e-300"), (Double.infinity, "+Inf"),
    ])
    func goExponent(v: Double, text: String) {
        #expect(GoFloat.exponent(v) == text)
    }
}
