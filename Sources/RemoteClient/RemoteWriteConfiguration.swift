/// The settings of one remote-write destination, with Prometheus' defaults.
///
/// prometheus.yml is decoded once, strictly, by Scrape's `PrometheusConfiguration`; the CLI builds this
/// from its `remote_write` entry and compiles `write_relabel_configs` into the closure ``QueueManager``
/// takes, so this module has no YAML surface of its own.
public struct RemoteWriteConfiguration: Sendable, Hashable {
    /// Which protobuf message to send.
    public enum ProtobufMessage: String, Sendable, Hashable {
        /// Remote write 1.0 (`prometheus.WriteRequest`), the default.
        case v1 = "prometheus.WriteRequest"
        /// Remote write 2.0 (`io.prometheus.write.v2.Request`); falls back to v1 on HTTP 415.
        case v2 = "io.prometheus.write.v2.Request"
    }

    /// Endpoint to POST to.
    public var url: String
    /// Name used in metrics and the position directory; defaults to a hash of the URL.
    public var name: String?
    /// Timeout of one HTTP request. Default 30s.
    public var remoteTimeout = ConfigDuration(.seconds(30))
    /// Extra headers sent with every request.
    public var headers: [String: String] = [:]
    public var basicAuth: BasicAuth?
    public var bearerToken: String?
    public var bearerTokenFile: String?
    public var queueConfig = QueueConfiguration()
    /// Default v1.
    public var protobufMessage = ProtobufMessage.v1
    /// Hearth extension: how many bytes of WAL segments the remote writer may keep hard-linked past
    /// the TSDB's own truncation during an outage. Default 1 GiB; beyond it the oldest are dropped.
    public var walBudgetBytes: Int = 1 << 30

    public init(url: String) { self.url = url }

    /// - Throws: ``RemoteClientError`` `.invalidConfiguration` naming the field.
    public func validate() throws {
        try validateURL(url, section: "remote_write")
        try validateAuth(basicAuth, bearerToken, bearerTokenFile, section: "remote_write")
        try queueConfig.validate()
        if walBudgetBytes < 0 {
            throw RemoteClientError(
                .invalidConfiguration, "remote_write.wal_budget_bytes: \(walBudgetBytes) is negative")
        }
    }

    /// The name for metrics and the position directory.
    public var effectiveName: String {
        if let name, !name.isEmpty { return name }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in url.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h & 0xff_ffff, radix: 16)
    }
}

/// `queue_config` of a `remote_write` entry.
public struct QueueConfiguration: Sendable, Hashable {
    /// Samples buffered per shard before the WAL reader blocks. Default 10000.
    public var capacity = 10000
    /// Default 50.
    public var maxShards = 50
    /// Default 1.
    public var minShards = 1
    /// Default 2000.
    public var maxSamplesPerSend = 2000
    /// How long a partial batch waits before it is sent. Default 5s.
    public var batchSendDeadline = ConfigDuration(.seconds(5))
    /// First retry delay, doubled per retry. Default 30ms.
    public var minBackoff = ConfigDuration(.milliseconds(30))
    /// Default 5s.
    public var maxBackoff = ConfigDuration(.seconds(5))
    /// Retry on HTTP 429 instead of dropping. Default false, as in Prometheus.
    public var retryOnRateLimit = false

    public init() {}

    /// - Throws: ``RemoteClientError`` `.invalidConfiguration` naming the field.
    public func validate() throws {
        func fail(_ field: String, _ why: String) -> RemoteClientError {
            RemoteClientError(.invalidConfiguration, "remote_write.queue_config.\(field): \(why)")
        }
        if capacity < 1 { throw fail("capacity", "\(capacity) must be positive") }
        if maxSamplesPerSend < 1 { throw fail("max_samples_per_send", "\(maxSamplesPerSend) must be positive") }
        if minShards < 1 { throw fail("min_shards", "\(minShards) must be positive") }
        if maxShards < minShards { throw fail("max_shards", "\(maxShards) is below min_shards \(minShards)") }
        if minBackoff.duration > maxBackoff.duration {
            throw fail("min_backoff", "\(minBackoff) is above max_backoff \(maxBackoff)")
        }
    }
}
