import PromModel
import StorageAPI

/// Streams the union of series sets that are each sorted by labels: series with equal labels are
/// merged, and their samples de-duplicated by timestamp (the earlier set wins).
///
/// Holds one series per input at a time, so memory does not grow with the number of series.
struct MergeSeriesSet: SeriesSet {
    private var sets: [any SeriesSet]
    private var current: [(any Series)?] = []
    private var primed = false

    init(_ sets: [any SeriesSet]) { self.sets = sets }

    var warnings: [String] { sets.flatMap(\.warnings) }

    mutating func next() throws -> (any Series)? {
        if !primed {
            current = try sets.indices.map { try sets[$0].next() }
            primed = true
        }
        var minLabels: Labels?
        for s in current { if let s, minLabels == nil || s.labels < minLabels! { minLabels = s.labels } }
        guard let labels = minLabels else { return nil }
        var parts: [any Series] = []
        for i in current.indices {
            guard let s = current[i], s.labels == labels else { continue }
            parts.append(s)
            current[i] = try sets[i].next()
        }
        return parts.count == 1 ? parts[0] : MergedSeries(labels: labels, parts: parts)
    }
}

/// One series assembled from several sources.
struct MergedSeries: Series {
    let labels: Labels
    let parts: [any Series]

    func makeIterator() -> any SampleIterator { DedupSampleIterator(parts.map { $0.makeIterator() }) }
}

/// Merges timestamp-ordered iterators; among samples with equal timestamps the first iterator's wins.
struct DedupSampleIterator: SampleIterator {
    private var iterators: [any SampleIterator]
    private var valid: [Bool]
    private var started = false
    private var winner = -1

    init(_ iterators: [any SampleIterator]) {
        self.iterators = iterators
        valid = Array(repeating: false, count: iterators.count)
    }

    mutating func next() throws -> Bool {
        if !started {
            started = true
            for i in iterators.indices { valid[i] = try iterators[i].next() }
        } else if winner >= 0 {
            let t = iterators[winner].at().t
            for i in iterators.indices where valid[i] && iterators[i].at().t == t { valid[i] = try iterators[i].next() }
        }
        return pick()
    }

    mutating func seek(_ t: Timestamp) throws -> Bool {
        if started && winner >= 0 && iterators[winner].at().t >= t { return true }
        if started && winner < 0 { return false }
        started = true
        for i in iterators.indices { valid[i] = try iterators[i].seek(t) }
        return pick()
    }

    private mutating func pick() -> Bool {
        winner = -1
        for i in iterators.indices where valid[i] {
            if winner < 0 || iterators[i].at().t < iterators[winner].at().t { winner = i }
        }
        return winner >= 0
    }

    func at() -> Sample { iterators[winner].at() }
    mutating func appendSamples(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws {
        if started {
            // Mid-iteration: the per-sample path keeps the de-duplication state consistent.
            try appendSamplesByStepping(from: mint, through: maxt, timestamps: &timestamps, values: &values)
            return
        }
        started = true
        try SampleRunMerger.appendAll(&iterators, from: mint, through: maxt, timestamps: &timestamps, values: &values)
        for i in valid.indices { valid[i] = false }
        winner = -1
    }
}
