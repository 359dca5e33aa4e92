import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import Logging
public import ObjectStore

/// Uploads a tenant's completed local blocks to the bucket, laid out as Thanos lays them out:
/// `<tenant>/<ULID>/chunks/000001…`, `index`, `tombstones`, then `meta.json` — last, so a reader
/// that sees `meta.json` sees a whole block.
///
/// Idempotent: the set of shipped blocks is persisted in `<tenant dir>/shipper.json` only after a
/// block's `meta.json` is in the bucket. A crash mid-upload leaves the block unlisted there, and the
/// next sync uploads it again from the start, overwriting the partial objects.
public struct Shipper: Sendable {
    public let bucket: any Bucket
    public let tenantLabelName: String
    public let externalLabels: [String: String]
    private let logger: Logger

    public init(bucket: any Bucket, tenantLabelName: String, externalLabels: [String: String], logger: Logger) {
        self.bucket = bucket
        self.tenantLabelName = tenantLabelName
        self.externalLabels = externalLabels
        self.logger = logger
    }

    /// Result of one sync of one tenant.
    public struct SyncResult: Sendable, Equatable {
        public var uploaded: [String] = []
        public var bytes = 0
        public var failed: [String] = []
    }

    /// Uploads every local block of the tenant not shipped yet, oldest first; a block that fails
    /// is reported and retried next time, while the others still go.
    public func sync(tenant: String, storageDirectory: String, blocks: [LocalBlock]) async -> SyncResult {
        var state = ShipperState.load(directory: storageDirectory)
        var result = SyncResult()
        for block in blocks where !state.uploaded.contains(block.ulid) {
            do {
                result.bytes += try await upload(block, tenant: tenant)
                state.uploaded.insert(block.ulid)
                try state.save(directory: storageDirectory)
                result.uploaded.append(block.ulid)
                logger.info("shipped block", metadata: ["tenant": "\(tenant)", "block": "\(block.ulid)"])
            } catch {
                result.failed.append(block.ulid)
                logger.error(
                    "cannot ship block", metadata: ["tenant": "\(tenant)", "block": "\(block.ulid)", "error": "\(error)"])
            }
        }
        // Forget blocks that no longer exist locally, so the state file does not grow forever.
        let local = Set(blocks.map(\.ulid))
        if state.uploaded.contains(where: { !local.contains($0) }) {
            state.uploaded.formIntersection(local)
            try? state.save(directory: storageDirectory)
        }
        return result
    }

    /// Whether the block is recorded as shipped.
    public func isShipped(_ ulid: String, storageDirectory: String) -> Bool {
        ShipperState.load(directory: storageDirectory).uploaded.contains(ulid)
    }

    private func upload(_ block: LocalBlock, tenant: String) async throws -> Int {
        let fm = FileManager.default
        let prefix = "\(tenant)/\(block.ulid)/"
        let chunkNames = try fm.contentsOfDirectory(atPath: block.directory + "/chunks").sorted()
        var files: [(rel: String, size: Int)] = []
        for name in chunkNames { files.append(("chunks/" + name, try fileSize(block.directory + "/chunks/" + name))) }
        files.append(("index", try fileSize(block.directory + "/index")))
        if fm.fileExists(atPath: block.directory + "/tombstones") {
            files.append(("tombstones", try fileSize(block.directory + "/tombstones")))
        }
        for file in files { try await bucket.upload(prefix + file.rel, fromFile: block.directory + "/" + file.rel) }
        let meta = try thanosMeta(block: block, tenant: tenant, files: files, segments: chunkNames)
        try await bucket.put(prefix + "meta.json", meta)
        return files.reduce(meta.count) { $0 + $1.size }
    }

    private func fileSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The local meta.json with a `thanos` section added: external labels (tenant included),
    /// raw resolution, source `receive`, and the file list.
    private func thanosMeta(
        block: LocalBlock, tenant: String, files: [(rel: String, size: Int)], segments: [String]
    ) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: block.directory + "/meta.json"))
        guard var meta = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReceiverError(.badData, "meta.json of block \(block.ulid) is not a JSON object")
        }
        var labels = externalLabels
        labels[tenantLabelName] = tenant
        meta["thanos"] = [
            "labels": labels,
            "downsample": ["resolution": 0],
            "source": "receive",
            "segment_files": segments,
            "files": files.map { ["rel_path": $0.rel, "size_bytes": $0.size] as [String: Any] } + [["rel_path": "meta.json"]],
        ] as [String: Any]
        return Array(try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    }
}

/// Which blocks were shipped, persisted beside the tenant's WAL.
struct ShipperState: Codable {
    var version = 1
    var uploaded: Set<String> = []

    static func load(directory: String) -> ShipperState {
        guard let data = FileManager.default.contents(atPath: directory + "/shipper.json"),
            let state = try? JSONDecoder().decode(ShipperState.self, from: data)
        else { return ShipperState() }
        return state
    }

    func save(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var copy = self
        copy.version = 1
        let data = try encoder.encode(copy)
        // Write-then-rename so a crash never leaves a truncated state file.
        let tmp = directory + "/shipper.json.tmp"
        try data.write(to: URL(fileURLWithPath: tmp), options: .atomic)
        guard rename(tmp, directory + "/shipper.json") == 0 else {
            throw ReceiverError(.unavailable, "cannot rename \(tmp) to shipper.json: errno \(errno)")
        }
    }
}
