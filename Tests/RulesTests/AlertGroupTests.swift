import PromModel
import PromQL
import Rules
import StorageAPI
import Testing

/// Alerting rules inside a group over a real TSDB: ALERTS series, sending, and for-state restore.
@Suite struct AlertGroupTests {
    static let m: Int64 = 60_000
    func at(_ minutes: Int64) -> Timestamp { Timestamp(ms: minutes * Self.m) }

    /// `up{instance="a"} 0` every minute for an hour.
    func downForAnHour() async throws -> TestStorage {
        let storage = try TestStorage()
        try await storage.append((0...60).map { (["__name__": "up", "instance": "a"], $0 * Self.m, 0) })
        return storage
    }

    func makeGroup(
        _ storage: TestStorage, hold: String, restoreOnStart: Bool, sender: (any AlertSender)? = nil
    ) throws -> RuleGroup {
        let spec = group([RuleSpec(alert: "Down", expr: "up == 0", forDuration: hold, labels: ["severity": "page"])])
        let deps = RuleDependencies(
            engine: Engine(), queryable: storage.db, appendable: storage.db, sender: sender,
            context: TemplateContext(externalURL: "http://hearth:9090"))
        return try RuleGroup(spec: spec, file: "alerts.yaml", dependencies: deps, restoreOnStart: restoreOnStart)
    }

    @Test("ALERTS goes pending then firing, with a staleness marker for the pending series")
    func alertsSeries() async throws {
        let storage = try await downForAnHour()
        let sender = RecordingSender()
        let g = try makeGroup(storage, hold: "2m", restoreOnStart: false, sender: sender)
        for minute in 1...4 as ClosedRange<Int64> { await g.evaluate(at: at(minute)) }
        #expect(await g.lastErrors == [nil])
        let alerts = try await storage.samples("ALERTS")
        let base: Labels = ["__name__": "ALERTS", "alertname": "Down", "instance": "a", "severity": "page"]
        let pending = alerts[base.setting("alertstate", to: "pending")] ?? []
        #expect(pending.map(\.t) == [at(1), at(2), at(3)])
        #expect(pending.last.map { StaleNaN.isStale($0.v) } == true)
        #expect(alerts[base.setting("alertstate", to: "firing")]?.map(\.t) == [at(3), at(4)])
        let forState = try await storage.samples("ALERTS_FOR_STATE")
        #expect(forState.values.first?.map(\.v) == [60, 60, 60, 60])

        let sent = sender.batches.flatMap { $0 }
        #expect(sent.count == 1)
        #expect(sent.first?.generatorURL == "http://hearth:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1")
    }

    @Test("restart restores activeAt from ALERTS_FOR_STATE, not counting the downtime")
    func restore() async throws {
        let storage = try await downForAnHour()
        let before = try makeGroup(storage, hold: "15m", restoreOnStart: false)
        for minute in 1...5 as ClosedRange<Int64> { await before.evaluate(at: at(minute)) }

        // "Restart" at minute 8: a new group over the same storage.
        let after = try makeGroup(storage, hold: "15m", restoreOnStart: true)
        await after.evaluate(at: at(8))
        await after.evaluate(at: at(9))
        #expect(try await storage.samples("ALERTS").values.allSatisfy { $0.allSatisfy { $0.t <= at(5) } })
        await after.restoreForState(at: at(9))
        // Active from minute 1, down from 5 to 9: 4 minutes pending so far, so active since minute 5.
        #expect(await after.alerts().first?.activeAt == at(5))
        await after.evaluate(at: at(19))
        #expect(await after.alerts().first?.state == .pending)
        await after.evaluate(at: at(20))
        #expect(await after.alerts().first?.state == .firing)
    }

    @Test("an alert close to firing gets the grace period after a restart")
    func restoreGrace() async throws {
        let storage = try await downForAnHour()
        let before = try makeGroup(storage, hold: "12m", restoreOnStart: false)
        for minute in 1...5 as ClosedRange<Int64> { await before.evaluate(at: at(minute)) }
        let after = try makeGroup(storage, hold: "12m", restoreOnStart: true)
        await after.evaluate(at: at(8))
        await after.evaluate(at: at(9))
        await after.restoreForState(at: at(9))
        // 8 of 12 minutes left is less than the 10 minute grace period: fires 10 minutes from now.
        #expect(await after.alerts().first?.activeAt == at(7))
    }

    @Test("an alert that was firing before the restart fires again at once")
    func restoreFiring() async throws {
        let storage = try await downForAnHour()
        let before = try makeGroup(storage, hold: "10m", restoreOnStart: false)
        for minute in 1...12 as ClosedRange<Int64> { await before.evaluate(at: at(minute)) }
        let after = try makeGroup(storage, hold: "10m", restoreOnStart: true)
        await after.evaluate(at: at(14))
        await after.evaluate(at: at(15))
        await after.restoreForState(at: at(15))
        #expect(await after.alerts().first?.activeAt == at(1))
        await after.evaluate(at: at(16))
        #expect(await after.alerts().first?.state == .firing)
    }
}

/// Config reload: a rebuilt group keeps its predecessor's alerts and series.
@Suite struct ReloadTests {
    static let m: Int64 = 60_000
    func at(_ minutes: Int64) -> Timestamp { Timestamp(ms: minutes * Self.m) }

    func makeGroup(_ storage: TestStorage, _ rules: [RuleSpec]) throws -> RuleGroup {
        let deps = RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db)
        return try RuleGroup(spec: group(rules), file: "r.yaml", dependencies: deps, restoreOnStart: true)
    }

    @Test("a reloaded group keeps firing alerts firing and its series unstaled")
    func inherit() async throws {
        let storage = try TestStorage()
        try await storage.append((0...30).map { (["__name__": "up", "instance": "a"], $0 * Self.m, 0) })
        let alert = RuleSpec(alert: "Down", expr: "up == 0", forDuration: "5m")
        let old = try makeGroup(storage, [alert, RuleSpec(record: "r", expr: "up")])
        await old.restoreForState(at: at(0))
        for minute in 1...7 as ClosedRange<Int64> { await old.evaluate(at: at(minute)) }
        #expect(await old.alerts().first?.state == .firing)

        let new = try makeGroup(storage, [alert, RuleSpec(record: "r2", expr: "up")])
        await new.inheritState(from: old)
        #expect(await new.shouldRestore == false)
        await new.evaluate(at: at(8))
        #expect(await new.alerts().first?.state == .firing)
        #expect(await new.alerts().first?.activeAt == at(1))
        let firing = try await storage.samples("ALERTS").first { $0.key.get("alertstate") == "firing" }?.value ?? []
        #expect(firing.last.map { StaleNaN.isStale($0.v) } == false)
    }

    @Test("a removed group marks its series stale")
    func markStale() async throws {
        let storage = try TestStorage()
        try await storage.append([(["__name__": "up", "instance": "a"], 0, 1)])
        let old = try makeGroup(storage, [RuleSpec(record: "r", expr: "up")])
        await old.evaluate(at: at(1))
        try await old.markStale(at: at(2))
        let r = try await storage.samples("r").values.first ?? []
        #expect(r.count == 2)
        #expect(r.last.map { StaleNaN.isStale($0.v) } == true)
    }
}
