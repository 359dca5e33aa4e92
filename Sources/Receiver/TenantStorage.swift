public import PromModel
public import StorageAPI

/// What the receiver needs of one tenant's local storage (WAL + head + local blocks).
///
/// Declared here, beside its consumer; the TSDB conformance lives in `TSDB+TenantStorage.swift`.
/// Implementations MUST be thread-safe and MUST make samples durable (per their fsync policy)
/// before an appender's `commit()` returns, because the receiver acknowledges right after it.
public protocol TenantStorage: RawSeriesLookup, Sendable {
    /// A new appender; one per request.
    func appender() -> any Appender
    /// A querier over head and local blocks.
    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier
    /// A chunk querier over head and local blocks, for streamed remote read.
    func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier
    /// Series currently in the head.
    var headSeriesCount: Int { get }
    /// Whether the head already holds a series with these labels.
    func containsSeries(_ labels: Labels) -> Bool
    /// Complete blocks on local disk, oldest first.
    func localBlocks() -> [LocalBlock]
    /// Cuts head data into blocks: what is due, or everything when `force` (on shutdown).
    func compact(force: Bool) async throws
    /// Removes a local block (after it was shipped and is no longer needed locally).
    func deleteLocalBlock(_ ulid: String) async throws
    /// Flushes and closes the WAL.
    func close() async throws
}

/// A complete block in a tenant's local storage.
public struct LocalBlock: Sendable, Hashable {
    public var ulid: String
    public var directory: String
    public var minTime: Timestamp
    public var maxTime: Timestamp

    public init(ulid: String, directory: String, minTime: Timestamp, maxTime: Timestamp) {
        self.ulid = ulid
        self.directory = directory
        self.minTime = minTime
        self.maxTime = maxTime
    }
}
