/// An error from parsing, type checking or evaluating a PromQL query.
///
/// Equality compares ``code`` only, so tests can match on the kind of failure.
public struct PromQLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure; adding a kind is not a breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The query text does not parse or does not type check.
        public static let parse = Code("bad_data")
        /// The query is well formed but cannot be evaluated on this data.
        public static let execution = Code("execution")
        /// A query limit (samples, series) was exceeded.
        public static let limit = Code("limit")
        /// The storage failed.
        public static let storage = Code("storage")
        /// The task running the query was cancelled.
        public static let canceled = Code("canceled")
        /// The query ran past its deadline.
        public static let timeout = Code("timeout")
        /// The code name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A message with concrete values, phrased like Prometheus's.
    public var message: String
    /// The byte range of the query text the error refers to, for parse errors.
    public var position: Range<Int>?
    /// The error that caused this one, e.g. from storage.
    public var underlying: (any Error & Sendable)?
    /// `#fileID:#line` where the error was raised.
    public var location: String

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, position: Range<Int>? = nil, underlying: (any Error & Sendable)? = nil,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.position = position
        self.underlying = underlying
        self.location = "\(fileID):\(line)"
    }

    /// The message; storage errors already include the underlying error's text.
    public var description: String { message }

    /// Compares codes only.
    public static func == (lhs: PromQLError, rhs: PromQLError) -> Bool { lhs.code == rhs.code }

    static func execution(_ message: String, fileID: String = #fileID, line: Int = #line) -> PromQLError {
        PromQLError(.execution, message, fileID: fileID, line: line)
    }
}
