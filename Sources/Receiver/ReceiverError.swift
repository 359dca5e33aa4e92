/// The error type of the receiver. HTTPAPI maps codes to status codes.
public struct ReceiverError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The request's data is invalid (400, not retried).
        public static let badData = Code("bad_data")
        /// The tenant name is invalid (400).
        public static let invalidTenant = Code("invalid_tenant")
        /// The body is larger than allowed (413).
        public static let tooLarge = Code("too_large")
        /// A rate limit is exceeded for now (429 with Retry-After).
        public static let rateLimited = Code("rate_limited")
        /// A read would exceed a per-request limit (413 or 400 to the reader).
        public static let readLimit = Code("read_limit")
        /// The receiver cannot take the request now (503, retried).
        public static let unavailable = Code("unavailable")
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code("invalid_configuration")
        public var description: String { name }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    /// For ``Code/rateLimited``: seconds after which a retry may succeed.
    public var retryAfterSeconds: Int?
    public var location: String

    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil, retryAfterSeconds: Int? = nil,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.retryAfterSeconds = retryAfterSeconds
        self.location = "\(fileID):\(line)"
    }

    /// Whether a sender should retry (5xx and 429).
    public var isRetryable: Bool { code == .unavailable || code == .rateLimited }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }
}
