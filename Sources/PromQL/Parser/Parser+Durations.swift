extension Parser {
    /// Arithmetic over durations and numbers (seconds) inside `[...]` and after `offset (`.
    mutating func parseDurationExpr(minPrecedence: Int) throws(PromQLError) -> DurationExpr {
        var lhs: DurationExpr
        if peek.kind == .sub || peek.kind == .add {
            let negate = advance().kind == .sub
            let operand = try parseDurationExpr(minPrecedence: BinaryOperator.pow.precedence)
            lhs = negate ? .negate(operand) : operand
        } else {
            lhs = try parseDurationAtom()
        }
        while let op = binaryOperator(), [.add, .sub, .mul, .div, .mod, .pow].contains(op),
            op.precedence >= minPrecedence
        {
            advance()
            let rhs = try parseDurationExpr(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = .binary(op, lhs, rhs)
        }
        return lhs
    }

    mutating func parseDurationAtom() throws(PromQLError) -> DurationExpr {
        let t = peek
        switch t.kind {
        case .number:
            advance()
            return .seconds(try parseNumber(t))
        case .duration:
            advance()
            return .seconds(try durationSeconds(t))
        case .leftParen:
            advance()
            let e = try parseDurationExpr(minPrecedence: 1)
            try expect(.rightParen, "in duration expression; expected \")\"")
            return e
        case .identifier where peek(1).kind == .leftParen:
            let name = advance().lowered
            advance()
            switch name {
            case "step", "range":
                try expect(.rightParen, "in \(name)(); expected \")\"")
                return name == "step" ? .step : .range
            case "min_of", "max_of":
                let a = try parseDurationExpr(minPrecedence: 1)
                try expect(.comma, "in \(name); expected \",\"")
                let b = try parseDurationExpr(minPrecedence: 1)
                try expect(.rightParen, "in \(name); expected \")\"")
                return name == "min_of" ? .minOf(a, b) : .maxOf(a, b)
            default:
                throw error("unexpected function \"\(name)\" in duration expression", at: t.start)
            }
        default:
            throw unexpected("in duration expression, expected number or duration")
        }
    }

    /// Seconds of a duration token like `1h30m` or `500ms`.
    func durationSeconds(_ t: Token) throws(PromQLError) -> Double {
        var total: Int64 = 0
        var n: Int64 = 0
        let bytes = Array(t.text.utf8)
        var k = 0
        var lastUnitRank = Int.max
        while k < bytes.count {
            let c = bytes[k]
            if c >= 48 && c <= 57 {
                n = n &* 10 &+ Int64(c - 48)
                k += 1
                continue
            }
            let unitMs: Int64
            let rank: Int
            if c == UInt8(ascii: "m") && k + 1 < bytes.count && bytes[k + 1] == UInt8(ascii: "s") {
                unitMs = 1
                rank = 0
                k += 1
            } else {
                switch c {
                case UInt8(ascii: "s"): (unitMs, rank) = (1000, 1)
                case UInt8(ascii: "m"): (unitMs, rank) = (60_000, 2)
                case UInt8(ascii: "h"): (unitMs, rank) = (3_600_000, 3)
                case UInt8(ascii: "d"): (unitMs, rank) = (86_400_000, 4)
                case UInt8(ascii: "w"): (unitMs, rank) = (604_800_000, 5)
                default: (unitMs, rank) = (31_536_000_000, 6)
                }
            }
            if rank >= lastUnitRank { throw error("not a valid duration string: \"\(t.text)\"", at: t.start) }
            lastUnitRank = rank
            total = total &+ n &* unitMs
            n = 0
            k += 1
        }
        return Double(total) / 1000
    }
}
