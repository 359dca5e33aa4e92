/// The one error type of the TSDB module.
///
/// Equality compares ``code`` only, so tests and callers can match on the kind of failure while the
/// message carries the concrete file, offset and values.
public struct TSDBError: Error, CustomStringConvertible, Equatable {
    /// The kind of failure. New kinds may be added; that is not a breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case corruption, outOfOrder, outOfBounds, closed, io, invalidArgument, locked }
        private let kind: Kind

        /// Data on disk fails a magic, version, length or checksum check.
        public static let corruption = Code(kind: .corruption)
        /// Input that must be sorted (series, samples, chunks) is not.
        public static let outOfOrder = Code(kind: .outOfOrder)
        /// A reference or timestamp lies outside the valid range.
        public static let outOfBounds = Code(kind: .outOfBounds)
        /// The object was used after being closed.
        public static let closed = Code(kind: .closed)
        /// The operating system refused a file operation.
        public static let io = Code(kind: .io)
        /// The caller passed something unusable (an empty ULID, a bad directory name).
        public static let invalidArgument = Code(kind: .invalidArgument)
        /// Another process holds the data directory's lock.
        public static let locked = Code(kind: .locked)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    /// Where the error was raised, as `#fileID:#line`.
    public var location: String

    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: what we were doing, with concrete names and numbers; no "failed to" prefix.
    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil, fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.location = "\(fileID):\(line)"
    }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }

    public static func == (lhs: TSDBError, rhs: TSDBError) -> Bool { lhs.code == rhs.code }
}
