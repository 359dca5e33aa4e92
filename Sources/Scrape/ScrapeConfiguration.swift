/// One `scrape_configs` entry: a job, how to scrape its targets, and how to find them.
///
/// Fields left out inherit from `global` (``GlobalConfiguration``) when decoded through
/// ``PrometheusConfiguration``; a standalone value uses Prometheus' defaults.
public struct ScrapeConfiguration: Decodable, Hashable, Sendable {
    /// The `job` label of every target; unique within the file.
    public var jobName: String
    /// Keep the target's labels from the exposition on conflict instead of renaming them `exported_*`.
    public var honorLabels = false
    /// Use timestamps from the exposition; default true.
    public var honorTimestamps = true
    /// Write staleness markers for series with explicit timestamps too.
    public var trackTimestampsStaleness = false
    /// How often each target is scraped; nil inherits `global.scrape_interval`.
    public var scrapeInterval: ConfigDuration?
    /// Per-scrape timeout; nil inherits `global.scrape_timeout` (capped at the interval).
    public var scrapeTimeout: ConfigDuration?
    /// `/metrics` by default.
    public var metricsPath = "/metrics"
    /// `http` or `https`.
    public var scheme = "http"
    /// Query parameters added to the scrape URL.
    public var params: [String: [String]] = [:]
    /// Ask for gzip; default true.
    public var enableCompression = true
    /// The largest body accepted; 0 means the scraper's built-in cap.
    public var bodySizeLimit = ConfigByteSize(bytes: 0)
    /// More samples than this after metric relabeling fail the scrape; 0 means no limit.
    public var sampleLimit = 0
    /// More labels per series than this fail the scrape; 0 means no limit.
    public var labelLimit = 0
    /// Longer label names fail the scrape; 0 means no limit.
    public var labelNameLengthLimit = 0
    /// Longer label values fail the scrape; 0 means no limit.
    public var labelValueLengthLimit = 0
    /// More targets than this after relabeling mark the job's targets down; 0 means no limit.
    public var targetLimit = 0
    /// Authentication, TLS and proxy settings.
    public var httpClient = HTTPClientConfiguration()
    /// Targets listed in the file.
    public var staticConfigs: [StaticConfiguration] = []
    /// Files of target groups, re-read when they change.
    public var fileSDConfigs: [FileSDConfiguration] = []
    /// Applied to each target's labels before scraping.
    public var relabelConfigs: [RelabelConfiguration] = []
    /// Applied to each scraped series before it is stored.
    public var metricRelabelConfigs: [RelabelConfiguration] = []

    /// Creates a job with defaults.
    public init(jobName: String) { self.jobName = jobName }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case jobName = "job_name"
        case honorLabels = "honor_labels"
        case honorTimestamps = "honor_timestamps"
        case trackTimestampsStaleness = "track_timestamps_staleness"
        case scrapeInterval = "scrape_interval"
        case scrapeTimeout = "scrape_timeout"
        case metricsPath = "metrics_path"
        case scheme, params
        case enableCompression = "enable_compression"
        case bodySizeLimit = "body_size_limit"
        case sampleLimit = "sample_limit"
        case labelLimit = "label_limit"
        case labelNameLengthLimit = "label_name_length_limit"
        case labelValueLengthLimit = "label_value_length_limit"
        case targetLimit = "target_limit"
        case staticConfigs = "static_configs"
        case fileSDConfigs = "file_sd_configs"
        case relabelConfigs = "relabel_configs"
        case metricRelabelConfigs = "metric_relabel_configs"
        case scrapeProtocols = "scrape_protocols"
        case keepDroppedTargets = "keep_dropped_targets"
        case scrapeClassicHistograms = "scrape_classic_histograms"
        case alwaysScrapeClassicHistograms = "always_scrape_classic_histograms"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, also: HTTPClientConfiguration.keys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jobName = try c.decode(String.self, forKey: .jobName)
        honorLabels = try c.decode(.honorLabels, default: false)
        honorTimestamps = try c.decode(.honorTimestamps, default: true)
        trackTimestampsStaleness = try c.decode(.trackTimestampsStaleness, default: false)
        scrapeInterval = try c.decodeIfPresent(ConfigDuration.self, forKey: .scrapeInterval)
        scrapeTimeout = try c.decodeIfPresent(ConfigDuration.self, forKey: .scrapeTimeout)
        metricsPath = try c.decode(.metricsPath, default: "/metrics")
        scheme = try c.decode(.scheme, default: "http")
        params = try c.decode(.params, default: [:])
        enableCompression = try c.decode(.enableCompression, default: true)
        bodySizeLimit = try c.decode(.bodySizeLimit, default: ConfigByteSize(bytes: 0))
        sampleLimit = try c.decode(.sampleLimit, default: 0)
        labelLimit = try c.decode(.labelLimit, default: 0)
        labelNameLengthLimit = try c.decode(.labelNameLengthLimit, default: 0)
        labelValueLengthLimit = try c.decode(.labelValueLengthLimit, default: 0)
        targetLimit = try c.decode(.targetLimit, default: 0)
        httpClient = try HTTPClientConfiguration(from: decoder)
        staticConfigs = try c.decode(.staticConfigs, default: [])
        fileSDConfigs = try c.decode(.fileSDConfigs, default: [])
        relabelConfigs = try c.decode(.relabelConfigs, default: [])
        metricRelabelConfigs = try c.decode(.metricRelabelConfigs, default: [])
        _ = try c.decodeIfPresent([String].self, forKey: .scrapeProtocols)
        _ = try c.decodeIfPresent(UInt.self, forKey: .keepDroppedTargets)
        _ = try c.decodeIfPresent(Bool.self, forKey: .scrapeClassicHistograms)
        _ = try c.decodeIfPresent(Bool.self, forKey: .alwaysScrapeClassicHistograms)
    }

    /// The effective interval (set by ``PrometheusConfiguration`` from `global` when absent).
    public var interval: ConfigDuration { scrapeInterval ?? .seconds(60) }
    /// The effective timeout.
    public var timeout: ConfigDuration { scrapeTimeout ?? .seconds(10) }

    /// Checks fields and their combinations.
    /// - Parameter path: this job's field path, e.g. `scrape_configs[2]`.
    public func validate(path: String) throws {
        if jobName.isEmpty { throw ConfigError(path: "\(path).job_name", "must not be empty") }
        if scheme != "http" && scheme != "https" {
            throw ConfigError(path: "\(path).scheme", "must be http or https, not \"\(scheme)\"")
        }
        if !metricsPath.hasPrefix("/") { throw ConfigError(path: "\(path).metrics_path", "must start with \"/\"") }
        if interval.milliseconds <= 0 { throw ConfigError(path: "\(path).scrape_interval", "must be positive") }
        if timeout > interval {
            throw ConfigError(
                path: "\(path).scrape_timeout",
                "scrape timeout \(timeout) greater than scrape interval \(interval) for job \"\(jobName)\"")
        }
        for (i, s) in staticConfigs.enumerated() { try s.validate(path: "\(path).static_configs[\(i)]") }
        for (i, f) in fileSDConfigs.enumerated() { try f.validate(path: "\(path).file_sd_configs[\(i)]") }
        for (i, r) in relabelConfigs.enumerated() { try r.validate(path: "\(path).relabel_configs[\(i)]") }
        for (i, r) in metricRelabelConfigs.enumerated() { try r.validate(path: "\(path).metric_relabel_configs[\(i)]") }
    }
}
