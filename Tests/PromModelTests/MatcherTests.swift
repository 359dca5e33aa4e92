import PromModel
import Testing

@Suite struct MatcherTests {
    @Test("matchers are fully anchored and dot matches newline", arguments: [
        (Matcher.Kind.equal, "a", "a", true),
        (.equal, "a", "ab", false),
        (.notEqual, "a", "b", true),
        (.regexMatch, "a|b", "b", true),
        (.regexMatch, "a|b", "ab", false),
        (.regexMatch, "foo.*", "foobar", true),
        (.regexMatch, "foo.*", "xfoo", false),
        (.regexMatch, ".*", "", true),
        (.regexMatch, ".+", "", false),
        (.regexMatch, "a.c", "a\nc", true),
        (.regexMatch, "[0-9]+", "123", true),
        (.regexMatch, "[0-9]+", "123a", false),
        (.regexMatch, "b", "abc", false),
        (.regexNoMatch, "x.*", "y", true),
        (.regexNoMatch, "x.*", "xy", false),
    ])
    func matches(kind: Matcher.Kind, pattern: String, input: String, want: Bool) throws {
        #expect(try Matcher(kind, "l", pattern).matches(input) == want)
    }

    @Test func setAndPrefixShortcuts() throws {
        #expect(try Matcher(.regexMatch, "l", "b|a").setMatches == ["a", "b"])
        #expect(try Matcher(.regexMatch, "l", "api.*").literalPrefix == "api")
        #expect(try Matcher(.regexMatch, "l", "a[bc]").setMatches == nil)
    }

    @Test func badRegexThrows() {
        #expect(throws: MatcherError.self) { try Matcher(.regexMatch, "l", "(") }
    }
}
