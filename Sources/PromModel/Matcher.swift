/// A label matcher of a series selector: `name op "value"`.
///
/// Regular expressions are fully anchored and `.` matches newlines, as in Prometheus 3. Common
/// shapes (a literal, an alternation of literals, `.*`, `.+`, `prefix.*`) are matched without the
/// regex engine because selectors run them once per label value in the index.
public struct Matcher: Sendable, Hashable, CustomStringConvertible {
    /// The matching operator.
    public enum Kind: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let kind: Kind
    public let name: String
    public let value: String
    private let compiled: CompiledPattern?

    /// Creates a matcher.
    /// - Throws: ``MatcherError`` when a regex does not compile.
    public init(_ kind: Kind, _ name: String, _ value: String) throws {
        self.kind = kind
        self.name = name
        self.value = value
        switch kind {
        case .equal, .notEqual: compiled = nil
        case .regexMatch, .regexNoMatch: compiled = try CompiledPattern(value)
        }
    }

    /// A matcher for `name = value`, which cannot fail.
    public static func equal(_ name: String, _ value: String) -> Matcher {
        // Force-try is safe: equality matchers compile nothing.
        try! Matcher(.equal, name, value)
    }

    /// Whether `v` (the empty string for an absent label) satisfies the matcher.
    @inlinable public func matches(_ v: String) -> Bool {
        switch kind {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return matchesPattern(v)
        case .regexNoMatch: return !matchesPattern(v)
        }
    }

    @usableFromInline func matchesPattern(_ v: String) -> Bool { compiled!.matches(v) }

    /// Whether the matcher accepts the empty string, i.e. also selects series without the label.
    public var matchesEmpty: Bool { matches("") }

    /// For `=` and for regexes that are an alternation of literals: the exact values accepted.
    /// Lets the index look postings up directly instead of scanning every value.
    public var setMatches: [String]? {
        switch kind {
        case .equal: return [value]
        case .regexMatch: return compiled?.literals
        default: return nil
        }
    }

    /// For regexes of the form `prefix.*`: the literal prefix.
    public var literalPrefix: String? {
        if kind == .regexMatch || kind == .regexNoMatch, case .prefix(let p) = compiled?.shape { return p }
        return nil
    }

    public var description: String {
        "\(name)\(kind.rawValue)\"\(escapeLabelValue(value))\""
    }

    public static func == (lhs: Matcher, rhs: Matcher) -> Bool {
        lhs.kind == rhs.kind && lhs.name == rhs.name && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(name)
        hasher.combine(value)
    }
}

/// A regular expression that does not compile.
public struct MatcherError: Error, CustomStringConvertible, Sendable {
    public var pattern: String
    public var message: String
    public var description: String { "invalid regular expression \"\(pattern)\": \(message)" }
}

/// A compiled, fully anchored pattern with fast paths for common shapes.
@usableFromInline
final class CompiledPattern: @unchecked Sendable {
    // @unchecked: immutable after init; Regex matching does not mutate the regex.
    enum Shape {
        case literals(Set<String>)
        case any  // .*
        case nonEmpty  // .+
        case prefix(String)  // prefix.*
        case general
    }

    let shape: Shape
    let literals: [String]?
    private let regex: Regex<AnyRegexOutput>?

    init(_ pattern: String) throws {
        let shape = Self.classify(pattern)
        self.shape = shape
        if case .literals(let set) = shape { literals = set.sorted() } else { literals = nil }
        if case .general = shape {
            do {
                regex = try Regex("(?s:\(pattern))")
            } catch {
                throw MatcherError(pattern: pattern, message: "\(error)")
            }
        } else {
            regex = nil
        }
    }

    @usableFromInline func matches(_ v: String) -> Bool {
        switch shape {
        case .literals(let set): return set.contains(v)
        case .any: return true
        case .nonEmpty: return !v.isEmpty
        case .prefix(let p): return v.hasPrefix(p)
        case .general: return (try? regex!.wholeMatch(in: v)) != nil
        }
    }

    private static let metacharacters: Set<Character> = [
        "\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$",
    ]

    private static func isLiteral(_ s: Substring) -> Bool { !s.contains { metacharacters.contains($0) } }

    static func classify(_ p: String) -> Shape {
        if p == ".*" { return .any }
        if p == ".+" { return .nonEmpty }
        if p.hasSuffix(".*") {
            let head = p.dropLast(2)
            if isLiteral(head) { return .prefix(String(head)) }
        }
        let parts = p.split(separator: "|", omittingEmptySubsequences: false)
        if parts.allSatisfy(isLiteral) { return .literals(Set(parts.map(String.init))) }
        return .general
    }
}
