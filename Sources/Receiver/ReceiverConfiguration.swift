/// Limits applied to one tenant's writes and reads. Zero means unlimited.
public struct TenantLimits: Sendable, Hashable, Codable {
    /// Series the tenant's head may hold; new series beyond it are rejected (existing ones still ingest).
    public var maxActiveSeries: Int = 0
    /// Sustained samples per second; requests above it get 429 with `Retry-After`.
    public var samplesPerSecond: Double = 0
    /// Samples a tenant may send in a burst above the sustained rate.
    public var samplesBurst: Int = 0
    /// Labels one series may carry.
    public var maxLabelsPerSeries: Int = 64
    /// Bytes of one label name.
    public var maxLabelNameLength: Int = 1024
    /// Bytes of one label value.
    public var maxLabelValueLength: Int = 4096
    /// Bytes of one compressed request body; larger bodies get 413.
    public var maxRequestBytes: Int = 32 << 20
    /// Bytes of one request after snappy decompression; checked before allocating.
    public var maxDecodedRequestBytes: Int = 128 << 20
    /// Series one remote-read request may return.
    public var maxReadSeries: Int = 1_000_000
    /// Bytes of samples/chunks one remote-read request may return.
    public var maxReadBytes: Int = 1 << 30

    public init() {}

    /// - Throws: ``ReceiverError`` naming the first field out of range.
    public func validate(path: String = "limits") throws {
        let fields: [(String, Double)] = [
            ("max_active_series", Double(maxActiveSeries)), ("samples_per_second", samplesPerSecond),
            ("samples_burst", Double(samplesBurst)), ("max_labels_per_series", Double(maxLabelsPerSeries)),
            ("max_label_name_length", Double(maxLabelNameLength)),
            ("max_label_value_length", Double(maxLabelValueLength)), ("max_request_bytes", Double(maxRequestBytes)),
            ("max_decoded_request_bytes", Double(maxDecodedRequestBytes)), ("max_read_series", Double(maxReadSeries)),
            ("max_read_bytes", Double(maxReadBytes)),
        ]
        for (name, value) in fields where value < 0 || value.isNaN {
            throw ReceiverError(.invalidConfiguration, "\(path).\(name) must not be negative (got \(value))")
        }
    }

    enum CodingKeys: String, CodingKey {
        case maxActiveSeries = "max_active_series", samplesPerSecond = "samples_per_second"
        case samplesBurst = "samples_burst", maxLabelsPerSeries = "max_labels_per_series"
        case maxLabelNameLength = "max_label_name_length", maxLabelValueLength = "max_label_value_length"
        case maxRequestBytes = "max_request_bytes", maxDecodedRequestBytes = "max_decoded_request_bytes"
        case maxReadSeries = "max_read_series", maxReadBytes = "max_read_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TenantLimits.defaults
        maxActiveSeries = try c.decodeIfPresent(Int.self, forKey: .maxActiveSeries) ?? d.maxActiveSeries
        samplesPerSecond = try c.decodeIfPresent(Double.self, forKey: .samplesPerSecond) ?? d.samplesPerSecond
        samplesBurst = try c.decodeIfPresent(Int.self, forKey: .samplesBurst) ?? d.samplesBurst
        maxLabelsPerSeries = try c.decodeIfPresent(Int.self, forKey: .maxLabelsPerSeries) ?? d.maxLabelsPerSeries
        maxLabelNameLength = try c.decodeIfPresent(Int.self, forKey: .maxLabelNameLength) ?? d.maxLabelNameLength
        maxLabelValueLength = try c.decodeIfPresent(Int.self, forKey: .maxLabelValueLength) ?? d.maxLabelValueLength
        maxRequestBytes = try c.decodeIfPresent(Int.self, forKey: .maxRequestBytes) ?? d.maxRequestBytes
        maxDecodedRequestBytes =
            try c.decodeIfPresent(Int.self, forKey: .maxDecodedRequestBytes) ?? d.maxDecodedRequestBytes
        maxReadSeries = try c.decodeIfPresent(Int.self, forKey: .maxReadSeries) ?? d.maxReadSeries
        maxReadBytes = try c.decodeIfPresent(Int.self, forKey: .maxReadBytes) ?? d.maxReadBytes
    }

    static let defaults = TenantLimits()
}

/// Everything `hearth receive` is configured with, apart from where it listens.
public struct ReceiverConfiguration: Sendable {
    /// Directory holding each tenant's WAL and head (`<storagePath>/<tenant>/`).
    public var storagePath: String
    /// HTTP header naming the tenant; `X-Scope-OrgID` is accepted as well.
    public var tenantHeader: String = "THANOS-TENANT"
    /// Tenant of requests without a tenant header.
    public var defaultTenant: String = "default-tenant"
    /// Label added to every shipped block's external labels, holding the tenant.
    public var tenantLabelName: String = "tenant_id"
    /// External labels of this receiver (e.g. `replica`), stamped into shipped blocks' meta.json.
    public var externalLabels: [String: String] = [:]
    /// How far in the future a sample may lie; later ones are rejected (they would block the series).
    public var futureGraceMs: Int64 = 10 * 60 * 1000
    /// Limits for tenants without an override.
    public var defaultLimits = TenantLimits()
    /// Per-tenant overrides of ``defaultLimits``.
    public var tenantLimits: [String: TenantLimits] = [:]

    public init(storagePath: String) { self.storagePath = storagePath }

    /// The limits in force for `tenant`.
    public func limits(for tenant: String) -> TenantLimits { tenantLimits[tenant] ?? defaultLimits }

    /// - Throws: ``ReceiverError`` naming the offending field.
    public func validate() throws {
        if storagePath.isEmpty { throw ReceiverError(.invalidConfiguration, "storage.path must be set") }
        if futureGraceMs < 0 { throw ReceiverError(.invalidConfiguration, "future grace period must not be negative") }
        try TenantName.validate(defaultTenant)
        try defaultLimits.validate()
        for (tenant, limits) in tenantLimits {
            try TenantName.validate(tenant)
            try limits.validate(path: "tenant_limits.\(tenant)")
        }
    }
}

/// Tenant names become directory names and bucket prefixes, so they are restricted.
public enum TenantName {
    /// - Throws: ``ReceiverError`` with code `invalidTenant` for names that are empty, too long, or not
    ///   made of letters, digits, `-`, `_` and `.` (and not `.`/`..`).
    public static func validate(_ name: String) throws(ReceiverError) {
        let ok = !name.isEmpty && name.utf8.count <= 128 && name != "." && name != ".."
            && name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d
                    || b == 0x5f || b == 0x2e
            }
        if !ok {
            throw ReceiverError(
                .invalidTenant,
                "tenant \"\(name.prefix(200))\" is invalid: use 1-128 letters, digits, '-', '_' or '.'")
        }
    }
}
