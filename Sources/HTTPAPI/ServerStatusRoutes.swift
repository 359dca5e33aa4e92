import Foundation
public import Hummingbird
import PromModel

/// `hearth server`'s status endpoints, shaped like Prometheus': `/api/v1/targets`, `/api/v1/rules`,
/// `/api/v1/alerts`, `/api/v1/status/config`, `/api/v1/status/flags` and `POST|PUT /-/reload`.
public struct ServerStatusRoutes: Sendable {
    public let status: any ServerStatus

    public init(status: any ServerStatus) { self.status = status }

    /// Registers every endpoint.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/targets") { request, _ in
            await Self.respond(request) { try await self.targets($0) }
        }
        router.get("/api/v1/rules") { request, _ in
            await Self.respond(request) { try await self.rules($0) }
        }
        router.get("/api/v1/alerts") { request, _ in
            await Self.respond(request) { _ in await self.alerts() }
        }
        router.get("/api/v1/status/config") { request, _ in
            await Self.respond(request) { _ in
                var w = JSONWriter()
                w.raw(#"{"yaml":"#)
                w.string(await self.status.configText())
                w.raw("}")
                return w.bytes
            }
        }
        router.get("/api/v1/status/flags") { request, _ in
            await Self.respond(request) { _ in
                var w = JSONWriter()
                w.labels(self.status.flags())
                return w.bytes
            }
        }
        let reload: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            do {
                try await self.status.reload()
                return Self.text(.ok, "")
            } catch {
                return Self.text(.internalServerError, "failed to reload config: \(error)")
            }
        }
        router.post("/-/reload", use: reload)
        router.put("/-/reload", use: reload)
    }

    // MARK: - targets

    func targets(_ p: APIParameters) async throws -> [UInt8] {
        let state = (p["state"] ?? "").lowercased()
        guard ["", "any", "active", "dropped"].contains(state) else {
            throw APIError(.badData, "invalid parameter \"state\": must be one of active, dropped, any")
        }
        let pool = p["scrapePool"].flatMap { $0.isEmpty ? nil : $0 }
        let showActive = state != "dropped"
        let showDropped = state != "active"
        var w = JSONWriter()
        w.raw(#"{"activeTargets":["#)
        if showActive {
            for (i, t) in await status.activeTargets().filter({ pool == nil || $0.scrapePool == pool }).enumerated() {
                if i > 0 { w.raw(",") }
                Self.write(t, into: &w)
            }
        }
        w.raw(#"],"droppedTargets":["#)
        var droppedCounts: [String: Int] = [:]
        if showDropped {
            let dropped = await status.droppedTargets().filter { pool == nil || $0.scrapePool == pool }
            for (i, t) in dropped.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(#"{"discoveredLabels":"#)
                w.labels(t.discoveredLabels.items.map { ($0.name, $0.value) })
                w.raw(#","scrapePool":"#)
                w.string(t.scrapePool)
                w.raw("}")
                droppedCounts[t.scrapePool, default: 0] += 1
            }
        }
        w.raw(#"],"droppedTargetCounts":{"#)
        for (i, key) in droppedCounts.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            w.string(key)
            w.raw(":")
            w.int(droppedCounts[key]!)
        }
        w.raw("}}")
        return w.bytes
    }

    static func write(_ t: ActiveTargetInfo, into w: inout JSONWriter) {
        w.raw(#"{"discoveredLabels":"#)
        w.labels(t.discoveredLabels.items.map { ($0.name, $0.value) })
        w.raw(#","labels":"#)
        w.labels(t.labels.items.map { ($0.name, $0.value) })
        w.raw(#","scrapePool":"#)
        w.string(t.scrapePool)
        w.raw(#","scrapeUrl":"#)
        w.string(t.scrapeURL)
        w.raw(#","globalUrl":"#)
        w.string(t.globalURL)
        w.raw(#","lastError":"#)
        w.string(t.lastError)
        w.raw(#","lastScrape":"#)
        w.string(RFC3339.format(t.lastScrape))
        w.raw(#","lastScrapeDuration":"#)
        w.raw(number: t.lastScrapeDurationSeconds)
        w.raw(#","health":"#)
        w.string(t.health.rawValue)
        w.raw(#","scrapeInterval":"#)
        w.string(t.scrapeInterval)
        w.raw(#","scrapeTimeout":"#)
        w.string(t.scrapeTimeout)
        w.raw("}")
    }

    // MARK: - rules and alerts

    func rules(_ p: APIParameters) async throws -> [UInt8] {
        let type = p["type"] ?? ""
        guard ["", "alert", "record"].contains(type) else {
            throw APIError(.badData, "invalid parameter \"type\": not supported value \"\(type)\"")
        }
        let names = Set(p.all("rule_name[]")), groups = Set(p.all("rule_group[]")), files = Set(p.all("file[]"))
        let excludeAlerts = p["exclude_alerts"] == "true"
        var w = JSONWriter()
        w.raw(#"{"groups":["#)
        var firstGroup = true
        for g in await status.ruleGroups() {
            if !groups.isEmpty && !groups.contains(g.name) { continue }
            if !files.isEmpty && !files.contains(g.file) { continue }
            let rules = g.rules.filter { r in
                if !names.isEmpty && !names.contains(r.name) { return false }
                switch r.kind {
                case .recording: return type != "alert"
                case .alerting: return type != "record"
                }
            }
            // Prometheus leaves out groups that have no rule left after filtering by name or type.
            if rules.isEmpty && (!names.isEmpty || !type.isEmpty) { continue }
            if !firstGroup { w.raw(",") }
            firstGroup = false
            w.raw(#"{"name":"#)
            w.string(g.name)
            w.raw(#","file":"#)
            w.string(g.file)
            w.raw(#","rules":["#)
            for (i, r) in rules.enumerated() {
                if i > 0 { w.raw(",") }
                Self.write(r, excludeAlerts: excludeAlerts, into: &w)
            }
            w.raw(#"],"interval":"#)
            w.raw(number: g.intervalSeconds)
            w.raw(#","limit":"#)
            w.int(g.limit)
            w.raw(#","evaluationTime":"#)
            w.raw(number: g.evaluationSeconds)
            w.raw(#","lastEvaluation":"#)
            w.string(RFC3339.format(g.lastEvaluation))
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }

    static func write(_ r: RuleInfo, excludeAlerts: Bool, into w: inout JSONWriter) {
        let health = r.lastError != nil ? "err" : (r.lastEvaluation == nil ? "unknown" : "ok")
        switch r.kind {
        case .recording:
            w.raw(#"{"name":"#)
            w.string(r.name)
            w.raw(#","query":"#)
            w.string(r.query)
            w.raw(#","labels":"#)
            w.labels(r.labels.items.map { ($0.name, $0.value) })
        case .alerting(let duration, let keepFiringFor, let annotations, let alerts):
            let state = alerts.contains { $0.state == "firing" } ? "firing" : (alerts.isEmpty ? "inactive" : "pending")
            w.raw(#"{"state":"#)
            w.string(state)
            w.raw(#","name":"#)
            w.string(r.name)
            w.raw(#","query":"#)
            w.string(r.query)
            w.raw(#","duration":"#)
            w.raw(number: duration)
            w.raw(#","keepFiringFor":"#)
            w.raw(number: keepFiringFor)
            w.raw(#","labels":"#)
            w.labels(r.labels.items.map { ($0.name, $0.value) })
            w.raw(#","annotations":"#)
            w.labels(annotations.items.map { ($0.name, $0.value) })
            if !excludeAlerts {
                w.raw(#","alerts":["#)
                for (i, a) in alerts.enumerated() {
                    if i > 0 { w.raw(",") }
                    write(a, into: &w)
                }
                w.raw("]")
            }
        }
        w.raw(#","health":"#)
        w.string(health)
        w.raw(#","lastError":"#)
        w.string(r.lastError ?? "")
        w.raw(#","evaluationTime":"#)
        w.raw(number: r.evaluationSeconds)
        w.raw(#","lastEvaluation":"#)
        w.string(RFC3339.format(r.lastEvaluation))
        w.raw(#","type":"#)
        if case .recording = r.kind { w.string("recording") } else { w.string("alerting") }
        w.raw("}")
    }

    static func write(_ a: AlertInfo, into w: inout JSONWriter) {
        w.raw(#"{"labels":"#)
        w.labels(a.labels.items.map { ($0.name, $0.value) })
        w.raw(#","annotations":"#)
        w.labels(a.annotations.items.map { ($0.name, $0.value) })
        w.raw(#","state":"#)
        w.string(a.state)
        w.raw(#","activeAt":"#)
        w.string(RFC3339.format(a.activeAt))
        if let since = a.keepFiringSince {
            w.raw(#","keepFiringSince":"#)
            w.string(RFC3339.format(since))
        }
        w.raw(#","value":"#)
        w.string(GoFloat.exponent(a.value))
        w.raw("}")
    }

    func alerts() async -> [UInt8] {
        var w = JSONWriter()
        w.raw(#"{"alerts":["#)
        var first = true
        for g in await status.ruleGroups() {
            for r in g.rules {
                guard case .alerting(_, _, _, let alerts) = r.kind else { continue }
                for a in alerts {
                    if !first { w.raw(",") }
                    first = false
                    Self.write(a, into: &w)
                }
            }
        }
        w.raw("]}")
        return w.bytes
    }

    // MARK: - envelope

    static func respond(_ request: Request, _ body: (APIParameters) async throws -> [UInt8]) async -> Response {
        await PrometheusQueryAPI.respond(request, body)
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text.isEmpty ? "" : text + "\n")))
    }
}

extension JSONWriter {
    /// A JSON number as Go's encoder writes a float64: shortest digits; non-finite values become 0.
    mutating func raw(number v: Double) {
        guard v.isFinite else {
            raw("0")
            return
        }
        bytesAppend(Array(PrometheusFloat.format(v).utf8))
    }
}

/// Times as Go's `time.Time` marshals to JSON (RFC 3339 with trimmed fractional seconds, UTC).
enum RFC3339 {
    /// The zero time `0001-01-01T00:00:00Z` for nil, as Prometheus prints a never-set time.
    static func format(_ t: Timestamp?) -> String {
        guard let t else { return "0001-01-01T00:00:00Z" }
        var seconds = t.ms / 1000
        var ms = t.ms % 1000
        if ms < 0 {
            ms += 1000
            seconds -= 1
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        var out = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
        out += "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        if ms != 0 {
            var frac = pad(Int32(ms), 3)
            while frac.hasSuffix("0") { frac.removeLast() }
            out += "." + frac
        }
        return out + "Z"
    }
}

/// Go's `strconv.FormatFloat(v, 'e', -1, 64)`, the format of alert values in the API (`1e+00`).
enum GoFloat {
    static func exponent(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0e+00" : "0e+00" }
        let plain = PrometheusFloat.format(abs(v))
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits: String
        let exp: Int
        if intPart != "0" {
            digits = intPart + fracPart
            exp = intPart.count - 1
        } else {
            let zeros = fracPart.prefix { $0 == "0" }.count
            digits = String(fracPart.dropFirst(zeros))
            exp = -(zeros + 1)
        }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let e = abs(exp) < 10 ? "0\(abs(exp))" : "\(abs(exp))"
        return (v < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + e
    }
}
