import Foundation
import PromModel

/// The samples of one series inside one step's window, plus the window bounds.
///
/// The slices point into the series' arrays, valid only during the kernel call: creating them costs no
/// reference counting per step, unlike `ArraySlice`.
struct Window {
    var ts: Slice<UnsafeBufferPointer<Int64>>
    var vs: Slice<UnsafeBufferPointer<Double>>
    /// Exclusive start and inclusive end of the window, in milliseconds.
    var start: Int64
    var end: Int64
    /// The step's evaluation time (differs from `end` under `offset` and `@`).
    var evalTime: Int64
}

extension Evaluator {
    func evalRangeFunction(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        var out: [StepSeries] = []
        try await evalRangeFunction(c, steps) { out.append($0) }
        return out
    }

    /// Evaluates a range-vector function, handing each output series to `sink` as soon as it is computed, so an
    /// enclosing aggregation need not hold them all.
    func evalRangeFunction(_ c: Call, _ steps: Steps, sink: (StepSeries) throws -> Void) async throws {
        let name = c.function.name
        let matrixArg = c.function.argTypes.firstIndex(of: .matrix)!
        var scalars: [[Double]] = []
        for (k, a) in c.args.enumerated() where k != matrixArg { scalars.append(try await evalScalar(a, steps)) }
        let saved = hintFunction
        hintFunction = name
        defer { hintFunction = saved }
        if try await evalDownsampledOverTime(c, steps, sink: sink) { return }
        let n = steps.count
        if name == "double_exponential_smoothing" {
            for i in 0..<n {
                let sf = scalars[0][i], tf = scalars[1][i]
                if !(sf > 0 && sf < 1) {
                    throw PromQLError.execution(
                        "invalid smoothing factor. Expected: 0 < sf < 1, got: \(formatGoFloat(sf))")
                }
                if !(tf > 0 && tf < 1) {
                    throw PromQLError.execution("invalid trend factor. Expected: 0 < tf < 1, got: \(formatGoFloat(tf))")
                }
            }
        }
        if name == "absent_over_time" {
            var present = [Bool](repeating: false, count: n)
            try await forEachRangeSeries(c.args[matrixArg], steps) { r, rangeMs, ends in
                for i in 0..<n where !present[i] {
                    let lo = windowStart(r.ts, ends[i] - rangeMs + 1)
                    present[i] = lo < r.ts.count && r.ts[lo] <= ends[i]
                }
            }
            var s = StepSeries(labels: absentLabels(c.args[matrixArg]), count: n)
            for i in 0..<n where !present[i] { s.values[i] = 1 }
            if !s.isEmpty { try sink(s) }
            return
        }
        let f = try rangeKernel(name, scalars)
        let keepName = name == "last_over_time" || name == "first_over_time"
        // Each series is visited once: its windows slide forward with the steps (two moving indices), and the
        // per-step work reads array slices without allocating.
        // Under `@` every step reads the same window; unless the result depends on the step time, it is
        // computed once and copied.
        let usesEvalTime = name == "predict_linear"
        var checkCounter = false
        if name == "rate" || name == "increase", case .matrixSelector = c.args[matrixArg].unwrapped { checkCounter = true }
        if name == "quantile_over_time" { checkQuantiles(scalars[0], position: c.argPositions[0]) }
        try await forEachRangeSeries(c.args[matrixArg], steps) { r, rangeMs, ends in
            var values = [Double](repeating: Absent.value, count: n)
            var found = false
            r.ts.withUnsafeBufferPointer { ts in
                r.vs.withUnsafeBufferPointer { vs in
                    values.withUnsafeMutableBufferPointer { values in
                        var lo = 0, hi = 0
                        let count = ts.count
                        for i in 0..<n {
                            if i > 0 && !usesEvalTime && ends[i] == ends[i - 1]
                                && scalars.allSatisfy({ $0[i] == $0[i - 1] })
                            {
                                values[i] = values[i - 1]
                                continue
                            }
                            let end = ends[i], start = end - rangeMs
                            if i > 0 && end < ends[i - 1] { (lo, hi) = (0, 0) }
                            while lo < count && ts[lo] <= start { lo += 1 }
                            if hi < lo { hi = lo }
                            while hi < count && ts[hi] <= end { hi += 1 }
                            if lo == hi { continue }
                            let w = Window(
                                ts: ts[lo..<hi], vs: vs[lo..<hi], start: start, end: end, evalTime: steps.time(i))
                            if let v = f(w, i) {
                                values[i] = v
                                found = true
                            }
                        }
                    }
                }
            }
            if found && checkCounter { noteCounterName(r.labels, c) }
            if found { try sink(StepSeries(labels: r.labels, values: values, dropName: r.dropName || !keepName)) }
        }
    }

    /// The per-window computation of a range-vector function; nil means no output for that step.
    func rangeKernel(_ name: String, _ scalars: [[Double]]) throws -> (Window, Int) -> Double? {
        switch name {
        case "rate": return { w, _ in extrapolatedRate(w, counter: true, rate: true) }
        case "increase": return { w, _ in extrapolatedRate(w, counter: true, rate: false) }
        case "delta": return { w, _ in extrapolatedRate(w, counter: false, rate: false) }
        case "irate": return { w, _ in instantDelta(w, rate: true) }
        case "idelta": return { w, _ in instantDelta(w, rate: false) }
        case "deriv":
            return { w, _ in w.vs.count < 2 ? nil : linearRegression(w, interceptTime: w.ts.first!).slope }
        case "predict_linear":
            return { w, i in
                guard w.vs.count >= 2 else { return nil }
                let (slope, intercept) = linearRegression(w, interceptTime: w.evalTime)
                return slope * scalars[0][i] + intercept
            }
        case "resets":
            return { w, _ in
                var count = 0.0
                var prev = w.vs.first!
                for v in w.vs.dropFirst() {
                    if v < prev { count += 1 }
                    prev = v
                }
                return count
            }
        case "changes":
            return { w, _ in
                var count = 0.0
                var prev = w.vs.first!
                for v in w.vs.dropFirst() {
                    if v != prev && !(v.isNaN && prev.isNaN) { count += 1 }
                    prev = v
                }
                return count
            }
        case "avg_over_time": return { w, _ in averageOverTime(w.vs) }
        case "sum_over_time":
            return { w, _ in
                var s = 0.0, c = 0.0
                for v in w.vs { (s, c) = kahanInc(v, s, c) }
                return s.isInfinite ? s : s + c
            }
        case "min_over_time":
            return { w, _ in w.vs.reduce(w.vs.first!) { m, v in (v < m || m.isNaN) ? v : m } }
        case "max_over_time":
            return { w, _ in w.vs.reduce(w.vs.first!) { m, v in (v > m || m.isNaN) ? v : m } }
        case "count_over_time": return { w, _ in Double(w.vs.count) }
        case "present_over_time": return { _, _ in 1 }
        case "last_over_time": return { w, _ in w.vs.last! }
        case "first_over_time": return { w, _ in w.vs.first! }
        case "ts_of_last_over_time": return { w, _ in Double(w.ts.last!) / 1000 }
        case "ts_of_first_over_time": return { w, _ in Double(w.ts.first!) / 1000 }
        case "ts_of_min_over_time", "ts_of_max_over_time":
            let isMax = name == "ts_of_max_over_time"
            return { w, _ in
                var best = w.vs.first!, bestT = w.ts.first!
                for (t, v) in zip(w.ts, w.vs) {
                    if (isMax ? v >= best : v <= best) || best.isNaN {
                        best = v
                        bestT = t
                    }
                }
                return Double(bestT) / 1000
            }
        case "stddev_over_time", "stdvar_over_time":
            let isDev = name == "stddev_over_time"
            return { w, _ in
                var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
                for v in w.vs {
                    count += 1
                    let delta = v - (mean + cMean)
                    (mean, cMean) = kahanInc(delta / count, mean, cMean)
                    (aux, cAux) = kahanInc(delta * (v - (mean + cMean)), aux, cAux)
                }
                let variance = (aux + cAux) / count
                return isDev ? variance.squareRoot() : variance
            }
        case "quantile_over_time":
            var buf: [Double] = []
            return { w, i in
                buf.removeAll(keepingCapacity: true)
                buf.append(contentsOf: w.vs)
                return quantile(scalars[0][i], &buf)
            }
        case "mad_over_time":
            return { w, _ in
                if w.vs.contains(where: \.isNaN) { return .nan }
                var buf = Array(w.vs)
                let median = quantile(0.5, &buf)
                var dev = buf.map { abs($0 - median) }
                return quantile(0.5, &dev)
            }
        case "double_exponential_smoothing":
            return { w, i in doubleExponentialSmoothing(w.vs, scalars[0][i], scalars[1][i]) }
        default:
            throw PromQLError.execution("function \"\(name)\" is not implemented")
        }
    }
}

/// rate, increase and delta with Prometheus' extrapolation to the window edges.
func extrapolatedRate(_ w: Window, counter: Bool, rate: Bool) -> Double? {
    let n = w.vs.count
    guard n >= 2 else { return nil }
    let firstT = w.ts.first!, lastT = w.ts.last!
    let firstV = w.vs.first!
    var result = w.vs.last! - firstV
    if counter {
        var prev = firstV
        for v in w.vs.dropFirst() {
            if v < prev { result += prev }
            prev = v
        }
    }
    var durationToStart = Double(firstT - w.start) / 1000
    var durationToEnd = Double(w.end - lastT) / 1000
    let sampled = Double(lastT - firstT) / 1000
    let average = sampled / Double(n - 1)
    let threshold = average * 1.1
    if durationToStart >= threshold { durationToStart = average / 2 }
    if counter && result > 0 && firstV >= 0 {
        let durationToZero = sampled * (firstV / result)
        if durationToZero < durationToStart { durationToStart = durationToZero }
    }
    if durationToEnd >= threshold { durationToEnd = average / 2 }
    var factor = (sampled + durationToStart + durationToEnd) / sampled
    if rate { factor /= Double(w.end - w.start) / 1000 }
    return result * factor
}

/// irate and idelta: from the last two samples.
func instantDelta(_ w: Window, rate: Bool) -> Double? {
    let n = w.vs.count
    guard n >= 2 else { return nil }
    let i = w.vs.endIndex - 1
    let last = w.vs[i], prev = w.vs[i - 1]
    let dt = w.ts[w.ts.endIndex - 1] - w.ts[w.ts.endIndex - 2]
    guard dt > 0 else { return nil }
    var result = rate && last < prev ? last : last - prev
    if rate { result /= Double(dt) / 1000 }
    return result
}

/// Least-squares fit of value over time (seconds relative to `interceptTime`), with Kahan sums.
func linearRegression(_ w: Window, interceptTime: Int64) -> (slope: Double, intercept: Double) {
    var n = 0.0, sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
    let initY = w.vs.first!
    var constY = true
    for (t, v) in zip(w.ts, w.vs) {
        if constY && n > 0 && v != initY { constY = false }
        n += 1
        let x = Double(t - interceptTime) / 1000
        (sumX, cX) = kahanInc(x, sumX, cX)
        (sumY, cY) = kahanInc(v, sumY, cY)
        (sumXY, cXY) = kahanInc(x * v, sumXY, cXY)
        (sumX2, cX2) = kahanInc(x * x, sumX2, cX2)
    }
    if constY {
        if initY.isInfinite { return (.nan, .nan) }
        return (0, initY)
    }
    sumX += cX
    sumY += cY
    sumXY += cXY
    sumX2 += cX2
    let covXY = sumXY - sumX * sumY / n
    let varX = sumX2 - sumX * sumX / n
    let slope = covXY / varX
    return (slope, sumY / n - slope * sumX / n)
}

/// avg_over_time: a Kahan sum, switching to an incremental mean if the sum overflows.
func averageOverTime(_ vs: Slice<UnsafeBufferPointer<Double>>) -> Double {
    var sum = vs.first!, c = 0.0, count = 1.0
    var mean = 0.0, cMean = 0.0
    var incremental = false
    for v in vs.dropFirst() {
        count += 1
        if !incremental {
            let (s2, c2) = kahanInc(v, sum, c)
            if !s2.isInfinite || sum.isInfinite {
                (sum, c) = (s2, c2)
                continue
            }
            incremental = true
            mean = sum / (count - 1)
            cMean = c / (count - 1)
        }
        if mean.isInfinite {
            if v.isInfinite && (mean > 0) == (v > 0) { continue }
            if !v.isInfinite && !v.isNaN { continue }
        }
        let q = (count - 1) / count
        (mean, cMean) = kahanInc(v / count, q * mean, q * cMean)
    }
    if incremental { return mean + cMean }
    if sum.isInfinite { return sum }
    return sum / count + c / count
}

/// Holt's linear (double exponential) smoothing; nil for fewer than two samples.
func doubleExponentialSmoothing(_ vs: Slice<UnsafeBufferPointer<Double>>, _ sf: Double, _ tf: Double) -> Double? {
    guard vs.count >= 2 else { return nil }
    let a = vs.base, base = vs.startIndex
    var s0 = 0.0, s1 = a[base]
    var b = a[base + 1] - a[base]
    for i in 1..<vs.count {
        let x = sf * a[base + i]
        if i > 1 { b = tf * (s1 - s0) + (1 - tf) * b }
        let y = (1 - sf) * (s1 + b)
        (s0, s1) = (s1, x + y)
    }
    return s1
}
