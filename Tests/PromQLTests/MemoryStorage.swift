import PromModel
import StorageAPI

/// An in-memory ``Queryable`` for tests: series held as sorted sample arrays.
final class MemoryStorage: Queryable, @unchecked Sendable {
    // @unchecked: mutated only by the single test task between queries, never during one.
    private(set) var series: [Labels: [Sample]] = [:]

    func add(_ labels: Labels, _ samples: [Sample]) {
        var existing = series[labels] ?? []
        existing.append(contentsOf: samples)
        existing.sort { $0.t < $1.t }
        var deduped: [Sample] = []
        for s in existing {
            if let last = deduped.last, last.t == s.t { deduped[deduped.count - 1] = s } else { deduped.append(s) }
        }
        series[labels] = deduped
    }

    /// Series that have native histogram samples upstream; the engine does not support them.
    var nativeSeries: [Labels] = []

    func clear() {
        series = [:]
        nativeSeries = []
    }

    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        MemoryQuerier(series: series, mint: mint, maxt: maxt)
    }
}

struct MemoryQuerier: Querier {
    let series: [Labels: [Sample]]
    let mint: Timestamp
    let maxt: Timestamp

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        var out: [ArraySeries] = []
        for (labels, samples) in series where matchers.allSatisfy({ $0.matches(labels[$0.name]) }) {
            let inRange = samples.filter { $0.t >= mint && $0.t <= maxt }
            if !inRange.isEmpty { out.append(ArraySeries(labels: labels, samples: inRange)) }
        }
        out.sort { $0.labels < $1.labels }
        return ArraySeriesSet(out)
    }

    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        Array(Set(series.keys.compactMap { $0.get(name) })).sorted()
    }

    func labelNames(matchers: [Matcher]) async throws -> [String] {
        Array(Set(series.keys.flatMap { $0.items.map(\.name) })).sorted()
    }

    func close() {}
}
