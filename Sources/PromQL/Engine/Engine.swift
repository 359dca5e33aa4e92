public import PromModel
public import StorageAPI

/// Settings of the query engine.
public struct EngineOptions: Sendable {
    /// How far back an instant selector looks for the latest sample; Prometheus' default is 5 minutes.
    public var lookbackDeltaMs: Int64 = 300_000
    /// Most samples a query may hold in memory at once.
    public var maxSamples: Int = 50_000_000
    /// Most series a query may select from storage, summed over its selectors.
    public var maxSeries: Int = 1_000_000
    /// Resolution of subqueries without an explicit step.
    public var defaultSubqueryStepMs: Int64 = 60_000

    /// Prometheus defaults.
    public init() {}
}

/// Evaluates PromQL over any ``Queryable``, following Prometheus 3 semantics.
///
/// Thread-safe: the engine holds only settings; each query runs on its own evaluator.
public struct Engine: Sendable {
    /// Lookback, limits and defaults used by every query.
    public var options: EngineOptions

    /// Creates an engine with the given settings.
    public init(options: EngineOptions = EngineOptions()) { self.options = options }

    /// Evaluates `query` at a single instant.
    /// - Throws: ``PromQLError`` for parse, type, limit and evaluation errors.
    public func instantQuery(_ query: String, at time: Timestamp, storage: any Queryable) async throws -> QueryValue {
        let expr = try PromQLParser.parse(query)
        return try await instantQuery(expr, at: time, storage: storage)
    }

    /// Evaluates a parsed expression at a single instant.
    public func instantQuery(_ expr: Expr, at time: Timestamp, storage: any Queryable) async throws -> QueryValue {
        try await instantQuery(expr, at: time, storage: storage, deadline: nil).value
    }

    /// Evaluates a parsed expression at a single instant, with the warnings and infos it raised.
    /// - Parameter deadline: when it passes, evaluation stops with a ``PromQLError/Code-swift.struct/timeout``.
    public func instantQuery(
        _ expr: Expr, at time: Timestamp, storage: any Queryable, deadline: ContinuousClock.Instant?
    ) async throws -> QueryResult {
        let ev = Evaluator(
            storage: storage, options: options, queryStart: time.ms, queryEnd: time.ms, stepMs: 0, deadline: deadline)
        let value = try await instantValue(expr, at: time, ev)
        return QueryResult(value: value, annotations: ev.annotations)
    }

    private func instantValue(_ expr: Expr, at time: Timestamp, _ ev: Evaluator) async throws -> QueryValue {
        let steps = Steps(start: time.ms, end: time.ms, step: 0)
        let value = try await ev.eval(expr, steps)
        switch value {
        case .scalar(let vs): return .scalar(Sample(t: time, v: vs[0]))
        case .string(let s): return .string(s, time)
        case .vector(let series):
            let cleaned = try finish(series)
            return .vector(
                cleaned.compactMap { s in
                    Absent.isAbsent(s.values[0]) ? nil : VectorElement(labels: s.labels, t: time, v: s.values[0])
                })
        case .range(let data):
            var out: [ResultSeries] = []
            for s in data.series {
                let lo = windowStart(s.ts, data.windowEnds[0] - data.rangeMs + 1)
                let hi = windowStart(s.ts, data.windowEnds[0] + 1)
                if lo == hi { continue }
                let samples = (lo..<hi).map { Sample(t: Timestamp(ms: s.ts[$0]), v: s.vs[$0]) }
                out.append(
                    ResultSeries(
                        labels: s.dropName ? s.labels.removing([LabelName.metricName]) : s.labels, samples: samples))
            }
            try checkDuplicates(out.map(\.labels))
            return .matrix(out.sorted { $0.labels < $1.labels })
        }
    }

    /// Evaluates `query` at every step from `start` to `end`.
    public func rangeQuery(
        _ query: String, start: Timestamp, end: Timestamp, stepMs: Int64, storage: any Queryable
    ) async throws -> QueryValue {
        let expr = try PromQLParser.parse(query)
        return try await rangeQuery(expr, start: start, end: end, stepMs: stepMs, storage: storage)
    }

    /// Evaluates a parsed expression at every step from `start` to `end`.
    public func rangeQuery(
        _ expr: Expr, start: Timestamp, end: Timestamp, stepMs: Int64, storage: any Queryable
    ) async throws -> QueryValue {
        try await rangeQuery(expr, start: start, end: end, stepMs: stepMs, storage: storage, deadline: nil).value
    }

    /// Evaluates a parsed expression at every step, with the warnings and infos it raised.
    /// - Parameter deadline: when it passes, evaluation stops with a ``PromQLError/Code-swift.struct/timeout``.
    public func rangeQuery(
        _ expr: Expr, start: Timestamp, end: Timestamp, stepMs: Int64, storage: any Queryable,
        deadline: ContinuousClock.Instant?
    ) async throws -> QueryResult {
        let ev = Evaluator(
            storage: storage, options: options, queryStart: start.ms, queryEnd: end.ms, stepMs: stepMs,
            deadline: deadline)
        let value = try await rangeValue(expr, start: start, end: end, stepMs: stepMs, ev)
        return QueryResult(value: value, annotations: ev.annotations)
    }

    private func rangeValue(
        _ expr: Expr, start: Timestamp, end: Timestamp, stepMs: Int64, _ ev: Evaluator
    ) async throws -> QueryValue {
        guard stepMs > 0 else {
            throw PromQLError(.parse, "zero or negative query resolution step widths are not accepted")
        }
        guard end >= start else { throw PromQLError(.parse, "end timestamp must not be before start time") }
        guard expr.type == .scalar || expr.type == .vector else {
            throw PromQLError(
                .parse,
                "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        let steps = Steps(start: start.ms, end: end.ms, step: stepMs)
        let value = try await ev.eval(expr, steps)
        let series: [StepSeries]
        switch value {
        case .scalar(let vs): series = [StepSeries(labels: Labels(), values: vs)]
        case .vector(let s): series = try finish(s)
        default: throw PromQLError(.parse, "invalid expression type for range query")
        }
        var out: [ResultSeries] = []
        for s in series {
            var samples: [Sample] = []
            for (i, v) in s.values.enumerated() where !Absent.isAbsent(v) {
                samples.append(Sample(t: Timestamp(ms: steps.time(i)), v: v))
            }
            if !samples.isEmpty { out.append(ResultSeries(labels: s.labels, samples: samples)) }
        }
        return .matrix(out.sorted { $0.labels < $1.labels })
    }

    /// Applies delayed `__name__` removal, merging series that end up with equal labels; two values for the
    /// same labels at one step are an error.
    func finish(_ series: [StepSeries]) throws(PromQLError) -> [StepSeries] {
        guard series.contains(where: \.dropName) else {
            try checkDuplicates(series.filter { !$0.isEmpty }.map(\.labels))
            return series
        }
        var c = SeriesCollector(count: series.first?.values.count ?? 0)
        for s in series where !s.isEmpty {
            let labels = s.dropName ? s.labels.removing([LabelName.metricName]) : s.labels
            let slot = c.slot(labels, dropName: false)
            for i in s.values.indices where !Absent.isAbsent(s.values[i]) { try c.set(slot, i, s.values[i]) }
        }
        return c.series
    }

    func checkDuplicates(_ labels: [Labels]) throws(PromQLError) {
        var seen = Set<Labels>()
        for l in labels where !seen.insert(l).inserted {
            throw .execution("vector cannot contain metrics with the same labelset")
        }
    }
}

/// The first index whose timestamp is ≥ `t` in sorted `ts`.
@inline(__always)
func windowStart(_ ts: [Int64], _ t: Int64) -> Int {
    var lo = 0, hi = ts.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if ts[mid] < t { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
