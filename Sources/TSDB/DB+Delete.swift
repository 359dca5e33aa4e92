public import PromModel
import Synchronization

extension Head {
    /// Deletes samples in `[mint, maxt]` of series matching `matchers` and logs WAL tombstones, so a
    /// restart deletes them again. Returns when the tombstones are durable.
    public func delete(mint: Timestamp, maxt: Timestamp, matchers: [Matcher]) async throws {
        let ticket: UInt64? = try commitLock.withLock { _ throws -> UInt64? in
            var tombstones: [RefTombstone] = []
            for (_, s) in selectSeries(matchers) {
                try s.state.withLock { try $0.delete(mint: mint.ms, maxt: maxt.ms) }
                tombstones.append(RefTombstone(ref: s.ref, mint: mint.ms, maxt: maxt.ms))
            }
            guard let wal, !tombstones.isEmpty else { return nil }
            return try wal.enqueue([WALRecordCodec.encode(tombstones: tombstones)])
        }
        if let ticket, let wal { try await wal.waitDurable(ticket) }
    }
}

extension DB {
    /// Deletes samples in `[mint, maxt]` of every series matching `matchers`, in the head (see
    /// ``Head/delete(mint:maxt:matchers:)``) and in blocks, by rewriting their tombstones file
    /// (atomically). Queries stop returning the samples; compaction drops them for good.
    public func delete(mint: Timestamp, maxt: Timestamp, matchers: [Matcher]) async throws {
        try await head.delete(mint: mint, maxt: maxt, matchers: matchers)
        try await Self.offload { try self.deleteInBlocks(mint: mint, maxt: maxt, matchers: matchers) }
    }

    private func deleteInBlocks(mint: Timestamp, maxt: Timestamp, matchers: [Matcher]) throws {
        let acquired = compactionLock.withLock { busy in
            defer { busy = true }
            return !busy
        }
        guard acquired else { throw TSDBError(.closed, "cannot delete while compaction runs; retry") }
        defer { compactionLock.withLock { $0 = false } }
        for b in blocks where b.meta.minTime <= maxt.ms && b.meta.maxTime > mint.ms {
            let refs = try b.postings(for: matchers)
            guard !refs.isEmpty else { continue }
            var tombstones = b.tombstones
            for r in refs { tombstones.add(r, TombstoneInterval(minTime: mint, maxTime: maxt)) }
            try tombstones.write(toDirectory: b.directory)
            let reopened = try Block.open(directory: b.directory)
            addBlocks([reopened], removing: [b.ulid])
        }
    }
}
