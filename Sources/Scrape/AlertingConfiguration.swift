/// The `alerting` section. Decoded and validated here; used by the rule manager's notifier.
public struct AlertingConfiguration: Decodable, Hashable, Sendable {
    /// Applied to alerts before they are sent.
    public var alertRelabelConfigs: [RelabelConfiguration] = []
    /// `alertmanagers`.
    public var alertmanagers: [AlertmanagerConfiguration] = []

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case alertRelabelConfigs = "alert_relabel_configs"
        case alertmanagers
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alertRelabelConfigs = try c.decode(.alertRelabelConfigs, default: [])
        alertmanagers = try c.decode(.alertmanagers, default: [])
    }

    func validate(path: String) throws {
        for (i, r) in alertRelabelConfigs.enumerated() { try r.validate(path: "\(path).alert_relabel_configs[\(i)]") }
        for (i, a) in alertmanagers.enumerated() { try a.validate(path: "\(path).alertmanagers[\(i)]") }
    }
}

/// One `alerting.alertmanagers` entry: how to find and reach a set of Alertmanagers.
public struct AlertmanagerConfiguration: Decodable, Hashable, Sendable {
    /// Default 10s.
    public var timeout = ConfigDuration.seconds(10)
    /// Only `v2` is supported, as in Prometheus 3.
    public var apiVersion = "v2"
    /// Prefix of the API path; default `/`.
    public var pathPrefix = "/"
    /// `scheme`.
    public var scheme = "http"
    /// `static_configs`.
    public var staticConfigs: [StaticConfiguration] = []
    /// `file_s_d_configs`.
    public var fileSDConfigs: [FileSDConfiguration] = []
    /// `relabel_configs`.
    public var relabelConfigs: [RelabelConfiguration] = []
    /// `alert_relabel_configs`.
    public var alertRelabelConfigs: [RelabelConfiguration] = []
    /// `http_client`.
    public var httpClient = HTTPClientConfiguration()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeout
        case apiVersion = "api_version"
        case pathPrefix = "path_prefix"
        case scheme
        case staticConfigs = "static_configs"
        case fileSDConfigs = "file_sd_configs"
        case relabelConfigs = "relabel_configs"
        case alertRelabelConfigs = "alert_relabel_configs"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, also: HTTPClientConfiguration.keys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeout = try c.decode(.timeout, default: .seconds(10))
        apiVersion = try c.decode(.apiVersion, default: "v2")
        pathPrefix = try c.decode(.pathPrefix, default: "/")
        scheme = try c.decode(.scheme, default: "http")
        staticConfigs = try c.decode(.staticConfigs, default: [])
        fileSDConfigs = try c.decode(.fileSDConfigs, default: [])
        relabelConfigs = try c.decode(.relabelConfigs, default: [])
        alertRelabelConfigs = try c.decode(.alertRelabelConfigs, default: [])
        httpClient = try HTTPClientConfiguration(from: decoder)
    }

    func validate(path: String) throws {
        if apiVersion != "v2" {
            throw ConfigError(path: "\(path).api_version", "unsupported version \"\(apiVersion)\"")
        }
        if scheme != "http" && scheme != "https" {
            throw ConfigError(path: "\(path).scheme", "must be http or https, not \"\(scheme)\"")
        }
        for (i, s) in staticConfigs.enumerated() { try s.validate(path: "\(path).static_configs[\(i)]") }
        for (i, f) in fileSDConfigs.enumerated() { try f.validate(path: "\(path).file_sd_configs[\(i)]") }
        for (i, r) in relabelConfigs.enumerated() { try r.validate(path: "\(path).relabel_configs[\(i)]") }
        for (i, r) in alertRelabelConfigs.enumerated() { try r.validate(path: "\(path).alert_relabel_configs[\(i)]") }
    }
}
