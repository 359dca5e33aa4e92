/// One `remote_write` entry. Decoded and validated here; used by the remote-write client.
public struct RemoteWriteConfiguration: Decodable, Hashable, Sendable {
    /// `url`.
    public var url: String
    /// `name`.
    public var name: String?
    /// Default 30s.
    public var remoteTimeout = ConfigDuration.seconds(30)
    /// `headers`.
    public var headers: [String: String] = [:]
    /// `write_relabel_configs`.
    public var writeRelabelConfigs: [RelabelConfiguration] = []
    /// `send_exemplars`.
    public var sendExemplars = false
    /// `send_native_histograms`.
    public var sendNativeHistograms = false
    /// `prometheus.WriteRequest` (1.0, default) or `io.prometheus.write.v2.Request` (2.0).
    public var protobufMessage = "prometheus.WriteRequest"
    /// `round_robin_dns`.
    public var roundRobinDNS = false
    /// `queue_config`.
    public var queueConfig = QueueConfiguration()
    /// `metadata_config`.
    public var metadataConfig = MetadataConfiguration()
    /// `http_client`.
    public var httpClient = HTTPClientConfiguration()
    /// Hearth extension `wal_budget_bytes`: how many bytes of WAL segments remote write may keep past
    /// the TSDB's own truncation during an outage. Default 1 GiB.
    public var walBudgetBytes = 1 << 30

    /// A destination with defaults.
    public init(url: String) { self.url = url }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, name
        case remoteTimeout = "remote_timeout"
        case headers
        case walBudgetBytes = "wal_budget_bytes"
        case writeRelabelConfigs = "write_relabel_configs"
        case sendExemplars = "send_exemplars"
        case sendNativeHistograms = "send_native_histograms"
        case protobufMessage = "protobuf_message"
        case roundRobinDNS = "round_robin_dns"
        case queueConfig = "queue_config"
        case metadataConfig = "metadata_config"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, also: HTTPClientConfiguration.keys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decode(String.self, forKey: .url)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        remoteTimeout = try c.decode(.remoteTimeout, default: .seconds(30))
        headers = try c.decode(.headers, default: [:])
        writeRelabelConfigs = try c.decode(.writeRelabelConfigs, default: [])
        sendExemplars = try c.decode(.sendExemplars, default: false)
        sendNativeHistograms = try c.decode(.sendNativeHistograms, default: false)
        protobufMessage = try c.decode(.protobufMessage, default: "prometheus.WriteRequest")
        roundRobinDNS = try c.decode(.roundRobinDNS, default: false)
        queueConfig = try c.decode(.queueConfig, default: QueueConfiguration())
        metadataConfig = try c.decode(.metadataConfig, default: MetadataConfiguration())
        walBudgetBytes = try c.decode(.walBudgetBytes, default: 1 << 30)
        httpClient = try HTTPClientConfiguration(from: decoder)
    }

    /// Checks the URL, message type and relabel steps.
    public func validate(path: String) throws {
        try validateURL(url, path: "\(path).url")
        if walBudgetBytes < 0 { throw ConfigError(path: "\(path).wal_budget_bytes", "\(walBudgetBytes) is negative") }
        if !["prometheus.WriteRequest", "io.prometheus.write.v2.Request"].contains(protobufMessage) {
            throw ConfigError(path: "\(path).protobuf_message", "unknown remote write message \"\(protobufMessage)\"")
        }
        for (i, r) in writeRelabelConfigs.enumerated() { try r.validate(path: "\(path).write_relabel_configs[\(i)]") }
        try queueConfig.validate(path: "\(path).queue_config")
    }
}

/// `remote_write[].queue_config`, with Prometheus' defaults.
public struct QueueConfiguration: Decodable, Hashable, Sendable {
    /// `capacity`.
    public var capacity = 10_000
    /// `max_shards`.
    public var maxShards = 50
    /// `min_shards`.
    public var minShards = 1
    /// `max_samples_per_send`.
    public var maxSamplesPerSend = 2000
    /// `batch_send_deadline`.
    public var batchSendDeadline = ConfigDuration.seconds(5)
    /// `min_backoff`.
    public var minBackoff = ConfigDuration(milliseconds: 30)
    /// `max_backoff`.
    public var maxBackoff = ConfigDuration.seconds(5)
    /// `retry_on_http429`.
    public var retryOnHTTP429 = true
    /// `sample_age_limit`.
    public var sampleAgeLimit = ConfigDuration(milliseconds: 0)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case capacity
        case maxShards = "max_shards"
        case minShards = "min_shards"
        case maxSamplesPerSend = "max_samples_per_send"
        case batchSendDeadline = "batch_send_deadline"
        case minBackoff = "min_backoff"
        case maxBackoff = "max_backoff"
        case retryOnHTTP429 = "retry_on_http_429"
        case sampleAgeLimit = "sample_age_limit"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = QueueConfiguration()
        capacity = try c.decode(.capacity, default: d.capacity)
        maxShards = try c.decode(.maxShards, default: d.maxShards)
        minShards = try c.decode(.minShards, default: d.minShards)
        maxSamplesPerSend = try c.decode(.maxSamplesPerSend, default: d.maxSamplesPerSend)
        batchSendDeadline = try c.decode(.batchSendDeadline, default: d.batchSendDeadline)
        minBackoff = try c.decode(.minBackoff, default: d.minBackoff)
        maxBackoff = try c.decode(.maxBackoff, default: d.maxBackoff)
        retryOnHTTP429 = try c.decode(.retryOnHTTP429, default: d.retryOnHTTP429)
        sampleAgeLimit = try c.decode(.sampleAgeLimit, default: d.sampleAgeLimit)
    }

    func validate(path: String) throws {
        if maxShards < 1 { throw ConfigError(path: "\(path).max_shards", "must be at least 1") }
        if minShards < 1 || minShards > maxShards {
            throw ConfigError(path: "\(path).min_shards", "must be between 1 and max_shards (\(maxShards))")
        }
        if maxSamplesPerSend < 1 { throw ConfigError(path: "\(path).max_samples_per_send", "must be at least 1") }
        if minBackoff > maxBackoff { throw ConfigError(path: "\(path).min_backoff", "must not exceed max_backoff") }
    }
}

/// `remote_write[].metadata_config`.
public struct MetadataConfiguration: Decodable, Hashable, Sendable {
    /// `send`.
    public var send = true
    /// `send_interval`.
    public var sendInterval = ConfigDuration.seconds(60)
    /// `max_samples_per_send`.
    public var maxSamplesPerSend = 2000

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case send
        case sendInterval = "send_interval"
        case maxSamplesPerSend = "max_samples_per_send"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        send = try c.decode(.send, default: true)
        sendInterval = try c.decode(.sendInterval, default: .seconds(60))
        maxSamplesPerSend = try c.decode(.maxSamplesPerSend, default: 2000)
    }
}

/// One `remote_read` entry. Decoded and validated here; used by the remote-read querier.
public struct RemoteReadConfiguration: Decodable, Hashable, Sendable {
    /// `url`.
    public var url: String
    /// `name`.
    public var name: String?
    /// Default 1m.
    public var remoteTimeout = ConfigDuration.seconds(60)
    /// `headers`.
    public var headers: [String: String] = [:]
    /// Also read ranges that local storage should have complete data for.
    public var readRecent = false
    /// Only queries with these equality matchers are sent.
    public var requiredMatchers: [String: String] = [:]
    /// `filter_external_labels`.
    public var filterExternalLabels = true
    /// `http_client`.
    public var httpClient = HTTPClientConfiguration()

    /// An endpoint with defaults.
    public init(url: String) { self.url = url }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, name
        case remoteTimeout = "remote_timeout"
        case headers
        case readRecent = "read_recent"
        case requiredMatchers = "required_matchers"
        case filterExternalLabels = "filter_external_labels"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, also: HTTPClientConfiguration.keys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decode(String.self, forKey: .url)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        remoteTimeout = try c.decode(.remoteTimeout, default: .seconds(60))
        headers = try c.decode(.headers, default: [:])
        readRecent = try c.decode(.readRecent, default: false)
        requiredMatchers = try c.decode(.requiredMatchers, default: [:])
        filterExternalLabels = try c.decode(.filterExternalLabels, default: true)
        httpClient = try HTTPClientConfiguration(from: decoder)
    }

    /// Checks the URL.
    public func validate(path: String) throws { try validateURL(url, path: "\(path).url") }
}

/// Accepts `http://` and `https://` URLs with a host.
func validateURL(_ url: String, path: String) throws {
    let lower = url.lowercased()
    let rest: Substring
    if lower.hasPrefix("http://") {
        rest = url.dropFirst(7)
    } else if lower.hasPrefix("https://") {
        rest = url.dropFirst(8)
    } else {
        throw ConfigError(path: path, "\"\(url)\" is not an http or https URL")
    }
    if rest.isEmpty || rest.hasPrefix("/") { throw ConfigError(path: path, "\"\(url)\" has no host") }
}
