import PromModel

/// Kahan-compensated addition: returns the new sum and compensation.
@inline(__always)
func kahanInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
    let t = sum + inc
    if t.isInfinite { return (t, 0) }
    if abs(sum) >= abs(inc) { return (t, c + ((sum - t) + inc)) }
    return (t, c + ((inc - t) + sum))
}

extension Evaluator {
    func evalAggregate(_ a: AggregateExpr, _ steps: Steps) async throws -> EvalValue {
        let n = steps.count
        var param: [Double] = []
        var labelName = ""
        if let p = a.param {
            if a.op == .count_values {
                if case .string(let lit) = p.unwrapped, !lit.isValidUTF8 {
                    throw PromQLError.execution("invalid label name \(goQuote(lit.bytes))")
                }
                guard case .string(let s) = try await eval(p, steps) else {
                    throw PromQLError.execution("expected string")
                }
                labelName = s
            } else {
                param = try await evalScalar(p, steps)
                if a.op == .quantile { checkQuantiles(param, position: a.paramPosition) }
                if a.op == .limit_ratio { checkRatios(param, position: a.paramPosition) }
            }
        }
        let saved = (hintGrouping, hintBy)
        (hintGrouping, hintBy) = (a.grouping, !a.without)
        defer { (hintGrouping, hintBy) = saved }
        var grouper = Grouper(a)
        if [.sum, .avg, .min, .max, .count, .group, .stddev, .stdvar].contains(a.op) {
            // Streamed: each input series is folded into its group as it arrives and then dropped.
            var acc = Accumulator(op: a.op, n: n)
            try await forEachVectorSeries(a.expr, steps) { s in
                let g = grouper.group(s)
                if g == acc.groups { acc.addGroup() }
                acc.add(s.values, to: g)
            }
            let values = acc.finish()
            var out: [StepSeries] = []
            for g in 0..<grouper.labels.count {
                let s = StepSeries(
                    labels: grouper.labels[g], values: Array(values[g * n..<(g + 1) * n]), dropName: grouper.drop[g])
                if !s.isEmpty { out.append(s) }
            }
            return .vector(out)
        }
        let input = try await evalVector(a.expr, steps)
        let groupOf = input.map { grouper.group($0) }
        let groupLabels = grouper.labels, groupDrop = grouper.drop
        let G = groupLabels.count
        switch a.op {
        case .quantile:
            var out: [StepSeries] = []
            for g in 0..<G {
                var s = StepSeries(labels: groupLabels[g], count: n, dropName: groupDrop[g])
                let members = input.indices.filter { groupOf[$0] == g }
                var buf: [Double] = []
                for i in 0..<n {
                    buf.removeAll(keepingCapacity: true)
                    for k in members where !Absent.isAbsent(input[k].values[i]) { buf.append(input[k].values[i]) }
                    if !buf.isEmpty { s.values[i] = quantile(param[i], &buf) }
                }
                if !s.isEmpty { out.append(s) }
            }
            return .vector(out)
        case .count_values:
            var c = SeriesCollector(count: n)
            for (k, s) in input.enumerated() {
                for i in 0..<n where !Absent.isAbsent(s.values[i]) {
                    let labels = groupLabels[groupOf[k]].setting(labelName, to: formatGoFloat(s.values[i]))
                    let slot = c.slot(labels, dropName: false)
                    c.series[slot].values[i] = c.has(slot, i) ? c.series[slot].values[i] + 1 : 1
                }
            }
            return .vector(c.series)
        case .topk, .bottomk, .limitk, .limit_ratio:
            return .vector(try selectAggregate(a.op, param, input, groupOf, G, n))
        default:
            throw PromQLError.execution("unexpected aggregation \(a.op.rawValue)")
        }
    }

    /// Calls `body` with each series of an instant-vector expression; selectors and range-vector functions stream
    /// theirs, so an aggregation over them holds only its groups.
    func forEachVectorSeries(_ e: Expr, _ steps: Steps, _ body: (StepSeries) throws -> Void) async throws {
        switch e.unwrapped {
        case .call(let c) where c.function.argTypes.contains(.matrix):
            try await evalRangeFunction(c, steps, sink: body)
            return
        case .vectorSelector(let vs):
            try await evalVectorSelector(vs, steps, timestamps: false, sink: body)
            return
        default: break
        }
        for s in try await evalVector(e, steps) { try body(s) }
    }
}

/// Prometheus' quantile over a sample: linear interpolation between closest ranks. Sorts `values`.
func quantile(_ q: Double, _ values: inout [Double]) -> Double {
    if values.isEmpty || q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    values.sort { a, b in a.isNaN ? !b.isNaN : a < b }
    let n = Double(values.count)
    let rank = q * (n - 1)
    let lower = max(0, Int(rank.rounded(.down)))
    let upper = min(values.count - 1, lower + 1)
    let weight = rank - rank.rounded(.down)
    return values[lower] * (1 - weight) + values[upper] * weight
}

/// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent.
func formatGoFloat(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
    var s = "\(v)"
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        let exp = Int(s[s.index(after: e)...])!
        var mantissa = String(s[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        var frac = parts.count > 1 ? String(parts[1]) : ""
        if frac == "0" { frac = "" }
        var digits = intPart + frac
        var point = intPart.count + exp
        if point <= 0 {
            digits = String(repeating: "0", count: -point + 1) + digits
            point = 1
        }
        if point >= digits.count { digits += String(repeating: "0", count: point - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: point)
        var result = String(digits[..<i])
        let rest = digits[i...].reversed().drop(while: { $0 == "0" }).reversed()
        if !rest.isEmpty { result += "." + String(rest) }
        s = (negative ? "-" : "") + result
    } else if s.hasSuffix(".0") {
        s.removeLast(2)
    }
    return s
}
