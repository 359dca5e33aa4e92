/// A prometheus.yml document. Every section is decoded with unknown-field checks; the scrape
/// sections are used by ``ScrapeManager``, the others by their owners (rules, remote storage).
///
/// Decode it with any `Decoder` (the CLI uses Yams), then call ``validate()``. Decoding applies
/// `global` defaults to each scrape config, as Prometheus does.
public struct PrometheusConfiguration: Decodable, Hashable, Sendable {
    /// `global`: defaults for every job and rule group.
    public var global = GlobalConfiguration()
    /// `scrape_configs`, with `global` defaults applied.
    public var scrapeConfigs: [ScrapeConfiguration] = []
    /// `rule_files`: paths or globs of rule files.
    public var ruleFiles: [String] = []
    /// `alerting`.
    public var alerting = AlertingConfiguration()
    /// `remote_write`.
    public var remoteWrite: [RemoteWriteConfiguration] = []
    /// `remote_read`.
    public var remoteRead: [RemoteReadConfiguration] = []

    /// An empty configuration with defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case global
        case scrapeConfigs = "scrape_configs"
        case ruleFiles = "rule_files"
        case alerting
        case remoteWrite = "remote_write"
        case remoteRead = "remote_read"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        global = try c.decode(.global, default: GlobalConfiguration())
        scrapeConfigs = try c.decode(.scrapeConfigs, default: [])
        ruleFiles = try c.decode(.ruleFiles, default: [])
        alerting = try c.decode(.alerting, default: AlertingConfiguration())
        remoteWrite = try c.decode(.remoteWrite, default: [])
        remoteRead = try c.decode(.remoteRead, default: [])
        scrapeConfigs = scrapeConfigs.map(global.applyDefaults)
    }

    /// Decodes a document with `decode` and validates it, translating every failure into a
    /// ``ConfigError`` that names the field path.
    ///
    /// ```swift
    /// let config = try PrometheusConfiguration.load {
    ///     try YAMLDecoder().decode(PrometheusConfiguration.self, from: text)
    /// }
    /// ```
    public static func load(_ decode: () throws -> PrometheusConfiguration) throws(ConfigError)
        -> PrometheusConfiguration
    {
        do {
            let config = try decode()
            try config.validate()
            return config
        } catch let error as ConfigError {
            throw error
        } catch let error as DecodingError {
            // Yams wraps errors thrown by init(from:) as "not valid YAML"; surface ours.
            if case .dataCorrupted(let context) = error, let inner = context.underlyingError as? ConfigError {
                throw inner
            }
            throw ConfigError(error)
        } catch {
            throw ConfigError(path: "", "\(error)")
        }
    }

    /// Checks every section; the first problem is thrown with its field path.
    public func validate() throws {
        try global.validate()
        var jobs: [String: Int] = [:]
        for (i, job) in scrapeConfigs.enumerated() {
            try job.validate(path: "scrape_configs[\(i)]")
            if let first = jobs[job.jobName] {
                throw ConfigError(
                    path: "scrape_configs[\(i)].job_name",
                    "found multiple scrape configs with job name \"\(job.jobName)\" (first at scrape_configs[\(first)])"
                )
            }
            jobs[job.jobName] = i
        }
        try alerting.validate(path: "alerting")
        var writeNames: [String: Int] = [:]
        for (i, r) in remoteWrite.enumerated() {
            try r.validate(path: "remote_write[\(i)]")
            if let j = remoteWrite[..<i].firstIndex(of: r) {
                throw ConfigError(path: "remote_write[\(i)]", "duplicate of remote_write[\(j)] (url \(r.url))")
            }
            if let name = r.name, !name.isEmpty {
                if let j = writeNames[name] {
                    throw ConfigError(
                        path: "remote_write[\(i)].name", "found multiple remote write configs with name \"\(name)\" (first at remote_write[\(j)])")
                }
                writeNames[name] = i
            }
        }
        for (i, r) in remoteRead.enumerated() { try r.validate(path: "remote_read[\(i)]") }
    }
}

/// The `global` section.
public struct GlobalConfiguration: Decodable, Hashable, Sendable {
    /// Default 1m.
    public var scrapeInterval = ConfigDuration.seconds(60)
    /// Default 10s.
    public var scrapeTimeout = ConfigDuration.seconds(10)
    /// How often rules are evaluated; default 1m.
    public var evaluationInterval = ConfigDuration.seconds(60)
    /// How far back rule evaluation looks; default 0.
    public var ruleQueryOffset = ConfigDuration(milliseconds: 0)
    /// Labels added to series and alerts leaving this server (remote write, alerts, federation).
    public var externalLabels: [String: String] = [:]
    /// Where PromQL queries are logged.
    public var queryLogFile: String?
    /// Default `body_size_limit` of jobs.
    public var bodySizeLimit = ConfigByteSize(bytes: 0)
    /// Default `sample_limit` of jobs.
    public var sampleLimit = 0
    /// Default `label_limit` of jobs.
    public var labelLimit = 0
    /// Default `label_name_length_limit` of jobs.
    public var labelNameLengthLimit = 0
    /// Default `label_value_length_limit` of jobs.
    public var labelValueLengthLimit = 0
    /// Default `target_limit` of jobs.
    public var targetLimit = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case scrapeInterval = "scrape_interval"
        case scrapeTimeout = "scrape_timeout"
        case evaluationInterval = "evaluation_interval"
        case ruleQueryOffset = "rule_query_offset"
        case externalLabels = "external_labels"
        case queryLogFile = "query_log_file"
        case bodySizeLimit = "body_size_limit"
        case sampleLimit = "sample_limit"
        case labelLimit = "label_limit"
        case labelNameLengthLimit = "label_name_length_limit"
        case labelValueLengthLimit = "label_value_length_limit"
        case targetLimit = "target_limit"
        case scrapeProtocols = "scrape_protocols"
        case keepDroppedTargets = "keep_dropped_targets"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scrapeInterval = try c.decode(.scrapeInterval, default: .seconds(60))
        // Prometheus lowers the default timeout to a shorter interval instead of failing.
        scrapeTimeout = try c.decode(.scrapeTimeout, default: min(.seconds(10), scrapeInterval))
        evaluationInterval = try c.decode(.evaluationInterval, default: .seconds(60))
        ruleQueryOffset = try c.decode(.ruleQueryOffset, default: ConfigDuration(milliseconds: 0))
        externalLabels = try c.decode(.externalLabels, default: [:])
        queryLogFile = try c.decodeIfPresent(String.self, forKey: .queryLogFile)
        bodySizeLimit = try c.decode(.bodySizeLimit, default: ConfigByteSize(bytes: 0))
        sampleLimit = try c.decode(.sampleLimit, default: 0)
        labelLimit = try c.decode(.labelLimit, default: 0)
        labelNameLengthLimit = try c.decode(.labelNameLengthLimit, default: 0)
        labelValueLengthLimit = try c.decode(.labelValueLengthLimit, default: 0)
        targetLimit = try c.decode(.targetLimit, default: 0)
        _ = try c.decodeIfPresent([String].self, forKey: .scrapeProtocols)
        _ = try c.decodeIfPresent(UInt.self, forKey: .keepDroppedTargets)
    }

    /// Checks durations and label names.
    public func validate() throws {
        if scrapeTimeout > scrapeInterval {
            throw ConfigError(
                path: "global.scrape_timeout",
                "global scrape timeout \(scrapeTimeout) greater than scrape interval \(scrapeInterval)")
        }
        for name in externalLabels.keys.sorted() where !isValidLabelName(name) {
            throw ConfigError(path: "global.external_labels", "invalid label name \"\(name)\"")
        }
    }

    /// Fills a job's unset fields from the global section.
    func applyDefaults(_ job: ScrapeConfiguration) -> ScrapeConfiguration {
        var job = job
        let interval = job.scrapeInterval ?? scrapeInterval
        job.scrapeInterval = interval
        job.scrapeTimeout = job.scrapeTimeout ?? min(scrapeTimeout, interval)
        if job.bodySizeLimit.bytes == 0 { job.bodySizeLimit = bodySizeLimit }
        if job.sampleLimit == 0 { job.sampleLimit = sampleLimit }
        if job.labelLimit == 0 { job.labelLimit = labelLimit }
        if job.labelNameLengthLimit == 0 { job.labelNameLengthLimit = labelNameLengthLimit }
        if job.labelValueLengthLimit == 0 { job.labelValueLengthLimit = labelValueLengthLimit }
        if job.targetLimit == 0 { job.targetLimit = targetLimit }
        return job
    }
}
