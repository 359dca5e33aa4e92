import Foundation
import PromModel
import PromQL
import Rules
import StorageAPI
import Testing

/// Virtual time: sleeping jumps straight to the deadline; past `end` sleeping throws, ending the loops.
final class VirtualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var ms: Int64
        func advanced(by d: Swift.Duration) -> Instant {
            Instant(ms: ms + Int64((d / .milliseconds(1)).rounded()))
        }
        func duration(to other: Instant) -> Swift.Duration { .milliseconds(other.ms - ms) }
        static func < (a: Instant, b: Instant) -> Bool { a.ms < b.ms }
    }

    // Guarded by `lock`; shared by the group task and the test.
    private let lock = NSLock()
    private var current: Int64
    let end: Int64

    init(startMs: Int64, endMs: Int64) {
        current = startMs
        end = endMs
    }

    var now: Instant { lock.withLock { Instant(ms: current) } }
    var minimumResolution: Swift.Duration { .milliseconds(1) }

    func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        guard deadline.ms <= end else { throw CancellationError() }
        lock.withLock { current = max(current, deadline.ms) }
    }

    var timestamp: @Sendable () -> Timestamp { { [self] in Timestamp(ms: self.now.ms) } }
}

@Suite struct RuleManagerTests {
    @Test("groups evaluate on interval slots aligned to their offset until stopped")
    func runLoop() async throws {
        let storage = try TestStorage()
        let clock = VirtualClock(startMs: 10_000_000, endMs: 10_000_000 + 5 * 60_000)
        let file = RuleFile(groups: [group("loop", interval: "1m", [RuleSpec(record: "one", expr: "vector(1)")])])
        let deps = RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db)
        let manager = try RuleManager(files: [("rules.yaml", file)], dependencies: deps, clock: clock, now: clock.timestamp)
        try await manager.run()
        let samples = try await storage.samples("one").values.first ?? []
        let slot = manager.groups[0].evaluationTimestamp(atOrBefore: Timestamp(ms: 10_000_000))
        #expect(samples.count >= 4)
        #expect(samples.first?.t == Timestamp(ms: slot.ms + 60_000))
        for (a, b) in zip(samples, samples.dropFirst()) { #expect(b.t.ms - a.t.ms == 60_000) }
        #expect(await manager.groups[0].shouldRestore == false)
    }

    @Test("invalid files are rejected with every problem listed")
    func rejectsInvalidFiles() throws {
        let storage = try TestStorage()
        let bad = RuleFile(groups: [group("g", [RuleSpec(record: "1bad", expr: "up")]), group("g", [])])
        let deps = RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db)
        #expect {
            _ = try RuleManager(files: [("bad.yaml", bad)], dependencies: deps)
        } throws: { error in
            let text = "\(error)"
            return text.contains("bad.yaml: group \"g\", rule 1 (record \"1bad\"): invalid recording rule name: 1bad")
                && text.contains("bad.yaml: group \"g\": group name is repeated in the same file")
        }
    }
}

@Suite struct RuleGroupSnapshotTests {
    @Test("a snapshot carries rule specs, errors and evaluation times for the rules API")
    func snapshotAfterEvaluation() async throws {
        let storage = try TestStorage()
        let spec = group("api", [
            RuleSpec(record: "one", expr: "vector(1)", labels: ["team": "a"]),
            RuleSpec(
                alert: "Always", expr: "vector(2) > 1", forDuration: "5m", labels: ["severity": "page"],
                annotations: ["summary": "value {{ $value }}"]),
            RuleSpec(record: "empty_result", expr: "sum(nonexistent)"),
        ])
        let deps = RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db)
        let g = try RuleGroup(spec: spec, file: "rules.yml", dependencies: deps, restoreOnStart: false)
        let before = await g.snapshot()
        #expect(before.lastEvaluation == nil)
        await g.evaluate(at: Timestamp(ms: 1_000_000))
        let s = await g.snapshot()
        #expect(s.lastEvaluation == Timestamp(ms: 1_000_000))
        #expect(s.evaluationSeconds > 0)
        #expect(s.ruleEvaluationSeconds.count == 3)
        #expect(s.ruleEvaluationSeconds.allSatisfy { $0 > 0 && $0 <= s.evaluationSeconds })
        guard case .recording(let r) = s.rules[0], case .alerting(let a) = s.rules[1] else {
            Issue.record("rule kinds changed")
            return
        }
        #expect(r.labels == ["team": "a"])
        #expect(a.labels == ["severity": "page"])
        #expect(a.annotations == ["summary": "value {{ $value }}"])
        #expect(a.active.values.map(\.state) == [.pending])
        #expect(a.active.values.first?.annotations["summary"] == "value 2")
        #expect(s.lastErrors[0] == nil && s.lastErrors[1] == nil)
    }
}
