import PromModel
import PromQL
import Rules
import StorageAPI
import Testing

/// Recording rules evaluated over a real TSDB in a temp dir.
@Suite struct RecordingRuleTests {
    static let minute: Int64 = 60_000

    func makeGroup(_ storage: TestStorage, _ rules: [RuleSpec], limit: Int = 0) throws -> RuleGroup {
        try RuleGroup(
            spec: group(limit: limit, rules), file: "rules.yaml",
            dependencies: RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db),
            restoreOnStart: false)
    }

    @Test("results are written under the record name with the rule's labels")
    func writesResults() async throws {
        let storage = try TestStorage()
        try await storage.append([
            (["__name__": "up", "job": "a", "instance": "1"], 0, 1),
            (["__name__": "up", "job": "a", "instance": "2"], 0, 0),
            (["__name__": "up", "job": "b", "instance": "3"], 0, 1),
        ])
        let g = try makeGroup(storage, [
            RuleSpec(record: "job:up:sum", expr: "sum by (job) (up)", labels: ["source": "rule"]),
            // Reads the previous rule's output: results are committed rule by rule.
            RuleSpec(record: "total", expr: "sum(job:up:sum)"),
            RuleSpec(record: "answer", expr: "42"),
        ])
        await g.evaluate(at: Timestamp(ms: Self.minute))
        #expect(await g.lastErrors.allSatisfy { $0 == nil })
        let sums = try await storage.samples("job:up:sum")
        #expect(sums[["__name__": "job:up:sum", "job": "a", "source": "rule"]] == [Sample(t: Timestamp(ms: Self.minute), v: 1)])
        #expect(sums[["__name__": "job:up:sum", "job": "b", "source": "rule"]] == [Sample(t: Timestamp(ms: Self.minute), v: 1)])
        #expect(try await storage.samples("total")[["__name__": "total"]] == [Sample(t: Timestamp(ms: Self.minute), v: 2)])
        #expect(try await storage.samples("answer")[["__name__": "answer"]] == [Sample(t: Timestamp(ms: Self.minute), v: 42)])
    }

    @Test("a series that disappears gets a staleness marker once")
    func staleness() async throws {
        let storage = try TestStorage()
        try await storage.append([
            (["__name__": "up", "job": "a"], 0, 1),
            (["__name__": "up", "job": "b"], 0, 1),
            (["__name__": "up", "job": "a"], 60_000, 1),
            (["__name__": "up", "job": "b"], 60_000, StaleNaN.value),
            (["__name__": "up", "job": "a"], 120_000, 1),
        ])
        let g = try makeGroup(storage, [RuleSpec(record: "r", expr: "up")])
        for t in [30_000, 90_000, 150_000] as [Int64] { await g.evaluate(at: Timestamp(ms: t)) }
        let out = try await storage.samples("r")
        #expect(out[["__name__": "r", "job": "a"]]?.count == 3)
        let b = out[["__name__": "r", "job": "b"]] ?? []
        #expect(b.count == 2)
        #expect(b.first?.v == 1)
        #expect(b.last.map { StaleNaN.isStale($0.v) } == true)
        #expect(b.last?.t == Timestamp(ms: 90_000))
    }

    @Test("the group limit fails the rule and writes nothing")
    func limit() async throws {
        let storage = try TestStorage()
        try await storage.append((0..<3).map { (["__name__": "up", "i": "\($0)"], 0, 1) })
        let g = try makeGroup(storage, [RuleSpec(record: "r", expr: "up")], limit: 2)
        await g.evaluate(at: Timestamp(ms: 1000))
        let error = try #require(await g.lastErrors[0])
        #expect(error.code == .limit)
        #expect(error.message == "record \"r\": exceeded limit of 2 with 3 series")
        #expect(try await storage.samples("r").isEmpty)
    }

    @Test("labels that make results collide are an error")
    func duplicateLabelsets() async throws {
        let storage = try TestStorage()
        try await storage.append([(["__name__": "up", "i": "1"], 0, 1), (["__name__": "up", "i": "2"], 0, 1)])
        let g = try makeGroup(storage, [RuleSpec(record: "r", expr: "up", labels: ["i": "same"])])
        await g.evaluate(at: Timestamp(ms: 1000))
        #expect(await g.lastErrors[0]?.message.contains("same labelset after applying rule labels") == true)
    }

    @Test("evaluation slots are interval multiples shifted by a stable per-group offset")
    func evaluationTimestamps() throws {
        let storage = try TestStorage()
        let g = try makeGroup(storage, [RuleSpec(record: "r", expr: "up")])
        let a = g.evaluationTimestamp(atOrBefore: Timestamp(ms: 10_000_000))
        #expect(a.ms <= 10_000_000 && a.ms > 10_000_000 - Self.minute)
        #expect(g.evaluationTimestamp(atOrBefore: Timestamp(ms: a.ms + Self.minute - 1)) == a)
        #expect(g.evaluationTimestamp(atOrBefore: Timestamp(ms: a.ms + Self.minute)).ms == a.ms + Self.minute)
    }
}
