/// Chooses which blocks to merge. Pure: takes metas, touches no files.
///
/// Overlapping blocks are merged first (vertical compaction, de-duplicating samples). Otherwise,
/// for each larger range, blocks that fall inside one aligned window of that range are merged,
/// provided the window is complete: some block already reaches past its end.
public struct DBCompactionPlanner: Sendable {
    /// Ranges in ms, ascending; the first is the block range.
    public var rangesMs: [Int64]

    /// A planner for the given ranges (block range first).
    public init(rangesMs: [Int64]) { self.rangesMs = rangesMs }

    /// The blocks of the next merge, ascending by min time; empty when nothing should be merged.
    public func plan(_ metas: [BlockMeta]) -> [BlockMeta] {
        let sorted = metas.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        if let group = overlapping(sorted) { return group }
        guard let newestEnd = sorted.map(\.maxTime).max() else { return [] }
        for r in rangesMs.dropFirst() where r > 0 {
            var groups: [Int64: [BlockMeta]] = [:]
            for m in sorted {
                let w = floorDiv(m.minTime, r) * r
                // Only blocks wholly inside the window; a block already as large as the window stays.
                if m.maxTime <= w + r && m.maxTime - m.minTime < r { groups[w, default: []].append(m) }
            }
            for w in groups.keys.sorted() {
                let g = groups[w]!
                if g.count >= 2 && w + r <= newestEnd { return g }
            }
        }
        return []
    }

    /// The first group of blocks whose time ranges overlap (block ranges are `[min, max)`).
    func overlapping(_ sorted: [BlockMeta]) -> [BlockMeta]? {
        var group: [BlockMeta] = []
        var groupEnd = Int64.min
        for m in sorted {
            if !group.isEmpty && m.minTime < groupEnd {
                group.append(m)
                groupEnd = max(groupEnd, m.maxTime)
                continue
            }
            if group.count >= 2 { return group }
            group = [m]
            groupEnd = m.maxTime
        }
        return group.count >= 2 ? group : nil
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let (q, r) = a.quotientAndRemainder(dividingBy: b)
    return r < 0 ? q - 1 : q
}
