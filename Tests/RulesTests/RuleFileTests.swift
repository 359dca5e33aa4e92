import Foundation
import Rules
import Testing

/// Rule files from `Fixtures/rules`: `*.good.yaml` must load; `*.bad.yaml` must fail with the text of
/// their first line (`# error: …`). Where promtool is installed it must agree on every file.
@Suite struct RuleFileTests {
    static func fixtures(_ suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory().path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: fixturesDirectory().appendingPathComponent(name), encoding: .utf8)
    }

    @Test("good rule files load", arguments: fixtures(".good.yaml"))
    func good(name: String) throws {
        let file = try decodeRuleFile(try Self.text(name), source: name)
        for group in file.groups { #expect(!group.name.isEmpty) }
    }

    @Test("bad rule files are rejected with a message naming file, group and rule", arguments: fixtures(".bad.yaml"))
    func bad(name: String) throws {
        let text = try Self.text(name)
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("# error: "), "fixture \(name) must start with # error: <text>")
        let expected = String(first.dropFirst("# error: ".count))
        do {
            _ = try decodeRuleFile(text, source: name)
            Issue.record("\(name) was accepted")
        } catch {
            #expect("\(error)".contains(expected), "got: \(error)")
        }
    }

    @Test("promtool check rules agrees with us on every fixture", arguments: fixtures(".yaml"))
    func promtoolAgrees(name: String) throws {
        guard let promtool = ExternalTool.find("promtool") else {
            print("skipping: promtool not installed")
            return
        }
        let path = fixturesDirectory().appendingPathComponent(name).path
        let (status, output) = try ExternalTool.run(promtool, ["check", "rules", path])
        let ours = (try? decodeRuleFile(try Self.text(name), source: name)) != nil
        #expect((status == 0) == ours, "promtool exit \(status) vs ours accepted=\(ours): \(output)")
    }

    @Test("the parsed structure keeps every field")
    func structure() throws {
        let file = try decodeRuleFile(try Self.text("alerting.good.yaml"), source: "alerting.good.yaml")
        let rule = file.groups[0].rules[0]
        #expect(rule.alert == "InstanceDown")
        #expect(rule.forDuration == "5m")
        #expect(rule.keepFiringFor == "2m")
        #expect(rule.labels["severity"] == "page")
        #expect(rule.annotations["summary"] == "Instance {{ $labels.instance }} down")
        let recording = try decodeRuleFile(try Self.text("recording.good.yaml"), source: "r")
        #expect(recording.groups[0].interval == "30s")
        #expect(recording.groups[0].limit == 100)
        #expect(recording.groups[1].rules[0].expr == "42")
    }

    @Test("validation lists every problem, not just the first")
    func allProblems() {
        let file = RuleFile(groups: [
            group("g", [RuleSpec(record: "bad-name", expr: "up"), RuleSpec(alert: "A", expr: "up ==")])
        ])
        let problems = file.problems(source: "f.yaml")
        #expect(problems.count == 2)
        #expect(problems[0] == "f.yaml: group \"g\", rule 1 (record \"bad-name\"): invalid recording rule name: bad-name")
        #expect(problems[1].hasPrefix("f.yaml: group \"g\", rule 2 (alert \"A\"): could not parse expression"))
    }

    @Test("Prometheus 3 group fields query_offset and labels are accepted")
    func prometheus3Fields() throws {
        let yaml = """
            groups:
              - name: g
                query_offset: 1m
                labels: {team: a}
                rules: [{record: x, expr: up}]
            """
        let file = try decodeRuleFile(yaml, source: "p3.yaml")
        #expect(file.groups[0].queryOffset == "1m")
        #expect(file.groups[0].labels == ["team": "a"])
    }
}
