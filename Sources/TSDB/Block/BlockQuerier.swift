public import PromModel
public import StorageAPI

extension Block: Queryable, ChunkQueryable {
    /// A querier over samples in `[mint, maxt]` (both inclusive).
    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        BlockQuerier(block: self, mint: mint, maxt: maxt)
    }

    /// A chunk querier over chunks overlapping `[mint, maxt]`.
    public func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        BlockQuerier(block: self, mint: mint, maxt: maxt)
    }
}

/// Queries one block. Series come in label order whether or not sorting is requested, because
/// series references ascend with labels.
public struct BlockQuerier: Querier, ChunkQuerier {
    /// The block read.
    public let block: Block
    /// First timestamp returned, inclusive.
    public let mint: Timestamp
    /// Last timestamp returned, inclusive.
    public let maxt: Timestamp

    /// - Parameters:
    ///   - block: the block to read.
    ///   - mint: first timestamp returned, inclusive.
    ///   - maxt: last timestamp returned, inclusive.
    public init(block: Block, mint: Timestamp, maxt: Timestamp) {
        self.block = block
        self.mint = mint
        self.maxt = maxt
    }

    // TODO(blocks): index reads block the calling thread; move onto a thread pool when a querier
    // benchmark shows cooperative-pool starvation (#3).
    /// Series matching `matchers` with samples in the range (narrowed further by `hints`), in label order.
    public func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        try selectSync(hints: hints, matchers: matchers)
    }

    /// Chunk series matching `matchers` with their chunks overlapping the range, stored bytes as
    /// they are (re-encoded only where a tombstone cuts into a chunk).
    public func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet {
        let (lo, hi) = range(hints)
        return BlockChunkSeriesSet(block: block, refs: try block.postings(for: matchers), mint: lo, maxt: hi)
    }

    /// Sorted values of `name` among series matching `matchers`.
    public func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        try block.labelValues(name, matching: matchers)
    }

    /// Sorted label names among series matching `matchers`.
    public func labelNames(matchers: [Matcher]) async throws -> [String] {
        try block.labelNames(matching: matchers)
    }

    /// Nothing to release: the block owns the mappings.
    public func close() {}

    /// The synchronous body of ``select(sorted:hints:matchers:)``.
    public func selectSync(hints: SelectHints? = nil, matchers: [Matcher]) throws -> any SeriesSet {
        let (lo, hi) = range(hints)
        return BlockSeriesSet(block: block, refs: try block.postings(for: matchers), mint: lo, maxt: hi)
    }

    private func range(_ hints: SelectHints?) -> (Timestamp, Timestamp) {
        guard let h = hints else { return (mint, maxt) }
        return (max(mint, h.start), min(maxt, h.end))
    }
}

/// Series of a block query, read from the index one at a time.
struct BlockSeriesSet: SeriesSet {
    let block: Block
    let refs: [UInt32]
    let mint: Timestamp
    let maxt: Timestamp
    var position = 0
    var warnings: [String] { [] }

    init(block: Block, refs: [UInt32], mint: Timestamp, maxt: Timestamp) {
        self.block = block
        self.refs = refs
        self.mint = mint
        self.maxt = maxt
    }

    mutating func next() throws -> (any Series)? {
        while position < refs.count {
            let ref = refs[position]
            position += 1
            let s = try block.index.series(ref)
            let deleted = block.tombstones.intervals[ref] ?? []
            let chunks = s.chunks.filter { c in
                c.overlaps(mint, maxt) && !deleted.contains { $0.minTime <= c.minTime && c.maxTime <= $0.maxTime }
            }
            if chunks.isEmpty { continue }
            return BlockSeries(labels: s.labels, block: block, chunks: chunks, mint: mint, maxt: maxt, deleted: deleted)
        }
        return nil
    }
}

/// Chunk series of a block query: stored chunk bytes as they are, re-encoded only where a
/// tombstone removes some of a chunk's samples.
struct BlockChunkSeriesSet: ChunkSeriesSet {
    let block: Block
    let refs: [UInt32]
    let mint: Timestamp
    let maxt: Timestamp
    var position = 0
    var warnings: [String] { [] }

    init(block: Block, refs: [UInt32], mint: Timestamp, maxt: Timestamp) {
        self.block = block
        self.refs = refs
        self.mint = mint
        self.maxt = maxt
    }

    mutating func next() throws -> ChunkSeries? {
        while position < refs.count {
            let ref = refs[position]
            position += 1
            let s = try block.index.series(ref)
            let deleted = block.tombstones.intervals[ref] ?? []
            var out: [EncodedChunk] = []
            for meta in s.chunks where meta.overlaps(mint, maxt) {
                if let c = try chunk(meta, deleted: deleted) { out.append(c) }
            }
            if out.isEmpty { continue }
            return ChunkSeries(labels: s.labels, chunks: out)
        }
        return nil
    }

    private func chunk(_ meta: ChunkMeta, deleted: [TombstoneInterval]) throws -> EncodedChunk? {
        let c = try block.chunks.chunk(meta.ref)
        guard let encoding = ChunkEncoding(rawValue: c.encoding) else {
            throw TSDBError(.corruption, "\(block.displayName): \(meta.ref) has unknown encoding \(c.encoding)")
        }
        let touched = deleted.filter { $0.minTime <= meta.maxTime && meta.minTime <= $0.maxTime }
        if touched.isEmpty {
            return EncodedChunk(minTime: meta.minTime, maxTime: meta.maxTime, encoding: encoding, bytes: Array(c.data))
        }
        guard encoding == .xor else {
            throw TSDBError(.corruption, "\(block.displayName): cannot apply tombstones to \(meta.ref) with encoding \(c.encoding)")
        }
        var d = try XORChunkDecoder(c.data)
        var kept = XORChunk()
        while let s = try d.next() {
            if touched.contains(where: { $0.contains(s.t) }) { continue }
            kept.append(t: s.t, v: s.v)
        }
        return kept.count == 0 ? nil
            : EncodedChunk(minTime: kept.minTime, maxTime: kept.maxTime, encoding: .xor, bytes: kept.bytes)
    }
}
