import Foundation
public import Logging

/// Opens a tenant's storage in a directory.
public typealias TenantStorageFactory = @Sendable (_ tenant: String, _ directory: String) async throws -> any TenantStorage

/// One tenant's storage with the limits and limiter in force for it.
public struct TenantHandle: Sendable {
    public let name: String
    public let storage: any TenantStorage
    public let limits: TenantLimits
    public let limiter: RateLimiter
    public let validator: SeriesValidator
}

/// Owns every tenant's storage; opens a tenant on its first write and, at start, every tenant
/// that has data on disk (so nothing acknowledged waits for a new write to become queryable).
public actor TenantRegistry {
    private let configuration: ReceiverConfiguration
    private let factory: TenantStorageFactory
    private let logger: Logger
    private let nowMs: @Sendable () -> Int64
    private var tenants: [String: TenantHandle] = [:]
    // Openings in progress, so concurrent first writes of a tenant open it once.
    private var opening: [String: Task<TenantHandle, any Error>] = [:]
    private var closed = false

    public init(
        configuration: ReceiverConfiguration, factory: @escaping TenantStorageFactory, logger: Logger,
        nowMs: @escaping @Sendable () -> Int64
    ) {
        self.configuration = configuration
        self.factory = factory
        self.logger = logger
        self.nowMs = nowMs
    }

    /// Opens every tenant directory found under the storage path.
    public func openExisting() async throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: configuration.storagePath)) ?? []
        for name in entries.sorted() where (try? TenantName.validate(name)) != nil {
            var isDir: ObjCBool = false
            let path = configuration.storagePath + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                _ = try await tenant(name)
            }
        }
    }

    /// The tenant's handle, opening its storage if needed.
    /// - Throws: ``ReceiverError`` `invalidTenant` for a bad name, `unavailable` after shutdown
    ///   or when the storage cannot be opened.
    public func tenant(_ name: String) async throws -> TenantHandle {
        if let t = tenants[name] { return t }
        try TenantName.validate(name)
        guard !closed else { throw ReceiverError(.unavailable, "receiver is shutting down") }
        if let pending = opening[name] { return try await pending.value }
        let directory = configuration.storagePath + "/" + name
        let limits = configuration.limits(for: name)
        let factory = self.factory
        let now = nowMs()
        // A child task would not outlive this call's cancellation; opening must finish once
        // started so that concurrent waiters all get the same storage.
        let task = Task<TenantHandle, any Error> {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let storage = try await factory(name, directory)
                return TenantHandle(
                    name: name, storage: storage, limits: limits,
                    limiter: RateLimiter(ratePerSecond: limits.samplesPerSecond, burst: limits.samplesBurst, nowMs: now),
                    validator: SeriesValidator(limits: limits))
            } catch {
                throw ReceiverError(.unavailable, "cannot open storage of tenant \(name) in \(directory)", underlying: error)
            }
        }
        opening[name] = task
        defer { opening[name] = nil }
        let handle = try await task.value
        tenants[name] = handle
        logger.info("opened tenant", metadata: ["tenant": "\(name)"])
        return handle
    }

    /// Every open tenant, sorted by name.
    public func all() -> [TenantHandle] { tenants.values.sorted { $0.name < $1.name } }

    /// Refuses new tenants and returns the open ones, for shutdown.
    public func beginShutdown() -> [TenantHandle] {
        closed = true
        return all()
    }
}
