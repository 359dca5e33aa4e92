import PromModel
import StorageAPI
import TSDB

/// The series of several source blocks regrouped by output labels (replica labels removed), in
/// the label order a block index needs. Holds labels and references only; chunks are read one
/// series at a time.
struct SourceSeries {
    /// One output series and where its data lies.
    struct Entry {
        var labels: Labels
        /// Where the series lies, and which HA replica wrote it there (empty without replica labels).
        var refs: [(block: Int, ref: UInt32, replica: String)]
    }

    let blocks: [Block]
    let entries: [Entry]

    /// Reads every source's index. Sources earlier in `blocks` win on equal timestamps.
    init(blocks: [Block], dropping replicaLabels: Set<String>) throws {
        var byLabels: [Labels: Int] = [:]
        var entries: [Entry] = []
        for (i, block) in blocks.enumerated() {
            let external = (block.meta.thanos?.labels ?? [:]).filter { replicaLabels.contains($0.key) }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            for ref in try block.seriesRefs() {
                var labels = try block.series(ref: ref).labels
                var replica = external
                if !replicaLabels.isEmpty {
                    replica += "|" + labels.keeping(replicaLabels).description
                    labels = labels.removing(replicaLabels)
                }
                if let at = byLabels[labels] {
                    entries[at].refs.append((i, ref, replica))
                } else {
                    byLabels[labels] = entries.count
                    entries.append(Entry(labels: labels, refs: [(i, ref, replica)]))
                }
            }
        }
        self.blocks = blocks
        self.entries = entries.sorted { labelsLess($0.labels, $1.labels) }
    }

    /// Every label name and value, for the index symbol table.
    var symbols: Set<String> {
        var s = Set<String>()
        for e in entries {
            for l in e.labels {
                s.insert(l.name)
                s.insert(l.value)
            }
        }
        return s
    }

    /// The entry's chunks per source (time-ordered), with tombstones and `deletions` applied.
    func chunks(_ entry: Entry, deletions: [TombstoneInterval] = []) throws -> [[EncodedChunk]] {
        try entry.refs.map { item in
            let (block, ref) = (blocks[item.block], item.ref)
            let deleted = (block.tombstones.intervals[ref] ?? []) + deletions
            var out: [EncodedChunk] = []
            for meta in try block.series(ref: ref).chunks {
                let stored = try block.chunkBytes(meta.ref)
                guard let encoding = ChunkEncoding(rawValue: stored.encoding) else {
                    throw CompactorError(.corruption, "block \(block.ulid): chunk \(meta.ref) has unknown encoding \(stored.encoding)")
                }
                let chunk = EncodedChunk(minTime: meta.minTime, maxTime: meta.maxTime, encoding: encoding, bytes: stored.bytes)
                out += try Self.applying(deleted, to: chunk, block: block)
            }
            return out
        }
    }

    /// The chunk without deleted samples (re-encoded when a deletion cuts into it).
    static func applying(_ deleted: [TombstoneInterval], to chunk: EncodedChunk, block: Block) throws -> [EncodedChunk] {
        let touched = deleted.filter { $0.minTime <= chunk.maxTime && chunk.minTime <= $0.maxTime }
        if touched.isEmpty { return [chunk] }
        if touched.contains(where: { $0.minTime <= chunk.minTime && chunk.maxTime <= $0.maxTime }) { return [] }
        guard chunk.encoding == .xor else {
            throw CompactorError(.unsupported, "block \(block.ulid): cannot cut a deletion into a chunk of encoding \(chunk.encoding)")
        }
        let kept = try XORChunkDecoder.decodeAll(chunk.bytes).filter { s in !touched.contains { $0.contains(s.t) } }
        return ChunkMerge.encode(kept)
    }
}

/// Merging the chunks of one series from several sources.
enum ChunkMerge {
    /// Re-encoded chunks hold at most this many samples, as Prometheus cuts them.
    static let samplesPerChunk = 120

    /// Chunks in time order with one sample per timestamp; the earliest source wins a tie.
    /// Chunks that overlap nothing keep their stored bytes.
    /// - Throws: ``CompactorError`` `unsupported` when non-XOR chunks overlap.
    static func merge(_ perSource: [[EncodedChunk]]) throws -> [EncodedChunk] {
        if perSource.count == 1 { return perSource[0] }
        let ordered = perSource.enumerated().flatMap { (i, chunks) in chunks.map { (priority: i, chunk: $0) } }
            .sorted { ($0.chunk.minTime, $0.priority) < ($1.chunk.minTime, $1.priority) }
        var out: [EncodedChunk] = []
        var group: [(priority: Int, chunk: EncodedChunk)] = []
        var groupMax = Timestamp.min
        for item in ordered {
            if !group.isEmpty && item.chunk.minTime > groupMax {
                out += try flush(group)
                group = []
            }
            group.append(item)
            groupMax = group.count == 1 ? item.chunk.maxTime : max(groupMax, item.chunk.maxTime)
        }
        out += try flush(group)
        return out
    }

    private static func flush(_ group: [(priority: Int, chunk: EncodedChunk)]) throws -> [EncodedChunk] {
        if group.count <= 1 { return group.map(\.chunk) }
        var byTime: [Int64: (priority: Int, v: Double)] = [:]
        for (priority, chunk) in group {
            guard chunk.encoding == .xor else {
                throw CompactorError(.unsupported, "cannot merge overlapping chunks of encoding \(chunk.encoding) at \(chunk.minTime)")
            }
            for s in try XORChunkDecoder.decodeAll(chunk.bytes) {
                if let existing = byTime[s.t.ms], existing.priority <= priority { continue }
                byTime[s.t.ms] = (priority, s.v)
            }
        }
        return encode(byTime.keys.sorted().map { Sample(t: Timestamp(ms: $0), v: byTime[$0]!.v) })
    }

    /// Merges HA replicas: union within each replica, then ``ReplicaDedup`` across them. Falls back
    /// to a plain merge for non-XOR chunks.
    static func mergeReplicas(_ perSource: [[EncodedChunk]], replicas: [String]) throws -> [EncodedChunk] {
        var order: [String] = []
        var groups: [String: [[EncodedChunk]]] = [:]
        for (chunks, replica) in zip(perSource, replicas) {
            if groups[replica] == nil { order.append(replica) }
            groups[replica, default: []].append(chunks)
        }
        let all = perSource.joined()
        if order.count <= 1 || all.contains(where: { $0.encoding != .xor }) { return try merge(perSource) }
        // Replicas that do not overlap in time need no choosing between them.
        let spans = order.compactMap { key -> (Timestamp, Timestamp)? in
            let chunks = groups[key]!.joined()
            guard let lo = chunks.map(\.minTime).min(), let hi = chunks.map(\.maxTime).max() else { return nil }
            return (lo, hi)
        }.sorted { $0.0 < $1.0 }
        if zip(spans, spans.dropFirst()).allSatisfy({ $0.1 < $1.0 }) { return try merge(perSource) }
        let streams = try order.map { key in
            try merge(groups[key]!).flatMap { try XORChunkDecoder.decodeAll($0.bytes) }
        }
        return encode(ReplicaDedup.merge(streams))
    }

    /// XOR chunks of at most ``samplesPerChunk`` samples.
    static func encode(_ samples: [Sample]) -> [EncodedChunk] {
        var out: [EncodedChunk] = []
        var current = XORChunk()
        for s in samples {
            current.append(t: s.t, v: s.v)
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
