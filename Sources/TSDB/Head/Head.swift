public import PromModel
import StorageAPI
import Synchronization

/// The in-memory part of the TSDB: the newest samples of every active series, in XOR chunks.
///
/// Thread-safe. Appenders (``appender()``) buffer samples and apply them on commit, after which they
/// are visible to queriers; with a ``WAL`` attached, commit also returns only once its records are
/// durable. Memory per series: compact labels, one small object, the open chunk and closed chunks
/// until ``truncate(before:)`` drops them after compaction.
public final class Head: Sendable {
    /// Chunk range, out-of-order window and chunk size.
    public let options: HeadOptions
    /// The log that commits write to; nil for a head without durability (tests, read-only tools).
    public let wal: WAL?
    /// Memory-mapped home of closed chunks; nil keeps them on the heap.
    let chunkStore: HeadChunkStore?

    let series: StripeSeries
    let postings = MemPostings()
    private let nextRef = Atomic<UInt64>(1)
    private let minTimeValue = Atomic<Int64>(.max)
    private let maxTimeValue = Atomic<Int64>(.min)
    private let minValidTimeValue = Atomic<Int64>(.min)
    // Serializes the apply-then-enqueue step of commits, so WAL order equals apply order per series.
    // Held only for in-memory work; the wait for durability happens outside it.
    let commitLock = Mutex(())
    let stats = HeadStats()

    /// Creates an empty head. Replay a WAL with ``replay(from:)`` before appending.
    /// - Parameter chunkDirectory: where closed chunks are memory-mapped (emptied now: the head is
    ///   rebuilt from the WAL); nil keeps them on the heap.
    public init(options: HeadOptions = HeadOptions(), wal: WAL? = nil, chunkDirectory: String? = nil) throws {
        try options.validate()
        self.options = options
        self.wal = wal
        self.chunkStore = try chunkDirectory.map { try HeadChunkStore(directory: $0) }
        self.series = StripeSeries(stripes: options.stripes)
    }

    /// Oldest sample time in the head, or nil when empty.
    public var minTime: Timestamp? {
        let v = minTimeValue.load(ordering: .relaxed)
        return v == .max ? nil : Timestamp(ms: v)
    }

    /// Newest sample time in the head, or nil when empty.
    public var maxTime: Timestamp? {
        let v = maxTimeValue.load(ordering: .relaxed)
        return v == .min ? nil : Timestamp(ms: v)
    }

    /// Samples older than this are rejected as out of bounds (they belong to persisted blocks).
    public var minValidTime: Timestamp {
        get { Timestamp(ms: minValidTimeValue.load(ordering: .relaxed)) }
    }

    /// Raises the minimum valid time (never lowers it).
    public func setMinValidTime(_ t: Timestamp) { minValidTimeValue.max(t.ms) }

    /// Number of series in the head.
    public var seriesCount: Int { series.count }

    /// Counters of what commits did.
    public var statistics: HeadStats.Snapshot { stats.snapshot() }

    var limits: AppendLimits {
        let maxT = maxTimeValue.load(ordering: .relaxed)
        let window = options.outOfOrderWindow.milliseconds
        let oooMin = window <= 0 || maxT == .min ? Int64.max : maxT &- window
        return AppendLimits(minValidTime: minValidTimeValue.load(ordering: .relaxed), oooMinTime: oooMin,
                            chunkRange: options.chunkRange.milliseconds, samplesPerChunk: options.samplesPerChunk,
                            chunkStore: chunkStore)
    }

    func makeRef() -> UInt64 { nextRef.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Makes later references larger than `ref` (after replaying references from the WAL).
    func reserveRefs(through ref: UInt64) { nextRef.max(ref &+ 1) }

    /// The series with these labels, created (and indexed) when absent.
    func getOrCreate(_ labels: Labels, hash: UInt64? = nil, ref: UInt64? = nil) -> (MemSeries, created: Bool) {
        let h = hash ?? labels.stableHash
        let (s, created) = series.getOrCreate(hash: h, labels: labels) { ref ?? makeRef() }
        if created {
            postings.add(ref: s.ref, labels: labels)
            stats.add(appended: 0, ooo: 0, rejected: 0, created: 1)
        }
        return (s, created)
    }

    /// Widens the head's time range to include `[lo, hi]`.
    func extendTimeRange(_ lo: Int64, _ hi: Int64) {
        if lo <= hi {
            minTimeValue.min(lo)
            maxTimeValue.max(hi)
        }
    }

    /// Drops samples before `mint` (already persisted in a block), raises the minimum valid time, and
    /// garbage-collects series left without samples and without pending appends.
    /// - Returns: the number of series removed.
    @discardableResult
    public func truncate(before mint: Timestamp) -> Int {
        setMinValidTime(mint)
        var lo = Int64.max, hi = Int64.min
        series.forEach { s in
            s.state.withLock { st in
                st.truncate(before: mint.ms)
                if let r = st.timeRange { lo = min(lo, r.min); hi = max(hi, r.max) }
            }
        }
        let removed = series.removeAll { s in
            s.state.withLock { st in
                st.removed = st.isEmpty && st.pending == 0
                return st.removed
            }
        }
        postings.delete(removed.map { ($0.ref, $0.labels.decode()) })
        minTimeValue.store(lo == .max ? lo : Swift.max(lo, mint.ms), ordering: .relaxed)
        if hi != .min { maxTimeValue.max(hi) }
        return removed.count
    }

    /// Whether a series reference is still in the head (used when checkpointing the WAL).
    public func contains(ref: UInt64) -> Bool { series.get(ref: ref) != nil }
}

extension Atomic where Value == Int64 {
    func max(_ v: Int64) {
        var cur = load(ordering: .relaxed)
        while v > cur {
            let (done, now) = compareExchange(expected: cur, desired: v, ordering: .relaxed)
            if done { return }
            cur = now
        }
    }

    func min(_ v: Int64) {
        var cur = load(ordering: .relaxed)
        while v < cur {
            let (done, now) = compareExchange(expected: cur, desired: v, ordering: .relaxed)
            if done { return }
            cur = now
        }
    }
}

extension Atomic where Value == UInt64 {
    func max(_ v: UInt64) {
        var cur = load(ordering: .relaxed)
        while v > cur {
            let (done, now) = compareExchange(expected: cur, desired: v, ordering: .relaxed)
            if done { return }
            cur = now
        }
    }
}

/// Commit outcome counters of a head.
public final class HeadStats: Sendable {
    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        /// Samples committed (in order or out of order).
        public var samplesAppended = 0
        /// Of those, samples kept in the out-of-order buffer.
        public var outOfOrderAppended = 0
        /// Samples that passed `append` but were rejected at commit (another commit got there first).
        public var rejectedAtCommit = 0
        /// Series created.
        public var seriesCreated = 0
    }

    private let appended = Atomic<Int>(0), ooo = Atomic<Int>(0), rejected = Atomic<Int>(0), created = Atomic<Int>(0)

    func add(appended a: Int, ooo o: Int, rejected r: Int, created c: Int) {
        appended.add(a, ordering: .relaxed)
        ooo.add(o, ordering: .relaxed)
        rejected.add(r, ordering: .relaxed)
        created.add(c, ordering: .relaxed)
    }

    func snapshot() -> Snapshot {
        Snapshot(samplesAppended: appended.load(ordering: .relaxed), outOfOrderAppended: ooo.load(ordering: .relaxed),
                 rejectedAtCommit: rejected.load(ordering: .relaxed), seriesCreated: created.load(ordering: .relaxed))
    }
}
