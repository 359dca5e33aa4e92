import Testing
import TSDB

@Suite struct ResolutionPlanTests {
    static let h: Int64 = 3_600_000

    static func meta(_ id: UInt64, _ from: Int64, _ to: Int64, _ resolution: Int64) -> BlockMeta {
        BlockMeta(ulid: ULID(high: id << 16, low: id), minTime: from * h, maxTime: to * h,
                  thanos: .init(labels: [:], downsample: .init(resolution: resolution)))
    }

    /// Raw kept for the last 10h, 5m for the last 40h, 1h for everything.
    static let blocks = [meta(1, 0, 100, 3_600_000), meta(2, 60, 100, 300_000), meta(3, 90, 100, 0)]

    @Test func finestAvailablePerSubRange() {
        let plan = ResolutionPlan.plan(Self.blocks, start: 0, end: 100 * Self.h - 1)
        #expect(plan.map(\.resolution) == [3_600_000, 300_000, 0])
        #expect(plan.map(\.start) == [0, 60 * Self.h, 90 * Self.h])
        #expect(plan.map(\.end) == [60 * Self.h - 1, 90 * Self.h - 1, 100 * Self.h - 1])
        #expect(plan.map(\.blocks) == [[Self.blocks[0].ulid], [Self.blocks[1].ulid], [Self.blocks[2].ulid]])
    }

    @Test func maxSourceResolutionForcesCoarser() {
        let plan = ResolutionPlan.plan(Self.blocks, start: 50 * Self.h, end: 100 * Self.h - 1, maxSourceResolution: 300_000)
        // 5m where it exists (even where raw exists too); raw only in its gaps; never 1h.
        #expect(plan.map(\.resolution) == [300_000])
        #expect(plan.first?.start == 60 * Self.h)
        let coarse = ResolutionPlan.plan(Self.blocks, start: 95 * Self.h, end: 100 * Self.h - 1, maxSourceResolution: 3_600_000)
        #expect(coarse.map(\.resolution) == [3_600_000])
    }

    @Test func gapsStayEmpty() {
        let plan = ResolutionPlan.plan([Self.meta(1, 0, 2, 0), Self.meta(2, 4, 6, 0)], start: 0, end: 6 * Self.h - 1)
        #expect(plan.map(\.start) == [0, 4 * Self.h])
    }
}
