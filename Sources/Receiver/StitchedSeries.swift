import PromModel
import StorageAPI
import TSDB

/// One series assembled from raw samples and downsampled aggregates, piece by piece.
///
/// Samples are built when an iterator is made (one series at a time, as the engine reads them).
/// Raw stretches count as windows of one sample. The counter view folds resets across every piece
/// the way Thanos' counter iterator does, so `rate` sees one monotone counter across seams.
struct StitchedSeries: DownsampledSeries {
    let labels: Labels
    let raw: (any Series)?
    let pieces: [CoarsePiece]
    let segments: [ResolutionSegment]
    let deleted: [TombstoneInterval]
    let aggregate: AggregateType?

    func makeIterator() -> any SampleIterator { ArraySampleIterator(samples(aggregate)) }

    func makeIterator(aggregate: AggregateType) -> any SampleIterator { ArraySampleIterator(samples(aggregate)) }

    /// The stitched samples of `aggregate` (nil: per-window averages). Unreadable chunks end the
    /// series early; the block was checksummed when opened, so this means on-disk corruption.
    func samples(_ aggregate: AggregateType?) -> [Sample] {
        var out: [Sample] = []
        var fold = CounterFold()
        do {
            for seg in segments {
                if seg.resolution == 0 {
                    try appendRaw(seg, aggregate, &out, &fold)
                } else {
                    try appendCoarse(seg, aggregate, &out, &fold)
                }
            }
        } catch {
            return out
        }
        return out
    }

    private func isDeleted(_ t: Int64) -> Bool { deleted.contains { $0.contains(Timestamp(ms: t)) } }

    private func windowDeleted(_ from: Int64, _ to: Int64) -> Bool {
        deleted.contains { $0.minTime.ms <= to && from <= $0.maxTime.ms }
    }

    private func appendRaw(
        _ seg: ResolutionSegment, _ aggregate: AggregateType?, _ out: inout [Sample], _ fold: inout CounterFold
    ) throws {
        guard let raw else {
            fold.pendingExit = nil
            return
        }
        var it = raw.makeIterator()
        var samples: [Sample] = []
        if try it.seek(Timestamp(ms: seg.start)) {
            repeat {
                let s = it.at()
                if s.t.ms > seg.end { break }
                if !isDeleted(s.t.ms) { samples.append(s) }
            } while try it.next()
        }
        guard let aggregate else {
            out += samples
            return
        }
        let data = samples.filter { !StaleMarker.isStale($0.v) }
        switch aggregate {
        case .count: out += data.map { Sample(t: $0.t, v: 1) }
        case .sum, .min, .max: out += data
        case .counter:
            fold.prepareEntry(raw: data)
            for s in data { if let e = fold.add(s.t.ms, s.v) { out.append(e) } }
        }
    }

    private func appendCoarse(
        _ seg: ResolutionSegment, _ aggregate: AggregateType?, _ out: inout [Sample], _ fold: inout CounterFold
    ) throws {
        let r = seg.resolution
        var lastChunkEnd = Int64.min
        fold.pendingExit = nil
        for piece in pieces where piece.resolution == r {
            for meta in piece.chunks where meta.maxTime.ms >= seg.start - r && meta.minTime.ms <= seg.end + r {
                // Blocks of one resolution that overlap (replicas not compacted yet): the older wins.
                if meta.minTime.ms <= lastChunkEnd { continue }
                lastChunkEnd = meta.maxTime.ms
                let bytes = try piece.block.chunkBytes(meta.ref)
                guard bytes.encoding == ChunkEncoding.aggregate.rawValue else { continue }
                let stored = piece.tombstones
                func inSegment(_ t: Int64) -> Bool {
                    let ws = floorDiv(t, r) * r
                    return ws >= seg.windowFloor && t <= seg.end && !windowDeleted(ws, t)
                        && !stored.contains { $0.minTime.ms <= t && ws <= $0.maxTime.ms }
                }
                // A chunk's last window is stored at its last raw sample; every point is served at
                // its window's end, so the spacing is regular and `rate` extrapolates consistently.
                func stamp(_ t: Int64) -> Timestamp { Timestamp(ms: min(floorDiv(t, r) * r + r - 1, seg.end)) }
                switch aggregate {
                case nil:
                    guard let sums = try AggregateChunk.decode(bytes.bytes, only: .sum),
                        let counts = try AggregateChunk.decode(bytes.bytes, only: .count), sums.count == counts.count
                    else { continue }
                    for (s, c) in zip(sums, counts) where inSegment(s.t.ms) { out.append(Sample(t: stamp(s.t.ms), v: s.v / c.v)) }
                case .counter:
                    guard let items = try AggregateChunk.decode(bytes.bytes, only: .counter) else { continue }
                    fold.addChunk(items, seg: seg, inSegment: inSegment, stamp: { stamp($0).ms }, &out)
                case let a?:
                    guard let points = try AggregateChunk.decode(bytes.bytes, only: a) else { continue }
                    for p in points where inSegment(p.t.ms) { out.append(Sample(t: stamp(p.t.ms), v: p.v)) }
                }
            }
        }
    }
}

/// Thanos' counter-reset folding, carried across raw and downsampled pieces.
struct CounterFold {
    var started = false
    var total = 0.0
    /// The last value in the current source's own terms (raw value, or the chunk's running counter).
    var lastV = 0.0
    var lastT = Int64.min
    /// Left a downsampled chunk in the middle: its running counter before and after the seam, and
    /// the end of the window after it, so the raw piece that follows can recover the true increase.
    var pendingExit: (before: Double, after: Double, windowEnd: Int64)?
    private var override: Double?

    /// Adds one counter value; returns the folded sample when it is one (not a chunk's trailing raw value).
    mutating func add(_ t: Int64, _ v: Double) -> Sample? {
        if v.isNaN { return nil }
        if !started {
            started = true
            total = v
        } else if let o = override {
            total += o
            override = nil
        } else if t > lastT {
            total += v >= lastV ? v - lastV : v
        } else {
            lastV = v
            return nil
        }
        lastV = v
        lastT = t
        return Sample(t: Timestamp(ms: t), v: total)
    }

    /// Before a raw piece that follows a downsampled chunk left in its middle: the chunk's running
    /// counter is not the raw value, but the chunk's next window minus the raw increase inside it
    /// gives the true increase up to the first raw sample.
    mutating func prepareEntry(raw: [Sample]) {
        defer { pendingExit = nil }
        guard let exit = pendingExit, started, let first = raw.first, first.t.ms <= exit.windowEnd else { return }
        var inside = 0.0
        var prev = first.v
        for s in raw.dropFirst() where s.t.ms <= exit.windowEnd {
            inside += s.v >= prev ? s.v - prev : s.v
            prev = s.v
        }
        let increase = (exit.after - exit.before) - inside
        if increase >= 0 { override = increase }
    }

    /// Folds one chunk's counter aggregate (first raw sample, one value per window, then the last
    /// raw value repeated at the last timestamp), emitting the window values inside the segment.
    mutating func addChunk(
        _ items: [Sample], seg: ResolutionSegment, inSegment: (Int64) -> Bool, stamp: (Int64) -> Int64,
        _ out: inout [Sample]
    ) {
        var previousT = Int64.min
        var lastValue: Double?
        for (i, item) in items.enumerated() {
            let t = item.t.ms
            defer { previousT = t }
            if i > 0 && t <= previousT {
                // The trailing raw value: what the next chunk compares against.
                if lastT <= stamp(t) || !started { lastV = item.v }
                continue
            }
            if t > seg.end {
                if started, let before = lastValue { pendingExit = (before, item.v, t) }
                return
            }
            let inside = i == 0 ? (t >= seg.windowFloor && t <= seg.end) : inSegment(t)
            if !inside {
                // Before the segment (the finer piece already counted it) or deleted: follow the
                // chunk's own counter without adding to the total.
                if started {
                    lastV = item.v
                    lastT = max(lastT, t)
                }
                lastValue = item.v
                continue
            }
            lastValue = item.v
            if i == 0 {
                // The chunk's first raw sample: it carries the increase since the previous chunk
                // but is not a window, and an extra point off the window grid would make `rate`
                // extrapolate less than it should.
                absorb(t, item.v)
            } else if let s = add(stamp(t), item.v) {
                out.append(s)
            }
        }
    }

    /// Folds a value into the total without emitting it.
    private mutating func absorb(_ t: Int64, _ v: Double) {
        if v.isNaN { return }
        if !started {
            started = true
            total = v
        } else if t > lastT {
            total += v >= lastV ? v - lastV : v
        }
        lastV = v
        lastT = max(lastT, t)
    }
}

/// Prometheus' stale marker.
enum StaleMarker {
    static func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7ff0_0000_0000_0002 }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
