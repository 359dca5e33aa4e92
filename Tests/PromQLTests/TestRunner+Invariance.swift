import PromModel
import PromQL

/// Extra checks on instant evals, as upstream's harness does: the same query as a range query ending at the
/// instant, and the query with `@ <instant>` added to every selector and subquery.
extension TestRunner {
    func invarianceProblem(_ cmd: EvalCommand, _ storage: MemoryStorage, _ instant: QueryValue) async -> String? {
        guard cmd.instant, !cmd.expectFail, let expr = try? PromQLParser.parse(cmd.query),
            isStepInvariantCandidate(expr)
        else { return nil }
        let t = Timestamp(ms: cmd.start)
        let want: [Labels: Double]
        switch instant {
        case .vector(let elements):
            want = Dictionary(elements.map { ($0.labels, $0.v) }, uniquingKeysWith: { a, _ in a })
        case .scalar(let s): want = [Labels(): s.v]
        default: return nil
        }
        do {
            let range = try await engine.rangeQuery(
                expr, start: t.adding(ms: -60_000), end: t, stepMs: 60_000, storage: storage)
            if let p = diff(range, want, at: t.ms) { return "as a range query ending at the instant: \(p)" }
        } catch {
            return "as a range query ending at the instant: \(error)"
        }
        do {
            let pinned = try await engine.instantQuery(pin(expr, t), at: t, storage: storage)
            if let p = diff(pinned, want, at: t.ms) { return "with @ \(t.ms / 1000) added: \(p)" }
        } catch {
            return "with @ \(t.ms / 1000) added: \(error)"
        }
        return nil
    }

    private func diff(_ v: QueryValue, _ want: [Labels: Double], at t: Int64) -> String? {
        var got: [Labels: Double] = [:]
        switch v {
        case .scalar(let s): got[Labels()] = s.v
        case .vector(let e): for x in e { got[x.labels] = x.v }
        case .matrix(let m):
            for s in m { if let p = s.samples.last, p.t.ms == t { got[s.labels] = p.v } }
        case .string: return nil
        }
        if got.count != want.count { return "got \(got.count) series, want \(want.count)" }
        for (labels, w) in want {
            guard let g = got[labels] else { return "missing \(labels)" }
            if !almostEqual(g, w) { return "\(labels): got \(g), want \(w)" }
        }
        return nil
    }

    /// Queries whose value depends on the evaluation time itself are not step invariant.
    private func isStepInvariantCandidate(_ e: Expr) -> Bool {
        let timeFunctions: Set<String> = [
            "time", "step", "range", "start", "end", "minute", "hour", "day_of_week", "day_of_month", "day_of_year",
            "days_in_month", "month", "year",
        ]
        switch e {
        case .number, .string: return true
        case .vectorSelector(let vs):
            if vs.offset?.isConstant == false { return false }
            return vs.at == nil || vs.at.map { if case .time = $0 { true } else { false } }!
        case .matrixSelector(let ms):
            return ms.range.isConstant && isStepInvariantCandidate(.vectorSelector(ms.vector))
        case .subquery(let sq):
            if let at = sq.at, case .time = at {} else if sq.at != nil { return false }
            if !sq.range.isConstant || sq.step?.isConstant == false || sq.offset?.isConstant == false { return false }
            return isStepInvariantCandidate(sq.expr)
        case .paren(let inner), .unary(_, let inner): return isStepInvariantCandidate(inner)
        case .binary(let b): return isStepInvariantCandidate(b.lhs) && isStepInvariantCandidate(b.rhs)
        case .aggregate(let a):
            return isStepInvariantCandidate(a.expr) && (a.param.map(isStepInvariantCandidate) ?? true)
        case .call(let c):
            if timeFunctions.contains(c.function.name) { return false }
            if c.function.name == "timestamp", case .vectorSelector = c.args[0].unwrapped {
            } else if c.function.name == "timestamp" {
                return false
            }
            return c.args.allSatisfy(isStepInvariantCandidate)
        }
    }

    /// Adds `@ t` to every selector and subquery that has no `@` yet.
    private func pin(_ e: Expr, _ t: Timestamp) -> Expr {
        switch e {
        case .number, .string: return e
        case .vectorSelector(var vs):
            if vs.at == nil { vs.at = .time(t) }
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.vector.at == nil { ms.vector.at = .time(t) }
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.at == nil { sq.at = .time(t) }
            return .subquery(sq)
        case .paren(let inner): return .paren(pin(inner, t))
        case .unary(let negate, let inner): return .unary(negate: negate, pin(inner, t))
        case .binary(var b):
            b.lhs = pin(b.lhs, t)
            b.rhs = pin(b.rhs, t)
            return .binary(b)
        case .aggregate(var a):
            a.expr = pin(a.expr, t)
            a.param = a.param.map { pin($0, t) }
            return .aggregate(a)
        case .call(var c):
            c.args = c.args.map { pin($0, t) }
            return .call(c)
        }
    }
}
