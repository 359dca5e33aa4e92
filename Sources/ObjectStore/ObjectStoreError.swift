/// An error of an object store operation.
public struct ObjectStoreError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The object does not exist.
        public static let notFound = Code("not found")
        /// The key is not a valid object key.
        public static let invalidKey = Code("invalid key")
        /// The storage failed; may succeed on retry.
        public static let io = Code("io")
        public var description: String { name }
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

    /// Whether retrying the same call may succeed.
    public var isRetryable: Bool { code == .io }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }
}

/// Checks a key against the ``Bucket`` contract.
package func validateObjectKey(_ key: String) throws(ObjectStoreError) {
    if key.isEmpty || key.hasPrefix("/") {
        throw ObjectStoreError(.invalidKey, "object key \"\(key)\" must be relative and non-empty")
    }
    for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
        if segment.isEmpty || segment == "." || segment == ".." {
            throw ObjectStoreError(.invalidKey, "object key \"\(key)\" has an empty, \".\" or \"..\" segment")
        }
    }
}
