import PromModel

extension Parser {
    /// `name{matchers}`, `{matchers}`; the name token (if any) is already consumed.
    mutating func parseVectorSelector(name: String?) throws(PromQLError) -> VectorSelector {
        let start = peek.start
        var metricName = name
        var matchers: [Matcher] = []
        if let name { matchers.append(.equal(LabelName.metricName, name)) }
        if peek.kind == .leftBrace {
            advance()
            while peek.kind != .rightBrace {
                let t = peek
                guard t.kind == .identifier || t.kind == .string else {
                    throw unexpected("in label matching, expected label")
                }
                advance()
                if t.kind == .string && (peek.kind == .comma || peek.kind == .rightBrace) {
                    if metricName != nil {
                        throw error(
                            "metric name must not be set twice: \"\(metricName!)\" or \"\(t.text)\"", at: t.start)
                    }
                    metricName = t.text
                    matchers.append(.equal(LabelName.metricName, t.text))
                } else {
                    let kind: Matcher.Kind
                    switch peek.kind {
                    case .assign: kind = .equal
                    case .neq: kind = .notEqual
                    case .eqlRegex: kind = .regexMatch
                    case .neqRegex: kind = .regexNoMatch
                    default: throw unexpected("in label matching, expected label matching operator")
                    }
                    advance()
                    guard peek.kind == .string else { throw unexpected("in label matching, expected string") }
                    let v = advance()
                    do {
                        matchers.append(try Matcher(kind, t.text, v.text))
                    } catch {
                        throw self.error("\(error)", at: v.start)
                    }
                    if t.text == LabelName.metricName && kind == .equal {
                        if name != nil {
                            throw self.error(
                                "metric name must not be set twice: \"\(name!)\" or \"\(v.text)\"", at: t.start)
                        }
                    }
                }
                if peek.kind == .comma {
                    advance()
                } else if peek.kind != .rightBrace {
                    throw unexpected("in label matching, expected \",\" or \"}\"")
                }
            }
            advance()
        }
        if !allowEmptySelector && !matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", at: start)
        }
        return VectorSelector(name: metricName, matchers: matchers, offset: nil, at: nil)
    }

    /// `[range]` after a selector, or `[range:step]` after any instant-vector expression.
    mutating func parseRangeOrSubquery(_ e: Expr) throws(PromQLError) -> Expr {
        let open = advance().start
        let range = try parseDurationExpr(minPrecedence: 1)
        if peek.kind == .rightBracket {
            advance()
            guard case .vectorSelector(let vs) = e else {
                if case .subquery = e {
                    throw error("subquery is only allowed on instant vector, got range vector instead", at: open)
                }
                throw error("ranges only allowed for vector selectors", at: open)
            }
            if vs.offset != nil { throw error("no offset modifiers allowed before range", at: open) }
            if vs.at != nil { throw error("no @ modifiers allowed before range", at: open) }
            return .matrixSelector(MatrixSelector(vector: vs, range: range))
        }
        try expect(.colon, "in subquery or range selector; expected \"]\" or \":\"")
        var step: DurationExpr? = nil
        if peek.kind != .rightBracket { step = try parseDurationExpr(minPrecedence: 1) }
        try expect(.rightBracket, "in subquery; expected \"]\"")
        guard e.type == .vector else {
            throw error("subquery is only allowed on instant vector, got \(e.type.rawValue) instead", at: open)
        }
        return .subquery(SubqueryExpr(expr: e, range: range, step: step, offset: nil, at: nil))
    }

    /// After `offset`: an optionally signed literal, `step()`, `range()`, `min_of`/`max_of` or a parenthesized
    /// duration expression. `offset 1m + 2` adds 2 to the selector, it does not extend the offset.
    mutating func parseOffsetDuration() throws(PromQLError) -> DurationExpr {
        if peek.kind == .sub || peek.kind == .add {
            let negate = advance().kind == .sub
            let inner = try parseDurationAtom()
            return negate ? .negate(inner) : inner
        }
        return try parseDurationAtom()
    }

    mutating func applyOffset(_ e: Expr, _ offset: DurationExpr, at: Int) throws(PromQLError) -> Expr {
        switch e {
        case .vectorSelector(var vs):
            if vs.offset != nil { throw error("offset may not be set multiple times", at: at) }
            vs.offset = offset
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.vector.offset != nil { throw error("offset may not be set multiple times", at: at) }
            ms.vector.offset = offset
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.offset != nil { throw error("offset may not be set multiple times", at: at) }
            sq.offset = offset
            return .subquery(sq)
        default:
            throw error(
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                at: at)
        }
    }

    mutating func parseAtModifier() throws(PromQLError) -> AtModifier {
        if (isKeyword("start") || isKeyword("end")) && peek(1).kind == .leftParen {
            let which = advance().lowered
            advance()
            try expect(.rightParen, "in @ modifier; expected \")\"")
            return which == "start" ? .start : .end
        }
        var sign = 1.0
        if peek.kind == .sub || peek.kind == .add { sign = advance().kind == .sub ? -1 : 1 }
        let t = peek
        let seconds: Double
        switch t.kind {
        case .number: seconds = try parseNumber(t)
        case .duration: seconds = try durationSeconds(t)
        default: throw unexpected("in @ modifier, expected timestamp")
        }
        advance()
        let v = sign * seconds
        guard v.isFinite, abs(v) * 1000 < 9.2e18 else {
            throw error("timestamp out of bounds for @ modifier: \(v)", at: t.start)
        }
        return .time(Timestamp(ms: Int64((v * 1000).rounded())))
    }

    mutating func applyAt(_ e: Expr, _ at: AtModifier, at pos: Int) throws(PromQLError) -> Expr {
        switch e {
        case .vectorSelector(var vs):
            if vs.at != nil { throw error("@ <timestamp> may not be set multiple times", at: pos) }
            vs.at = at
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.vector.at != nil { throw error("@ <timestamp> may not be set multiple times", at: pos) }
            ms.vector.at = at
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.at != nil { throw error("@ <timestamp> may not be set multiple times", at: pos) }
            sq.at = at
            return .subquery(sq)
        default:
            throw error(
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                at: pos)
        }
    }
}
