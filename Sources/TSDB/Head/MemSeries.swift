import PromModel
import StorageAPI
import Synchronization

/// One series in the head: identity plus its mutable sample state behind a per-series lock.
final class MemSeries: Sendable {
    /// Head-local reference, also the series ID in the WAL.
    let ref: UInt64
    /// `Labels.stableHash` of the labels.
    let hash: UInt64
    let labels: CompactLabels
    // Guards every sample of the series; held for one append or one snapshot, never across awaits.
    let state: Mutex<SeriesState>

    init(ref: UInt64, hash: UInt64, labels: Labels) {
        self.ref = ref
        self.hash = hash
        self.labels = CompactLabels(labels)
        self.state = Mutex(SeriesState())
    }
}

/// Limits an append is checked against; copied from the head once per commit.
struct AppendLimits: Sendable {
    /// Samples before this are out of bounds (already compacted into blocks).
    var minValidTime: Int64
    /// Out-of-order samples are accepted when ≥ this (head max time minus the window); `.max` disables.
    var oooMinTime: Int64
    /// Chunk range (block range) in ms: an open chunk is cut when a sample crosses its boundary.
    var chunkRange: Int64
    var samplesPerChunk: Int
    /// Where closed chunks go; nil keeps them on the heap.
    var chunkStore: HeadChunkStore? = nil
}

/// What happened to one appended sample.
enum AppendOutcome: Equatable {
    case inOrder
    case outOfOrder
    /// Same timestamp and bit-identical value as the newest sample: silently dropped, as in Prometheus.
    case duplicateIgnored
}

/// The samples of a series. Not thread-safe; lives inside ``MemSeries/state``.
struct SeriesState: Sendable {
    /// The chunk being appended to; nil before the first sample and after truncation.
    var open: XORChunk?
    /// Closed chunks, ascending, non-overlapping. TODO(head): memory-map them to disk (#3).
    var closed: [HeadChunk] = []
    /// Samples accepted out of order, sorted by time, unique timestamps. TODO(head): encode as chunks (#3).
    var ooo: [Sample] = []
    /// Timestamp at which the open chunk must be cut (the next chunk-range boundary).
    var nextAt: Int64 = .min
    /// The newest in-order sample; `.min` when the series never had one.
    var lastT: Int64 = .min
    var lastV: UInt64 = 0
    /// Appenders holding uncommitted samples for this series; garbage collection skips it meanwhile.
    var pending: Int32 = 0
    /// True once a series record for this series was enqueued to the WAL.
    var walLogged = false
    /// Set under the lock when garbage collection removes the series; appenders then look it up again.
    var removed = false

    /// Decides what appending `(t, v)` would do, without changing anything.
    func check(t: Int64, v: Double, limits: AppendLimits) -> Result<AppendOutcome, AppendError> {
        if t < limits.minValidTime {
            return .failure(AppendError(.outOfBounds, "sample at \(t) is before the head's minimum valid time \(limits.minValidTime)"))
        }
        if lastT == .min || t > lastT { return .success(.inOrder) }
        if t == lastT {
            return v.bitPattern == lastV
                ? .success(.duplicateIgnored)
                : .failure(AppendError(.duplicateTimestamp, "sample at \(t) already has another value"))
        }
        guard t >= limits.oooMinTime else {
            return .failure(AppendError(.outOfOrder, "sample at \(t) is older than the newest sample at \(lastT)"))
        }
        if let i = oooIndex(t), ooo[i].t.ms == t {
            return ooo[i].v.bitPattern == v.bitPattern
                ? .success(.duplicateIgnored)
                : .failure(AppendError(.duplicateTimestamp, "out-of-order sample at \(t) already has another value"))
        }
        return .success(.outOfOrder)
    }

    /// Checks and applies one sample.
    mutating func append(t: Int64, v: Double, limits: AppendLimits) -> Result<AppendOutcome, AppendError> {
        let outcome = check(t: t, v: v, limits: limits)
        switch outcome {
        case .success(.inOrder): appendInOrder(t: t, v: v, limits: limits)
        case .success(.outOfOrder): ooo.insert(Sample(t: Timestamp(ms: t), v: v), at: oooIndex(t) ?? ooo.count)
        default: break
        }
        return outcome
    }

    private mutating func appendInOrder(t: Int64, v: Double, limits: AppendLimits) {
        if open == nil || open!.count >= limits.samplesPerChunk || t >= nextAt {
            if let c = open, c.count > 0 { closed.append(HeadChunk(c, store: limits.chunkStore)) }
            open = XORChunk()
            let (q, r) = t.quotientAndRemainder(dividingBy: limits.chunkRange)
            let start = (r < 0 ? q - 1 : q).multipliedReportingOverflow(by: limits.chunkRange)
            nextAt = start.overflow ? .max : start.partialValue.addingReportingOverflow(limits.chunkRange).partialValue
            if nextAt <= t { nextAt = .max }
        }
        open!.append(t: Timestamp(ms: t), v: v)
        lastT = t
        lastV = v.bitPattern
    }

    /// Index of the first OOO sample with timestamp ≥ t, nil when none.
    private func oooIndex(_ t: Int64) -> Int? {
        var lo = 0, hi = ooo.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ooo[mid].t.ms < t { lo = mid + 1 } else { hi = mid }
        }
        return lo < ooo.count ? lo : nil
    }

    var isEmpty: Bool { open == nil && closed.isEmpty && ooo.isEmpty }

    /// Oldest and newest sample time, nil when empty.
    var timeRange: (min: Int64, max: Int64)? {
        var lo = Int64.max, hi = Int64.min
        if let f = closed.first { lo = f.minT }
        if let o = open, o.count > 0 { lo = min(lo, o.minTime.ms); hi = o.maxTime.ms } else if let l = closed.last { hi = l.maxT }
        if let f = ooo.first { lo = min(lo, f.t.ms) }
        if let l = ooo.last { hi = max(hi, l.t.ms) }
        return lo <= hi ? (lo, hi) : nil
    }

    /// In-order chunks overlapping `[mint, maxt]`, the open one as a copy.
    func chunks(mint: Int64, maxt: Int64) -> [HeadChunk] {
        var out = closed.filter { $0.overlaps(mint, maxt) }
        if let o = open, o.count > 0, o.minTime.ms <= maxt && o.maxTime.ms >= mint {
            out.append(HeadChunk(minT: o.minTime.ms, maxT: o.maxTime.ms, bytes: o.bytes))
        }
        return out
    }

    /// All samples in `[mint, maxt]`, in-order and out-of-order merged (in-order wins on equal time).
    func samples(mint: Int64, maxt: Int64) throws -> [Sample] {
        var inOrder: [Sample] = []
        for c in chunks(mint: mint, maxt: maxt) {
            inOrder += try XORChunkDecoder.decodeAll(c.bytes).filter { $0.t.ms >= mint && $0.t.ms <= maxt }
        }
        let late = ooo.filter { $0.t.ms >= mint && $0.t.ms <= maxt }
        return mergeSamples(inOrder, late)
    }

    /// Drops data before `mint`: whole chunks that end before it and out-of-order samples.
    /// The open chunk is dropped only when it ends before `mint`; `lastT` stays for order checks.
    mutating func truncate(before mint: Int64) {
        closed.removeAll { $0.maxT < mint }
        if let o = open, o.count == 0 || o.maxTime.ms < mint { open = nil }
        ooo.removeAll { $0.t.ms < mint }
    }

    /// Removes samples in `[mint, maxt]` by re-encoding the affected chunks (deletes are rare).
    mutating func delete(mint: Int64, maxt: Int64) throws {
        let all = try samples(mint: .min, maxt: .max)
        guard all.contains(where: { $0.t.ms >= mint && $0.t.ms <= maxt }) else { return }
        let kept = all.filter { $0.t.ms < mint || $0.t.ms > maxt }
        closed = encodeChunks(kept).map { HeadChunk(minT: $0.minTime.ms, maxT: $0.maxTime.ms, bytes: $0.bytes) }
        open = nil
        ooo = []
        nextAt = .min
    }
}
