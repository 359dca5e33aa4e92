/// Modifiers written after a binary operator.
struct BinaryModifiers {
    var returnBool = false
    var on: Bool? = nil
    var matchingLabels: [String] = []
    var group: VectorMatching.Cardinality? = nil
    var include: [String] = []
    var fillLeft: Double? = nil
    var fillRight: Double? = nil
}

extension Parser {
    mutating func parseBinaryModifiers(_ op: BinaryOperator) throws(PromQLError) -> BinaryModifiers {
        var m = BinaryModifiers()
        if isKeyword("bool") {
            advance()
            m.returnBool = true
        }
        if isKeyword("on") || isKeyword("ignoring") {
            m.on = advance().lowered == "on"
            m.matchingLabels = try parseLabelList()
            if isKeyword("group_left") || isKeyword("group_right") {
                m.group = advance().lowered == "group_left" ? .manyToOne : .oneToMany
                if peek.kind == .leftParen { m.include = try parseLabelList() }
            }
        } else if isKeyword("group_left") || isKeyword("group_right") {
            throw unexpected("in binary expression; grouping requires on() or ignoring()")
        }
        while (isKeyword("fill") || isKeyword("fill_left") || isKeyword("fill_right")) && peek(1).kind == .leftParen {
            let which = advance().lowered
            advance()
            var sign = 1.0
            if peek.kind == .sub || peek.kind == .add { sign = advance().kind == .sub ? -1 : 1 }
            guard peek.kind == .number else { throw unexpected("in \(which)(); expected number") }
            let v = sign * (try parseNumber(advance()))
            try expect(.rightParen, "in \(which)(); expected \")\"")
            if which != "fill_right" { m.fillLeft = v }
            if which != "fill_left" { m.fillRight = v }
        }
        return m
    }

    func makeBinary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, _ m: BinaryModifiers, at: Int) throws(PromQLError)
        -> Expr
    {
        let lt = lhs.type, rt = rhs.type
        for t in [lt, rt] where t != .scalar && t != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: at)
        }
        if m.returnBool && !op.isComparison {
            throw error("bool modifier can only be used on comparison operators", at: at)
        }
        if op.isComparison && !m.returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: at)
        }
        if op.isSetOperator && (lt == .scalar || rt == .scalar) {
            throw error("set operator \"\(op.rawValue)\" not allowed in binary scalar expression", at: at)
        }
        let hasMatching = m.on != nil || m.fillLeft != nil || m.fillRight != nil
        if hasMatching && (lt != .vector || rt != .vector) {
            throw error("vector matching only allowed between instant vectors", at: at)
        }
        var matching: VectorMatching? = nil
        if lt == .vector && rt == .vector {
            var card = m.group ?? .oneToOne
            if op.isSetOperator {
                if m.group != nil { throw error("no grouping allowed for \"\(op.rawValue)\" operation", at: at) }
                card = .manyToMany
            }
            if m.on == true {
                for l in m.include where m.matchingLabels.contains(l) {
                    throw error("label \"\(l)\" must not occur in ON and GROUP clause at once", at: at)
                }
            }
            matching = VectorMatching(
                card: card, on: m.on ?? false, matchingLabels: m.matchingLabels, include: m.include,
                fillLeft: m.fillLeft, fillRight: m.fillRight)
        }
        return .binary(BinaryExpr(op: op, lhs: lhs, rhs: rhs, returnBool: m.returnBool, matching: matching))
    }

    func checkCall(_ f: FunctionSignature, _ args: [Expr], at: Int) throws(PromQLError) {
        let n = f.argTypes.count
        if f.variadic == 0 {
            if args.count != n {
                throw error("expected \(n) argument(s) in call to \"\(f.name)\", got \(args.count)", at: at)
            }
        } else {
            let minArgs = f.variadic > 0 ? n - f.variadic : n - 1
            if args.count < minArgs {
                throw error(
                    "expected at least \(minArgs) argument(s) in call to \"\(f.name)\", got \(args.count)", at: at)
            }
            if f.variadic > 0 && args.count > n {
                throw error("expected at most \(n) argument(s) in call to \"\(f.name)\", got \(args.count)", at: at)
            }
        }
        for (k, a) in args.enumerated() {
            let want = k < n ? f.argTypes[k] : f.argTypes[n - 1]
            if a.type != want {
                throw error(
                    "expected type \(want.rawValue) in call to function \"\(f.name)\", got \(a.type.rawValue)", at: at)
            }
        }
    }

    func checkAggregate(_ a: AggregateExpr, at: Int) throws(PromQLError) {
        if a.expr.type != .vector {
            throw error("expected type instant vector in aggregation expression, got \(a.expr.type.rawValue)", at: at)
        }
        if let want = a.op.paramType, let p = a.param, p.type != want {
            throw error("expected type \(want.rawValue) in aggregation parameter, got \(p.type.rawValue)", at: at)
        }
    }
}
