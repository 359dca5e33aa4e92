import PromModel
import StorageAPI

/// Merges queriers over blocks and the head: series with equal labels become one, and samples with
/// equal timestamps (overlapping blocks, head data also in a block) are returned once, the earliest
/// part in `parts` winning.
///
/// Both sample and chunk queries stream (``MergeSeriesSet``, ``MergeChunkSeriesSet``).
struct DBQuerier: Querier, ChunkQuerier {
    let parts: [any Querier & ChunkQuerier]

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        var sets: [any SeriesSet] = []
        for part in parts { sets.append(try await part.select(sorted: true, hints: hints, matchers: matchers)) }
        return sets.count == 1 ? sets[0] : MergeSeriesSet(sets)
    }

    func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet {
        var sets: [any ChunkSeriesSet] = []
        for part in parts { sets.append(try await part.selectChunks(sorted: true, hints: hints, matchers: matchers)) }
        // The shared k-way merge streams series and re-encodes only overlapping chunks.
        return sets.count == 1 ? sets[0] : try MergeChunkSeriesSet(sets)
    }

    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        var all = Set<String>()
        for p in parts { all.formUnion(try await p.labelValues(name, matchers: matchers)) }
        return all.sorted()
    }

    func labelNames(matchers: [Matcher]) async throws -> [String] {
        var all = Set<String>()
        for p in parts { all.formUnion(try await p.labelNames(matchers: matchers)) }
        return all.sorted()
    }

    func close() { for p in parts { (p as any Querier).close() } }
}
