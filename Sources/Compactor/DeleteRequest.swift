import Foundation
public import ObjectStore
public import PromModel
public import TSDB

/// A request to delete series data: the series matching every matcher lose their samples in
/// `[startMs, endMs]`. Stored as `<tenant>/delete-requests/<id>.json`; the compactor applies it
/// whenever it rewrites a block (compaction or downsampling).
///
/// TODO(compact): filter pending requests at query time too, and rewrite old blocks that no
/// compaction will touch again (#7).
public struct DeleteRequest: Codable, Hashable, Sendable {
    /// One label matcher as stored: `type` is `=`, `!=`, `=~` or `!~`.
    public struct StoredMatcher: Codable, Hashable, Sendable {
        /// `=`, `!=`, `=~` or `!~`.
        public var type: String
        /// Label name matched.
        public var name: String
        /// Value or regular expression.
        public var value: String
        /// A stored matcher.
        public init(type: String, name: String, value: String) {
            self.type = type
            self.name = name
            self.value = value
        }
    }

    /// Unique name of the request; also its object name.
    public var id: String
    /// Series must match every one of these.
    public var matchers: [StoredMatcher]
    /// Deleted range, both ends inclusive, in milliseconds.
    public var startMs: Int64
    public var endMs: Int64

    enum CodingKeys: String, CodingKey {
        case id, matchers
        case startMs = "start_ms"
        case endMs = "end_ms"
    }

    /// A request; `matchers` must not be empty.
    public init(id: String, matchers: [StoredMatcher], startMs: Int64, endMs: Int64) {
        self.id = id
        self.matchers = matchers
        self.startMs = startMs
        self.endMs = endMs
    }

    /// The object directory of a tenant's requests.
    public static func prefix(tenant: String) -> String { "\(tenant)/delete-requests/" }

    /// Stores the request in the bucket.
    /// - Throws: ``CompactorError`` `invalidConfiguration` for a request without matchers or with
    ///   an invalid matcher; bucket errors.
    public func store(in bucket: any Bucket, tenant: String) async throws {
        guard !matchers.isEmpty, startMs <= endMs else {
            throw CompactorError(.invalidConfiguration, "delete request \(id) needs matchers and start_ms <= end_ms")
        }
        _ = try compiled()
        try await bucket.put(Self.prefix(tenant: tenant) + id + ".json", try markerJSON())
    }

    /// Every request of the tenant; unreadable ones are skipped.
    public static func load(from bucket: any Bucket, tenant: String) async throws -> [DeleteRequest] {
        var out: [DeleteRequest] = []
        for key in try await bucket.list(prefix: prefix(tenant: tenant), delimiter: "/") where key.hasSuffix(".json") {
            if let r = try? JSONDecoder().decode(DeleteRequest.self, from: Data(try await bucket.get(key))) { out.append(r) }
        }
        return out
    }

    /// The matchers, parsed.
    func compiled() throws -> [Matcher] {
        try matchers.map { m in
            guard let kind = Matcher.Kind(rawValue: m.type) else {
                throw CompactorError(.invalidConfiguration, "delete request \(id): matcher type \"\(m.type)\" is not =, !=, =~ or !~")
            }
            return try Matcher(kind, m.name, m.value)
        }
    }
}

/// Delete requests compiled once for a block rewrite.
struct Deletions {
    private let requests: [(matchers: [Matcher], interval: TombstoneInterval)]

    init(_ requests: [DeleteRequest]) {
        self.requests = requests.compactMap { r in
            guard let m = try? r.compiled(), !m.isEmpty else { return nil }
            return (m, TombstoneInterval(minTime: Timestamp(ms: r.startMs), maxTime: Timestamp(ms: r.endMs)))
        }
    }

    /// Intervals to delete from the series with `labels`.
    func intervals(for labels: Labels) -> [TombstoneInterval] {
        requests.filter { r in r.matchers.allSatisfy { $0.matches(labels.get($0.name) ?? "") } }.map(\.interval)
    }
}
