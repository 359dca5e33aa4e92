/// The one error type of the RemoteClient module.
public struct RemoteClientError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case invalidConfiguration, io, corruption, http, decoding }
        private let kind: Kind
        /// A configuration field is invalid; the message names it.
        public static let invalidConfiguration = Code(kind: .invalidConfiguration)
        /// Reading the WAL or the position file failed.
        public static let io = Code(kind: .io)
        /// A WAL record or position file could not be decoded.
        public static let corruption = Code(kind: .corruption)
        /// The remote endpoint answered with an unexpected status.
        public static let http = Code(kind: .http)
        /// A remote-read response could not be decoded.
        public static let decoding = Code(kind: .decoding)
        public var description: String { kind.rawValue }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    public var location: String

    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil, fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.location = "\(fileID):\(line)"
    }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }
}

extension RemoteClientError: Equatable {
    /// Errors compare by code only, so tests can match on the kind.
    public static func == (a: RemoteClientError, b: RemoteClientError) -> Bool { a.code == b.code }
}
