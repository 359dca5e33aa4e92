/// Settings of `hearth compact`. All durations in milliseconds; a retention of 0 keeps data forever.
public struct CompactorConfiguration: Sendable, Decodable {
    /// Block ranges compaction merges into, ascending; the first is the range blocks arrive with.
    /// Default 2h, 8h, 2d, 14d as in Thanos.
    public var levelsMs: [Int64] = [2 * hourMs, 8 * hourMs, 48 * hourMs, 14 * 24 * hourMs]
    /// Retention of raw, 5m and 1h data; 0 keeps it forever.
    public var retentionRawMs: Int64 = 0
    public var retention5mMs: Int64 = 0
    public var retention1hMs: Int64 = 0
    /// Per-tenant retention overrides, keyed by tenant.
    public var tenantRetention: [String: Retention] = [:]
    /// External labels ignored when grouping blocks into streams, so HA replicas merge into one
    /// stream; also dropped from series labels during vertical compaction.
    public var replicaLabels: [String] = []
    /// How long a block marked for deletion stays readable before it is deleted.
    public var deleteDelayMs: Int64 = 48 * hourMs
    /// How old (by ULID time) a block directory without `meta.json` must be before it is removed
    /// as an abandoned upload.
    public var partialUploadGraceMs: Int64 = 48 * hourMs
    /// Whether downsampling runs.
    public var downsampleEnabled = true
    /// Raw blocks spanning more than this are downsampled to 5m (Thanos: 40h).
    public var downsample5mAfterMs: Int64 = 40 * hourMs
    /// 5m blocks spanning more than this are downsampled to 1h (Thanos: 10d).
    public var downsample1hAfterMs: Int64 = 10 * 24 * hourMs
    /// Scratch directory for blocks being built.
    public var dataDirectory = "data/compact"

    /// Retention per resolution for one tenant; nil fields fall back to the global setting.
    public struct Retention: Sendable, Decodable, Hashable {
        public var rawMs: Int64?
        public var fiveMinutesMs: Int64?
        public var oneHourMs: Int64?
        /// An override; nil keeps the global value.
        public init(rawMs: Int64? = nil, fiveMinutesMs: Int64? = nil, oneHourMs: Int64? = nil) {
            self.rawMs = rawMs
            self.fiveMinutesMs = fiveMinutesMs
            self.oneHourMs = oneHourMs
        }
    }

    /// Milliseconds in an hour.
    public static let hourMs: Int64 = 3_600_000
    /// The 5m downsampling resolution in milliseconds.
    public static let resolution5m: Int64 = 300_000
    /// The 1h downsampling resolution in milliseconds.
    public static let resolution1h: Int64 = 3_600_000

    /// Defaults as documented on each field.
    public init() {}

    /// Retention for blocks of `tenant` at `resolution` (ms); 0 means forever.
    public func retentionMs(tenant: String, resolution: Int64) -> Int64 {
        let o = tenantRetention[tenant]
        switch resolution {
        case 0: return o?.rawMs ?? retentionRawMs
        case Self.resolution5m: return o?.fiveMinutesMs ?? retention5mMs
        default: return o?.oneHourMs ?? retention1hMs
        }
    }

    /// - Throws: ``CompactorError`` `invalidConfiguration` naming the field.
    public func validate() throws {
        guard !levelsMs.isEmpty, levelsMs.allSatisfy({ $0 > 0 }), levelsMs == levelsMs.sorted(),
            Set(levelsMs).count == levelsMs.count
        else {
            throw CompactorError(.invalidConfiguration, "compact.levels \(levelsMs) must be positive and strictly ascending")
        }
        for (name, v) in [("retention.raw", retentionRawMs), ("retention.5m", retention5mMs), ("retention.1h", retention1hMs),
                          ("delete-delay", deleteDelayMs), ("partial-upload-grace", partialUploadGraceMs)] where v < 0 {
            throw CompactorError(.invalidConfiguration, "\(name) is negative (\(v) ms)")
        }
        // Thanos' rule: downsampled data must not outlive the data that would fill gaps for it.
        if retentionRawMs > 0, retention5mMs > 0, retention5mMs < retentionRawMs {
            throw CompactorError(.invalidConfiguration,
                "retention.5m (\(retention5mMs) ms) is shorter than retention.raw (\(retentionRawMs) ms)")
        }
    }
}
