import Foundation
import Glibc
public import PromModel
public import StorageAPI

/// Writes a complete, immutable block directory. See <doc:BlockFormat>.
///
/// Everything goes into `<parent>/<ulid>.tmp-for-creation` first; every file and the directory are
/// fsynced, then the directory is renamed to `<parent>/<ulid>`. Readers never see half a block.
/// A value type with no shared state: safe to use from any task, one write at a time per instance.
public struct BlockWriter: Sendable {
    /// The directory that receives the block directory.
    public var parentDirectory: String
    /// Segment file cap; Prometheus uses 512 MiB.
    public var maxSegmentSize: Int
    /// Samples per chunk when encoding from samples; Prometheus cuts at 120.
    public var samplesPerChunk: Int

    /// - Parameters:
    ///   - parentDirectory: an existing directory, e.g. the TSDB data directory.
    ///   - maxSegmentSize: the chunk segment size cap.
    ///   - samplesPerChunk: chunk size when ``write(samples:ulid:minTime:maxTime:compaction:tombstones:)``
    ///     encodes chunks itself.
    public init(parentDirectory: String, maxSegmentSize: Int = 512 * 1024 * 1024, samplesPerChunk: Int = 120) {
        self.parentDirectory = parentDirectory
        self.maxSegmentSize = maxSegmentSize
        self.samplesPerChunk = max(1, min(samplesPerChunk, XORChunk.maxSamples))
    }

    /// Writes a block from already encoded chunks.
    ///
    /// - Parameters:
    ///   - series: any order (sorted here by label bytes); labels must be unique; each series' chunks
    ///     sorted by time and not overlapping. Series without chunks are skipped.
    ///   - ulid: the block ID; a fresh one for the current time when nil.
    ///   - minTime: inclusive start of the block range; the earliest chunk start when nil.
    ///   - maxTime: exclusive end; one past the latest chunk end when nil.
    ///   - compaction: level, sources and parents; level 1 with the block itself as source when nil.
    ///   - tombstones: deletions to record, keyed by the series references this write assigns
    ///     (usually empty for a new block).
    /// - Returns: the meta written to `meta.json`.
    /// - Throws: ``TSDBError`` (`io`, `outOfOrder` for duplicate series or unsorted chunks).
    @discardableResult
    public func write(
        series: [ChunkSeries], ulid: ULID? = nil, minTime: Timestamp? = nil, maxTime: Timestamp? = nil,
        compaction: BlockMeta.Compaction? = nil, tombstones: Tombstones = Tombstones()
    ) throws(TSDBError) -> BlockMeta {
        let sorted = series.filter { !$0.chunks.isEmpty }.sorted { labelsLess($0.labels, $1.labels) }
        var symbols = Set<String>()
        for s in sorted {
            for l in s.labels {
                symbols.insert(l.name)
                symbols.insert(l.value)
            }
        }
        return try write(
            sortedSeries: sorted, symbols: symbols, ulid: ulid, minTime: minTime, maxTime: maxTime,
            compaction: compaction, tombstones: tombstones)
    }

    /// Writes a block from series streamed in label order, so only one series' chunks need to be in
    /// memory at a time (head compaction of millions of series).
    ///
    /// - Parameters:
    ///   - sortedSeries: series in strictly ascending label order (UTF-8 byte order, as ``Labels``
    ///     sort for valid strings); series without chunks are skipped. Iterated once.
    ///   - symbols: every label name and value of those series (duplicates allowed).
    ///   - ulid, minTime, maxTime, compaction, tombstones: as in
    ///     ``write(series:ulid:minTime:maxTime:compaction:tombstones:)``.
    /// - Throws: ``TSDBError`` `outOfOrder` for unsorted or duplicate series, `invalidArgument` for
    ///   a label missing from `symbols`, `io` otherwise. Nothing is left behind on failure.
    @discardableResult
    public func write(
        sortedSeries: some Sequence<ChunkSeries>, symbols: some Sequence<String>, ulid: ULID? = nil,
        minTime: Timestamp? = nil, maxTime: Timestamp? = nil, compaction: BlockMeta.Compaction? = nil,
        tombstones: Tombstones = Tombstones()
    ) throws(TSDBError) -> BlockMeta {
        let id = ulid ?? ULID(time: Timestamp(ms: Int64(time(nil)) * 1000))
        let tmp = parentDirectory + "/" + id.description + ".tmp-for-creation"
        let final = parentDirectory + "/" + id.description
        try FileSystem.makeDirectory(tmp)
        do {
            try FileSystem.makeDirectory(tmp + "/chunks")
            let data = try writeData(sortedSeries, symbols: symbols, into: tmp)
            let mint = minTime ?? data.minTime ?? Timestamp(ms: 0)
            let maxt = maxTime ?? data.maxTime.map { $0.adding(ms: 1) } ?? mint
            var meta = BlockMeta(ulid: id, minTime: mint.ms, maxTime: maxt.ms, stats: data.stats, compaction: compaction)
            if !tombstones.isEmpty { meta.stats.numTombstones = UInt64(tombstones.count) }
            try tombstones.write(toDirectory: tmp)
            try meta.write(toDirectory: tmp)
            try FileSystem.syncDirectory(tmp + "/chunks")
            try FileSystem.syncDirectory(tmp)
            try FileSystem.rename(tmp, to: final)
            try FileSystem.syncDirectory(parentDirectory)
            return meta
        } catch {
            removeTree(tmp)
            throw error
        }
    }

    /// Writes a block from raw samples, cutting XOR chunks of ``samplesPerChunk`` samples.
    ///
    /// - Parameter samples: per series, samples in strictly increasing timestamp order.
    /// - Throws: ``TSDBError`` `outOfOrder` when timestamps do not increase; see ``write(series:ulid:minTime:maxTime:compaction:tombstones:)``.
    @discardableResult
    public func write(
        samples: [ArraySeries], ulid: ULID? = nil, minTime: Timestamp? = nil, maxTime: Timestamp? = nil,
        compaction: BlockMeta.Compaction? = nil, tombstones: Tombstones = Tombstones()
    ) throws(TSDBError) -> BlockMeta {
        var encoded: [ChunkSeries] = []
        encoded.reserveCapacity(samples.count)
        for s in samples {
            encoded.append(ChunkSeries(labels: s.labels, chunks: try encodeChunks(s)))
        }
        return try write(
            series: encoded, ulid: ulid, minTime: minTime, maxTime: maxTime, compaction: compaction,
            tombstones: tombstones)
    }

    /// XOR chunks of at most ``samplesPerChunk`` samples.
    package func encodeChunks(_ s: ArraySeries) throws(TSDBError) -> [EncodedChunk] {
        var chunks: [EncodedChunk] = []
        var c = XORChunk()
        var last: Timestamp?
        for sample in s.samples {
            if let last, sample.t <= last {
                throw TSDBError(.outOfOrder, "sample at \(sample.t) of series \(s.labels) is not after \(last)")
            }
            last = sample.t
            if c.count == samplesPerChunk {
                chunks.append(EncodedChunk(minTime: c.minTime, maxTime: c.maxTime, encoding: .xor, bytes: c.bytes))
                c = XORChunk()
            }
            c.append(t: sample.t, v: sample.v)
        }
        if c.count > 0 { chunks.append(EncodedChunk(minTime: c.minTime, maxTime: c.maxTime, encoding: .xor, bytes: c.bytes)) }
        return chunks
    }

    private func writeData(
        _ series: some Sequence<ChunkSeries>, symbols: some Sequence<String>, into dir: String
    ) throws(TSDBError) -> (stats: BlockMeta.Stats, minTime: Timestamp?, maxTime: Timestamp?) {
        let chunkWriter = ChunkWriter(directory: dir + "/chunks", maxSegmentSize: maxSegmentSize)
        let index = try IndexWriter(path: dir + "/index")
        try index.addSymbols(symbols)
        var stats = BlockMeta.Stats()
        var mint: Timestamp?
        var maxt: Timestamp?
        var metas: [ChunkMeta] = []
        for s in series where !s.chunks.isEmpty {
            metas.removeAll(keepingCapacity: true)
            for c in s.chunks {
                let ref = try chunkWriter.write(c)
                metas.append(ChunkMeta(ref: ref, minTime: c.minTime, maxTime: c.maxTime))
                // Every chunk encoding starts with a big-endian UInt16 sample count.
                if c.bytes.count >= 2 { stats.numSamples += UInt64(c.bytes[0]) << 8 | UInt64(c.bytes[1]) }
            }
            try index.addSeries(s.labels, chunks: metas)
            mint = min(mint ?? metas[0].minTime, metas[0].minTime)
            maxt = max(maxt ?? metas[metas.count - 1].maxTime, metas[metas.count - 1].maxTime)
            stats.numSeries += 1
            stats.numChunks += UInt64(metas.count)
        }
        try chunkWriter.close()
        try index.close()
        return (stats, mint, maxt)
    }
}

/// Byte-wise label-set order, the order of series in the index.
package func labelsLess(_ a: Labels, _ b: Labels) -> Bool {
    for (x, y) in zip(a.items, b.items) {
        if x.name != y.name { return utf8Less(x.name, y.name) }
        if x.value != y.value { return utf8Less(x.value, y.value) }
    }
    return a.count < b.count
}

/// Removes a directory tree, ignoring errors (cleanup of a failed write).
package func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
