import Dispatch
import PromModel
import StorageAPI
import Synchronization

/// What one ``DB/compact()`` run did.
public struct CompactionReport: Sendable, Equatable {
    /// Blocks cut from the head.
    public var headBlocks: [ULID] = []
    /// Blocks written by merging other blocks.
    public var mergedBlocks: [ULID] = []
    /// Blocks deleted by retention or because they were merged.
    public var deletedBlocks: [ULID] = []
    /// Series garbage-collected from the head.
    public var seriesRemoved = 0
}

extension DB {
    /// Cuts head data into blocks while the head spans more than 1.5× the block range, truncates
    /// the head and the WAL (via a checkpoint), merges blocks as planned, and applies retention.
    ///
    /// Runs one at a time (a concurrent call returns an empty report). The blocking file I/O runs on
    /// a dedicated dispatch queue, not on the cooperative pool (acceptable until compaction becomes a
    /// `Service` on an NIO thread pool, #3).
    public func compact() async throws -> CompactionReport {
        try await Self.offload { try self.compactBlocking() }
    }

    /// Runs blocking work on the DB's I/O queue and resumes the caller when it is done.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            ioQueue.async { c.resume(with: Result { try work() }) }
        }
    }

    private static let ioQueue = DispatchQueue(label: "hearth.tsdb.io", attributes: .concurrent)

    private func compactBlocking() throws -> CompactionReport {
        let acquired = compactionLock.withLock { busy in
            defer { busy = true }
            return !busy
        }
        guard acquired else { return CompactionReport() }
        defer { compactionLock.withLock { $0 = false } }
        var report = CompactionReport()
        try compactHead(&report)
        try mergeBlocks(&report)
        try applyRetention(&report)
        return report
    }

    private func compactHead(_ report: inout CompactionReport) throws {
        let range = options.blockRange.milliseconds
        while let lo = head.minTime?.ms, let hi = head.maxTime?.ms, hi - lo > range / 2 * 3 {
            let mint = floorDiv(lo, range) * range
            let maxt = mint + range
            if let meta = try writeHeadBlock(mint: mint, maxt: maxt) {
                let block = try Block.open(directory: directory + "/" + meta.ulid.description)
                addBlocks([block], removing: [])
                report.headBlocks.append(meta.ulid)
            }
            report.seriesRemoved += head.truncate(before: Timestamp(ms: maxt))
            try truncateWAL(mint: maxt)
        }
    }

    /// Writes the head's samples in `[mint, maxt)` as a level-1 block; nil when there are none.
    ///
    /// Streams: one series' samples are decoded and re-encoded at a time, in label order.
    func writeHeadBlock(mint: Int64, maxt: Int64) throws -> BlockMeta? {
        let selected = head.selectSeries([])
        var symbols = Set<String>()
        for (labels, _) in selected { for l in labels { symbols.insert(l.name); symbols.insert(l.value) } }
        var decodeError: (any Error)?
        var any = false
        let series = selected.lazy.compactMap { (labels, s) -> ChunkSeries? in
            do {
                let samples = try s.state.withLock { try $0.samples(mint: mint, maxt: maxt - 1) }
                if samples.isEmpty { return nil }
                any = true
                return ChunkSeries(labels: labels, chunks: encodeChunks(samples))
            } catch {
                decodeError = decodeError ?? error
                return nil
            }
        }
        let writer = BlockWriter(parentDirectory: directory)
        let meta = try writer.write(sortedSeries: series, symbols: symbols, minTime: Timestamp(ms: mint), maxTime: Timestamp(ms: maxt))
        if let decodeError { throw decodeError }
        guard any else {
            // Nothing in range (e.g. only series without samples there): no empty block.
            try DiskIO.removeAll(directory + "/" + meta.ulid.description)
            return nil
        }
        return meta
    }

    /// Checkpoints every closed WAL segment, keeping live series and samples from `mint` on, then
    /// deletes those segments.
    func truncateWAL(mint: Int64) throws {
        let last = try wal.nextSegment() - 1
        guard last >= 0 else { return }
        let head = self.head
        try WALCheckpoint.create(wal: wal, through: last, mint: mint) { head.contains(ref: $0) }
        try wal.truncate(before: last + 1)
    }

    private func mergeBlocks(_ report: inout CompactionReport) throws {
        let planner = DBCompactionPlanner(rangesMs: options.rangesMs)
        while true {
            let blocks = self.blocks
            let group = planner.plan(blocks.map(\.meta))
            guard !group.isEmpty else { return }
            let ids = Set(group.map(\.ulid))
            let sources = blocks.filter { ids.contains($0.ulid) }
            let meta = try writeMergedBlock(sources)
            let merged = try Block.open(directory: directory + "/" + meta.ulid.description)
            addBlocks([merged], removing: ids)
            try deleteBlockDirectories(sources)
            report.mergedBlocks.append(meta.ulid)
            report.deletedBlocks += sources.map(\.ulid)
        }
    }

    /// Reads every series of the sources (tombstones applied), de-duplicates equal timestamps and
    /// writes one block covering all of them.
    private func writeMergedBlock(_ sources: [Block]) throws -> BlockMeta {
        var merged: [Labels: [Sample]] = [:]
        for b in sources {
            var set = try BlockQuerier(block: b, mint: .min, maxt: .max).selectSync(matchers: [])
            while let s = try set.next() {
                var it = s.makeIterator()
                var samples: [Sample] = []
                while try it.next() { samples.append(it.at()) }
                merged[s.labels] = mergeSamples(merged[s.labels] ?? [], samples)
            }
        }
        let series = merged.map { ChunkSeries(labels: $0.key, chunks: encodeChunks($0.value)) }
        let compaction = BlockMeta.Compaction(
            level: (sources.map(\.meta.compaction.level).max() ?? 0) + 1,
            sources: Array(Set(sources.flatMap(\.meta.compaction.sources))).sorted(),
            parents: sources.map { BlockMeta.Parent(ulid: $0.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) })
        let writer = BlockWriter(parentDirectory: directory)
        return try writer.write(
            series: series, minTime: Timestamp(ms: sources.map(\.meta.minTime).min()!),
            maxTime: Timestamp(ms: sources.map(\.meta.maxTime).max()!), compaction: compaction)
    }

    /// Deletes blocks entirely older than the retention time, then oldest blocks while the data
    /// directory is above ``DBOptions/maxBytes``.
    private func applyRetention(_ report: inout CompactionReport) throws {
        var doomed: [Block] = []
        let blocks = self.blocks
        if let retention = options.retention, let newest = blocks.map(\.meta.maxTime).max() {
            let cutoff = newest - retention.milliseconds
            doomed += blocks.filter { $0.meta.maxTime <= cutoff }
        }
        if let limit = options.maxBytes {
            var total = DiskIO.treeSize(wal.directory)
            var sizes: [(Block, Int)] = []
            for b in blocks where !doomed.contains(where: { $0 === b }) {
                let size = DiskIO.treeSize(b.directory)
                sizes.append((b, size))
                total += size
            }
            for (b, size) in sizes where total > limit {
                doomed.append(b)
                total -= size
            }
        }
        guard !doomed.isEmpty else { return }
        addBlocks([], removing: Set(doomed.map(\.ulid)))
        try deleteBlockDirectories(doomed)
        report.deletedBlocks += doomed.map(\.ulid)
    }

    func addBlocks(_ added: [Block], removing: Set<ULID>) {
        state.withLock { s in
            s.blocks.removeAll { removing.contains($0.ulid) }
            s.blocks += added
            s.blocks.sort { ($0.meta.minTime, $0.ulid) < ($1.meta.minTime, $1.ulid) }
        }
    }

    /// Renames then removes, so a crash never leaves a half-deleted directory that looks like a block.
    func deleteBlockDirectories(_ blocks: [Block]) throws {
        for b in blocks {
            let doomed = b.directory + ".tmp-for-deletion"
            try DiskIO.rename(b.directory, doomed)
            try DiskIO.removeAll(doomed)
        }
        DiskIO.syncDirectory(directory)
    }
}
