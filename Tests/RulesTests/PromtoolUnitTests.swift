import Foundation
import PromModel
import PromQL
import Rules
import Testing
import Yams

/// `Fixtures/promtool/*.test.yaml` are `promtool test rules` files: real Prometheus must pass them
/// (when promtool is installed), and Hearth must produce the same alerts, labels and annotations.
@Suite struct PromtoolUnitTests {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/promtool")

    @Test("promtool test rules passes the fixture, so its expectations are Prometheus' behaviour")
    func promtoolPasses() throws {
        guard let promtool = ExternalTool.find("promtool") else {
            print("skipping: promtool not installed")
            return
        }
        let (status, output) = try ExternalTool.run(promtool, ["test", "rules", Self.directory.path + "/templates.test.yaml"])
        #expect(status == 0, "\(output)")
    }

    @Test("Hearth fires the same alerts with the same labels and annotations")
    func hearthMatches() async throws {
        let test = try #require(
            try Yams.load(yaml: String(contentsOf: Self.directory.appendingPathComponent("templates.test.yaml"), encoding: .utf8))
                as? [String: Any])
        let ruleText = try String(contentsOf: Self.directory.appendingPathComponent("templates.rules.yaml"), encoding: .utf8)
        let rules = try decodeRuleFile(ruleText, source: "templates.rules.yaml")
        let testCase = try #require((test["tests"] as? [[String: Any]])?.first)
        let intervalMs = try PrometheusDuration.parseMilliseconds(testCase["interval"] as? String ?? "1m")

        let storage = try TestStorage()
        for input in testCase["input_series"] as? [[String: Any]] ?? [] {
            let labels = try Self.parseSeries(input["series"] as? String ?? "")
            let (value, count) = try Self.parseExpanding(input["values"] as? String ?? "")
            try await storage.append((0...count).map { (labels, Int64($0) * intervalMs, value) })
        }
        let deps = RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db)
        let group = try RuleGroup(spec: rules.groups[0], file: "templates.rules.yaml", dependencies: deps, restoreOnStart: false)

        var evaluatedUntil: Int64 = -1
        for check in testCase["alert_rule_test"] as? [[String: Any]] ?? [] {
            let evalMs = try PrometheusDuration.parseMilliseconds(check["eval_time"] as? String ?? "0")
            var t = evaluatedUntil + 1 == 0 ? 0 : evaluatedUntil + intervalMs
            while t <= evalMs {
                await group.evaluate(at: Timestamp(ms: t))
                t += intervalMs
            }
            evaluatedUntil = evalMs
            let alertname = check["alertname"] as? String ?? ""
            let got = await group.alerts().filter { $0.state == .firing && $0.labels.get("alertname") == alertname }
            let expected = (check["exp_alerts"] as? [[String: Any]] ?? []).map { e in
                let labels = (e["exp_labels"] as? [String: String] ?? [:]).merging(["alertname": alertname]) { a, _ in a }
                return (Labels(labels), Labels(e["exp_annotations"] as? [String: String] ?? [:]))
            }
            #expect(got.map(\.labels) == expected.map(\.0), "at \(evalMs) ms")
            #expect(got.map(\.annotations) == expected.map(\.1), "at \(evalMs) ms")
        }
    }

    /// `metric{a="b"}` in the promtool series syntax (no escapes needed for the fixtures).
    static func parseSeries(_ text: String) throws -> Labels {
        let name = String(text.prefix { $0 != "{" })
        var out = ["__name__": name]
        let inner = text.drop { $0 != "{" }.dropFirst().dropLast()
        for pair in inner.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        return Labels(out)
    }

    /// `VxN`: the value V repeated N+1 times (promtool's expanding notation without a step).
    static func parseExpanding(_ text: String) throws -> (Double, Int) {
        let parts = text.split(separator: "x")
        return (try #require(Double(String(parts[0]))), try #require(Int(String(parts[1]))))
    }
}
