public import PromModel
public import StorageAPI
import Synchronization

/// A local TSDB in one data directory: `wal/`, the in-memory ``Head``, and immutable blocks.
///
/// Thread-safe. Appends go to the head (and its WAL); queries merge the head with every block
/// overlapping the range, de-duplicating samples with equal timestamps; ``compact()`` cuts blocks from
/// the head, merges blocks, truncates the WAL and applies retention. A block that fails to open is
/// listed in ``corruptBlocks`` and left out, while the others keep serving.
public final class DB: Appendable, Queryable, ChunkQueryable, Sendable {
    /// The data directory.
    public let directory: String
    public let options: DBOptions
    /// The in-memory head; appends and queries normally go through the DB.
    public let head: Head
    let wal: WAL
    private let lock: DirectoryLock

    struct State: Sendable {
        /// Open blocks, ascending by min time.
        var blocks: [Block] = []
        var corrupt: [(directory: String, error: TSDBError)] = []
        var closed = false
    }

    // Guards the block list; held only to copy or swap it.
    let state = Mutex(State())
    // Serializes compaction and retention runs.
    let compactionLock = Mutex(false)

    /// What opening found.
    public let replayReport: HeadReplayReport

    /// Opens (creating if needed) a data directory: takes its lock, opens blocks, replays the WAL.
    ///
    /// Blocking file I/O, done once at startup; callers that care run it from a dedicated thread.
    /// - Throws: ``TSDBError`` `.locked`, `.io`, or `.corruption` for mid-WAL corruption.
    public init(directory: String, options: DBOptions = DBOptions()) throws {
        try options.validate()
        try DiskIO.makeDirectory(directory)
        self.directory = directory
        self.options = options
        lock = try DirectoryLock(directory: directory)
        var headOptions = HeadOptions(chunkRange: options.blockRange, outOfOrderWindow: options.outOfOrderWindow)
        headOptions.samplesPerChunk = 120
        wal = try WAL(directory: directory + "/wal", options: options.wal)
        head = try Head(options: headOptions, wal: wal, chunkDirectory: options.mapHeadChunks ? directory + "/chunks_head" : nil)
        let (blocks, corrupt) = try Self.openBlocks(directory)
        state.withLock {
            $0.blocks = blocks
            $0.corrupt = corrupt
        }
        if let newest = blocks.map(\.meta.maxTime).max() { head.setMinValidTime(Timestamp(ms: newest)) }
        replayReport = try head.replay(from: wal)
        try wal.startWriting()
    }

    /// Opens every block directory; removes unfinished and superseded ones.
    private static func openBlocks(_ directory: String) throws -> ([Block], [(String, TSDBError)]) {
        var blocks: [Block] = []
        var corrupt: [(String, TSDBError)] = []
        for name in try DiskIO.list(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp-for-creation") || name.hasSuffix(".tmp-for-deletion") {
                try DiskIO.removeAll(path)
                continue
            }
            guard ULID(name) != nil, DiskIO.isDirectory(path) else { continue }
            do {
                blocks.append(try Block.open(directory: path))
            } catch {
                corrupt.append((path, error))
            }
        }
        // A crash between writing a merged block and deleting its parents leaves both: drop parents.
        let parents = Set(blocks.flatMap { $0.meta.compaction.parents?.map(\.ulid) ?? [] })
        for b in blocks where parents.contains(b.ulid) { try DiskIO.removeAll(b.directory) }
        blocks.removeAll { parents.contains($0.ulid) }
        blocks.sort { ($0.meta.minTime, $0.ulid) < ($1.meta.minTime, $1.ulid) }
        return (blocks, corrupt)
    }

    /// Open blocks, ascending by min time.
    public var blocks: [Block] { state.withLock { $0.blocks } }

    /// Block directories that failed to open, with the reason. They are not served.
    public var corruptBlocks: [(directory: String, error: TSDBError)] { state.withLock { $0.corrupt } }

    /// An appender into the head.
    public func appender() -> any Appender { head.appender() }

    /// A querier merging the head and every block overlapping `[mint, maxt]`.
    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        try await mergedQuerier(mint: mint, maxt: maxt)
    }

    /// A chunk querier merging the head and every block overlapping `[mint, maxt]`.
    public func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        try await mergedQuerier(mint: mint, maxt: maxt)
    }

    private func mergedQuerier(mint: Timestamp, maxt: Timestamp) async throws -> DBQuerier {
        let blocks = state.withLock { $0.blocks }.filter { $0.meta.minTime <= maxt.ms && $0.meta.maxTime > mint.ms }
        var parts: [any Querier & ChunkQuerier] = blocks.map { BlockQuerier(block: $0, mint: mint, maxt: maxt) }
        parts.append(HeadQuerier(head: head, mint: mint.ms, maxt: maxt.ms))
        return DBQuerier(parts: parts)
    }

    /// Flushes and closes the WAL and releases the directory lock. The head's samples stay in the WAL.
    public func close() throws {
        let first = state.withLock { s in
            defer { s.closed = true }
            return !s.closed
        }
        guard first else { return }
        defer { lock.release() }
        try wal.close()
    }
}
