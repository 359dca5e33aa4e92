/// The one error type of the TSDB module (see STYLE.md, "Errors").
///
/// `code` is extensible: new kinds are new static members, which is not a breaking change.
/// Equality compares `code` only, so tests can match on the kind of failure.
public struct TSDBError: Error, CustomStringConvertible, @unchecked Sendable {
    // @unchecked: `underlying` is an existential error that is only read, never mutated, after init.

    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// Bytes on disk do not decode (bad CRC, truncated record, invalid block).
        public static let corruption = Code("corruption")
        /// A sample older than the series' newest sample and outside the out-of-order window.
        public static let outOfOrder = Code("out_of_order")
        /// A sample older than the head accepts at all.
        public static let outOfBounds = Code("out_of_bounds")
        /// The storage or WAL was closed, or failed earlier and refuses further writes.
        public static let closed = Code("closed")
        /// A system call failed (open, write, fsync, rename, ...).
        public static let io = Code("io")
        /// A caller passed an invalid argument or configuration.
        public static let invalidArgument = Code("invalid_argument")
        /// Another process holds the data directory.
        public static let locked = Code("locked")
        /// A file, block or series that was expected does not exist.
        public static let notFound = Code("not_found")
        public var description: String { name }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    /// Where the error was created, `#fileID:#line`.
    public var location: String

    /// Creates an error; `message` says what we were doing, with concrete values.
    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.location = "\(fileID):\(line)"
    }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }
}

extension TSDBError: Equatable {
    /// Compares codes only.
    public static func == (lhs: TSDBError, rhs: TSDBError) -> Bool { lhs.code == rhs.code }
}
