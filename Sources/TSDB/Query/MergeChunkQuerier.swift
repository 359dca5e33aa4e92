public import PromModel
public import StorageAPI

/// Merges chunk-level answers of several sources (head, local blocks, bucket blocks) into one
/// label-sorted chunk series set, for streamed remote read.
///
/// Chunks that do not overlap in time pass through with their stored bytes untouched. Chunks of
/// the same series that do overlap are decoded, merged with one sample per timestamp (the
/// earlier source wins) and re-encoded as XOR chunks of at most 120 samples.
public struct MergeChunkQuerier: ChunkQuerier {
    private let sources: [any ChunkQuerier]

    public init(_ sources: [any ChunkQuerier]) { self.sources = sources }

    public func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet {
        if sources.count == 1 { return try await sources[0].selectChunks(sorted: sorted, hints: hints, matchers: matchers) }
        var sets: [any ChunkSeriesSet] = []
        for source in sources { sets.append(try await source.selectChunks(sorted: true, hints: hints, matchers: matchers)) }
        return try MergeChunkSeriesSet(sets)
    }

    public func close() { for s in sources { s.close() } }
}

/// K-way merge of label-sorted chunk series sets.
public struct MergeChunkSeriesSet: ChunkSeriesSet {
    private var sets: [any ChunkSeriesSet]
    private var heads: [ChunkSeries?]
    public var warnings: [String] { sets.flatMap(\.warnings) }

    /// - Parameter sets: each MUST yield series in ascending label order.
    public init(_ sets: [any ChunkSeriesSet]) throws {
        self.sets = sets
        heads = []
        for i in self.sets.indices { heads.append(try self.sets[i].next()) }
    }

    public mutating func next() throws -> ChunkSeries? {
        var smallest: Labels?
        for case let s? in heads where smallest == nil || s.labels < smallest! { smallest = s.labels }
        guard let labels = smallest else { return nil }
        var chunks: [EncodedChunk] = []
        var sourcesHit = 0
        for i in heads.indices {
            if let s = heads[i], s.labels == labels {
                chunks += s.chunks
                sourcesHit += 1
                heads[i] = try sets[i].next()
            }
        }
        if sourcesHit == 1 { return ChunkSeries(labels: labels, chunks: chunks) }
        return ChunkSeries(labels: labels, chunks: try ChunkMerger.merge(chunks))
    }
}

/// Orders chunks by time and resolves overlaps.
enum ChunkMerger {
    /// Re-encoded chunks hold at most this many samples, as the head cuts them.
    static let samplesPerChunk = 120

    /// `chunks` in source order (earlier sources win on equal timestamps).
    static func merge(_ chunks: [EncodedChunk]) throws -> [EncodedChunk] {
        // Stable sort keeps source order among chunks starting at the same time.
        let ordered = chunks.enumerated().sorted { ($0.element.minTime, $0.offset) < ($1.element.minTime, $1.offset) }
        var out: [EncodedChunk] = []
        var group: [(priority: Int, chunk: EncodedChunk)] = []
        var groupMax = Timestamp.min
        for (priority, chunk) in ordered {
            if !group.isEmpty && chunk.minTime > groupMax {
                out += try flush(group)
                group = []
            }
            group.append((priority, chunk))
            groupMax = Swift.max(groupMax, chunk.maxTime)
        }
        out += try flush(group)
        return out
    }

    private static func flush(_ group: [(priority: Int, chunk: EncodedChunk)]) throws -> [EncodedChunk] {
        if group.count <= 1 { return group.map(\.chunk) }
        // Decode every overlapping chunk; keep the sample of the lowest priority per timestamp.
        var byTime: [Int64: (priority: Int, v: Double)] = [:]
        for (priority, chunk) in group {
            guard chunk.encoding == .xor else {
                throw TSDBError(.corruption, "cannot merge overlapping chunks of encoding \(chunk.encoding)")
            }
            for s in try XORChunkDecoder.decodeAll(chunk.bytes) {
                if let existing = byTime[s.t.ms], existing.priority <= priority { continue }
                byTime[s.t.ms] = (priority, s.v)
            }
        }
        var out: [EncodedChunk] = []
        var current = XORChunk()
        for t in byTime.keys.sorted() {
            current.append(t: Timestamp(ms: t), v: byTime[t]!.v)
            if current.count == samplesPerChunk {
                out.append(EncodedChunk(minTime: current.minTime, maxTime: current.maxTime, encoding: .xor, bytes: current.bytes))
                current = XORChunk()
            }
        }
        if current.count > 0 {
            out.append(EncodedChunk(minTime: current.minTime, maxTime: current.maxTime, encoding: .xor, bytes: current.bytes))
        }
        return out
    }
}
