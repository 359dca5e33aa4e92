public import PromModel

/// Fans a query out to several queriers and merges their answers, as the receiver does for
/// head + bucket blocks and the server for local TSDB + remote read.
///
/// Series with equal labels from several sources become one series whose samples are merged by
/// timestamp; where sources overlap, one sample per timestamp survives (the first source's). A
/// source that fails makes the whole select fail unless it is marked `optional`, in which case
/// its error becomes a warning (remote sources are optional: partial answers beat none).
public struct MergeQuerier: Querier {
    public struct Source: Sendable {
        public var querier: any Querier
        public var optional: Bool
        public init(_ querier: any Querier, optional: Bool = false) {
            self.querier = querier
            self.optional = optional
        }
    }

    private let sources: [Source]

    public init(_ sources: [Source]) { self.sources = sources }

    public func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        if sources.count == 1 { return try await sources[0].querier.select(sorted: sorted, hints: hints, matchers: matchers) }
        var sets: [any SeriesSet] = []
        var warnings: [String] = []
        // Sources are few (head, a handful of blocks or remotes); query them concurrently.
        try await withThrowingTaskGroup(of: (Int, Result<SeriesSetBox, any Error>).self) { group in
            for (i, source) in sources.enumerated() {
                group.addTask {
                    do {
                        let set = try await source.querier.select(sorted: true, hints: hints, matchers: matchers)
                        return (i, .success(SeriesSetBox(set)))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            var results = [SeriesSetBox?](repeating: nil, count: sources.count)
            for try await (i, result) in group {
                switch result {
                case .success(let box): results[i] = box
                case .failure(let error):
                    if !sources[i].optional { throw error }
                    warnings.append("\(error)")
                }
            }
            sets = results.compactMap { $0?.set }
        }
        return try MergeSeriesSet(sets, extraWarnings: warnings)
    }

    public func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        var all = Set<String>()
        for source in sources {
            do { all.formUnion(try await source.querier.labelValues(name, matchers: matchers)) } catch {
                if !source.optional { throw error }
            }
        }
        return all.sorted()
    }

    public func labelNames(matchers: [Matcher]) async throws -> [String] {
        var all = Set<String>()
        for source in sources {
            do { all.formUnion(try await source.querier.labelNames(matchers: matchers)) } catch {
                if !source.optional { throw error }
            }
        }
        return all.sorted()
    }

    public func close() { for s in sources { s.querier.close() } }
}

/// Carries a series set across a task boundary. Series sets are not `Sendable`; each box is
/// created in one child task and only read by the parent after the child finished.
struct SeriesSetBox: @unchecked Sendable {
    let set: any SeriesSet
    init(_ set: any SeriesSet) { self.set = set }
}

/// K-way merge of label-sorted series sets.
public struct MergeSeriesSet: SeriesSet {
    private var sets: [any SeriesSet]
    private var heads: [(any Series)?]
    public private(set) var warnings: [String]

    /// - Parameter sets: each MUST yield series in ascending label order.
    public init(_ sets: [any SeriesSet], extraWarnings: [String] = []) throws {
        self.sets = sets
        heads = []
        warnings = extraWarnings
        for i in self.sets.indices {
            heads.append(try self.sets[i].next())
            warnings += self.sets[i].warnings
        }
    }

    public mutating func next() throws -> (any Series)? {
        var smallest: Labels?
        for case let s? in heads where smallest == nil || s.labels < smallest! { smallest = s.labels }
        guard let labels = smallest else { return nil }
        var parts: [any Series] = []
        for i in heads.indices {
            if let s = heads[i], s.labels == labels {
                parts.append(s)
                heads[i] = try sets[i].next()
            }
        }
        return parts.count == 1 ? parts[0] : MergedSeries(labels: labels, parts: parts)
    }
}

/// One series assembled from several sources.
struct MergedSeries: Series {
    let labels: Labels
    let parts: [any Series]
    func makeIterator() -> any SampleIterator { MergedSampleIterator(parts.map { $0.makeIterator() }) }
}

/// Merges sample iterators by timestamp, keeping one sample per timestamp (the earliest source's).
public struct MergedSampleIterator: SampleIterator {
    private var iterators: [any SampleIterator]
    private var live: [Bool]
    private var current = Sample(t: .min, v: 0)
    private var started = false

    public init(_ iterators: [any SampleIterator]) {
        self.iterators = iterators
        live = Array(repeating: false, count: iterators.count)
    }

    private mutating func pickSmallest() -> Bool {
        var best = -1
        for i in iterators.indices where live[i] {
            if best < 0 || iterators[i].at().t < iterators[best].at().t { best = i }
        }
        guard best >= 0 else { return false }
        current = iterators[best].at()
        return true
    }

    public mutating func next() throws -> Bool {
        if !started {
            started = true
            for i in iterators.indices { live[i] = try iterators[i].next() }
            return pickSmallest()
        }
        // Advance every source sitting on the current timestamp: that is the de-duplication.
        for i in iterators.indices where live[i] && iterators[i].at().t == current.t {
            live[i] = try iterators[i].next()
        }
        return pickSmallest()
    }

    public mutating func seek(_ t: Timestamp) throws -> Bool {
        if started && current.t >= t && live.contains(true) { return true }
        started = true
        for i in iterators.indices { live[i] = try iterators[i].seek(t) }
        return pickSmallest()
    }

    public func at() -> Sample { current }
    public mutating func appendSamples(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws {
        if started {
            // Mid-iteration: the per-sample path keeps the de-duplication state consistent.
            try appendSamplesByStepping(from: mint, through: maxt, timestamps: &timestamps, values: &values)
            return
        }
        started = true
        try SampleRunMerger.appendAll(&iterators, from: mint, through: maxt, timestamps: &timestamps, values: &values)
        for i in live.indices { live[i] = false }
    }
}
