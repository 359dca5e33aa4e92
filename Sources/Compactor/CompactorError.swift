/// The one error type of the Compactor module.
public struct CompactorError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A block's content or meta cannot be read or is inconsistent.
        public static let corruption = Code("corruption")
        /// The bucket or scratch directory failed.
        public static let io = Code("io")
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code("invalid configuration")
        /// The blocks cannot be merged (e.g. overlapping aggregate chunks).
        public static let unsupported = Code("unsupported")
        public var description: String { name }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    /// `#fileID:#line` where the error was made.
    public var location: String

    /// An error with a concrete message (what we were doing, with names and numbers).
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.location = "\(fileID):\(line)"
    }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }

    public static func == (lhs: CompactorError, rhs: CompactorError) -> Bool { lhs.code == rhs.code }
}
