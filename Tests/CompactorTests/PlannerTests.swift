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

    /// One row: blocks as [id, fromHour, toHour]; expected jobs as sorted lists of block ids.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var blocks: [[Int]]
        var expected: [[Int]]
        init(_ name: String, _ blocks: [[Int]], _ expected: [[Int]]) {
            self.name = name
            self.blocks = blocks
            self.expected = expected
        }
        var testDescription: String { name }
    }

    static let eightHourBlocks: [[Int]] = (0..<6).map { [$0 + 1, $0 * 8, $0 * 8 + 8] }
    static let cases: [Case] = [
        Case("single 2h block: nothing", [[1, 0, 2]], []),
        Case("four 2h blocks fill 8h", [[1, 0, 2], [2, 2, 4], [3, 4, 6], [4, 6, 8]], [[1, 2, 3, 4]]),
        Case("incomplete newest range waits", [[1, 0, 2], [2, 2, 4]], []),
        Case("incomplete range with newer data goes", [[1, 0, 2], [2, 2, 4], [3, 8, 10]], [[1, 2]]),
        Case("two ranges at once", [[1, 0, 2], [2, 6, 8], [3, 8, 10], [4, 14, 16]], [[1, 2], [3, 4]]),
        Case("8h blocks fill 2d", eightHourBlocks, [[1, 2, 3, 4, 5, 6]]),
        Case("overlap goes first, vertically", [[1, 0, 2], [2, 0, 2], [3, 2, 4], [4, 4, 6], [5, 6, 8]], [[1, 2]]),
    ]

    @Test("compaction plan", arguments: cases)
    func plan(_ c: Case) {
        let jobs = Self.planner.plan(c.blocks.map { Self.meta(UInt64($0[0]), Int64($0[1]), Int64($0[2])) })
        let got = jobs.map { job -> [Int] in
            guard case .compact(_, let sources, _) = job else { return [] }
            return sources.map { Int($0.ulid.low) }.sorted()
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
