import Foundation
import PromModel

extension Evaluator {
    func evalCall(_ c: Call, _ steps: Steps) async throws -> EvalValue {
        let name = c.function.name
        let n = steps.count
        if c.function.argTypes.contains(.matrix) {
            return .vector(try await evalRangeFunction(c, steps))
        }
        switch name {
        case "time": return .scalar((0..<n).map { Double(steps.time($0)) / 1000 })
        case "pi": return .scalar([Double](repeating: .pi, count: n))
        case "step": return .scalar([Double](repeating: Double(stepMs) / 1000, count: n))
        case "range": return .scalar([Double](repeating: Double(queryEnd - queryStart) / 1000, count: n))
        case "start": return .scalar([Double](repeating: Double(queryStart) / 1000, count: n))
        case "end": return .scalar([Double](repeating: Double(queryEnd) / 1000, count: n))
        case "min_of", "max_of":
            let a = try await evalScalar(c.args[0], steps), b = try await evalScalar(c.args[1], steps)
            return .scalar((0..<n).map { name == "min_of" ? goMin(a[$0], b[$0]) : goMax(a[$0], b[$0]) })
        case "vector":
            return .vector([StepSeries(labels: Labels(), values: try await evalScalar(c.args[0], steps))])
        case "scalar":
            let v = try await evalVector(c.args[0], steps)
            return .scalar(
                (0..<n).map { i in
                    var found: Double? = nil
                    for s in v where !Absent.isAbsent(s.values[i]) {
                        if found != nil { return .nan }
                        found = s.values[i]
                    }
                    return found ?? .nan
                })
        case "timestamp":
            var v: [StepSeries]
            if case .vectorSelector(let vs) = c.args[0].unwrapped {
                v = try await evalVectorSelector(vs, steps, timestamps: true)
            } else {
                v = try await evalVector(c.args[0], steps)
                for k in v.indices {
                    for i in 0..<n where !Absent.isAbsent(v[k].values[i]) {
                        v[k].values[i] = Double(steps.time(i)) / 1000
                    }
                }
            }
            for k in v.indices { v[k].dropName = true }
            return .vector(v)
        case "absent":
            let v = try await evalVector(c.args[0], steps)
            var s = StepSeries(labels: absentLabels(c.args[0]), count: n)
            for i in 0..<n where !v.contains(where: { !Absent.isAbsent($0.values[i]) }) { s.values[i] = 1 }
            return .vector(s.isEmpty ? [] : [s])
        case "sort", "sort_desc":
            if queryStart != queryEnd { annotations.add(.sortInRangeQuery(c.position)) }
            var v = try await evalVector(c.args[0], steps)
            let desc = name == "sort_desc"
            v.sort { a, b in
                let x = a.values[0], y = b.values[0]
                if x.isNaN || y.isNaN { return !x.isNaN && y.isNaN }
                return desc ? x > y : x < y
            }
            return .vector(v)
        case "sort_by_label", "sort_by_label_desc":
            if queryStart != queryEnd { annotations.add(.sortInRangeQuery(c.position)) }
            return .vector(try await sortByLabel(c, steps, descending: name == "sort_by_label_desc"))
        case "label_replace": return .vector(try await labelReplace(c, steps))
        case "label_join": return .vector(try await labelJoin(c, steps))
        case "histogram_quantile": return .vector(try await histogramQuantile(c, steps))
        case "histogram_quantiles": return .vector(try await histogramQuantiles(c, steps))
        case "histogram_fraction": return .vector(try await histogramFraction(c, steps))
        case "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar":
            // Only native histograms have these; float samples yield nothing.
            _ = try await evalVector(c.args[0], steps)
            return .vector([])
        case "minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year":
            return .vector(try await dateFunction(c, steps))
        case "info":
            return .vector(try await info(c, steps))
        default:
            return .vector(try await mathFunction(c, steps))
        }
    }

    /// Labels of `absent(...)`'s output: the selector's equality matchers, except the name and repeated names.
    func absentLabels(_ e: Expr) -> Labels {
        let vs: VectorSelector
        switch e.unwrapped {
        case .vectorSelector(let v): vs = v
        case .matrixSelector(let m): vs = m.vector
        default: return Labels()
        }
        var counts: [String: Int] = [:]
        for m in vs.matchers { counts[m.name, default: 0] += 1 }
        var labels: [Label] = []
        for m in vs.matchers where m.kind == .equal && m.name != LabelName.metricName && counts[m.name] == 1 {
            labels.append(Label(name: m.name, value: m.value))
        }
        return Labels(labels)
    }

    func mathFunction(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        var v = try await evalVector(c.args[0], steps)
        var extra: [[Double]] = []
        for a in c.args.dropFirst() { extra.append(try await evalScalar(a, steps)) }
        let name = c.function.name
        if name == "clamp" {
            // clamp with max < min yields nothing at that step.
            for k in v.indices {
                for i in v[k].values.indices where extra[1][i] < extra[0][i] { v[k].values[i] = Absent.value }
            }
        }
        let f: (Double, Int) -> Double
        switch name {
        case "abs": f = { x, _ in abs(x) }
        case "ceil": f = { x, _ in ceil(x) }
        case "floor": f = { x, _ in floor(x) }
        case "exp": f = { x, _ in exp(x) }
        case "ln": f = { x, _ in log(x) }
        case "log2": f = { x, _ in log2(x) }
        case "log10": f = { x, _ in log10(x) }
        case "sqrt": f = { x, _ in x.squareRoot() }
        case "sgn": f = { x, _ in x > 0 ? 1 : x < 0 ? -1 : x }
        case "acos": f = { x, _ in acos(x) }
        case "acosh": f = { x, _ in acosh(x) }
        case "asin": f = { x, _ in asin(x) }
        case "asinh": f = { x, _ in asinh(x) }
        case "atan": f = { x, _ in atan(x) }
        case "atanh": f = { x, _ in atanh(x) }
        case "cos": f = { x, _ in cos(x) }
        case "cosh": f = { x, _ in cosh(x) }
        case "sin": f = { x, _ in sin(x) }
        case "sinh": f = { x, _ in sinh(x) }
        case "tan": f = { x, _ in tan(x) }
        case "tanh": f = { x, _ in tanh(x) }
        case "deg": f = { x, _ in x * 180 / .pi }
        case "rad": f = { x, _ in x * .pi / 180 }
        case "clamp": f = { x, i in goMax(extra[0][i], goMin(extra[1][i], x)) }
        case "clamp_min": f = { x, i in goMax(extra[0][i], x) }
        case "clamp_max": f = { x, i in goMin(extra[0][i], x) }
        case "round":
            f = { x, i in
                let inv = 1 / (extra.isEmpty ? 1 : extra[0][i])
                return floor(x * inv + 0.5) / inv
            }
        default: throw PromQLError.execution("function \"\(name)\" is not implemented")
        }
        for k in v.indices {
            for i in v[k].values.indices where !Absent.isAbsent(v[k].values[i]) {
                v[k].values[i] = f(v[k].values[i], i)
            }
            v[k].dropName = true
        }
        return v.filter { !$0.isEmpty }
    }

    func dateFunction(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        var v: [StepSeries]
        if c.args.isEmpty {
            v = [StepSeries(labels: Labels(), values: (0..<steps.count).map { Double(steps.time($0)) / 1000 })]
        } else {
            v = try await evalVector(c.args[0], steps)
        }
        let name = c.function.name
        for k in v.indices {
            for i in v[k].values.indices where !Absent.isAbsent(v[k].values[i]) {
                let x = v[k].values[i]
                if x.isNaN || x.isInfinite {
                    v[k].values[i] = x
                    continue
                }
                let d = CivilDate(unixSeconds: Int64(x.rounded(.down)))
                let r: Int
                switch name {
                case "minute": r = d.minute
                case "hour": r = d.hour
                case "day_of_week": r = d.weekday
                case "day_of_month": r = d.day
                case "day_of_year": r = d.dayOfYear
                case "days_in_month": r = d.daysInMonth
                case "month": r = d.month
                default: r = Int(d.year)
                }
                v[k].values[i] = Double(r)
            }
            v[k].dropName = true
        }
        return v
    }
}

/// A UTC calendar date and time of day, computed with the days-from-civil algorithm.
struct CivilDate {
    var year: Int64
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var weekday: Int
    var dayOfYear: Int

    init(unixSeconds s: Int64) {
        var days = s / 86400
        var secs = s % 86400
        if secs < 0 {
            secs += 86400
            days -= 1
        }
        hour = Int(secs / 3600)
        minute = Int(secs % 3600 / 60)
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        dayOfYear = cumulative[month - 1] + day + (month > 2 && CivilDate.isLeap(year) ? 1 : 0)
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    var daysInMonth: Int {
        switch month {
        case 2: return CivilDate.isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Go's `math.Max`: +Inf wins, then NaN propagates.
func goMax(_ a: Double, _ b: Double) -> Double {
    if a == .infinity || b == .infinity { return .infinity }
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && b == 0 { return a.sign == .minus ? b : a }
    return a > b ? a : b
}

/// Go's `math.Min`: -Inf wins, then NaN propagates.
func goMin(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity || b == -.infinity { return -.infinity }
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && b == 0 { return a.sign == .minus ? a : b }
    return a < b ? a : b
}
