import PromModel
import StorageAPI

/// Evaluates one query. Not thread-safe; created per query.
final class Evaluator {
    let storage: any Queryable
    let options: EngineOptions
    /// The outer query's start and end, for `@ start()` / `@ end()` and `range()`.
    let queryStart: Int64
    let queryEnd: Int64
    /// The outer query's step, for `step()`.
    let stepMs: Int64
    var seriesSelected = 0
    /// Samples held for the rest of the query (materialized range vectors), for the sample limit.
    var samplesInMemory = 0
    /// Hints for storage: the function and aggregation around the selector being evaluated.
    var hintFunction: String?
    var hintGrouping: [String] = []
    var hintBy = false
    /// Warnings and infos raised so far.
    var annotations = Annotations()
    /// Metric names already noted as possibly not counters, so each costs one set lookup per series.
    var nonCounterNames: Set<String> = []
    /// When set, evaluation stops with a timeout error once this instant passes.
    var deadline: ContinuousClock.Instant?

    init(
        storage: any Queryable, options: EngineOptions, queryStart: Int64, queryEnd: Int64, stepMs: Int64,
        deadline: ContinuousClock.Instant? = nil
    ) {
        self.deadline = deadline
        self.storage = storage
        self.options = options
        self.queryStart = queryStart
        self.queryEnd = queryEnd
        self.stepMs = stepMs
    }

    func eval(_ e: Expr, _ steps: Steps) async throws -> EvalValue {
        try checkDeadline()
        switch e {
        case .number(let v): return .scalar([Double](repeating: v, count: steps.count))
        case .string(let s): return .string(s.value)
        case .paren(let inner): return try await eval(inner, steps)
        case .unary(let negate, let inner):
            let v = try await eval(inner, steps)
            guard negate else { return v }
            switch v {
            case .scalar(let vs): return .scalar(vs.map { -$0 })
            case .vector(var series):
                for k in series.indices {
                    series[k].values = series[k].values.map { Absent.isAbsent($0) ? $0 : -$0 }
                    series[k].dropName = true
                }
                return .vector(series)
            default: return v
            }
        case .vectorSelector(let vs): return .vector(try await evalVectorSelector(vs, steps, timestamps: false))
        case .matrixSelector(let ms): return .range(try await evalMatrixSelector(ms, steps))
        case .subquery(let sq): return .range(try await evalSubquery(sq, steps))
        case .binary(let b): return try await evalBinary(b, steps)
        case .aggregate(let a): return try await evalAggregate(a, steps)
        case .call(let c): return try await evalCall(c, steps)
        }
    }

    func evalVector(_ e: Expr, _ steps: Steps) async throws -> [StepSeries] {
        guard case .vector(let v) = try await eval(e, steps) else {
            throw PromQLError.execution("expected instant vector")
        }
        return v
    }

    func evalScalar(_ e: Expr, _ steps: Steps) async throws -> [Double] {
        guard case .scalar(let v) = try await eval(e, steps) else { throw PromQLError.execution("expected scalar") }
        return v
    }

    func evalRange(_ e: Expr, _ steps: Steps) async throws -> RangeData {
        guard case .range(let v) = try await eval(e.unwrapped, steps) else {
            throw PromQLError.execution("expected range vector")
        }
        return v
    }

    func durationMs(_ d: DurationExpr?) -> Int64 {
        d?.milliseconds(stepMs: stepMs, rangeMs: queryEnd - queryStart) ?? 0
    }

    func atTime(_ at: AtModifier?) -> Int64? {
        switch at {
        case nil: return nil
        case .time(let t): return t.ms
        case .start: return queryStart
        case .end: return queryEnd
        }
    }

    /// The time each step reads at: the `@` time or the step time, minus the offset.
    func readTimes(at: AtModifier?, offset: DurationExpr?, _ steps: Steps) -> [Int64] {
        let off = durationMs(offset)
        if let t = atTime(at) { return [Int64](repeating: t - off, count: steps.count) }
        return (0..<steps.count).map { steps.time($0) - off }
    }

    /// Streams the raw samples of every series matching `vs` with timestamps in `[mint, maxt]` to `body`, one
    /// series at a time, so memory holds one series' samples rather than all of them.
    ///
    /// The arrays passed to `body` are reused for the next series: copy what you keep, and pass `retain: true`
    /// so the samples count against the limit for the rest of the query.
    func select(
        _ vs: VectorSelector, mint: Int64, maxt: Int64, rangeMs: Int64, keepStale: Bool, retain: Bool = false,
        _ body: (Labels, [Int64], [Double]) throws -> Void
    ) async throws {
        var ts: [Int64] = []
        var vals: [Double] = []
        try await forEachSeries(vs, mint: mint, maxt: maxt, rangeMs: rangeMs) { s in
            ts.removeAll(keepingCapacity: true)
            vals.removeAll(keepingCapacity: true)
            var it = s.makeIterator()
            // One bulk call per series: the iterator decodes straight into the reused arrays.
            try it.appendSamples(from: Timestamp(ms: mint), through: Timestamp(ms: maxt), timestamps: &ts, values: &vals)
            if !keepStale { dropStaleMarkers(&ts, &vals) }
            try checkSampleLimit(adding: ts.count)
            if retain { samplesInMemory += ts.count }
            if !ts.isEmpty { try body(s.labels, ts, vals) }
        }
    }

    /// Throws the max-samples error when `count` more samples would exceed `--query.max-samples`.
    func checkSampleLimit(adding count: Int) throws {
        if samplesInMemory + count > options.maxSamples {
            throw PromQLError(.limit, "query processing would load too many samples into memory in query execution")
        }
    }

    /// Hands every series matching `vs` in `[mint, maxt]` to `body`, one at a time, with the select hints,
    /// the deadline and series limit checked per series, storage warnings collected as annotations, and
    /// storage errors wrapped into a ``PromQLError`` naming the matchers.
    func forEachSeries(
        _ vs: VectorSelector, mint: Int64, maxt: Int64, rangeMs: Int64, _ body: (any Series) throws -> Void
    ) async throws {
        do {
            let querier = try await storage.querier(mint: Timestamp(ms: mint), maxt: Timestamp(ms: maxt))
            defer { querier.close() }
            let hints = SelectHints(
                start: Timestamp(ms: mint), end: Timestamp(ms: maxt), stepMs: stepMs, function: hintFunction,
                rangeMs: rangeMs, grouping: hintGrouping, by: hintBy)
            var set = try await querier.select(sorted: true, hints: hints, matchers: vs.matchers)
            while let s = try set.next() {
                // A cancelled or timed-out query stops at the next series rather than reading everything first.
                try checkDeadline()
                seriesSelected += 1
                if seriesSelected > options.maxSeries {
                    throw PromQLError(.limit, "query would select too many series: more than \(options.maxSeries)")
                }
                try body(s)
            }
            for w in set.warnings { annotations.add(Annotation(.warning, w)) }
        } catch let e as PromQLError {
            throw e
        } catch is CancellationError {
            throw PromQLError(.canceled, "query was canceled while reading series")
        } catch {
            let matchers = vs.matchers.map(\.description).joined(separator: ", ")
            throw PromQLError(
                .storage, "cannot read series matching {\(matchers)} in [\(mint), \(maxt)]: \(error)", underlying: error
            )
        }
    }

    /// All matching series with their raw samples, kept in memory.
    func selectAll(_ vs: VectorSelector, mint: Int64, maxt: Int64, rangeMs: Int64, keepStale: Bool) async throws
        -> [RawSeries]
    {
        var out: [RawSeries] = []
        try await select(vs, mint: mint, maxt: maxt, rangeMs: rangeMs, keepStale: keepStale, retain: true) {
            out.append(RawSeries(labels: $0, ts: $1, vs: $2))
        }
        return out
    }

    /// Latest sample in `(t - lookback, t]` per step, skipping series whose latest sample is a stale marker.
    /// With `timestamps`, the value is the sample's timestamp in seconds (for `timestamp()`).
    func evalVectorSelector(_ vs: VectorSelector, _ steps: Steps, timestamps: Bool) async throws -> [StepSeries] {
        var out: [StepSeries] = []
        try await evalVectorSelector(vs, steps, timestamps: timestamps) { out.append($0) }
        return out
    }

    /// Streaming form: each series goes to `sink` as soon as its steps are filled.
    func evalVectorSelector(
        _ vs: VectorSelector, _ steps: Steps, timestamps: Bool, sink: (StepSeries) throws -> Void
    ) async throws {
        let times = readTimes(at: vs.at, offset: vs.offset, steps)
        let lookback = options.lookbackDeltaMs
        try await select(vs, mint: times.min()! - lookback + 1, maxt: times.max()!, rangeMs: 0, keepStale: true) {
            labels, ts, vals in
            var values = [Double](repeating: Absent.value, count: steps.count)
            var j = 0
            let n = ts.count
            var found = false
            for i in 0..<steps.count {
                let t = times[i]
                if i > 0 && t < times[i - 1] { j = 0 }
                while j < n && ts[j] <= t { j += 1 }
                let k = j - 1
                if k >= 0 && ts[k] > t - lookback && !StaleNaN.isStale(vals[k]) {
                    values[i] = timestamps ? Double(ts[k]) / 1000 : vals[k]
                    found = true
                }
            }
            if found { try sink(StepSeries(labels: labels, values: values)) }
        }
    }

    func evalMatrixSelector(_ ms: MatrixSelector, _ steps: Steps) async throws -> RangeData {
        let (times, range) = try matrixWindows(ms, steps)
        let raw = try await selectAll(
            ms.vector, mint: times.min()! - range + 1, maxt: times.max()!, rangeMs: range, keepStale: false)
        return RangeData(series: raw, rangeMs: range, windowEnds: times)
    }

    /// The window end of each step and the window length of a range selector.
    func matrixWindows(_ ms: MatrixSelector, _ steps: Steps) throws -> ([Int64], Int64) {
        let times = readTimes(at: ms.vector.at, offset: ms.vector.offset, steps)
        let range = durationMs(ms.range)
        guard range > 0 else {
            throw PromQLError.execution("range selector must have a positive duration, got \(range)ms")
        }
        return (times, range)
    }

    /// Calls `body` with each series of a range-vector expression. Range selectors stream from storage, one
    /// series at a time; subqueries are evaluated first.
    func forEachRangeSeries(
        _ e: Expr, _ steps: Steps, _ body: (RawSeries, _ rangeMs: Int64, _ windowEnds: [Int64]) throws -> Void
    ) async throws {
        if case .matrixSelector(let ms) = e.unwrapped {
            let (times, range) = try matrixWindows(ms, steps)
            try await select(
                ms.vector, mint: times.min()! - range + 1, maxt: times.max()!, rangeMs: range, keepStale: false
            ) { labels, ts, vals in
                try body(RawSeries(labels: labels, ts: ts, vs: vals), range, times)
            }
            return
        }
        let data = try await evalRange(e, steps)
        for r in data.series { try body(r, data.rangeMs, data.windowEnds) }
    }

    func evalSubquery(_ sq: SubqueryExpr, _ steps: Steps) async throws -> RangeData {
        let times = readTimes(at: sq.at, offset: sq.offset, steps)
        let range = durationMs(sq.range)
        var step = sq.step.map { durationMs($0) } ?? options.defaultSubqueryStepMs
        if step <= 0 { step = options.defaultSubqueryStepMs }
        let lowest = times.min()! - range
        var start = step * (lowest / step)
        if start <= lowest { start += step }
        let end = times.max()!
        guard start <= end else { return RangeData(series: [], rangeMs: range, windowEnds: times) }
        let inner = Steps(start: start, end: end, step: step)
        let savedFunction = hintFunction
        hintFunction = nil
        defer { hintFunction = savedFunction }
        let series: [StepSeries]
        switch try await eval(sq.expr, inner) {
        case .vector(let v): series = v
        case .scalar(let v): series = [StepSeries(labels: Labels(), values: v)]
        default: throw PromQLError.execution("subquery is only allowed on instant vector")
        }
        var raw: [RawSeries] = []
        for s in series {
            var ts: [Int64] = []
            var vs: [Double] = []
            for (i, v) in s.values.enumerated() where !Absent.isAbsent(v) {
                ts.append(inner.time(i))
                vs.append(v)
            }
            if !ts.isEmpty { raw.append(RawSeries(labels: s.labels, ts: ts, vs: vs, dropName: s.dropName)) }
        }
        return RangeData(series: raw, rangeMs: range, windowEnds: times)
    }
}

/// Removes stale markers from parallel sample arrays, in place.
func dropStaleMarkers(_ ts: inout [Int64], _ vals: inout [Double]) {
    guard let first = vals.firstIndex(where: { StaleNaN.isStale($0) }) else { return }
    var w = first
    for r in (first + 1)..<vals.count where !StaleNaN.isStale(vals[r]) {
        ts[w] = ts[r]
        vals[w] = vals[r]
        w += 1
    }
    ts.removeLast(ts.count - w)
    vals.removeLast(vals.count - w)
}
