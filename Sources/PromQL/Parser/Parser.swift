import Foundation
import PromModel

/// Parses PromQL query text into an ``Expr``.
public enum PromQLParser {
    /// Parses and type checks `query`.
    /// - Throws: ``PromQLError`` with code `.parse`; the message starts with `line:column:`.
    public static func parse(_ query: String) throws -> Expr {
        var p = try Parser(query)
        return try p.parseQuery()
    }
}

/// A recursive-descent parser with precedence climbing for binary operators.
struct Parser {
    var tokens: [Token]
    var i = 0
    let src: [UInt8]
    /// Set while parsing the second argument of `info()`, whose selector may match the empty string.
    var allowEmptySelector = false

    init(_ query: String) throws(PromQLError) {
        var lexer = Lexer(query)
        tokens = try lexer.tokenize()
        src = Array(query.utf8)
    }

    var peek: Token { tokens[i] }
    func peek(_ off: Int) -> Token { tokens[min(i + off, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[i]
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    func error(_ msg: String, at pos: Int? = nil) -> PromQLError {
        let p = pos ?? peek.start
        return PromQLError(.parse, "\(positionPrefix(src, p)) parse error: \(msg)", position: p..<max(p + 1, peek.end))
    }

    func unexpected(_ context: String? = nil) -> PromQLError {
        let what = peek.kind == .eof ? "end of input" : peek.description
        return error("unexpected \(what)" + (context.map { " \($0)" } ?? ""))
    }

    @discardableResult
    mutating func expect(_ kind: TokenKind, _ context: String) throws(PromQLError) -> Token {
        guard peek.kind == kind else { throw unexpected(context) }
        return advance()
    }

    /// Whether the next token is the (case-insensitive) keyword `word`.
    func isKeyword(_ word: String, _ off: Int = 0) -> Bool {
        let t = peek(off)
        return t.kind == .identifier && t.lowered == word
    }

    mutating func parseQuery() throws(PromQLError) -> Expr {
        if peek.kind == .eof { throw error("no expression found in input") }
        let e = try parseBinary(minPrecedence: 1)
        if peek.kind != .eof { throw unexpected() }
        return e
    }

    /// The binary operator at the current token, if any.
    func binaryOperator() -> BinaryOperator? {
        switch peek.kind {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .eql: return .eql
        case .neq: return .neq
        case .lss: return .lss
        case .gtr: return .gtr
        case .lte: return .lte
        case .gte: return .gte
        case .identifier:
            switch peek.lowered {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            case "atan2": return .atan2
            default: return nil
            }
        default: return nil
        }
    }

    mutating func parseBinary(minPrecedence: Int) throws(PromQLError) -> Expr {
        var lhs = try parseUnary()
        while let op = binaryOperator(), op.precedence >= minPrecedence {
            let opToken = advance()
            let modifiers = try parseBinaryModifiers(op)
            let next = op.isRightAssociative ? op.precedence : op.precedence + 1
            if peek.kind == .eof { throw unexpected("after binary operator \(op.rawValue)") }
            let rhs = try parseBinary(minPrecedence: next)
            lhs = try makeBinary(op, lhs, rhs, modifiers, at: opToken.start)
        }
        return lhs
    }

    mutating func parseUnary() throws(PromQLError) -> Expr {
        guard peek.kind == .sub || peek.kind == .add else { return try parsePostfix() }
        let negate = advance().kind == .sub
        // Unary minus binds like `*`: `-a * b` is `(-a) * b`, but `-a ^ b` is `-(a ^ b)`.
        let operand = try parseBinary(minPrecedence: BinaryOperator.pow.precedence)
        if case .number(let v) = operand { return .number(negate ? -v : v) }
        guard operand.type == .scalar || operand.type == .vector else {
            throw error(
                "unary expression only allowed on expressions of type scalar or instant vector, "
                    + "got \(operand.type.rawValue)")
        }
        return .unary(negate: negate, operand)
    }

    /// A primary expression followed by `[range]`, `[range:step]`, `offset` and `@` modifiers.
    mutating func parsePostfix() throws(PromQLError) -> Expr {
        var e = try parsePrimary()
        while true {
            if peek.kind == .leftBracket {
                e = try parseRangeOrSubquery(e)
            } else if isKeyword("offset") {
                let at = advance().start
                let offset = try parseOffsetDuration()
                e = try applyOffset(e, offset, at: at)
            } else if peek.kind == .at {
                let at = advance().start
                let ts = try parseAtModifier()
                e = try applyAt(e, ts, at: at)
            } else {
                return e
            }
        }
    }

    mutating func parsePrimary() throws(PromQLError) -> Expr {
        let t = peek
        switch t.kind {
        case .number:
            advance()
            return .number(try parseNumber(t))
        case .duration:
            advance()
            return .number(try durationSeconds(t))
        case .string:
            advance()
            return .string(StringLiteral(value: t.text, bytes: t.bytes))
        case .leftParen:
            advance()
            if peek.kind == .rightParen { throw unexpected("in paren expression") }
            let inner = try parseBinary(minPrecedence: 1)
            try expect(.rightParen, "in paren expression; expected \")\"")
            return .paren(inner)
        case .leftBrace:
            return .vectorSelector(try parseVectorSelector(name: nil))
        case .identifier, .metricIdentifier:
            if t.kind == .identifier, let op = AggregateOp(rawValue: t.lowered),
                peek(1).kind == .leftParen || isKeyword("by", 1) || isKeyword("without", 1)
            {
                return try parseAggregate(op)
            }
            if peek(1).kind == .leftParen {
                guard let f = FunctionSignature.all[t.text] else {
                    throw error("unknown function with name \"\(t.text)\"")
                }
                return try parseCall(f)
            }
            advance()
            return .vectorSelector(try parseVectorSelector(name: t.text))
        case .eof:
            throw unexpected()
        default:
            throw unexpected()
        }
    }

    func parseNumber(_ t: Token) throws(PromQLError) -> Double {
        let s = t.text
        let lower = s.lowercased()
        if lower == "inf" || lower == "+inf" { return .infinity }
        if lower == "nan" { return .nan }
        if lower.hasPrefix("0x"), let v = UInt64(lower.dropFirst(2), radix: 16) { return Double(v) }
        if let v = Double(s) { return v }
        throw error("bad number or duration syntax: \"\(s)\"", at: t.start)
    }

    mutating func parseCall(_ f: FunctionSignature) throws(PromQLError) -> Expr {
        let nameToken = advance()
        try expect(.leftParen, "in call to function \"\(f.name)\"")
        var args: [Expr] = []
        var positions: [Int] = []
        if peek.kind != .rightParen {
            while true {
                allowEmptySelector = f.name == "info" && args.count == 1
                defer { allowEmptySelector = false }
                positions.append(peek.start)
                args.append(try parseBinary(minPrecedence: 1))
                if peek.kind == .comma {
                    advance()
                    continue
                }
                break
            }
        }
        try expect(.rightParen, "in call to function \"\(f.name)\"; expected \")\" or \",\"")
        try checkCall(f, args, at: nameToken.start)
        return .call(Call(function: f, args: args, position: nameToken.start, argPositions: positions))
    }

    mutating func parseAggregate(_ op: AggregateOp) throws(PromQLError) -> Expr {
        let opToken = advance()
        var grouping: [String]? = nil
        var without = false
        if isKeyword("by") || isKeyword("without") {
            without = advance().lowered == "without"
            grouping = try parseLabelList()
        }
        try expect(.leftParen, "in aggregation")
        var args: [Expr] = []
        var positions: [Int] = []
        if peek.kind != .rightParen {
            while true {
                positions.append(peek.start)
                args.append(try parseBinary(minPrecedence: 1))
                if peek.kind == .comma {
                    advance()
                    if peek.kind == .rightParen { break }
                    continue
                }
                break
            }
        }
        try expect(.rightParen, "in aggregation; expected \")\" or \",\"")
        if isKeyword("by") || isKeyword("without") {
            if grouping != nil { throw error("aggregation must only contain one grouping clause") }
            without = advance().lowered == "without"
            grouping = try parseLabelList()
        }
        let wantArgs = op.paramType == nil ? 1 : 2
        guard args.count == wantArgs else {
            if args.isEmpty { throw error("no arguments for aggregate expression provided", at: opToken.start) }
            throw error(
                "wrong number of arguments for aggregate expression provided, expected \(wantArgs), got \(args.count)",
                at: opToken.start)
        }
        let agg = AggregateExpr(
            op: op, expr: args[wantArgs - 1], param: wantArgs == 2 ? args[0] : nil, grouping: grouping ?? [],
            without: without, position: opToken.start, paramPosition: positions[0])
        try checkAggregate(agg, at: opToken.start)
        return .aggregate(agg)
    }

    /// `(a, b, "c.d")`, allowing a trailing comma.
    mutating func parseLabelList() throws(PromQLError) -> [String] {
        try expect(.leftParen, "in grouping opts, expected \"(\"")
        var labels: [String] = []
        while peek.kind != .rightParen {
            let t = peek
            switch t.kind {
            case .identifier: labels.append(t.text)
            case .string:
                guard String(validating: t.bytes, as: UTF8.self) != nil else {
                    throw error("invalid label name \(goQuote(t.bytes))")
                }
                labels.append(t.text)
            default: throw unexpected("in grouping opts, expected label")
            }
            advance()
            if peek.kind == .comma {
                advance()
            } else if peek.kind != .rightParen {
                throw unexpected("in grouping opts, expected \")\" or \",\"")
            }
        }
        advance()
        return labels
    }
}
