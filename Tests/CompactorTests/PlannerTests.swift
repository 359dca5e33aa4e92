import Compactor
import Testing
import TSDB

@Suite struct PlannerTests {
    static func meta(_ id: UInt64, _ from: Int64, _ to: Int64, level: Int = 1, sources: [UInt64]? = nil,
                     labels: [String: String] = ["tenant_id": "t"], resolution: Int64 = 0) -> BlockMeta {
        let ulid = ULID(high: id << 16, low: id)
        let src = (sources ?? [id]).map { ULID(high: $0 << 16, low: $0) }
        return BlockMeta(
            ulid: ulid, minTime: from * hour, maxTime: to * hour, compaction: .init(level: level, sources: src),
            thanos: .init(labels: labels, downsample: .init(resolution: resolution), source: "receive"))
    }

    static let planner = Planner(CompactorConfiguration())

    /// One row: blocks as (id, fromHour, toHour); expected jobs as sorted lists of block ids.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var blocks: [(UInt64, Int64, Int64)]
        var expected: [[UInt64]]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "single 2h block: nothing", blocks: [(1, 0, 2)], expected: []),
        Case(name: "four 2h blocks fill 8h", blocks: [(1, 0, 2), (2, 2, 4), (3, 4, 6), (4, 6, 8)], expected: [[1, 2, 3, 4]]),
        Case(name: "incomplete newest range waits", blocks: [(1, 0, 2), (2, 2, 4)], expected: []),
        Case(name: "incomplete range with newer data goes", blocks: [(1, 0, 2), (2, 2, 4), (3, 8, 10)], expected: [[1, 2]]),
        Case(name: "two ranges at once", blocks: [(1, 0, 2), (2, 6, 8), (3, 8, 10), (4, 14, 16)], expected: [[1, 2], [3, 4]]),
        Case(name: "8h blocks fill 2d", blocks: (0..<6).map { (UInt64($0 + 1), Int64($0) * 8, Int64($0) * 8 + 8) },
             expected: [[1, 2, 3, 4, 5, 6]]),
        Case(name: "overlap goes first, vertically", blocks: [(1, 0, 2), (2, 0, 2), (3, 2, 4), (4, 4, 6), (5, 6, 8)],
             expected: [[1, 2]]),
    ]

    @Test("compaction plan", arguments: cases)
    func plan(_ c: Case) {
        let jobs = Self.planner.plan(c.blocks.map { Self.meta($0.0, $0.1, $0.2) })
        let got = jobs.map { job -> [UInt64] in
            guard case .compact(_, let sources, _) = job else { return [] }
            return sources.map { $0.ulid.low }.sorted()
        }
        #expect(got == c.expected)
    }

    @Test func overlapIsVertical() {
        let jobs = Self.planner.plan([Self.meta(1, 0, 2), Self.meta(2, 1, 3)])
        guard case .compact(_, _, let vertical)? = jobs.first else { Issue.record("no job"); return }
        #expect(vertical)
    }

    @Test func replicasAreOneStreamOnlyWithReplicaLabel() {
        let a = Self.meta(1, 0, 2, labels: ["tenant_id": "t", "replica": "a"])
        let b = Self.meta(2, 0, 2, labels: ["tenant_id": "t", "replica": "b"])
        #expect(Self.planner.plan([a, b]).isEmpty)
        var c = CompactorConfiguration()
        c.replicaLabels = ["replica"]
        #expect(Planner(c).plan([a, b]).count == 1)
    }

    @Test func noCompactBlocksAreLeftOut() {
        let blocks = [Self.meta(1, 0, 2), Self.meta(2, 2, 4), Self.meta(3, 4, 6), Self.meta(4, 6, 8), Self.meta(5, 8, 10)]
        let jobs = Self.planner.plan(blocks, noCompact: [blocks[1].ulid])
        guard case .compact(_, let sources, _)? = jobs.first else { Issue.record("no job"); return }
        #expect(sources.map(\.ulid.low) == [1, 3, 4])
    }

    @Test func supersededSourcesAreDropped() {
        let merged = Self.meta(9, 0, 8, level: 2, sources: [1, 2, 3, 4])
        let jobs = Self.planner.plan([Self.meta(1, 0, 2), Self.meta(2, 2, 4), merged])
        #expect(jobs.count == 2)
        #expect(jobs.allSatisfy { job in
            if case .dropSuperseded(_, let by) = job { return by == merged.ulid }
            return false
        })
    }

    @Test func downsamplingThresholdsAndDoneCopies() {
        let raw = Self.meta(1, 0, 48, level: 3)
        #expect(Self.planner.plan([Self.meta(2, 0, 24, level: 3)]).isEmpty)
        guard case .downsample(_, _, let res)? = Self.planner.plan([raw]).first else { Issue.record("no job"); return }
        #expect(res == 300_000)
        let copy = Self.meta(2, 0, 48, level: 3, sources: [1], resolution: 300_000)
        #expect(Self.planner.plan([raw, copy]).isEmpty)
        let big5m = Self.meta(3, 0, 14 * 24, level: 4, sources: [7], resolution: 300_000)
        guard case .downsample(_, _, let res1h)? = Self.planner.plan([big5m]).first else { Issue.record("no 1h job"); return }
        #expect(res1h == 3_600_000)
        var off = CompactorConfiguration()
        off.downsampleEnabled = false
        #expect(Planner(off).plan([raw]).isEmpty)
    }

    @Test func retentionPerResolutionAndTenant() {
        var c = CompactorConfiguration()
        c.retentionRawMs = 10 * hour
        c.tenantRetention["long"] = .init(rawMs: 100 * hour)
        let policy = RetentionPolicy(c)
        let blocks = [Self.meta(1, 0, 2), Self.meta(2, 8, 10), Self.meta(3, 0, 2, resolution: 300_000)]
        #expect(policy.expired(blocks, tenant: "t", nowMs: 15 * hour).map(\.ulid.low) == [1])
        #expect(policy.expired(blocks, tenant: "t", nowMs: 20 * hour).map(\.ulid.low) == [1, 2])
        #expect(policy.expired(blocks, tenant: "long", nowMs: 20 * hour).isEmpty)
    }
}
