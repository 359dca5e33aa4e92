import PromModel
import PromQL
import Rules
import StorageAPI
import Testing

/// The alert state machine driven with explicit timestamps (a fake clock).
@Suite struct AlertingRuleTests {
    static let m: Int64 = 60_000
    static let down = RuleSample(labels: ["__name__": "up", "instance": "a", "job": "node"], v: 0)

    func at(_ minutes: Int64) -> Timestamp { Timestamp(ms: minutes * Self.m) }

    func state(_ rule: AlertingRule) -> AlertState? { rule.active.values.first?.state }

    @Test("pending → firing after `for`, then resolved and dropped after the retention")
    func lifecycle() throws {
        var rule = try AlertingRule(
            name: "InstanceDown", expr: "up == 0", holdMs: 5 * Self.m, labels: ["severity": "page"],
            annotations: ["summary": "{{ $labels.instance }} is down ({{ $value }})"])
        var samples = try rule.apply([Self.down], at: at(0))
        #expect(state(rule) == .pending)
        let alertLabels: Labels = ["alertname": "InstanceDown", "instance": "a", "job": "node", "severity": "page"]
        #expect(samples.contains(RuleSample(labels: alertLabels.setting("__name__", to: "ALERTS").setting("alertstate", to: "pending"), v: 1)))
        #expect(samples.contains(RuleSample(labels: alertLabels.setting("__name__", to: "ALERTS_FOR_STATE"), v: 0)))
        #expect(rule.active[alertLabels]?.annotations == ["summary": "a is down (0)"])
        #expect(rule.alertsToSend(at: at(0), resendDelayMs: Self.m, intervalMs: Self.m, generatorURL: "").isEmpty)

        _ = try rule.apply([Self.down], at: at(4))
        #expect(state(rule) == .pending)
        samples = try rule.apply([Self.down], at: at(5))
        #expect(state(rule) == .firing)
        #expect(samples.contains { $0.labels.get("alertstate") == "firing" })
        let sent = rule.alertsToSend(at: at(5), resendDelayMs: Self.m, intervalMs: Self.m, generatorURL: "http://x/graph")
        #expect(sent.count == 1)
        #expect(sent[0].startsAt == at(5))
        #expect(sent[0].endsAt == at(9))  // four resend delays
        #expect(sent[0].labels == alertLabels)

        // Resent only after the resend delay has passed.
        _ = try rule.apply([Self.down], at: at(6))
        #expect(rule.alertsToSend(at: at(6), resendDelayMs: Self.m, intervalMs: Self.m, generatorURL: "").isEmpty)
        _ = try rule.apply([Self.down], at: at(7))
        #expect(rule.alertsToSend(at: at(7), resendDelayMs: Self.m, intervalMs: Self.m, generatorURL: "").count == 1)

        samples = try rule.apply([], at: at(8))
        #expect(samples.isEmpty)
        #expect(state(rule) == .inactive)
        let resolved = rule.alertsToSend(at: at(8), resendDelayMs: Self.m, intervalMs: Self.m, generatorURL: "")
        #expect(resolved.count == 1)
        #expect(resolved[0].endsAt == at(8))
        #expect(resolved[0].startsAt == at(5))
        _ = try rule.apply([], at: at(20))
        #expect(state(rule) == .inactive)
        _ = try rule.apply([], at: at(24))
        #expect(rule.active.isEmpty)
    }

    @Test("a pending alert that clears is dropped without being sent")
    func pendingClears() throws {
        var rule = try AlertingRule(name: "A", expr: "up == 0", holdMs: 5 * Self.m)
        _ = try rule.apply([Self.down], at: at(0))
        _ = try rule.apply([], at: at(1))
        #expect(rule.active.isEmpty)
    }

    @Test("without `for` an alert fires at once")
    func noHold() throws {
        var rule = try AlertingRule(name: "A", expr: "up == 0")
        _ = try rule.apply([Self.down], at: at(0))
        #expect(state(rule) == .firing)
    }

    @Test("keep_firing_for holds a cleared alert firing, then resolves it")
    func keepFiringFor() throws {
        var rule = try AlertingRule(name: "A", expr: "up == 0", keepFiringForMs: 3 * Self.m)
        _ = try rule.apply([Self.down], at: at(0))
        #expect(state(rule) == .firing)
        var samples = try rule.apply([], at: at(1))
        #expect(state(rule) == .firing)
        #expect(samples.contains { $0.labels.get("alertstate") == "firing" })
        _ = try rule.apply([], at: at(3))
        #expect(state(rule) == .firing)
        samples = try rule.apply([], at: at(4))
        #expect(state(rule) == .inactive)
        #expect(samples.isEmpty)
        // Coming back starts a new alert.
        _ = try rule.apply([Self.down], at: at(5))
        #expect(rule.active.values.first?.activeAt == at(5))
    }

    @Test("a condition that returns during keep_firing_for keeps the original alert")
    func keepFiringResets() throws {
        var rule = try AlertingRule(name: "A", expr: "up == 0", keepFiringForMs: 3 * Self.m)
        _ = try rule.apply([Self.down], at: at(0))
        _ = try rule.apply([], at: at(1))
        _ = try rule.apply([Self.down], at: at(2))
        #expect(rule.active.values.first?.keepFiringSince == nil)
        #expect(rule.active.values.first?.activeAt == at(0))
    }

    @Test("label templates see the result's labels and value; alertname cannot be overridden")
    func labelTemplates() throws {
        var rule = try AlertingRule(
            name: "A", expr: "up == 0",
            labels: ["where": "{{ $labels.instance }}-{{ $value }}", "alertname": "other"])
        _ = try rule.apply([Self.down], at: at(0))
        let labels = try #require(rule.active.keys.first)
        #expect(labels.get("where") == "a-0")
        #expect(labels.get("alertname") == "A")
    }

    @Test("alerts over the limit are an error and clear the rule")
    func limit() throws {
        var rule = try AlertingRule(name: "A", expr: "up == 0")
        let two = [Self.down, RuleSample(labels: ["instance": "b"], v: 0)]
        #expect(throws: RulesError.self) { try rule.apply(two, at: at(0), limit: 1) }
        #expect(rule.active.isEmpty)
    }
}
