public import PromModel
public import StorageAPI
import Synchronization

extension Head: Queryable, ChunkQueryable {
    /// A querier over head samples in `[mint, maxt]`. Reads what is committed when ``Querier/select``
    /// runs; the head keeps accepting appends meanwhile.
    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        HeadQuerier(head: self, mint: mint.ms, maxt: maxt.ms)
    }

    /// A chunk querier over head chunks overlapping `[mint, maxt]`.
    public func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        HeadQuerier(head: self, mint: mint.ms, maxt: maxt.ms)
    }

    /// Series matching `matchers`, with their labels, ascending by labels.
    func selectSeries(_ matchers: [Matcher]) -> [(labels: Labels, series: MemSeries)] {
        let refs = postings.select(matchers)
        var out: [(labels: Labels, series: MemSeries)] = []
        out.reserveCapacity(refs.count)
        for r in refs {
            guard let s = series.get(ref: r) else { continue }
            let labels = s.labels.decode()
            // Postings already checked every matcher; this guards against collected-and-reused lists.
            if matchers.allSatisfy({ $0.matches(labels[$0.name]) }) { out.append((labels, s)) }
        }
        out.sort { $0.labels < $1.labels }
        return out
    }
}

/// Reads the head. Samples are copied out of a series under its lock when the set reaches it, so
/// sets stay valid while appends continue and hold one series' samples at a time.
struct HeadQuerier: Querier, ChunkQuerier {
    let head: Head
    let mint: Int64
    let maxt: Int64

    private func range(_ hints: SelectHints?) -> (Int64, Int64) {
        guard let hints else { return (mint, maxt) }
        return (max(mint, hints.start.ms), min(maxt, hints.end.ms))
    }

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        let (lo, hi) = range(hints)
        return HeadSeriesSet(selected: head.selectSeries(matchers), mint: lo, maxt: hi)
    }

    func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet {
        let (lo, hi) = range(hints)
        var out: [ChunkSeries] = []
        for (labels, s) in head.selectSeries(matchers) {
            let chunks: [EncodedChunk] = try s.state.withLock { st in
                // Out-of-order samples overlap the in-order chunks: re-encode the merged samples then.
                if st.ooo.contains(where: { $0.t.ms >= lo && $0.t.ms <= hi }) {
                    return encodeChunks(try st.samples(mint: lo, maxt: hi))
                }
                return st.chunks(mint: lo, maxt: hi).map(\.encoded)
            }
            if !chunks.isEmpty { out.append(ChunkSeries(labels: labels, chunks: chunks)) }
        }
        return HeadChunkSeriesSet(out)
    }

    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        if matchers.isEmpty { return head.postings.labelValues(name) }
        return Array(Set(head.selectSeries(matchers).compactMap { $0.labels.get(name) })).sorted()
    }

    func labelNames(matchers: [Matcher]) async throws -> [String] {
        if matchers.isEmpty { return head.postings.labelNames() }
        return Array(Set(head.selectSeries(matchers).flatMap { $0.labels.map(\.name) })).sorted()
    }

    func close() {}
}

/// A chunk series set held in memory.
struct HeadChunkSeriesSet: ChunkSeriesSet {
    private var series: [ChunkSeries]
    private var index = 0
    var warnings: [String]

    /// Wraps series in the order given.
    init(_ series: [ChunkSeries], warnings: [String] = []) {
        self.series = series
        self.warnings = warnings
    }

    mutating func next() throws -> ChunkSeries? {
        guard index < series.count else { return nil }
        defer { index += 1 }
        return series[index]
    }
}

/// Head series in label order; each series' samples are copied out when ``next()`` reaches it.
struct HeadSeriesSet: SeriesSet {
    let selected: [(labels: Labels, series: MemSeries)]
    let mint: Int64
    let maxt: Int64
    private var index = 0
    var warnings: [String] { [] }

    init(selected: [(labels: Labels, series: MemSeries)], mint: Int64, maxt: Int64) {
        self.selected = selected
        self.mint = mint
        self.maxt = maxt
    }

    mutating func next() throws -> (any Series)? {
        while index < selected.count {
            let (labels, s) = selected[index]
            index += 1
            let (lo, hi) = (mint, maxt)
            let samples = try s.state.withLock { try $0.samples(mint: lo, maxt: hi) }
            if !samples.isEmpty { return ArraySeries(labels: labels, samples: samples) }
        }
        return nil
    }
}
