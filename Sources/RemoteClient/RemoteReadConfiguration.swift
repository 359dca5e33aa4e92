/// The settings of one remote-read endpoint, with Prometheus' defaults; the CLI builds it from the
/// `remote_read` entry Scrape's `PrometheusConfiguration` decoded.
public struct RemoteReadConfiguration: Sendable, Hashable {
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

    /// - Throws: ``RemoteClientError`` `.invalidConfiguration` naming the field.
    public func validate() throws {
        try validateURL(url, section: "remote_read")
        try validateAuth(basicAuth, bearerToken, bearerTokenFile, section: "remote_read")
    }
}
