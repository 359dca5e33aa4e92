import Foundation
public import Hummingbird
import PromModel
public import PromQL
public import StorageAPI

/// The Prometheus HTTP query API (`/api/v1/query`, `query_range`, `series`, `labels`,
/// `label/<name>/values`), identical in shape to Prometheus', so Grafana and promtool point at it.
public struct PrometheusQueryAPI: Sendable {
    public let engine: Engine
    /// The data a request may query (a tenant's data in the receiver).
    public let source: @Sendable (Request) async throws -> any Queryable
    /// The most points one range-query series may have, as in Prometheus.
    public var maxPointsPerSeries = 11_000
    /// The longest a query may evaluate (`--query.timeout`); a request's `timeout` parameter may only shorten it.
    public var timeout: Duration = .seconds(120)
    /// The most warnings and the most infos one answer lists (then "N more ... omitted"), 10 as in Prometheus.
    public var maxAnnotations = 10

    public init(
        engine: Engine, timeout: Duration = .seconds(120),
        source: @escaping @Sendable (Request) async throws -> any Queryable
    ) {
        self.engine = engine
        self.timeout = timeout
        self.source = source
    }

    /// Registers GET and POST for every endpoint.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let paths = [
            "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels", "/api/v1/format_query",
            "/api/v1/parse_query", "/api/v1/query_exemplars",
        ]
        for path in paths {
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
                await Self.respond(request) { try await self.dispatch(path, request, $0) }
            }
            router.get(RouterPath(path), use: handler)
            router.post(RouterPath(path), use: handler)
        }
        router.get("/api/v1/label/:name/values") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await Self.respond(request) { try await self.labelValues(name, request, $0) }
        }
        router.get("/api/v1/status/buildinfo") { request, _ in
            await Self.respond(request) { _ in
                var w = JSONWriter()
                w.raw(#"{"version":"#)
                w.string("2.42.0-hearth")
                w.raw(#","revision":"hearth","branch":"main","buildUser":"","buildDate":"","goVersion":"swift"}"#)
                return w.bytes
            }
        }
        router.get("/api/v1/metadata") { request, _ in await Self.respond(request) { _ in Array("{}".utf8) } }
    }

    private func dispatch(_ path: String, _ request: Request, _ params: APIParameters) async throws -> APIAnswer {
        switch path {
        case "/api/v1/query": return try await instant(request, params)
        case "/api/v1/query_range": return try await range(request, params)
        case "/api/v1/series": return try await series(request, params)
        case "/api/v1/format_query": return APIAnswer(try formatQuery(params))
        case "/api/v1/parse_query": return APIAnswer(ParseQueryJSON.encode(try parseQuery(params)))
        case "/api/v1/query_exemplars": return APIAnswer(try exemplars(params))
        default: return APIAnswer(try await labels(request, params))
        }
    }

    static func respond(_ request: Request, _ body: (APIParameters) async throws -> [UInt8]) async -> Response {
        await respond(request) { APIAnswer(try await body($0)) }
    }

    /// Wraps a handler's `data` (and any `warnings`/`infos`) in the `status`/`data` envelope, or an error in the
    /// error envelope.
    static func respond(_ request: Request, _ body: (APIParameters) async throws -> APIAnswer) async -> Response {
        var w = JSONWriter()
        let status: HTTPResponse.Status
        do {
            let params = try await APIParameters.read(request)
            let answer = try await body(params)
            w.raw(#"{"status":"success","data":"#)
            w.append(answer.data)
            if !answer.warnings.isEmpty {
                w.raw(#","warnings":"#)
                w.append(Self.stringArray(answer.warnings, limit: nil))
            }
            if !answer.infos.isEmpty {
                w.raw(#","infos":"#)
                w.append(Self.stringArray(answer.infos, limit: nil))
            }
            w.raw("}")
            status = .ok
        } catch {
            let e = Self.apiError(error)
            w.raw(#"{"status":"error","errorType":"#)
            w.string(e.kind.rawValue)
            w.raw(#","error":"#)
            w.string(e.message)
            w.raw("}")
            status = e.status
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }

    static func apiError(_ error: any Error) -> APIError {
        if let e = error as? APIError { return e }
        if let e = error as? PromQLError {
            switch e.code {
            case .parse: return APIError(.badData, e.message)
            case .execution, .limit: return APIError(.execution, e.message)
            case .timeout: return APIError(.timeout, e.message)
            case .canceled: return APIError(.canceled, e.message)
            default: return APIError(.internalError, e.message)
            }
        }
        if let e = error as? MatcherError { return APIError(.badData, e.description) }
        return APIError(.internalError, "\(error)")
    }

    /// The `query` parameter, parsed.
    private func parseQuery(_ p: APIParameters) throws -> Expr {
        guard let query = p["query"], !query.isEmpty else {
            throw APIError(.badData, "invalid parameter \"query\": query must not be empty")
        }
        do { return try PromQLParser.parse(query) } catch let e as PromQLError {
            throw APIError(.badData, "invalid parameter \"query\": \(e.message)")
        }
    }

    /// `/api/v1/format_query`: the expression in canonical form, split over lines when long, as a JSON string.
    private func formatQuery(_ p: APIParameters) throws -> [UInt8] {
        var w = JSONWriter()
        w.string(try parseQuery(p).pretty)
        return w.bytes
    }

    /// `/api/v1/query_exemplars`: Hearth stores no exemplars, so a valid request gets an empty list.
    private func exemplars(_ p: APIParameters) throws -> [UInt8] {
        _ = try parseQuery(p)
        let (start, end) = try timeRange(p)
        guard end >= start else {
            throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time")
        }
        return Array("[]".utf8)
    }

    /// When the query must stop: `--query.timeout` from now, or the request's shorter `timeout`.
    private func deadline(_ p: APIParameters) throws -> ContinuousClock.Instant {
        var limit = timeout
        if let ms = try p.duration("timeout") {
            guard ms > 0 else { throw APIError(.badData, "invalid parameter \"timeout\": must be positive") }
            limit = min(limit, .milliseconds(ms))
        }
        return ContinuousClock.now + limit
    }

    private func answer(_ result: QueryResult, _ query: String) -> APIAnswer {
        let (warnings, infos) = result.annotations.strings(query: query, limit: maxAnnotations)
        return APIAnswer(QueryResultJSON.encode(result.value), warnings: warnings, infos: infos)
    }

    private func instant(_ request: Request, _ p: APIParameters) async throws -> APIAnswer {
        let expr = try parseQuery(p)
        let t = try p.time("time", default: Timestamp(ms: Int64(Date().timeIntervalSince1970 * 1000)))
        let deadline = try deadline(p)
        let storage = try p.applyingSourceResolution(try await source(request), stepMs: 0)
        let result = try await engine.instantQuery(expr, at: t, storage: storage, deadline: deadline)
        return answer(result, p["query"] ?? "")
    }

    private func range(_ request: Request, _ p: APIParameters) async throws -> APIAnswer {
        let expr = try parseQuery(p)
        let start = try p.time("start", default: nil)
        let end = try p.time("end", default: nil)
        guard end >= start else { throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time") }
        guard let step = try p.duration("step") else { throw APIError(.badData, "invalid parameter \"step\": missing parameter") }
        guard step > 0 else {
            throw APIError(.badData, "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        if (end.ms - start.ms) / step >= Int64(maxPointsPerSeries) {
            throw APIError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let deadline = try deadline(p)
        let storage = try p.applyingSourceResolution(try await source(request), stepMs: step)
        let result = try await engine.rangeQuery(
            expr, start: start, end: end, stepMs: step, storage: storage, deadline: deadline)
        return answer(result, p["query"] ?? "")
    }

    private func timeRange(_ p: APIParameters) throws -> (Timestamp, Timestamp) {
        (try p.time("start", default: Timestamp(ms: -62_135_596_800_000)), try p.time("end", default: Timestamp(ms: 253_402_300_799_000)))
    }

    private func limit(_ p: APIParameters) throws -> Int? {
        guard let text = p["limit"], !text.isEmpty else { return nil }
        guard let n = Int(text), n >= 0 else { throw APIError(.badData, "invalid parameter \"limit\": cannot parse \"\(text)\"") }
        return n == 0 ? nil : n
    }

    /// `/api/v1/series`; warnings of the sources (e.g. a failed remote read) are passed on.
    private func series(_ request: Request, _ p: APIParameters) async throws -> APIAnswer {
        let selectors = try p.selectors()
        guard !selectors.isEmpty else { throw APIError(.badData, "no match[] parameter provided") }
        let (start, end) = try timeRange(p)
        let querier = try await source(request).querier(mint: start, maxt: end)
        defer { querier.close() }
        var found = Set<Labels>()
        var warnings: [String] = []
        for matchers in selectors {
            var set = try await querier.select(
                sorted: false, hints: SelectHints(start: start, end: end, function: "series"), matchers: matchers)
            while let s = try set.next() { found.insert(s.labels) }
            for warning in set.warnings where !warnings.contains(warning) { warnings.append(warning) }
        }
        var sorted = found.sorted()
        if let n = try limit(p), sorted.count > n { sorted = Array(sorted.prefix(n)) }
        var w = JSONWriter()
        w.raw("[")
        for (i, l) in sorted.enumerated() {
            if i > 0 { w.raw(",") }
            w.labels(l.items.map { ($0.name, $0.value) })
        }
        w.raw("]")
        return APIAnswer(w.bytes, warnings: warnings)
    }

    private func labels(_ request: Request, _ p: APIParameters) async throws -> [UInt8] {
        let (start, end) = try timeRange(p)
        let querier = try await source(request).querier(mint: start, maxt: end)
        defer { querier.close() }
        var names = Set<String>()
        let selectors = try p.selectors()
        for matchers in selectors.isEmpty ? [[]] : selectors { names.formUnion(try await querier.labelNames(matchers: matchers)) }
        return Self.stringArray(names.sorted(), limit: try limit(p))
    }

    private func labelValues(_ name: String, _ request: Request, _ p: APIParameters) async throws -> [UInt8] {
        let (start, end) = try timeRange(p)
        let querier = try await source(request).querier(mint: start, maxt: end)
        defer { querier.close() }
        var values = Set<String>()
        let selectors = try p.selectors()
        for matchers in selectors.isEmpty ? [[]] : selectors { values.formUnion(try await querier.labelValues(name, matchers: matchers)) }
        return Self.stringArray(values.sorted(), limit: try limit(p))
    }

    static func stringArray(_ items: [String], limit: Int?) -> [UInt8] {
        var w = JSONWriter()
        w.raw("[")
        for (i, s) in items.prefix(limit ?? Int.max).enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s)
        }
        w.raw("]")
        return w.bytes
    }
}

extension JSONWriter {
    mutating func append(_ other: [UInt8]) { bytesAppend(other) }
}

/// A successful answer: the `data` JSON and the annotations to list beside it.
struct APIAnswer {
    var data: [UInt8]
    var warnings: [String] = []
    var infos: [String] = []

    init(_ data: [UInt8], warnings: [String] = [], infos: [String] = []) {
        self.data = data
        self.warnings = warnings
        self.infos = infos
    }
}

/// `data` of a query answer: `resultType` and `result`.
enum QueryResultJSON {
    static func encode(_ value: QueryValue) -> [UInt8] {
        var w = JSONWriter()
        switch value {
        case .scalar(let s):
            w.raw(#"{"resultType":"scalar","result":["#)
            w.timestamp(s.t.ms)
            w.raw(",")
            w.value(s.v)
            w.raw("]}")
        case .string(let text, let t):
            w.raw(#"{"resultType":"string","result":["#)
            w.timestamp(t.ms)
            w.raw(",")
            w.string(text)
            w.raw("]}")
        case .vector(let elements):
            w.raw(#"{"resultType":"vector","result":["#)
            for (i, e) in elements.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(#"{"metric":"#)
                w.labels(e.labels.items.map { ($0.name, $0.value) })
                w.raw(#","value":["#)
                w.timestamp(e.t.ms)
                w.raw(",")
                w.value(e.v)
                w.raw("]}")
            }
            w.raw("]}")
        case .matrix(let series):
            w.raw(#"{"resultType":"matrix","result":["#)
            for (i, s) in series.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(#"{"metric":"#)
                w.labels(s.labels.items.map { ($0.name, $0.value) })
                w.raw(#","values":["#)
                for (j, sample) in s.samples.enumerated() {
                    if j > 0 { w.raw(",") }
                    w.raw("[")
                    w.timestamp(sample.t.ms)
                    w.raw(",")
                    w.value(sample.v)
                    w.raw("]")
                }
                w.raw("]}")
            }
            w.raw("]}")
        }
        return w.bytes
    }
}
