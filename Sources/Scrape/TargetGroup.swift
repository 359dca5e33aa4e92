/// A group of targets sharing labels: one `static_configs` entry or one entry of a file_sd file.
public struct StaticConfiguration: Decodable, Hashable, Sendable {
    /// `host:port` addresses, each becoming a target's `__address__`.
    public var targets: [String] = []
    /// Labels added to every target of the group.
    public var labels: [String: String] = [:]
    /// Where the group came from (a file path for file_sd), added as `__meta_filepath`.
    public var source = ""

    /// Creates a group.
    public init(targets: [String], labels: [String: String] = [:], source: String = "") {
        self.targets = targets
        self.labels = labels
        self.source = source
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case targets, labels }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        targets = try c.decode(.targets, default: [])
        labels = try c.decode(.labels, default: [:])
    }

    /// Checks label names and that targets are bare addresses.
    public func validate(path: String) throws {
        for (i, t) in targets.enumerated() {
            if t.isEmpty || t.contains("/") {
                throw ConfigError(path: "\(path).targets[\(i)]", "\"\(t)\" is not a valid host:port address")
            }
        }
        for name in labels.keys.sorted() where !isValidLabelName(name) {
            throw ConfigError(path: "\(path).labels", "invalid label name \"\(name)\"")
        }
    }
}

/// One `file_sd_configs` entry: files (the last path component may contain `*`) of target groups
/// in JSON or YAML, re-read whenever their modification time changes.
public struct FileSDConfiguration: Decodable, Hashable, Sendable {
    /// Paths or globs ending in `.json`, `.yml` or `.yaml`.
    public var files: [String] = []
    /// How often the files are checked; default 5m. Changes are also noticed by polling modification times.
    public var refreshInterval = ConfigDuration(milliseconds: 300_000)

    /// Creates a file_sd entry.
    public init(files: [String], refreshInterval: ConfigDuration = ConfigDuration(milliseconds: 300_000)) {
        self.files = files
        self.refreshInterval = refreshInterval
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case files
        case refreshInterval = "refresh_interval"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        files = try c.decode(.files, default: [])
        refreshInterval = try c.decode(.refreshInterval, default: ConfigDuration(milliseconds: 300_000))
    }

    /// Checks the file name patterns.
    public func validate(path: String) throws {
        if files.isEmpty { throw ConfigError(path: "\(path).files", "at least one file is required") }
        for (i, f) in files.enumerated() where !(f.hasSuffix(".json") || f.hasSuffix(".yml") || f.hasSuffix(".yaml")) {
            throw ConfigError(path: "\(path).files[\(i)]", "path \"\(f)\" must end in .json, .yml or .yaml")
        }
        if refreshInterval.milliseconds <= 0 {
            throw ConfigError(path: "\(path).refresh_interval", "must be positive")
        }
    }
}
