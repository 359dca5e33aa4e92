public import PromModel

/// A forward-only sequence of series. Not thread-safe.
public protocol SeriesSet {
    /// The next series, or nil at the end.
    /// - Throws: when the underlying data is unreadable (e.g. a corrupt chunk).
    mutating func next() throws -> (any Series)?
    /// Non-fatal problems met while reading (e.g. a remote source that was unreachable).
    var warnings: [String] { get }
}

/// One series: its labels and a way to iterate its samples.
public protocol Series {
    var labels: Labels { get }
    /// A fresh iterator over the samples, in strictly increasing timestamp order.
    func makeIterator() -> any SampleIterator
}

/// Iterates float samples in strictly increasing timestamp order. Not thread-safe.
public protocol SampleIterator {
    /// Advances to the next sample; false at the end.
    mutating func next() throws -> Bool
    /// Advances to the first sample with timestamp ≥ `t` (staying put if already there); false if none.
    mutating func seek(_ t: Timestamp) throws -> Bool
    /// The current sample; valid only after `next` or `seek` returned true.
    func at() -> Sample
    /// Appends every remaining sample with timestamp in `[mint, maxt]` to `timestamps` and `values`, as
    /// `seek(mint)` then `next()` up to `maxt` would, and leaves the iterator in an unspecified position (use
    /// it no further). One call per series instead of one dynamic call per sample: implementations SHOULD
    /// decode straight into the arrays; the default walks `seek`/`next`/`at`.
    mutating func appendSamples(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws
}

extension SampleIterator {
    public mutating func appendSamples(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws {
        try appendSamplesByStepping(from: mint, through: maxt, timestamps: &timestamps, values: &values)
    }

    /// The per-sample walk behind the default ``appendSamples(from:through:timestamps:values:)``; merging
    /// iterators fall back to it when a bulk read arrives mid-iteration.
    package mutating func appendSamplesByStepping(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws {
        var ok = try seek(mint)
        while ok {
            let s = at()
            if s.t > maxt { break }
            timestamps.append(s.t.ms)
            values.append(s.v)
            ok = try next()
        }
    }
}

/// Merges sample runs that are each sorted by timestamp into one run, keeping one sample per timestamp: the one
/// from the earliest run. For merging iterators' bulk reads.
package enum SampleRunMerger {
    /// The bulk read of a merging iterator that has not started: each source appends in place, then the
    /// segments are put in time order with one sample per timestamp (the earliest source wins). The
    /// sources are used up.
    package static func appendAll(
        _ sources: inout [any SampleIterator], from mint: Timestamp, through maxt: Timestamp,
        timestamps: inout [Int64], values: inout [Double]
    ) throws {
        var bounds = [timestamps.count]
        bounds.reserveCapacity(sources.count + 1)
        for i in sources.indices {
            try sources[i].appendSamples(from: mint, through: maxt, timestamps: &timestamps, values: &values)
            bounds.append(timestamps.count)
        }
        mergeSegments(bounds: bounds, timestamps: &timestamps, values: &values)
    }

    /// Appends the merge of `runs` (in priority order) to `timestamps` and `values`.
    package static func merge(
        _ runs: [(ts: [Int64], vs: [Double])], timestamps: inout [Int64], values: inout [Double]
    ) {
        let nonEmpty = runs.filter { !$0.ts.isEmpty }
        if nonEmpty.isEmpty { return }
        if nonEmpty.count == 1 {
            timestamps.append(contentsOf: nonEmpty[0].ts)
            values.append(contentsOf: nonEmpty[0].vs)
            return
        }
        // Runs that do not overlap in time (head after blocks, consecutive blocks) are concatenated.
        let ordered = nonEmpty.sorted { $0.ts[0] < $1.ts[0] }
        var disjoint = true
        for k in 1..<ordered.count where ordered[k].ts[0] <= ordered[k - 1].ts.last! { disjoint = false }
        if disjoint {
            for r in ordered {
                timestamps.append(contentsOf: r.ts)
                values.append(contentsOf: r.vs)
            }
            return
        }
        var pos = [Int](repeating: 0, count: nonEmpty.count)
        while true {
            var best = -1
            var bestT = Int64.max
            for k in nonEmpty.indices where pos[k] < nonEmpty[k].ts.count {
                let t = nonEmpty[k].ts[pos[k]]
                if t < bestT {
                    bestT = t
                    best = k
                }
            }
            if best < 0 { return }
            timestamps.append(bestT)
            values.append(nonEmpty[best].vs[pos[best]])
            for k in nonEmpty.indices where pos[k] < nonEmpty[k].ts.count && nonEmpty[k].ts[pos[k]] == bestT {
                pos[k] += 1
            }
        }
    }

    /// Makes the tail of the arrays from `bounds[0]` one run: `bounds` are the ends of consecutive segments (each
    /// sorted by timestamp) appended by sources in priority order, `bounds.last == timestamps.count`.
    ///
    /// Segments already in time order and not overlapping (consecutive blocks) stay where they are, without a
    /// copy; disjoint ones in another order (head before blocks) are reordered; overlapping ones are merged.
    package static func mergeSegments(bounds: [Int], timestamps: inout [Int64], values: inout [Double]) {
        var segments: [Range<Int>] = []
        for k in 1..<bounds.count where bounds[k - 1] < bounds[k] { segments.append(bounds[k - 1]..<bounds[k]) }
        if segments.count < 2 { return }
        var ordered = true
        for k in 1..<segments.count
        where timestamps[segments[k].lowerBound] <= timestamps[segments[k - 1].upperBound - 1] {
            ordered = false
            break
        }
        if ordered { return }
        let runs = segments.map { (ts: Array(timestamps[$0]), vs: Array(values[$0])) }
        timestamps.removeSubrange(bounds[0]...)
        values.removeSubrange(bounds[0]...)
        merge(runs, timestamps: &timestamps, values: &values)
    }
}

/// A series set held in memory.
public struct ArraySeriesSet: SeriesSet {
    private var series: [any Series]
    private var index = 0
    public var warnings: [String]

    public init(_ series: [any Series], warnings: [String] = []) {
        self.series = series
        self.warnings = warnings
    }

    public mutating func next() throws -> (any Series)? {
        guard index < series.count else { return nil }
        defer { index += 1 }
        return series[index]
    }
}

/// A series whose samples are held in an array.
public struct ArraySeries: Series, Sendable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }

    public func makeIterator() -> any SampleIterator { ArraySampleIterator(samples) }
}

/// Iterates an array of samples sorted by timestamp.
public struct ArraySampleIterator: SampleIterator {
    private let samples: [Sample]
    private var index = -1

    public init(_ samples: [Sample]) { self.samples = samples }

    public mutating func next() throws -> Bool {
        if index < samples.count { index += 1 }
        return index < samples.count
    }

    public mutating func seek(_ t: Timestamp) throws -> Bool {
        if index < 0 { index = 0 }
        if index < samples.count && samples[index].t >= t { return true }
        // Binary search from the current position.
        var lo = index, hi = samples.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid].t < t { lo = mid + 1 } else { hi = mid }
        }
        index = lo
        return index < samples.count
    }

    public func at() -> Sample { samples[index] }

    public mutating func appendSamples(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws {
        guard try seek(mint) else { return }
        var i = index
        while i < samples.count && samples[i].t <= maxt {
            timestamps.append(samples[i].t.ms)
            values.append(samples[i].v)
            i += 1
        }
        index = i
    }
}
