import Foundation
public import Hummingbird
public import PromModel
public import StorageAPI

/// `GET /federate?match[]=…`: the latest sample of every matching series in the text exposition
/// format, with the server's external labels added where a series lacks them, so another server can
/// scrape it with `honor_labels: true`.
public struct FederateHandler: Sendable {
    /// Where the series come from (the local TSDB).
    public let source: @Sendable () async throws -> any Queryable
    /// Added to series that do not have the label yet.
    public let externalLabels: @Sendable () async -> Labels
    /// How far back a sample may be and still count as the latest (PromQL's lookback delta).
    public var lookbackMs: Int64 = 300_000
    /// The current time; tests pin it.
    public var now: @Sendable () -> Timestamp = { Timestamp(ms: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }

    public init(
        source: @escaping @Sendable () async throws -> any Queryable, externalLabels: @escaping @Sendable () async -> Labels
    ) {
        self.source = source
        self.externalLabels = externalLabels
    }

    /// Registers `GET /federate`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/federate") { request, _ in await self.handle(request) }
    }

    func handle(_ request: Request) async -> Response {
        do {
            let params = try await APIParameters.read(request)
            let selectors = try params.selectors()
            guard !selectors.isEmpty else { return ServerStatusRoutes.text(.badRequest, "no match[] parameter provided") }
            let body = try await render(selectors: selectors, at: now())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        } catch let error as APIError {
            return ServerStatusRoutes.text(error.status, error.message)
        } catch {
            return ServerStatusRoutes.text(.internalServerError, "federation failed: \(error)")
        }
    }

    /// The exposition text of the latest sample at or before `t` of each series matching any selector.
    func render(selectors: [[Matcher]], at t: Timestamp) async throws -> String {
        let mint = t.adding(ms: -lookbackMs)
        let querier = try await source().querier(mint: mint, maxt: t)
        defer { querier.close() }
        var latest: [Labels: Sample] = [:]
        for matchers in selectors {
            var set = try await querier.select(
                sorted: false, hints: SelectHints(start: mint, end: t, function: "series"), matchers: matchers)
            while let series = try set.next() {
                if latest[series.labels] != nil { continue }
                var it = series.makeIterator()
                var last: Sample?
                while try it.next() {
                    let s = it.at()
                    if s.t > t { break }
                    if s.t >= mint { last = s }
                }
                if let last, !StaleNaN.isStale(last.v) { latest[series.labels] = last }
            }
        }
        let external = await externalLabels()
        var out = ""
        var family = ""
        for labels in latest.keys.sorted(by: Self.exposition) {
            let sample = latest[labels]!
            var full = labels
            for l in external where full.get(l.name) == nil { full = full.setting(l.name, to: l.value) }
            let name = full[LabelName.metricName]
            if name != family {
                family = name
                out += "# TYPE \(name) untyped\n"
            }
            out += name
            let rest = full.items.filter { $0.name != LabelName.metricName }
            if !rest.isEmpty {
                out += "{" + rest.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
            }
            out += " " + PrometheusFloat.format(sample.v) + " " + String(sample.t.ms) + "\n"
        }
        return out
    }

    /// Metric name first, so each family's lines are together.
    static func exposition(_ a: Labels, _ b: Labels) -> Bool {
        let na = a[LabelName.metricName], nb = b[LabelName.metricName]
        return na != nb ? na < nb : a < b
    }

    static func escape(_ v: String) -> String {
        var out = ""
        for c in v {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
