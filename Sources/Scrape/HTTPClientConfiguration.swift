/// `basic_auth` of a scrape, remote or alertmanager config.
public struct BasicAuthConfiguration: Decodable, Hashable, Sendable {
    /// The user name.
    public var username: String = ""
    /// The password, when given inline.
    public var password: String?
    /// A file whose contents (trailing newline trimmed) is the password, read at each request.
    public var passwordFile: String?

    public init(username: String, password: String? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case username, password
        case passwordFile = "password_file"
        case usernameFile = "username_file"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        username = try c.decode(.username, default: "")
        password = try c.decodeIfPresent(String.self, forKey: .password)
        passwordFile = try c.decodeIfPresent(String.self, forKey: .passwordFile)
        if password != nil && passwordFile != nil {
            throw ConfigError(codingPath: decoder.codingPath, "at most one of password and password_file may be set")
        }
    }
}

/// `authorization` of a scrape, remote or alertmanager config: `Authorization: <type> <credentials>`.
public struct AuthorizationConfiguration: Decodable, Hashable, Sendable {
    /// The scheme; default `Bearer`.
    public var type: String = "Bearer"
    /// The credentials, when given inline.
    public var credentials: String?
    /// A file holding the credentials, read at each request.
    public var credentialsFile: String?

    public init(type: String = "Bearer", credentials: String? = nil, credentialsFile: String? = nil) {
        self.type = type
        self.credentials = credentials
        self.credentialsFile = credentialsFile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, credentials
        case credentialsFile = "credentials_file"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(.type, default: "Bearer")
        credentials = try c.decodeIfPresent(String.self, forKey: .credentials)
        credentialsFile = try c.decodeIfPresent(String.self, forKey: .credentialsFile)
        if type.lowercased() == "basic" {
            throw ConfigError(
                codingPath: decoder.codingPath + [CodingKeys.type], "use basic_auth instead of type Basic")
        }
        if credentials != nil && credentialsFile != nil {
            throw ConfigError(
                codingPath: decoder.codingPath, "at most one of credentials and credentials_file may be set")
        }
    }
}

/// `tls_config`. Decoded and validated; the scraper passes the file names to the HTTP client.
public struct ClientTLSConfiguration: Decodable, Hashable, Sendable {
    /// CA bundle used to verify the server.
    public var caFile: String?
    /// Client certificate for mutual TLS.
    public var certFile: String?
    /// Key of the client certificate.
    public var keyFile: String?
    /// Server name for SNI and verification.
    public var serverName: String?
    /// Skip server certificate verification.
    public var insecureSkipVerify: Bool = false
    /// Lowest TLS version (`TLS12`, `TLS13`, ...).
    public var minVersion: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case caFile = "ca_file"
        case certFile = "cert_file"
        case keyFile = "key_file"
        case serverName = "server_name"
        case insecureSkipVerify = "insecure_skip_verify"
        case minVersion = "min_version"
        case ca, cert, key
        case maxVersion = "max_version"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        certFile = try c.decodeIfPresent(String.self, forKey: .certFile)
        keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
        serverName = try c.decodeIfPresent(String.self, forKey: .serverName)
        insecureSkipVerify = try c.decode(.insecureSkipVerify, default: false)
        minVersion = try c.decodeIfPresent(String.self, forKey: .minVersion)
        if (certFile == nil) != (keyFile == nil) {
            throw ConfigError(codingPath: decoder.codingPath, "cert_file and key_file must be set together")
        }
        if let v = minVersion, !["TLS10", "TLS11", "TLS12", "TLS13"].contains(v) {
            throw ConfigError(codingPath: decoder.codingPath + [CodingKeys.minVersion], "unknown TLS version \"\(v)\"")
        }
    }
}

/// The HTTP client fields shared by scrape, remote and alertmanager configs (Prometheus' `HTTPClientConfig`).
public struct HTTPClientConfiguration: Hashable, Sendable {
    /// `basic_auth`, exclusive with `authorization`.
    public var basicAuth: BasicAuthConfiguration?
    /// `authorization`, also set by `bearer_token`/`bearer_token_file`.
    public var authorization: AuthorizationConfiguration?
    /// `tls_config`.
    public var tlsConfig = ClientTLSConfiguration()
    /// `proxy_url`.
    public var proxyURL: String?
    /// `follow_redirects`; default true.
    public var followRedirects = true
    /// `enable_http2`; default true.
    public var enableHTTP2 = true

    public init() {}

    /// The field names, for the unknown-key check of the enclosing struct.
    static let keys = [
        "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config", "proxy_url",
        "follow_redirects", "enable_http2", "no_proxy", "proxy_from_environment", "proxy_connect_header", "oauth2",
    ]

    /// Decodes the shared fields from the enclosing mapping; `bearer_token(_file)` become `authorization`.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        func key(_ s: String) -> AnyKey { AnyKey(stringValue: s) }
        basicAuth = try c.decodeIfPresent(BasicAuthConfiguration.self, forKey: key("basic_auth"))
        authorization = try c.decodeIfPresent(AuthorizationConfiguration.self, forKey: key("authorization"))
        let token = try c.decodeIfPresent(String.self, forKey: key("bearer_token"))
        let tokenFile = try c.decodeIfPresent(String.self, forKey: key("bearer_token_file"))
        if token != nil || tokenFile != nil {
            if authorization != nil || basicAuth != nil || (token != nil && tokenFile != nil) {
                throw ConfigError(
                    codingPath: decoder.codingPath,
                    "at most one of basic_auth, authorization, bearer_token and bearer_token_file may be set")
            }
            authorization = AuthorizationConfiguration(credentials: token, credentialsFile: tokenFile)
        }
        if basicAuth != nil && authorization != nil {
            throw ConfigError(codingPath: decoder.codingPath, "at most one of basic_auth and authorization may be set")
        }
        if c.contains(key("oauth2")) {
            throw ConfigError(codingPath: decoder.codingPath + [key("oauth2")], "not supported")
        }
        tlsConfig =
            try c.decodeIfPresent(ClientTLSConfiguration.self, forKey: key("tls_config")) ?? ClientTLSConfiguration()
        proxyURL = try c.decodeIfPresent(String.self, forKey: key("proxy_url"))
        followRedirects = try c.decodeIfPresent(Bool.self, forKey: key("follow_redirects")) ?? true
        enableHTTP2 = try c.decodeIfPresent(Bool.self, forKey: key("enable_http2")) ?? true
    }
}
