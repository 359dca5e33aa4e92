import Foundation
public import Logging
import PromModel
import Metrics
public import ObjectStore
import TSDB

/// Compacts, downsamples and applies retention to every tenant's blocks in a bucket.
///
/// One ``runOnce()`` is a full pass: remove abandoned uploads, mark expired blocks, run planned jobs
/// until the planner has nothing left, then delete marked blocks whose delay has passed. A failing
/// job marks its blocks `no-compact` and the pass goes on with every other job.
///
/// Crash safety: a new block is uploaded whole — `meta.json` last — before its sources get deletion
/// marks; a block is deleted `meta.json` first and its deletion mark last. So a crash leaves either
/// an invisible partial directory (removed by a later pass) or a complete block whose sources are
/// found superseded and marked by the planner. Not reentrant: run one compactor per bucket.
public struct Compactor: Sendable {
    let bucket: any Bucket
    let configuration: CompactorConfiguration
    let logger: Logger
    let now: @Sendable () -> Int64
    /// Print the plan instead of changing the bucket.
    public var dryRun = false

    /// - Parameters:
    ///   - now: the clock in milliseconds since the epoch (injected for tests).
    public init(
        bucket: any Bucket, configuration: CompactorConfiguration, logger: Logger,
        now: @escaping @Sendable () -> Int64 = Compactor.wallClockMs
    ) {
        self.bucket = bucket
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Milliseconds since the epoch by the system clock.
    public static let wallClockMs: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Upper bound on planning rounds in one pass; each round consumes its jobs' sources, so a
    /// real bucket needs as many rounds as compaction levels, plus downsampling.
    static let maxRounds = 64

    /// One full pass.
    /// - Throws: only when the bucket cannot be listed; job failures are in the summary.
    public func runOnce() async throws -> CompactionSummary {
        var summary = CompactionSummary()
        clearScratch()
        try FileManager.default.createDirectory(atPath: scratchDirectory, withIntermediateDirectories: true)
        var catalog = try await BucketCatalog.scan(bucket)
        summary.bytesBefore = catalog.blocks.filter { $0.deletionMark == nil }.reduce(0) { $0 + $1.bytes }
        summary.warnings += catalog.unreadable.map { "block \($0.tenant)/\($0.ulid): unreadable meta.json: \($0.error)" }
        summary.warnings += catalog.blocks.compactMap { b in
            b.noCompactMark.map { "block \(b.prefix) is marked no-compact: \($0.details)" }
        }
        try await removePartialUploads(catalog, &summary)
        try await applyRetention(catalog, &summary)
        for round in 0..<Self.maxRounds {
            if round > 0 || !dryRun { catalog = try await BucketCatalog.scan(bucket) }
            let jobs = plan(catalog)
            Gauge(label: "hearth_compact_todo_jobs").record(jobs.count)
            if jobs.isEmpty { break }
            if dryRun {
                summary.plannedJobs = jobs.map { "\($0.tenant): \($0.job)" }
                break
            }
            for (i, item) in jobs.enumerated() {
                logger.info("[\(i + 1)/\(jobs.count)] \(item.job)", metadata: ["tenant": "\(item.tenant)", "round": "\(round)"])
                await execute(item.job, tenant: item.tenant, blocks: catalog.blocks, &summary)
                Gauge(label: "hearth_compact_todo_jobs").record(jobs.count - i - 1)
            }
        }
        if !dryRun {
            catalog = try await BucketCatalog.scan(bucket)
            try await deleteMarked(catalog, &summary)
            catalog = try await BucketCatalog.scan(bucket)
        }
        summary.bytesAfter = catalog.blocks.filter { $0.deletionMark == nil }.reduce(0) { $0 + $1.bytes }
        return summary
    }

    /// Planner jobs for every tenant, over blocks not marked for deletion.
    func plan(_ catalog: BucketCatalog) -> [(tenant: String, job: Job)] {
        let planner = Planner(configuration)
        var jobs: [(String, Job)] = []
        for tenant in catalog.tenants {
            let live = catalog.blocks.filter { $0.tenant == tenant && $0.deletionMark == nil }
            let noCompact = Set(live.filter { $0.noCompactMark != nil }.map(\.meta.ulid))
            jobs += planner.plan(live.map(\.meta), noCompact: noCompact).map { (tenant, $0) }
        }
        return jobs
    }

    private func removePartialUploads(_ catalog: BucketCatalog, _ summary: inout CompactionSummary) async throws {
        for p in catalog.partial {
            let age = now() - p.ulid.time.ms
            guard p.markedForDeletion || age >= configuration.partialUploadGraceMs else { continue }
            if dryRun {
                summary.plannedJobs.append("\(p.tenant): remove partial upload \(p.ulid)")
                continue
            }
            // The deletion mark goes last, so a crash here still leaves the directory recognisably doomed.
            let mark = "\(p.tenant)/\(p.ulid)/\(DeletionMark.fileName)"
            for key in p.keys where key != mark { try await bucket.delete(key) }
            try await bucket.delete(mark)
            summary.partialUploadsRemoved += 1
            logger.info("removed partial upload", metadata: ["tenant": "\(p.tenant)", "block": "\(p.ulid)"])
        }
    }

    private func applyRetention(_ catalog: BucketCatalog, _ summary: inout CompactionSummary) async throws {
        let policy = RetentionPolicy(configuration)
        for tenant in catalog.tenants {
            let live = catalog.blocks.filter { $0.tenant == tenant && $0.deletionMark == nil }
            for meta in policy.expired(live.map(\.meta), tenant: tenant, nowMs: now()) {
                if dryRun {
                    summary.plannedJobs.append("\(tenant): retention marks \(meta.ulid) for deletion")
                    continue
                }
                try await markForDeletion(tenant: tenant, meta.ulid, details: "past retention")
                summary.markedForDeletion += 1
            }
        }
    }

    private func deleteMarked(_ catalog: BucketCatalog, _ summary: inout CompactionSummary) async throws {
        let policy = RetentionPolicy(configuration)
        for block in catalog.blocks {
            guard let mark = block.deletionMark, policy.deletable(mark, nowMs: now()) else { continue }
            // meta.json first: the block disappears for readers at once, and a crash leaves a
            // marked partial directory the next pass removes.
            let meta = block.prefix + BlockMeta.fileName
            let markKey = block.prefix + DeletionMark.fileName
            try await bucket.delete(meta)
            for key in block.keys where key != meta && key != markKey { try await bucket.delete(key) }
            try await bucket.delete(markKey)
            summary.blocksDeleted += 1
            Counter(label: "hearth_compact_done_deletions_total").increment()
            logger.info("deleted block", metadata: ["tenant": "\(block.tenant)", "block": "\(block.meta.ulid)"])
        }
    }

    func markForDeletion(tenant: String, _ ulid: ULID, details: String) async throws {
        let mark = DeletionMark(id: ulid.description, deletionTime: now() / 1000, details: details)
        try await bucket.put("\(tenant)/\(ulid)/\(DeletionMark.fileName)", try mark.markerJSON())
        logger.info("marked block for deletion", metadata: ["tenant": "\(tenant)", "block": "\(ulid)", "reason": "\(details)"])
    }

    /// Where blocks are built and downloaded; only the compactor writes here.
    var scratchDirectory: String { configuration.dataDirectory + "/scratch" }

    /// Removes leftovers of a crashed pass.
    private func clearScratch() {
        try? FileManager.default.removeItem(atPath: scratchDirectory)
    }
}
