import Foundation

/// `deletion-mark.json`, in Thanos' format: the block will be deleted once `deletion_time` plus the
/// delete delay has passed. Readers keep serving the block until then.
public struct DeletionMark: Codable, Hashable, Sendable {
    /// The marked block's ULID.
    public var id: String
    /// Unix seconds when the mark was written.
    public var deletionTime: Int64
    /// Format version; 1.
    public var version: Int
    /// Why the block is deleted (our extension; Thanos ignores unknown fields).
    public var details: String?

    enum CodingKeys: String, CodingKey {
        case id, version, details
        case deletionTime = "deletion_time"
    }

    /// A mark written now (`unixSeconds`).
    public init(id: String, deletionTime: Int64, details: String? = nil) {
        self.id = id
        self.deletionTime = deletionTime
        self.version = 1
        self.details = details
    }

    /// Object name inside the block's prefix.
    public static let fileName = "deletion-mark.json"
}

/// `no-compact-mark.json`, in Thanos' format: the planner leaves the block alone and reports it.
public struct NoCompactMark: Codable, Hashable, Sendable {
    /// The marked block's ULID.
    public var id: String
    /// Format version; 1.
    public var version: Int
    /// Short machine-readable reason, e.g. `compaction-failed`.
    public var reason: String
    /// The error that made us give up on the block.
    public var details: String
    /// Unix seconds when the mark was written.
    public var noCompactTime: Int64

    enum CodingKeys: String, CodingKey {
        case id, version, reason, details
        case noCompactTime = "no_compact_time"
    }

    /// A mark with the error that caused it.
    public init(id: String, reason: String, details: String, noCompactTime: Int64) {
        self.id = id
        self.version = 1
        self.reason = reason
        self.details = details
        self.noCompactTime = noCompactTime
    }

    /// Object name inside the block's prefix.
    public static let fileName = "no-compact-mark.json"
}

extension Encodable {
    /// Sorted, indented JSON, the way the rest of the bucket's JSON objects look.
    func markerJSON() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(self)) + [0x0a]
    }
}
