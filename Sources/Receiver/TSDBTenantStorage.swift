import Dispatch
public import Logging
public import PromModel
public import StorageAPI
public import TSDB

/// A tenant's storage on the TSDB: WAL and head under the tenant directory, blocks cut beside them.
///
/// Local block merging is off: the bucket's compactor merges, and a block must stay exactly as
/// shipped. Retention is off too: shipped blocks are deleted by the receiver once in the bucket.
public final class TSDBTenantStorage: TenantStorage {
    /// TSDB settings shared by every tenant.
    public struct Options: Sendable {
        public var syncPolicy: WALSyncPolicy
        public var blockDurationMs: Int64
        public var outOfOrderWindowMs: Int64

        /// - Parameter fsync: `always` (group commit, the default), `interval` (every 5s) or `never`.
        public init(fsync: String = "always", blockDurationMs: Int64 = 2 * 3_600_000, outOfOrderWindowMs: Int64 = 0) throws {
            switch fsync {
            case "always": syncPolicy = .always
            case "interval": syncPolicy = .interval(.seconds(5))
            case "never": syncPolicy = .never
            default: throw ReceiverError(.invalidConfiguration, "tsdb.wal-fsync \"\(fsync)\" is not always, interval or never")
            }
            guard blockDurationMs >= 60_000 else {
                throw ReceiverError(.invalidConfiguration, "tsdb.block-duration must be at least 1m (got \(blockDurationMs)ms)")
            }
            guard outOfOrderWindowMs >= 0 else {
                throw ReceiverError(.invalidConfiguration, "tsdb.out-of-order-window must not be negative")
            }
            self.blockDurationMs = blockDurationMs
            self.outOfOrderWindowMs = outOfOrderWindowMs
        }
    }

    public let db: DB

    init(db: DB) { self.db = db }

    /// A factory opening each tenant's DB off the cooperative pool (WAL replay is blocking I/O).
    public static func factory(options: Options, logger: Logger) -> TenantStorageFactory {
        { tenant, directory in
            var dbOptions = DBOptions(
                blockRange: .milliseconds(options.blockDurationMs), outOfOrderWindow: .milliseconds(options.outOfOrderWindowMs))
            dbOptions.compactionRanges = []
            dbOptions.wal.syncPolicy = options.syncPolicy
            let opts = dbOptions
            let db = try await withCheckedThrowingContinuation { (c: CheckedContinuation<DB, any Error>) in
                DispatchQueue.global().async { c.resume(with: Result { try DB(directory: directory, options: opts) }) }
            }
            for (dir, error) in db.corruptBlocks {
                logger.error("refusing corrupt local block", metadata: ["tenant": "\(tenant)", "block": "\(dir)", "error": "\(error)"])
            }
            return TSDBTenantStorage(db: db)
        }
    }

    public func appender() -> any Appender { db.appender() }
    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier { try await db.querier(mint: mint, maxt: maxt) }
    public func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        try await db.chunkQuerier(mint: mint, maxt: maxt)
    }
    public var headSeriesCount: Int { db.head.seriesCount }
    public func existingSeriesRef(hash: UInt64, labels: [LabelBytes]) -> SeriesRef? {
        db.existingSeriesRef(hash: hash, labels: labels)
    }
    public func containsSeries(_ labels: Labels) -> Bool { db.headContains(labels) }

    public func localBlocks() -> [LocalBlock] {
        db.blocks.map {
            LocalBlock(ulid: $0.ulid.description, directory: $0.directory, minTime: $0.minTime, maxTime: $0.maxTime)
        }
    }

    public func compact(force: Bool) async throws {
        if force { try await db.flushHead() } else { _ = try await db.compact() }
    }

    public func deleteLocalBlock(_ ulid: String) async throws {
        guard let id = ULID(ulid) else { return }
        try db.deleteBlock(id)
    }

    public func close() async throws { try db.close() }
}
