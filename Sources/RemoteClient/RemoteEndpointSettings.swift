import PromModel

/// A span of a remote endpoint's settings, printed the Prometheus way (`30s`, `1m30s`, `100ms`).
public struct ConfigDuration: Sendable, Hashable, CustomStringConvertible {
    /// The span it stands for.
    public var duration: Duration

    public init(_ duration: Duration) { self.duration = duration }

    /// Whole milliseconds of the span.
    public var milliseconds: Int64 {
        let (s, atto) = duration.components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    public var description: String { PrometheusDuration.format(milliseconds: milliseconds) }
}

/// `basic_auth` of a remote endpoint.
public struct BasicAuth: Sendable, Hashable {
    public var username: String
    public var password: String?
    /// A file whose content (trailing newline trimmed) is the password; read by the CLI.
    public var passwordFile: String?

    public init(username: String, password: String? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }
}

/// Rejects a configuration where both `basic_auth` and `bearer_token` are set, as Prometheus does.
func validateAuth(_ basic: BasicAuth?, _ bearer: String?, _ bearerFile: String?, section: String) throws {
    if basic != nil && (bearer != nil || bearerFile != nil) {
        throw RemoteClientError(
            .invalidConfiguration, "\(section): at most one of basic_auth and bearer_token may be set")
    }
    if bearer != nil && bearerFile != nil {
        throw RemoteClientError(
            .invalidConfiguration, "\(section): at most one of bearer_token and bearer_token_file may be set")
    }
}

/// Rejects a URL that is not absolute http(s).
func validateURL(_ url: String, section: String) throws {
    let lower = url.lowercased()
    guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8 else {
        throw RemoteClientError(.invalidConfiguration, "\(section).url: \"\(url)\" is not an http or https URL")
    }
}
