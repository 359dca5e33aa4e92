public import PromModel
import Synchronization

extension DB {
    /// Whether the head holds a series with exactly these labels.
    public func headContains(_ labels: Labels) -> Bool {
        head.series.get(hash: labels.stableHash, labels: labels) != nil
    }

    /// Cuts everything the head holds into blocks, then truncates the head and the WAL.
    ///
    /// For a clean shutdown of a receiver, which must leave nothing in the head that is not also
    /// in a block. Blocks are aligned to the block range, except the last, which ends one
    /// millisecond after the newest sample; the head then accepts only samples after that, so no
    /// later block overlaps a flushed one.
    /// - Returns: the ULIDs of the blocks written.
    @discardableResult
    public func flushHead() async throws -> [ULID] {
        let acquired = compactionLock.withLock { busy in
            defer { busy = true }
            return !busy
        }
        guard acquired else { throw TSDBError(.closed, "cannot flush the head while a compaction runs") }
        defer { compactionLock.withLock { $0 = false } }
        guard let lo = head.minTime?.ms, let hi = head.maxTime?.ms else { return [] }
        let range = options.blockRange.milliseconds
        var written: [ULID] = []
        var mint = floorDiv(lo, range) * range
        while mint <= hi {
            let maxt = Swift.min(mint + range, hi + 1)
            // After an earlier flush the head only holds samples past that block: start there, so
            // block ranges never overlap.
            let blockMint = Swift.max(mint, head.minValidTime.ms)
            if let meta = try writeHeadBlock(mint: blockMint, maxt: maxt) {
                addBlocks([try Block.open(directory: directory + "/" + meta.ulid.description)], removing: [])
                written.append(meta.ulid)
            }
            mint += range
        }
        head.setMinValidTime(Timestamp(ms: hi + 1))
        _ = head.truncate(before: Timestamp(ms: hi + 1))
        try truncateWAL(mint: hi + 1)
        return written
    }

    /// Stops serving a block and deletes its directory (e.g. after it was shipped to a bucket).
    public func deleteBlock(_ ulid: ULID) throws {
        guard let block = blocks.first(where: { $0.ulid == ulid }) else { return }
        addBlocks([], removing: [ulid])
        try deleteBlockDirectories([block])
    }
}
