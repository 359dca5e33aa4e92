import PromModel
import StorageAPI
public import TSDB

/// Writes new local blocks from opened source blocks: merged (compaction) or downsampled.
/// Blocking file I/O: call from a thread that may block. Holds one series' chunks at a time.
public struct BlockBuilder: Sendable {
    /// Scratch directory receiving the new block directory.
    public var directory: String

    /// A builder writing into `directory` (which must exist).
    public init(directory: String) { self.directory = directory }

    /// Merges `sources` (sorted by time; earlier ones win equal timestamps) into one block.
    /// - Parameters:
    ///   - replicaLabels: label names removed from series, so HA replicas collapse into one series.
    ///   - thanos: the `thanos` section of the new block.
    /// - Returns: the new block's meta (also in its `meta.json`).
    ///   - deleteRequests: deletions applied while rewriting.
    public func merge(
        _ sources: [Block], ulid: ULID, replicaLabels: Set<String>, thanos: BlockMeta.ThanosMeta,
        deleteRequests: [DeleteRequest] = []
    ) throws -> BlockMeta {
        let deletions = Deletions(deleteRequests)
        let series = try SourceSeries(blocks: sources, dropping: replicaLabels)
        let compaction = BlockMeta.Compaction(
            level: (sources.map(\.meta.compaction.level).max() ?? 0) + 1,
            sources: Array(Set(sources.flatMap(\.meta.compaction.sources))).sorted(),
            parents: sources.map { BlockMeta.Parent(ulid: $0.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) })
        return try write(
            series, ulid: ulid, minTime: sources.map(\.meta.minTime).min() ?? 0,
            maxTime: sources.map(\.meta.maxTime).max() ?? 0, compaction: compaction, thanos: thanos
        ) { entry in
            let chunks = try series.chunks(entry, deletions: deletions.intervals(for: entry.labels))
            return try ChunkMerge.mergeReplicas(chunks, replicas: entry.refs.map(\.replica))
        }
    }

    /// Writes a copy of `source` at the coarser `resolution` (aggregate chunks).
    /// - Throws: ``CompactorError`` when a chunk cannot be decoded.
    public func downsample(
        _ source: Block, ulid: ULID, resolution: Int64, thanos: BlockMeta.ThanosMeta, deleteRequests: [DeleteRequest] = []
    ) throws -> BlockMeta {
        let deletions = Deletions(deleteRequests)
        let series = try SourceSeries(blocks: [source], dropping: [])
        let fromRaw = (source.meta.thanos?.downsample.resolution ?? 0) == 0
        var compaction = source.meta.compaction
        compaction.parents = nil
        return try write(
            series, ulid: ulid, minTime: source.meta.minTime, maxTime: source.meta.maxTime, compaction: compaction,
            thanos: thanos
        ) { entry in
            let chunks = try series.chunks(entry, deletions: deletions.intervals(for: entry.labels))[0]
            if fromRaw {
                var samples: [Sample] = []
                for c in chunks where c.encoding == .xor { samples += try XORChunkDecoder.decodeAll(c.bytes) }
                return Downsampler.downsample(raw: samples, resolution: resolution)
            }
            let decoded = try chunks.filter { $0.encoding == .aggregate }.map { try AggregateChunk.decode($0.bytes) }
            return try Downsampler.downsample(aggregates: decoded, resolution: resolution)
        }
    }

    private func write(
        _ series: SourceSeries, ulid: ULID, minTime: Int64, maxTime: Int64, compaction: BlockMeta.Compaction,
        thanos: BlockMeta.ThanosMeta, chunksOf: @escaping (SourceSeries.Entry) throws -> [EncodedChunk]
    ) throws -> BlockMeta {
        let stream = LazySeries(entries: series.entries, chunksOf: chunksOf)
        var meta = try BlockWriter(parentDirectory: directory).write(
            sortedSeries: stream, symbols: series.symbols, ulid: ulid, minTime: Timestamp(ms: minTime),
            maxTime: Timestamp(ms: maxTime), compaction: compaction)
        let path = directory + "/" + ulid.description
        if let error = stream.state.error {
            removeTree(path)
            throw error
        }
        meta.thanos = thanos
        // BlockWriter counts samples from XOR headers; an aggregate chunk counts its windows.
        if thanos.downsample.resolution > 0 { meta.stats.numSamples = stream.state.windows }
        try meta.write(toDirectory: path)
        return meta
    }
}

/// Series produced on demand while the block writer iterates; a read error stops the sequence and
/// is kept for the caller, since the writer's sequence cannot throw.
struct LazySeries: Sequence, IteratorProtocol {
    final class State {
        var error: (any Error)?
        var windows: UInt64 = 0
    }

    let entries: [SourceSeries.Entry]
    let chunksOf: (SourceSeries.Entry) throws -> [EncodedChunk]
    let state = State()
    var position = 0

    init(entries: [SourceSeries.Entry], chunksOf: @escaping (SourceSeries.Entry) throws -> [EncodedChunk]) {
        self.entries = entries
        self.chunksOf = chunksOf
    }

    mutating func next() -> ChunkSeries? {
        guard state.error == nil, position < entries.count else { return nil }
        let entry = entries[position]
        position += 1
        do {
            let chunks = try chunksOf(entry)
            for c in chunks where c.encoding == .aggregate { state.windows += UInt64(AggregateChunk.windowCount(c.bytes)) }
            return ChunkSeries(labels: entry.labels, chunks: chunks)
        } catch {
            state.error = error
            return nil
        }
    }
}
