/// One `remote_read` entry of prometheus.yml, with Prometheus' key names and defaults.
public struct RemoteReadConfiguration: Sendable, Decodable {
    /// Endpoint to POST read requests to.
    public var url: String
    public var name: String?
    /// Timeout of one read request. Default 1m.
    public var remoteTimeout = ConfigDuration(.seconds(60))
    /// Extra headers sent with every request.
    public var headers: [String: String] = [:]
    /// Equality matchers a selector must contain for this endpoint to be asked at all.
    public var requiredMatchers: [String: String] = [:]
    /// Whether to ask the endpoint for ranges the local TSDB holds too. Default false.
    public var readRecent = false
    public var basicAuth: BasicAuth?
    public var bearerToken: String?
    public var bearerTokenFile: String?

    public init(url: String) { self.url = url }

    enum CodingKeys: String, CodingKey {
        case url, name, headers
        case remoteTimeout = "remote_timeout"
        case requiredMatchers = "required_matchers"
        case readRecent = "read_recent"
        case basicAuth = "basic_auth"
        case bearerToken = "bearer_token"
        case bearerTokenFile = "bearer_token_file"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decode(String.self, forKey: .url)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        remoteTimeout = try c.decodeIfPresent(ConfigDuration.self, forKey: .remoteTimeout) ?? remoteTimeout
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        requiredMatchers = try c.decodeIfPresent([String: String].self, forKey: .requiredMatchers) ?? [:]
        readRecent = try c.decodeIfPresent(Bool.self, forKey: .readRecent) ?? false
        basicAuth = try c.decodeIfPresent(BasicAuth.self, forKey: .basicAuth)
        bearerToken = try c.decodeIfPresent(String.self, forKey: .bearerToken)
        bearerTokenFile = try c.decodeIfPresent(String.self, forKey: .bearerTokenFile)
    }

    /// - Throws: ``RemoteClientError`` `.invalidConfiguration` naming the field.
    public func validate() throws {
        try validateURL(url, section: "remote_read")
        try validateAuth(basicAuth, bearerToken, bearerTokenFile, section: "remote_read")
    }
}
