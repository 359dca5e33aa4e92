import PromModel
import StorageAPI
import TSDB

/// One piece of a query's time range and the resolution that answers it.
struct ResolutionSegment: Hashable, Sendable {
    /// First and last millisecond, both inclusive.
    var start: Int64
    var end: Int64
    /// Milliseconds; 0 for raw.
    var resolution: Int64
    /// Downsampled points belong to the segment when their window starts here or later: `start`
    /// at a seam with a finer piece (which holds the data before it), the window boundary at or
    /// before `start` for the first piece of a query (nothing else holds that data).
    var windowFloor: Int64

    init(start: Int64, end: Int64, resolution: Int64, windowFloor: Int64? = nil) {
        self.start = start
        self.end = end
        self.resolution = resolution
        self.windowFloor = windowFloor ?? start
    }
}

/// Answers a query from raw data where the plan says raw and from downsampled blocks elsewhere,
/// stitching each series across the pieces, and filters pending delete requests.
///
/// A downsampled point belongs to a piece when its whole window does (window start ≥ the piece's
/// start, stamp ≤ its end), so nothing is counted twice at a seam; at a seam that is not aligned
/// to the coarser resolution, less than one window of data is left out instead. Pieces follow
/// block boundaries, which the compactor aligns, so in practice seams are aligned.
struct ResolutionQuerier: Querier {
    /// Head, local blocks and raw bucket blocks, merged.
    let raw: any Querier
    /// Sorted, non-overlapping pieces of `[mint, maxt]`.
    let segments: [ResolutionSegment]
    /// Downsampled blocks per resolution, oldest first.
    let coarseBlocks: [Int64: [Block]]
    let deletions: Deletions
    let mint: Timestamp
    let maxt: Timestamp

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        let lo = max(mint.ms, hints?.start.ms ?? mint.ms)
        let hi = min(maxt.ms, hints?.end.ms ?? maxt.ms)
        var segs = segments.compactMap { s -> ResolutionSegment? in
            let a = max(s.start, lo), b = min(s.end, hi)
            return a <= b ? ResolutionSegment(start: a, end: b, resolution: s.resolution) : nil
        }
        if let first = segs.first, first.resolution > 0 {
            segs[0].windowFloor = floorDiv(first.start, first.resolution) * first.resolution
        }
        var rawSet: (any SeriesSet)?
        if segs.contains(where: { $0.resolution == 0 }) {
            rawSet = try await raw.select(sorted: true, hints: hints, matchers: matchers)
        }
        var pieces: [Labels: [CoarsePiece]] = [:]
        for (resolution, blocks) in coarseBlocks {
            let mine = segs.filter { $0.resolution == resolution }
            guard let first = mine.first, let last = mine.last else { continue }
            for block in blocks where block.minTime.ms <= last.end && block.maxTime.ms > first.start {
                for ref in try block.postings(for: matchers) {
                    let s = try block.series(ref: ref)
                    let chunks = s.chunks.filter { $0.maxTime.ms >= first.start && $0.minTime.ms <= last.end }
                    if chunks.isEmpty { continue }
                    pieces[s.labels, default: []].append(
                        CoarsePiece(resolution: resolution, block: block, chunks: chunks,
                                    tombstones: block.tombstones.intervals[ref] ?? []))
                }
            }
        }
        let rawEverywhere = segs.count == 1 && segs[0].resolution == 0 && segs[0].start == lo && segs[0].end == hi
        return StitchedSeriesSet(
            raw: rawSet, coarse: pieces.sorted { $0.key < $1.key }, segments: segs, rawEverywhere: rawEverywhere,
            deletions: deletions, aggregate: AggregateType.forFunction(hints?.function))
    }

    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        var all = Set(try await raw.labelValues(name, matchers: matchers))
        for block in coarseBlocks.values.joined() { all.formUnion(try block.labelValues(name, matching: matchers)) }
        return all.sorted()
    }

    func labelNames(matchers: [Matcher]) async throws -> [String] {
        var all = Set(try await raw.labelNames(matchers: matchers))
        for block in coarseBlocks.values.joined() { all.formUnion(try block.labelNames(matching: matchers)) }
        return all.sorted()
    }

    func close() { raw.close() }
}

/// The chunks of one series in one downsampled block.
struct CoarsePiece {
    var resolution: Int64
    var block: Block
    var chunks: [ChunkMeta]
    var tombstones: [TombstoneInterval]
}

/// Joins the raw series set with the downsampled pieces by labels (both in label order).
struct StitchedSeriesSet: SeriesSet {
    var raw: (any SeriesSet)?
    let coarse: [(key: Labels, value: [CoarsePiece])]
    let segments: [ResolutionSegment]
    /// The only piece is raw and covers the whole range: raw series pass through untouched.
    let rawEverywhere: Bool
    let deletions: Deletions
    let aggregate: AggregateType?
    private var position = 0
    private var pendingRaw: (any Series)?
    private var rawDone = false

    init(
        raw: (any SeriesSet)?, coarse: [(key: Labels, value: [CoarsePiece])], segments: [ResolutionSegment],
        rawEverywhere: Bool, deletions: Deletions, aggregate: AggregateType?
    ) {
        self.raw = raw
        self.coarse = coarse
        self.segments = segments
        self.rawEverywhere = rawEverywhere
        self.deletions = deletions
        self.aggregate = aggregate
        rawDone = raw == nil
    }

    var warnings: [String] { raw?.warnings ?? [] }

    mutating func next() throws -> (any Series)? {
        if pendingRaw == nil && !rawDone {
            pendingRaw = try raw!.next()
            if pendingRaw == nil { rawDone = true }
        }
        let nextCoarse = position < coarse.count ? coarse[position] : nil
        guard pendingRaw != nil || nextCoarse != nil else { return nil }
        var rawSeries: (any Series)?
        var pieces: [CoarsePiece] = []
        let labels: Labels
        if let r = pendingRaw, nextCoarse == nil || r.labels < nextCoarse!.key {
            labels = r.labels
            rawSeries = r
            pendingRaw = nil
        } else if let c = nextCoarse, pendingRaw == nil || c.key < pendingRaw!.labels {
            labels = c.key
            pieces = c.value
            position += 1
        } else {
            labels = pendingRaw!.labels
            rawSeries = pendingRaw
            pieces = nextCoarse!.value
            pendingRaw = nil
            position += 1
        }
        let deleted = deletions.intervals(for: labels)
        if pieces.isEmpty, let r = rawSeries {
            if deleted.isEmpty && rawEverywhere { return r }
            let ranges = segments.filter { $0.resolution == 0 }.map { ($0.start, $0.end) }
            return FilteredRawSeries(base: r, ranges: ranges, deleted: deleted)
        }
        return StitchedSeries(
            labels: labels, raw: rawSeries, pieces: pieces.sorted { $0.block.minTime < $1.block.minTime },
            segments: segments, deleted: deleted, aggregate: aggregate)
    }
}

/// Raw samples restricted to some ranges and without deleted ones.
struct FilteredRawSeries: Series {
    let base: any Series
    let ranges: [(Int64, Int64)]
    let deleted: [TombstoneInterval]
    var labels: Labels { base.labels }

    func makeIterator() -> any SampleIterator {
        FilteredSampleIterator(base: base.makeIterator(), ranges: ranges, deleted: deleted)
    }
}

struct FilteredSampleIterator: SampleIterator {
    var base: any SampleIterator
    let ranges: [(Int64, Int64)]
    let deleted: [TombstoneInterval]

    private func keeps(_ t: Int64) -> Bool {
        ranges.contains { $0.0 <= t && t <= $0.1 } && !deleted.contains { $0.contains(Timestamp(ms: t)) }
    }

    mutating func next() throws -> Bool {
        while try base.next() {
            if keeps(base.at().t.ms) { return true }
        }
        return false
    }

    mutating func seek(_ t: Timestamp) throws -> Bool {
        guard try base.seek(t) else { return false }
        if keeps(base.at().t.ms) { return true }
        return try next()
    }

    func at() -> Sample { base.at() }
}
