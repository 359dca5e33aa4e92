import Foundation
public import Logging
public import ObjectStore
public import PromModel
public import TSDB

/// The blocks of one tenant that are in the bucket, opened for querying.
///
/// A filesystem bucket's blocks are memory-mapped where they lie; blocks of other buckets are
/// downloaded once into a local cache directory. Blocks with a `deletion-mark.json` are still
/// served until they disappear, so a query running while the compactor deletes them is not cut.
/// A block that fails to open is reported once and skipped; the others keep serving.
/// Downsampled blocks (written by `hearth compact`) are served too: ``TenantQueryable`` decides per
/// time sub-range which resolution answers. Delete requests stored under
/// `<tenant>/delete-requests/` are read on every sync and filtered at query time.
public actor BucketBlocks {
    private let bucket: any Bucket
    private let tenant: String
    private let cacheDirectory: String
    private let logger: Logger
    private var open: [String: Block] = [:]
    private var refused: Set<String> = []
    private var deleteRequests: [DeleteRequest] = []
    /// Pending delete requests, compiled.
    public private(set) var deletions = Deletions([])

    public init(bucket: any Bucket, tenant: String, cacheDirectory: String, logger: Logger) {
        self.bucket = bucket
        self.tenant = tenant
        self.cacheDirectory = cacheDirectory
        self.logger = logger
    }

    /// Lists the tenant's blocks in the bucket, opens new complete ones, drops vanished ones.
    public func sync() async throws {
        let entries = try await bucket.list(prefix: tenant + "/", delimiter: "/")
        var present = Set<String>()
        for entry in entries where entry.hasSuffix("/") {
            let ulid = String(entry.dropFirst(tenant.count + 1).dropLast())
            guard ULID(ulid) != nil else { continue }
            // A block without meta.json is still being uploaded (or was cut short): not yet visible.
            guard try await bucket.exists(entry + "meta.json") else { continue }
            present.insert(ulid)
            if open[ulid] != nil || refused.contains(ulid) { continue }
            do {
                open[ulid] = try await openBlock(ulid)
            } catch {
                refused.insert(ulid)
                logger.error("refusing corrupt bucket block", metadata: ["tenant": "\(tenant)", "block": "\(ulid)", "error": "\(error)"])
            }
        }
        for ulid in open.keys where !present.contains(ulid) { open[ulid] = nil }
        try await loadDeleteRequests()
    }

    /// Reads `<tenant>/delete-requests/*.json` (the compactor's format); unreadable ones are logged and skipped.
    private func loadDeleteRequests() async throws {
        var requests: [DeleteRequest] = []
        for key in try await bucket.list(prefix: DeleteRequest.prefix(tenant: tenant), delimiter: "/") where key.hasSuffix(".json") {
            do {
                requests.append(try JSONDecoder().decode(DeleteRequest.self, from: Data(try await bucket.get(key))))
            } catch {
                logger.warning("skipping unreadable delete request", metadata: ["tenant": "\(tenant)", "object": "\(key)", "error": "\(error)"])
            }
        }
        if requests != deleteRequests {
            deleteRequests = requests
            deletions = Deletions(requests)
        }
    }

    /// Opened blocks of every resolution overlapping `[mint, maxt]`, oldest first, leaving out `excluding` ULIDs.
    public func blocks(overlapping mint: Timestamp, _ maxt: Timestamp, excluding: Set<String> = []) -> [Block] {
        open.values
            .filter { !excluding.contains($0.ulid.description) && $0.minTime <= maxt && $0.maxTime > mint }
            .sorted { $0.minTime < $1.minTime }
    }

    /// ULIDs of blocks that could not be opened.
    public var refusedBlocks: Set<String> { refused }

    private func openBlock(_ ulid: String) async throws -> Block {
        let prefix = "\(tenant)/\(ulid)/"
        if let fs = bucket as? FilesystemBucket {
            let directory = try fs.localPath(tenant + "/" + ulid)
            return try await Self.openOffPool(directory)
        }
        // Other buckets: fetch the block's objects into the cache, meta.json last like the uploader.
        let directory = cacheDirectory + "/" + tenant + "/" + ulid
        try FileManager.default.createDirectory(atPath: directory + "/chunks", withIntermediateDirectories: true)
        let keys = try await bucket.list(prefix: prefix, delimiter: nil)
        let ordered = keys.filter { !$0.hasSuffix("/meta.json") } + keys.filter { $0.hasSuffix("/meta.json") }
        for key in ordered {
            let rel = String(key.dropFirst(prefix.count))
            let data = try await bucket.get(key)
            FileManager.default.createFile(atPath: directory + "/" + rel, contents: Data(data))
        }
        return try await Self.openOffPool(directory)
    }

    private static func openOffPool(_ directory: String) async throws -> Block {
        // Opening validates checksums of the index header sections: blocking reads.
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Block.open(directory: directory) })
            }
        }
    }
}
