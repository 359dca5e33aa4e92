import Foundation
public import Logging
import Metrics
public import ObjectStore
import PromModel
public import PromWire
public import ServiceLifecycle
import Synchronization

/// `hearth receive` without its HTTP front: ingest into per-tenant storage, cut and ship blocks,
/// serve each tenant's data from head + bucket.
///
/// As a `Service`, `run()` loops every `syncInterval`: cuts due head data into blocks, ships new
/// blocks, syncs the bucket view. On graceful shutdown it refuses new writes, cuts everything the
/// heads hold into blocks, ships them and closes the WALs, so the bucket is complete after a clean stop.
public final class ReceiveService: Service, Sendable {
    public let configuration: ReceiverConfiguration
    public let registry: TenantRegistry
    public let distributor: Distributor
    public let bucket: any Bucket
    private let shipper: Shipper
    private let logger: Logger
    private let syncInterval: Duration
    // Per-tenant bucket views, created on first use; guarded by the mutex, held only for lookups.
    private let bucketViews = Mutex<[String: BucketBlocks]>([:])
    // Ready once existing tenants are open; false again when shutdown begins.
    private let ready = Atomic<Bool>(false)

    public init(
        configuration: ReceiverConfiguration, bucket: any Bucket, storageFactory: @escaping TenantStorageFactory,
        logger: Logger, syncInterval: Duration = .seconds(30),
        nowMs: @escaping @Sendable () -> Int64 = wallClockMs
    ) {
        self.configuration = configuration
        self.bucket = bucket
        self.logger = logger
        self.syncInterval = syncInterval
        registry = TenantRegistry(configuration: configuration, factory: storageFactory, logger: logger, nowMs: nowMs)
        distributor = Distributor(registry: registry, configuration: configuration, nowMs: nowMs)
        shipper = Shipper(
            bucket: bucket, tenantLabelName: configuration.tenantLabelName,
            externalLabels: configuration.externalLabels, logger: logger)
    }

    /// Whether the receiver takes traffic (`/-/ready`).
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    /// Opens tenants found on disk and ships anything a previous run left unshipped.
    public func start() async throws {
        try await registry.openExisting()
        await cycle(force: false)
        ready.store(true, ordering: .releasing)
    }

    /// The tenant name a request's headers designate.
    public func tenant(fromHeader value: String?) -> String {
        guard let value, !value.isEmpty else { return configuration.defaultTenant }
        return value
    }

    /// Ingests one request's series for `tenant`.
    public func push(tenant: String, series: [TimeSeries]) async throws -> IngestSummary {
        guard isReady else { throw ReceiverError(.unavailable, "receiver is not ready") }
        return try await distributor.push(tenant: tenant, series: series)
    }

    /// Ingests a decoded remote write 1.0 body for `tenant` on the allocation-free path.
    public func push(tenant: String, protobuf body: [UInt8]) async throws -> IngestSummary {
        guard isReady else { throw ReceiverError(.unavailable, "receiver is not ready") }
        return try await distributor.push(tenant: tenant, protobuf: body)
    }

    /// The tenant's data (head, local and bucket blocks) for queries and remote read.
    public func queryable(tenant: String) async throws -> TenantQueryable {
        let handle = try await registry.tenant(tenant)
        let view = bucketView(tenant)
        try await view.sync()
        return TenantQueryable(handle: handle, bucketBlocks: view)
    }

    private func bucketView(_ tenant: String) -> BucketBlocks {
        bucketViews.withLock { views in
            if let v = views[tenant] { return v }
            let v = BucketBlocks(
                bucket: bucket, tenant: tenant, cacheDirectory: configuration.storagePath + "/.bucket-cache",
                logger: logger)
            views[tenant] = v
            return v
        }
    }

    public func run() async throws {
        if !isReady { try await start() }
        // Periodic work stops at graceful shutdown; the final flush runs after the loop.
        for await _ in AsyncTimerSequence(interval: syncInterval).cancelOnGracefulShutdown() {
            await cycle(force: false)
        }
        try await shutdown()
    }

    /// Refuses writes, cuts every head into blocks, ships them, closes the WALs.
    public func shutdown() async throws {
        ready.store(false, ordering: .releasing)
        let tenants = await registry.beginShutdown()
        await cycle(force: true, tenants: tenants)
        for t in tenants {
            do { try await t.storage.close() } catch {
                logger.error("cannot close tenant storage", metadata: ["tenant": "\(t.name)", "error": "\(error)"])
            }
        }
    }

    /// One round of cut → ship → clean up → bucket sync for every tenant.
    func cycle(force: Bool, tenants given: [TenantHandle]? = nil) async {
        let tenants: [TenantHandle]
        if let given { tenants = given } else { tenants = await registry.all() }
        for t in tenants {
            let directory = configuration.storagePath + "/" + t.name
            do { try await t.storage.compact(force: force) } catch {
                logger.error("cannot cut head into blocks", metadata: ["tenant": "\(t.name)", "error": "\(error)"])
            }
            let blocks = t.storage.localBlocks()
            let result = await shipper.sync(tenant: t.name, storageDirectory: directory, blocks: blocks)
            Gauge(label: "hearth_receive_unshipped_blocks", dimensions: [("tenant", t.name)]).record(result.failed.count)
            if !result.uploaded.isEmpty {
                Counter(label: "hearth_receive_shipped_blocks_total", dimensions: [("tenant", t.name)])
                    .increment(by: result.uploaded.count)
                Counter(label: "hearth_receive_shipped_bytes_total", dimensions: [("tenant", t.name)])
                    .increment(by: result.bytes)
            }
            let oldestUnshipped = blocks.first { !shipper.isShipped($0.ulid, storageDirectory: directory) }
            let lagMs = oldestUnshipped.map { wallClockMs() - $0.maxTime.ms } ?? 0
            Gauge(label: "hearth_receive_upload_lag_seconds", dimensions: [("tenant", t.name)]).record(Double(max(0, lagMs)) / 1000)
            // The bucket now serves shipped blocks; keep one copy, not two.
            try? await bucketView(t.name).sync()
            for block in blocks where shipper.isShipped(block.ulid, storageDirectory: directory) {
                do { try await t.storage.deleteLocalBlock(block.ulid) } catch {
                    logger.warning("cannot delete shipped local block", metadata: ["block": "\(block.ulid)", "error": "\(error)"])
                }
            }
        }
    }
}

/// Milliseconds since the epoch by the system clock.
public func wallClockMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// Ticks every `interval` until cancelled.
struct AsyncTimerSequence: AsyncSequence, Sendable {
    typealias Element = Void
    let interval: Duration

    struct AsyncIterator: AsyncIteratorProtocol {
        let interval: Duration
        mutating func next() async -> Void? {
            do { try await Task.sleep(for: interval) } catch { return nil }
            return ()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(interval: interval) }
}
