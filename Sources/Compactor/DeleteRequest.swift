import Foundation
public import ObjectStore
import PromModel
public import TSDB

extension DeleteRequest {
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
}
