import Foundation
public import ObjectStore
public import TSDB

/// A complete block in the bucket (its `meta.json` exists) and its markers.
public struct BucketBlock: Sendable {
    /// The tenant directory the block lies in.
    public var tenant: String
    /// The block's `meta.json`.
    public var meta: BlockMeta
    /// Present when the block is being deleted.
    public var deletionMark: DeletionMark?
    /// Present when the planner must leave the block alone.
    public var noCompactMark: NoCompactMark?
    /// Object keys of the block, meta.json included.
    public var keys: [String]

    /// `<tenant>/<ulid>/`.
    public var prefix: String { "\(tenant)/\(meta.ulid)/" }
    /// Total size of the block's objects.
    public var bytes: Int = 0
}

/// A block directory without `meta.json`: an upload in progress, cut short, or a deletion cut short.
public struct PartialBlock: Sendable {
    /// Where the directory lies and what is in it.
    public var tenant: String
    /// The directory name.
    public var ulid: ULID
    /// Objects present, any order.
    public var keys: [String]
    /// A deletion mark is present: this is a deletion cut short and can go at once.
    public var markedForDeletion: Bool
}

/// What one listing of the bucket found.
public struct BucketCatalog: Sendable {
    /// Complete blocks, marked ones included.
    public var blocks: [BucketBlock] = []
    /// Directories without `meta.json`.
    public var partial: [PartialBlock] = []
    /// Blocks whose `meta.json` cannot be read, with the error.
    public var unreadable: [(tenant: String, ulid: ULID, error: String)] = []

    /// Tenants found, sorted.
    public var tenants: [String] { Array(Set(blocks.map(\.tenant))).sorted() }

    /// Lists every tenant directory and block in `bucket`.
    /// - Throws: bucket errors of the listing itself; a single unreadable block is recorded instead.
    public static func scan(_ bucket: any Bucket) async throws -> BucketCatalog {
        var catalog = BucketCatalog()
        for tenantEntry in try await bucket.listDirectory("") where tenantEntry.hasSuffix("/") {
            let tenant = String(tenantEntry.dropLast())
            if ULID(tenant) != nil { continue }
            for entry in try await bucket.listDirectory(tenantEntry) where entry.hasSuffix("/") {
                let name = String(entry.dropFirst(tenantEntry.count).dropLast())
                guard let ulid = ULID(name) else { continue }
                let keys = try await bucket.list(prefix: entry, delimiter: nil)
                // An empty directory (a filesystem bucket may keep one) holds nothing to clean up.
                if keys.isEmpty { continue }
                let names = Set(keys.map { String($0.dropFirst(entry.count)) })
                guard names.contains(BlockMeta.fileName) else {
                    catalog.partial.append(PartialBlock(
                        tenant: tenant, ulid: ulid, keys: keys, markedForDeletion: names.contains(DeletionMark.fileName)))
                    continue
                }
                do {
                    let meta = try BlockMeta(json: try await bucket.get(entry + BlockMeta.fileName), file: entry + BlockMeta.fileName)
                    var block = BucketBlock(tenant: tenant, meta: meta, keys: keys)
                    if names.contains(DeletionMark.fileName) {
                        block.deletionMark = try? JSONDecoder().decode(
                            DeletionMark.self, from: Data(try await bucket.get(entry + DeletionMark.fileName)))
                        // An unreadable mark still means "being deleted"; treat it as written long ago.
                        if block.deletionMark == nil { block.deletionMark = DeletionMark(id: name, deletionTime: 0) }
                    }
                    if names.contains(NoCompactMark.fileName) {
                        block.noCompactMark = (try? JSONDecoder().decode(
                            NoCompactMark.self, from: Data(try await bucket.get(entry + NoCompactMark.fileName))))
                            ?? NoCompactMark(id: name, reason: "unknown", details: "unreadable mark", noCompactTime: 0)
                    }
                    for key in keys { block.bytes += (try? await bucket.size(key)) ?? 0 }
                    catalog.blocks.append(block)
                } catch {
                    catalog.unreadable.append((tenant, ulid, "\(error)"))
                }
            }
        }
        return catalog
    }
}
