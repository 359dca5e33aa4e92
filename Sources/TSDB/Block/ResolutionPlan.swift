/// Which blocks answer which part of a query's time range when a bucket holds raw and
/// downsampled copies of the same data. Pure: a building block for the bucket querier (#7).
///
/// By default each sub-range is read at the finest resolution that still exists there (raw where
/// retention kept it, else 5m, else 1h). With a maximum source resolution (Thanos'
/// `max_source_resolution`), the coarsest resolution not above it is preferred, finer ones fill its
/// gaps, and coarser ones are never used.
public enum ResolutionPlan {
    /// One contiguous piece of the range and the blocks to read it from.
    public struct Segment: Hashable, Sendable {
        /// First and last millisecond of the piece, both inclusive.
        public var start: Int64
        public var end: Int64
        /// Resolution of the blocks in milliseconds; 0 for raw.
        public var resolution: Int64
        /// The blocks of that resolution overlapping the piece, oldest first.
        public var blocks: [ULID]
    }

    /// Segments covering the parts of `[start, end]` (inclusive) for which some block exists.
    /// - Parameters:
    ///   - blocks: metas of the candidate blocks (any resolution, any order).
    ///   - maxSourceResolution: 0 for "finest available"; otherwise the coarsest resolution allowed.
    public static func plan(_ blocks: [BlockMeta], start: Int64, end: Int64, maxSourceResolution: Int64 = 0) -> [Segment] {
        let resolutions = Set(blocks.map { $0.thanos?.downsample.resolution ?? 0 }).sorted()
        let order = maxSourceResolution == 0
            ? resolutions : resolutions.filter { $0 <= maxSourceResolution }.reversed()
        var out: [Segment] = []
        fill(start, end, order[...], blocks, &out)
        return out.sorted { $0.start < $1.start }
    }

    private static func fill(_ start: Int64, _ end: Int64, _ order: ArraySlice<Int64>, _ blocks: [BlockMeta], _ out: inout [Segment]) {
        guard start <= end, let resolution = order.first else { return }
        let candidates = blocks.filter { ($0.thanos?.downsample.resolution ?? 0) == resolution && $0.maxTime > start && $0.minTime <= end }
            .sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        var cursor = start
        var i = 0
        while i < candidates.count && cursor <= end {
            // A run of blocks with no gap between them forms one segment.
            var runEnd = candidates[i].maxTime
            let runStart = max(cursor, candidates[i].minTime)
            var j = i + 1
            while j < candidates.count && candidates[j].minTime <= runEnd {
                runEnd = max(runEnd, candidates[j].maxTime)
                j += 1
            }
            if runStart > cursor { fill(cursor, runStart - 1, order.dropFirst(), blocks, &out) }
            let segmentEnd = min(end, runEnd - 1)
            out.append(Segment(start: runStart, end: segmentEnd, resolution: resolution, blocks: candidates[i..<j].map(\.ulid)))
            cursor = segmentEnd + 1
            i = j
        }
        if cursor <= end { fill(cursor, end, order.dropFirst(), blocks, &out) }
    }
}
