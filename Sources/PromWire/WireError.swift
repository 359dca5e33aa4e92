/// The one error type of PromWire: a malformed or oversized body, or a payload we refuse.
///
/// `message` names what was being decoded and where (byte offset, field, series index), so it can be
/// returned as an HTTP 400 body as is. Equality compares ``code`` only, so tests can match on it.
public struct WireError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The kind of failure; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case emptyBody, truncated, malformedVarint, wrongWireType, unsupportedWireType, invalidTag
            case lengthOutOfBounds, invalidUTF8, invalidMessage, invalidSymbolReference
            case snappyCorrupt, snappyFramed, decodedTooLarge, frameTooLarge, checksumMismatch
            case unencodable
        }
        private let kind: Kind
        /// The body is empty where a message was required.
        public static let emptyBody = Code(kind: .emptyBody)
        /// The input ends inside a field.
        public static let truncated = Code(kind: .truncated)
        /// A varint does not end within 10 bytes (5 for tags and length prefixes).
        public static let malformedVarint = Code(kind: .malformedVarint)
        /// A known field arrived with a wire type that its declared type cannot have.
        public static let wrongWireType = Code(kind: .wrongWireType)
        /// Wire types 3, 4 (groups), 6 and 7 are not accepted.
        public static let unsupportedWireType = Code(kind: .unsupportedWireType)
        /// A tag with field number 0.
        public static let invalidTag = Code(kind: .invalidTag)
        /// A declared length runs past the end of its enclosing message, or exceeds 2 GiB.
        public static let lengthOutOfBounds = Code(kind: .lengthOutOfBounds)
        /// A string field is not valid UTF-8.
        public static let invalidUTF8 = Code(kind: .invalidUTF8)
        /// The reference decoder (protobuf-c) rejected the message without a finer reason.
        public static let invalidMessage = Code(kind: .invalidMessage)
        /// A remote write 2.0 symbol reference is out of range, or a reference list has odd length.
        public static let invalidSymbolReference = Code(kind: .invalidSymbolReference)
        /// The snappy block is corrupt.
        public static let snappyCorrupt = Code(kind: .snappyCorrupt)
        /// The body is framed (stream) snappy, but block snappy is required.
        public static let snappyFramed = Code(kind: .snappyFramed)
        /// The decoded size declared by a snappy block exceeds the configured cap.
        public static let decodedTooLarge = Code(kind: .decodedTooLarge)
        /// A chunked-read frame declares more bytes than the configured cap.
        public static let frameTooLarge = Code(kind: .frameTooLarge)
        /// A chunked-read frame's CRC32-Castagnoli does not match its message.
        public static let checksumMismatch = Code(kind: .checksumMismatch)
        /// A value cannot be represented by the encoder (e.g. a NUL byte in a string for protobuf-c).
        public static let unencodable = Code(kind: .unencodable)

        public var description: String { kind.rawValue }
    }

    /// What went wrong, for callers that branch on it.
    public var code: Code
    /// What we were decoding and where, with concrete numbers.
    public var message: String
    /// Where the error was raised in PromWire (`#fileID:#line`), for debugging.
    public var location: String

    /// Creates an error.
    public init(_ code: Code, _ message: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.location = "\(fileID):\(line)"
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: WireError, rhs: WireError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
