import PromModel
import PromQL
import Testing

/// A fully parenthesized rendering of an expression, to check precedence and associativity.
func structure(_ e: Expr) -> String {
    switch e {
    case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    case .string(let s): return "\"\(s.value)\""
    case .vectorSelector(let vs): return vs.name ?? "{…}"
    case .matrixSelector(let ms): return structure(.vectorSelector(ms.vector)) + "[…]"
    case .subquery(let sq): return structure(sq.expr) + "[…:…]"
    case .paren(let inner): return structure(inner)
    case .unary(let negate, let inner): return "(\(negate ? "-" : "+")\(structure(inner)))"
    case .binary(let b):
        return "(\(structure(b.lhs)) \(b.op.rawValue)\(b.returnBool ? " bool" : "") \(structure(b.rhs)))"
    case .aggregate(let a):
        return "\(a.op.rawValue)(\(a.param.map { structure($0) + ", " } ?? "")\(structure(a.expr)))"
    case .call(let c): return "\(c.function.name)(\(c.args.map(structure).joined(separator: ", ")))"
    }
}

struct ParserTests {
    @Test(
        "precedence and associativity",
        arguments: [
            ("1 + 2 * 3", "(1 + (2 * 3))"),
            ("1 * 2 + 3", "((1 * 2) + 3)"),
            ("a - b - c", "((a - b) - c)"),
            ("a / b * c % d", "(((a / b) * c) % d)"),
            ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
            ("-a ^ 2", "(-(a ^ 2))"),
            ("-a * b", "((-a) * b)"),
            ("a atan2 b * c", "((a atan2 b) * c)"),
            ("a > b + c", "(a > (b + c))"),
            ("a == bool b", "(a == bool b)"),
            ("a or b and c", "(a or (b and c))"),
            ("a and b unless c", "((a and b) unless c)"),
            ("a or b or c", "((a or b) or c)"),
            ("a + b > c and d", "(((a + b) > c) and d)"),
            ("(a + b) * c", "((a + b) * c)"),
            ("1 - -1", "(1 - -1)"),
            ("foo offset 5m ^ 2", "(foo ^ 2)"),
            ("sum by (job) (rate(x[5m])) / 2", "(sum(rate(x[…])) / 2)"),
            ("topk(3, a) AND ON(b) c", "(topk(3, a) and c)"),
        ])
    func precedence(_ query: String, _ expected: String) throws {
        #expect(structure(try PromQLParser.parse(query)) == expected)
    }

    @Test(
        "number literals",
        arguments: [
            ("0x1F", 31.0), ("1e3", 1000), (".5", 0.5), ("2.", 2), ("1h30m", 5400), ("500ms", 0.5),
            ("-Inf", -Double.infinity), ("+inf", Double.infinity), ("12.34e-6", 0.00001234),
        ])
    func numbers(_ query: String, _ value: Double) throws {
        guard case .number(let v) = try PromQLParser.parse(query) else {
            Issue.record("\(query) is not a number literal")
            return
        }
        #expect(v == value)
    }

    @Test(
        "string literals and escapes",
        arguments: [
            (#""a\tb\n""#, "a\tb\n"), (#"'it\'s'"#, "it's"), (#""\u00e9\x41\101""#, "éAA"),
            ("`raw\\n`", "raw\\n"), (#""\U0001F600""#, "😀"),
        ])
    func strings(_ query: String, _ value: String) throws {
        guard case .string(let s) = try PromQLParser.parse(query) else {
            Issue.record("\(query) is not a string literal")
            return
        }
        #expect(s.value == value)
    }

    @Test func quotedUTF8Names() throws {
        guard case .vectorSelector(let vs) = try PromQLParser.parse(#"{"my.metric", "a.b"="x", c!~"y|z"}"#) else {
            Issue.record("not a selector")
            return
        }
        #expect(vs.name == "my.metric")
        #expect(vs.matchers.map(\.description) == [#"__name__="my.metric""#, #"a.b="x""#, #"c!~"y|z""#])
    }

    @Test func modifiers() throws {
        guard case .subquery(let sq) = try PromQLParser.parse("rate(foo[5m])[1h:5m] offset -5m @ start()") else {
            Issue.record("not a subquery")
            return
        }
        #expect(sq.at == .start)
        #expect(sq.range.isConstant)
        guard case .matrixSelector(let ms) = try PromQLParser.parse("foo[5m] @ 100.5 offset 1m") else {
            Issue.record("not a matrix selector")
            return
        }
        #expect(ms.vector.at == .time(Timestamp(ms: 100_500)))
        guard case .binary(let b) = try PromQLParser.parse("a * on(x) group_left(y, z) b") else {
            Issue.record("not a binary expression")
            return
        }
        #expect(b.matching?.on == true)
        #expect(b.matching?.matchingLabels == ["x"])
        #expect(b.matching?.include == ["y", "z"])
        guard case .aggregate(let a) = try PromQLParser.parse("sum(foo) without (a, \"b.c\",)") else {
            Issue.record("not an aggregation")
            return
        }
        #expect(a.without && a.grouping == ["a", "b.c"])
    }

    @Test(
        "errors carry a position and Prometheus' wording",
        arguments: [
            ("foo{", "1:5: parse error: unexpected end of input"),
            ("1 +", "1:4: parse error: unexpected end of input"),
            (
                "rate(foo)",
                #"1:1: parse error: expected type range vector in call to function "rate", got instant vector"#
            ),
            ("foo[5m] + 1", "1:9: parse error: binary expression must contain only scalar and instant vector types"),
            ("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
            ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
            (#"{a=""}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
            ("nope(foo)", #"1:1: parse error: unknown function with name "nope""#),
            ("sum by (a) (foo) by (b)", "1:18: parse error: aggregation must only contain one grouping clause"),
            ("sum(foo) by (a) by (b)", #"1:17: parse error: unexpected identifier "by""#),
            ("foo and 1", #"1:5: parse error: set operator "and" not allowed in binary scalar expression"#),
            ("a + bool b", "1:3: parse error: bool modifier can only be used on comparison operators"),
            ("(1 + 2) offset 5m", "parse error: offset modifier must be preceded by an instant vector selector"),
            ("foo offset 5m[1m]", "parse error: no offset modifiers allowed before range"),
            ("\"abc", "1:1: parse error: unterminated quoted string"),
            ("foo{a=~\"(\"}", "1:8: parse error: invalid regular expression"),
            ("foo\n  + $", "2:5: parse error: unexpected character: '$'"),
            ("a * on(x) group_left(x) b", #"label "x" must not occur in ON and GROUP clause at once"#),
            ("label_replace(foo, \"a\")", #"expected 5 argument(s) in call to "label_replace", got 2"#),
        ])
    func errors(_ query: String, _ expected: String) {
        do {
            _ = try PromQLParser.parse(query)
            Issue.record("\(query) parsed")
        } catch let e as PromQLError {
            #expect(e.code == .parse)
            #expect(e.message.hasPrefix(expected) || e.message.contains(expected), "\(e.message)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test(
        "types",
        arguments: [
            ("1", ValueType.scalar), ("foo", .vector), ("foo[5m]", .matrix), ("foo[5m:]", .matrix), ("\"x\"", .string),
            ("time()", .scalar), ("scalar(foo) * 2", .scalar), ("foo * 2", .vector), ("-foo", .vector),
        ])
    func types(_ query: String, _ type: ValueType) throws {
        #expect(try PromQLParser.parse(query).type == type)
    }
}

struct PrintingTests {
    @Test(
        "printing",
        arguments: [
            ("sum by (job) (rate(foo{a=\"b\"}[5m] offset -1m))", "sum by (job) (rate(foo{a=\"b\"}[5m] offset -1m))"),
            ("a * on(x) group_left(y) b", "a * on (x) group_left (y) b"),
            ("a - ignoring(x) fill(0) b", "a - ignoring (x) fill (0) b"),
            ("x @ 100.5 + y @ 1700000000", "x @ 100.500 + y @ 1700000000.000"),
            ("{\"my.metric\", \"a.b\"=~\"x|y\"}", "{\"my.metric\", \"a.b\"=~\"x|y\"}"),
            ("foo[1h:5m] @ start()", "foo[1h:5m] @ start()"),
            ("topk(3, x) > bool 2", "topk(3, x) > bool 2"),
            ("x[26m+4m]", "x[(26m + 4m)]"),
            ("-(1 + 2) ^ 2", "-(1 + 2) ^ 2"),
        ])
    func printing(_ query: String, _ expected: String) throws {
        #expect(try PromQLParser.parse(query).description == expected)
    }

    /// Every query of the corpus prints to text that parses back to the same tree.
    @Test("round trip over the corpus", arguments: UpstreamCorpusTests.files)
    func roundTrip(_ name: String) throws {
        let text = try UpstreamCorpusTests.fixture(name, "test")
        var checked = 0
        for case .eval(let cmd) in try TestScript.parse(text) {
            guard let first = try? PromQLParser.parse(cmd.query) else { continue }
            let printed = first.description
            let second = try PromQLParser.parse(printed)
            #expect(second.description == printed, "\(cmd.query)")
            #expect(structure(second) == structure(first), "\(cmd.query) printed as \(printed)")
            checked += 1
        }
        #expect(checked > 0)
    }
}
