/// The kinds of lexical tokens of PromQL.
enum TokenKind: Equatable, Sendable {
    case eof
    case identifier  // also keywords, aggregators and function names
    case metricIdentifier  // an identifier containing ':'
    case number
    case duration
    case string
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, assign, colon, at
    case add, sub, mul, div, mod, pow
    case eql, neq, lss, gtr, lte, gte, eqlRegex, neqRegex
}

/// One token with its byte range in the query.
struct Token: Sendable {
    var kind: TokenKind
    var start: Int
    var end: Int
    /// Source text; for strings the unquoted value.
    var text: String
    /// For strings: the decoded bytes, which may not be valid UTF-8 (`"\xff"`).
    var bytes: [UInt8] = []

    var lowered: String { text.lowercased() }

    var description: String {
        switch kind {
        case .eof: return "end of input"
        case .string: return "string \"\(text)\""
        case .number: return "number \"\(text)\""
        case .duration: return "duration \"\(text)\""
        case .identifier, .metricIdentifier: return "identifier \"\(text)\""
        default: return "\"\(text)\""
        }
    }
}

/// Operators of binary expressions, with Prometheus precedence.
public enum BinaryOperator: String, Sendable, Hashable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", atan2
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless

    /// Higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }

    var isRightAssociative: Bool { self == .pow }
    /// `==`, `!=`, `>`, `<`, `>=`, `<=`.
    public var isComparison: Bool { precedence == 3 }
    /// `and`, `or`, `unless`.
    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }
}
