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
                guard case .string(let s) = try await eval(p, steps) else { throw PromQLError.execution("expected string") }
                labelName = s
            } else {
                param = try await evalScalar(p, steps)
            }
        }
        let saved = (hintGrouping, hintBy)
        (hintGrouping, hintBy) = (a.grouping, !a.without)
        let input = try await evalVector(a.expr, steps)
        (hintGrouping, hintBy) = saved

        // Group membership is fixed per series, so it is computed once, not per step.
        var groupIndex: [Labels: Int] = [:]
        var groupLabels: [Labels] = []
        var groupDrop: [Bool] = []
        var groupOf = [Int](repeating: 0, count: input.count)
        let names = Set(a.grouping)
        let byName = !a.without && names.contains(LabelName.metricName)
        for (k, s) in input.enumerated() {
            let key = a.without ? s.labels.removing(names.union([LabelName.metricName])) : s.labels.keeping(names)
            if let g = groupIndex[key] {
                groupOf[k] = g
                if byName && s.dropName { groupDrop[g] = true }
            } else {
                groupIndex[key] = groupLabels.count
                groupOf[k] = groupLabels.count
                groupLabels.append(key)
                groupDrop.append(byName && s.dropName)
            }
        }
        let G = groupLabels.count
        switch a.op {
        case .sum, .avg, .min, .max, .count, .group, .stddev, .stdvar:
            let values = simpleAggregate(a.op, input, groupOf, G, n)
            var out: [StepSeries] = []
            for g in 0..<G {
                let s = StepSeries(labels: groupLabels[g], values: Array(values[g * n..<(g + 1) * n]), dropName: groupDrop[g])
                if !s.isEmpty { out.append(s) }
            }
            return .vector(out)
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
        }
    }

    /// sum, avg, min, max, count, group, stddev, stdvar into a flat `[group * n + step]` array.
    func simpleAggregate(_ op: AggregateOp, _ input: [StepSeries], _ groupOf: [Int], _ G: Int, _ n: Int) -> [Double] {
        var value = [Double](repeating: Absent.value, count: G * n)
        var comp = [Double](repeating: 0, count: G * n)
        var count = [Double](repeating: 0, count: G * n)
        var mean = [Double](repeating: 0, count: op == .avg ? G * n : 0)
        var incremental = [Bool](repeating: false, count: op == .avg ? G * n : 0)
        for (k, s) in input.enumerated() {
            let base = groupOf[k] * n
            for i in 0..<n {
                let v = s.values[i]
                if Absent.isAbsent(v) { continue }
                let j = base + i
                count[j] += 1
                if count[j] == 1 {
                    switch op {
                    case .count: value[j] = 1
                    case .group: value[j] = 1
                    case .stddev, .stdvar:
                        comp[j] = v  // running mean
                        value[j] = v.isFinite ? 0 : .nan  // sum of squared deviations
                    default: value[j] = v
                    }
                    continue
                }
                switch op {
                case .sum: (value[j], comp[j]) = kahanInc(v, value[j], comp[j])
                case .count: value[j] += 1
                case .group: break
                case .min: if value[j] > v || value[j].isNaN { value[j] = v }
                case .max: if value[j] < v || value[j].isNaN { value[j] = v }
                case .stddev, .stdvar:
                    let delta = v - comp[j]
                    comp[j] += delta / count[j]
                    value[j] += delta * (v - comp[j])
                case .avg:
                    if !incremental[j] {
                        let (s2, c2) = kahanInc(v, value[j], comp[j])
                        if !s2.isInfinite || value[j].isInfinite {
                            (value[j], comp[j]) = (s2, c2)
                            continue
                        }
                        incremental[j] = true
                        mean[j] = value[j] / (count[j] - 1)
                        comp[j] /= count[j] - 1
                    }
                    if mean[j].isInfinite {
                        if v.isInfinite && (mean[j] > 0) == (v > 0) { continue }
                        if !v.isInfinite && !v.isNaN { continue }
                    }
                    let q = (count[j] - 1) / count[j]
                    (mean[j], comp[j]) = kahanInc(v / count[j], q * mean[j], q * comp[j])
                default: break
                }
            }
        }
        for j in 0..<(G * n) where count[j] > 0 {
            switch op {
            case .sum: value[j] += comp[j]
            case .avg:
                value[j] = incremental[j] ? mean[j] + comp[j] : value[j] / count[j] + comp[j] / count[j]
            case .stdvar: value[j] /= count[j]
            case .stddev: value[j] = (value[j] / count[j]).squareRoot()
            default: break
            }
        }
        return value
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
