import PromModel
import StorageAPI

/// Merges queriers over blocks and the head: series with equal labels become one, and samples with
/// equal timestamps (overlapping blocks, head data also in a block) are returned once, the earliest
/// part in `parts` winning.
///
/// Sample queries stream (``MergeSeriesSet``). Chunk queries read each part's matching chunks into
/// memory and re-encode only where chunks overlap. TODO(head): stream chunk queries too (#3).
struct DBQuerier: Querier, ChunkQuerier {
    let parts: [any Querier & ChunkQuerier]

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        var sets: [any SeriesSet] = []
        for part in parts { sets.append(try await part.select(sorted: true, hints: hints, matchers: matchers)) }
        return sets.count == 1 ? sets[0] : MergeSeriesSet(sets)
    }

    func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet {
        var merged: [Labels: [EncodedChunk]] = [:]
        var warnings: [String] = []
        for part in parts {
            var set = try await part.selectChunks(sorted: true, hints: hints, matchers: matchers)
            while let s = try set.next() {
                if !s.chunks.isEmpty { merged[s.labels, default: []].append(contentsOf: s.chunks) }
            }
            warnings += set.warnings
        }
        var out: [ChunkSeries] = []
        out.reserveCapacity(merged.count)
        for (labels, chunks) in merged {
            out.append(ChunkSeries(labels: labels, chunks: try Self.nonOverlapping(chunks)))
        }
        out.sort { $0.labels < $1.labels }
        return HeadChunkSeriesSet(out, warnings: warnings)
    }

    /// Chunks sorted by time; when any overlap, their samples are merged and re-encoded.
    static func nonOverlapping(_ chunks: [EncodedChunk]) throws -> [EncodedChunk] {
        let sorted = chunks.sorted { $0.minTime < $1.minTime }
        let overlap = zip(sorted, sorted.dropFirst()).contains { $0.maxTime >= $1.minTime }
        guard overlap else { return sorted }
        var samples: [Sample] = []
        for c in chunks where c.encoding == .xor {
            samples = mergeSamples(samples, try XORChunkDecoder.decodeAll(c.bytes))
        }
        return encodeChunks(samples)
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
