import PromModel
import StorageAPI

/// Decodes a block series' chunks lazily, one chunk at a time, straight from the mapping.
///
/// Yields samples in `[mint, maxt]` that no tombstone deletes. Not thread-safe. Holds the block,
/// so the mapped bytes the decoder points into stay valid.
struct BlockSampleIterator: SampleIterator {
    private let block: Block
    private let chunks: [ChunkMeta]
    private let mint: Timestamp
    private let maxt: Timestamp
    private let deleted: [TombstoneInterval]
    private var chunkIndex = -1
    private var decoder: XORChunkDecoder?
    private var current = Sample(t: .min, v: 0)
    private var done = false

    init(block: Block, chunks: [ChunkMeta], mint: Timestamp, maxt: Timestamp, deleted: [TombstoneInterval]) {
        self.block = block
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
        self.deleted = deleted
    }

    mutating func next() throws -> Bool {
        while !done {
            if decoder == nil, try !openNextChunk(notBefore: mint) { break }
            guard let s = try decoder!.next() else {
                decoder = nil
                continue
            }
            if s.t < mint || isDeleted(s.t) { continue }
            if s.t > maxt { break }
            current = s
            return true
        }
        done = true
        return false
    }

    mutating func seek(_ t: Timestamp) throws -> Bool {
        if done { return false }
        if chunkIndex >= 0 && current.t >= t && current.t >= mint { return true }
        // Skip whole chunks that end before `t` without decoding them.
        if decoder != nil && chunks[chunkIndex].maxTime < t { decoder = nil }
        if decoder == nil, try !openNextChunk(notBefore: max(t, mint)) {
            done = true
            return false
        }
        while try next() {
            if current.t >= t { return true }
        }
        return false
    }

    func at() -> Sample { current }

    /// Decodes each remaining chunk straight into the arrays, skipping chunks outside the range.
    mutating func appendSamples(
        from mint: Timestamp, through maxt: Timestamp, timestamps: inout [Int64], values: inout [Double]
    ) throws {
        if done || chunkIndex >= 0 {
            // Mid-iteration: finish through the per-sample path.
            var ok = try seek(mint)
            while ok && current.t <= maxt {
                timestamps.append(current.t.ms)
                values.append(current.v)
                ok = try next()
            }
            return
        }
        done = true
        let lo = max(mint, self.mint), hi = min(maxt, self.maxt)
        for meta in chunks {
            if meta.minTime > hi { break }
            if meta.maxTime < lo { continue }
            let c = try block.chunks.chunk(meta.ref)
            guard c.encoding == ChunkEncoding.xor.rawValue else {
                throw TSDBError(.corruption, "\(block.displayName): \(meta.ref) has encoding \(c.encoding); only XOR float chunks are supported")
            }
            var d = try XORChunkDecoder(c.data)
            let whole = meta.minTime >= lo && meta.maxTime <= hi && deleted.isEmpty
            if whole {
                timestamps.reserveCapacity(timestamps.count + d.count)
                values.reserveCapacity(values.count + d.count)
            }
            while let s = try d.next() {
                if whole {
                    timestamps.append(s.t.ms)
                    values.append(s.v)
                    continue
                }
                if s.t < lo || isDeleted(s.t) { continue }
                if s.t > hi { break }
                timestamps.append(s.t.ms)
                values.append(s.v)
            }
        }
    }

    private func isDeleted(_ t: Timestamp) -> Bool {
        for iv in deleted where iv.contains(t) { return true }
        return false
    }

    /// Moves to the next chunk that may hold samples at or after `t`; false when none is left.
    private mutating func openNextChunk(notBefore t: Timestamp) throws -> Bool {
        while chunkIndex + 1 < chunks.count {
            chunkIndex += 1
            let meta = chunks[chunkIndex]
            if meta.minTime > maxt { return false }
            if meta.maxTime < t { continue }
            let c = try block.chunks.chunk(meta.ref)
            guard c.encoding == ChunkEncoding.xor.rawValue else {
                throw TSDBError(.corruption, "\(block.displayName): \(meta.ref) has encoding \(c.encoding); only XOR float chunks are supported")
            }
            decoder = try XORChunkDecoder(c.data)
            return true
        }
        return false
    }
}

/// One series of a block query.
struct BlockSeries: Series {
    let labels: Labels
    let block: Block
    let chunks: [ChunkMeta]
    let mint: Timestamp
    let maxt: Timestamp
    let deleted: [TombstoneInterval]

    func makeIterator() -> any SampleIterator {
        BlockSampleIterator(block: block, chunks: chunks, mint: mint, maxt: maxt, deleted: deleted)
    }
}
