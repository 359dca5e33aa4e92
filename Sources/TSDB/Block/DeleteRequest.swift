import Foundation
public import PromModel

/// A request to delete series data: the series matching every matcher lose their samples in
/// `[startMs, endMs]`. Stored as `<tenant>/delete-requests/<id>.json`; the compactor applies it
/// whenever it rewrites a block (compaction or downsampling).
///
/// The receiver's bucket querier filters pending requests at query time.
/// TODO(compact): rewrite old blocks that no compaction will touch again (#7).
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

    /// The matchers, parsed.
    /// - Throws: ``TSDBError`` `invalidArgument` for an unknown matcher type or a bad regular expression.
    public func compiled() throws -> [Matcher] {
        try matchers.map { m in
            guard let kind = Matcher.Kind(rawValue: m.type) else {
                throw TSDBError(.invalidArgument, "delete request \(id): matcher type \"\(m.type)\" is not =, !=, =~ or !~")
            }
            return try Matcher(kind, m.name, m.value)
        }
    }
}

/// Delete requests compiled once for a block rewrite.
public struct Deletions: Sendable {
    private let requests: [(matchers: [Matcher], interval: TombstoneInterval)]

    /// No request.
    public var isEmpty: Bool { requests.isEmpty }

    /// Compiles `requests`, leaving out invalid ones.
    public init(_ requests: [DeleteRequest]) {
        self.requests = requests.compactMap { r in
            guard let m = try? r.compiled(), !m.isEmpty else { return nil }
            return (m, TombstoneInterval(minTime: Timestamp(ms: r.startMs), maxTime: Timestamp(ms: r.endMs)))
        }
    }

    /// Intervals to delete from the series with `labels`.
    public func intervals(for labels: Labels) -> [TombstoneInterval] {
        requests.filter { r in r.matchers.allSatisfy { $0.matches(labels.get($0.name) ?? "") } }.map(\.interval)
    }
}
