import PromModel

/// A duration written the Prometheus way in YAML (`30s`, `1m30s`, `100ms`).
public struct ConfigDuration: Sendable, Hashable, Decodable, CustomStringConvertible {
    /// The span it stands for.
    public var duration: Duration

    public init(_ duration: Duration) { self.duration = duration }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            duration = .milliseconds(try PrometheusDuration.parseMilliseconds(text))
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\(error)", underlyingError: error))
        }
    }

    /// Whole milliseconds of the span.
    public var milliseconds: Int64 {
        let (s, atto) = duration.components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    public var description: String { PrometheusDuration.format(milliseconds: milliseconds) }
}

/// `basic_auth` of a remote endpoint.
public struct BasicAuth: Sendable, Hashable, Decodable {
    public var username: String
    public var password: String?
    /// A file whose content (trailing newline trimmed) is the password; read by the CLI.
    public var passwordFile: String?

    public init(username: String, password: String? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }

    enum CodingKeys: String, CodingKey {
        case username, password
        case passwordFile = "password_file"
    }
}

/// One `write_relabel_configs` entry, stored as written; the relabel engine lives in the Scrape module
/// and the CLI turns these into the closure ``QueueManager`` takes.
public struct RelabelRule: Sendable, Hashable, Decodable {
    public var sourceLabels: [String]?
    public var separator: String?
    public var targetLabel: String?
    public var regex: String?
    public var modulus: UInt64?
    public var replacement: String?
    public var action: String?

    public init(
        sourceLabels: [String]? = nil, separator: String? = nil, targetLabel: String? = nil, regex: String? = nil,
        modulus: UInt64? = nil, replacement: String? = nil, action: String? = nil
    ) {
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.targetLabel = targetLabel
        self.regex = regex
        self.modulus = modulus
        self.replacement = replacement
        self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case sourceLabels = "source_labels"
        case separator
        case targetLabel = "target_label"
        case regex, modulus, replacement, action
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
