/// An error from loading, validating or evaluating rules, or from sending alerts.
///
/// Equality compares ``code`` only, so tests can match on the kind of failure.
public struct RulesError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure; adding a kind is not a breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A rule file has a field the format does not define.
        public static let unknownField = Code("unknown_field")
        /// A rule file is well formed but breaks a rule of `promtool check rules`.
        public static let invalidRuleFile = Code("invalid_rule_file")
        /// A rule's query failed or returned something other than a vector or scalar.
        public static let evaluation = Code("evaluation")
        /// A rule produced more series or alerts than its group's `limit`.
        public static let limit = Code("limit")
        /// A template does not parse or cannot be executed.
        public static let template = Code("template")
        /// Alertmanager rejected a batch or could not be reached.
        public static let notification = Code("notification")
        /// The code name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, naming the file, group, rule or URL involved.
    public var message: String
    /// The error that caused this one, e.g. from the query engine or HTTP client.
    public var underlying: (any Error & Sendable)?
    /// `#fileID:#line` where the error was raised.
    public var location: String

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.location = "\(fileID):\(line)"
    }

    public var description: String { message + (underlying.map { ": \($0)" } ?? "") }

    /// Compares codes only.
    public static func == (lhs: RulesError, rhs: RulesError) -> Bool { lhs.code == rhs.code }

    /// `groups[0].rules[1].expr` for a decoding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue {
                out += "[\(i)]"
            } else if key.stringValue.hasPrefix("Index "), let i = Int(key.stringValue.dropFirst(6)) {
                out += "[\(i)]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out
    }

    /// A ``RulesError`` for any error thrown while decoding a rule file, naming the field's path.
    ///
    /// - Parameter source: the file name to put first in the message.
    public static func decoding(_ error: any Error, source: String) -> RulesError {
        if let e = error as? RulesError {
            return RulesError(e.code, "\(source): \(e.message)")
        }
        guard let d = error as? DecodingError else {
            return RulesError(.invalidRuleFile, "\(source): \(error)")
        }
        // Some decoders (Yams) wrap errors thrown by `init(from:)` in a generic "not valid" error.
        if case .dataCorrupted(let ctx) = d, let inner = ctx.underlyingError, inner is RulesError || inner is DecodingError {
            return decoding(inner, source: source)
        }
        switch d {
        case .typeMismatch(let type, let ctx):
            return RulesError(.invalidRuleFile, "\(source): field \"\(path(ctx.codingPath))\" must be \(typeName(type))")
        case .valueNotFound(let type, let ctx):
            return RulesError(.invalidRuleFile, "\(source): field \"\(path(ctx.codingPath))\" must be \(typeName(type))")
        case .keyNotFound(let key, let ctx):
            return RulesError(
                .invalidRuleFile, "\(source): field \"\(path(ctx.codingPath + [key]))\" is required")
        case .dataCorrupted(let ctx):
            return RulesError(
                .invalidRuleFile, "\(source): \(path(ctx.codingPath)): \(ctx.debugDescription)")
        @unknown default:
            return RulesError(.invalidRuleFile, "\(source): \(d)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is [String: String].Type: return "a mapping of strings"
        default:
            let name = String(describing: type)
            return name.contains("Array") || name.contains("Sequence") || name.hasPrefix("[") ? "a list" : "a mapping"
        }
    }
}
