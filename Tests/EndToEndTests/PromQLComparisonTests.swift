import Foundation
import Testing

/// The same data in a real Prometheus 2.42 and in `hearth server`; `/api/v1/query` and `/api/v1/query_range` must
/// answer alike. Skips when the Debian `prometheus` package is absent.
///
/// The data is written as OpenMetrics text and turned into blocks by `promtool tsdb create-blocks-from
/// openmetrics`; each server gets its own copy of the blocks. Samples sit 15s apart at odd offsets (x.3xx seconds)
/// and evaluation times at whole seconds ending in :30, so no sample or subquery point falls on a window boundary:
/// there Prometheus 2 (closed windows) and 3 (left-open windows, which Hearth follows) would differ. Functions and
/// features that differ between 2.42 and 3.x (holt_winters, limitk, sort_by_label, info, ...) are left out.
/// Wall time: about 30s (promtool ~10s, two server starts, ~250 HTTP queries).
@Suite(.serialized) struct PromQLComparisonTests {
    static let stepSeconds = 15
    static let hours = 3

    @Test func hearthAnswersLikePrometheus() async throws {
        guard let prometheus = E2E.executable("prometheus"), let promtool = E2E.executable("promtool") else {
            print("skipping: prometheus/promtool not installed (apt-get install prometheus)")
            return
        }
        let dir = E2E.temporaryDirectory("promql-compare")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Data ends an hour ago, so the servers' heads (empty) never overlap it.
        let now = Int(Date().timeIntervalSince1970)
        let end = (now / 3600 - 1) * 3600
        let start = end - Self.hours * 3600
        // Generating ~200k lines is CPU work: done on a Dispatch thread, it leaves Swift's cooperative pool (shared
        // with every other test's awaits) free.
        let clock = ContinuousClock.now
        let written: Bool = await withCheckedContinuation { done in
            DispatchQueue.global().async {
                let data = DatasetWriter(startSeconds: start, endSeconds: end, stepSeconds: Self.stepSeconds)
                    .openMetrics()
                done.resume(returning: FileManager.default.createFile(atPath: "\(dir)/data.om", contents: Data(data.utf8)))
            }
        }
        try #require(written, "cannot write \(dir)/data.om")
        print("PROMQL-COMPARE dataset written in \(ContinuousClock.now - clock)")

        let create = try ChildProcess(
            promtool, ["tsdb", "create-blocks-from", "openmetrics", "\(dir)/data.om", "\(dir)/blocks"],
            logPath: "\(dir)/promtool.log")
        create.process.waitUntilExit()
        try #require(create.process.terminationStatus == 0, "promtool failed:\n\(create.log)")
        for copy in ["prom", "hearth"] {
            try FileManager.default.copyItem(atPath: "\(dir)/blocks", toPath: "\(dir)/\(copy)")
        }
        try "global: {scrape_interval: 1h}\nscrape_configs: []\n".write(
            toFile: "\(dir)/empty.yml", atomically: true, encoding: .utf8)

        let (promPort, hearthPort) = (E2E.freePort(), E2E.freePort())
        let prom = try ChildProcess(
            prometheus,
            ["--config.file=\(dir)/empty.yml", "--storage.tsdb.path=\(dir)/prom", "--storage.tsdb.retention.time=10y",
             "--web.listen-address=127.0.0.1:\(promPort)"],
            logPath: "\(dir)/prometheus.log")
        defer { prom.terminate() }
        let hearth = try ChildProcess(
            E2E.hearth(),
            ["server", "--config.file=\(dir)/empty.yml", "--storage.tsdb.path=\(dir)/hearth",
             "--storage.tsdb.retention.time=10y", "--web.listen-address=127.0.0.1:\(hearthPort)"],
            logPath: "\(dir)/hearth.log")
        defer { hearth.terminate() }
        let promBase = "http://127.0.0.1:\(promPort)", hearthBase = "http://127.0.0.1:\(hearthPort)"
        try #require(await E2E.waitUntilUp("\(promBase)/-/ready", seconds: 90), "prometheus did not start:\n\(prom.log)")
        try #require(
            await E2E.waitUntilUp("\(hearthBase)/-/ready", seconds: 90), "hearth did not start:\n\(hearth.log)")

        // Both must see the whole dataset before answers are compared.
        let count = "count({__name__=~\".+\"})"
        let expectedSeries = DatasetWriter(startSeconds: start, endSeconds: end, stepSeconds: Self.stepSeconds)
            .seriesCount
        for base in [promBase, hearthBase] {
            let r = try await Self.get(base, ["query": count, "time": "\(end - 60)"])
            let n = Self.vectorValues(r).values.first.flatMap(Double.init) ?? 0
            #expect(Int(n) == expectedSeries, "\(base) sees \(n) series, want \(expectedSeries): \(r)")
        }

        let rangeStart = start + 40 * 60 + 30
        let rangeEnd = end - 5 * 60 + 30
        let instants = [start + 75 * 60 + 30, start + 130 * 60 + 30, end - 10 * 60 + 30]
        var compared = 0
        for q in Self.queries(at: start + 100 * 60 + 30) {
            var sawData = false
            defer { if !sawData { Issue.record("\(q.text) returned no data from prometheus: a vacuous comparison") } }
            for t in instants {
                let params = ["query": q.text, "time": "\(t)"]
                let want = try await Self.get(promBase, params), got = try await Self.get(hearthBase, params)
                sawData = sawData || Self.hasData(want)
                if let problem = Self.compare(got: got, want: want, ordered: q.ordered) {
                    Issue.record("instant \(q.text) at \(t): \(problem)\n  prometheus: \(Self.clip(want))\n  hearth: \(Self.clip(got))")
                }
                compared += 1
            }
            guard q.range else { continue }
            let params = ["query": q.text, "start": "\(rangeStart)", "end": "\(rangeEnd)", "step": "60"]
            let want = try await Self.get(promBase, params, range: true)
            let got = try await Self.get(hearthBase, params, range: true)
            if let problem = Self.compare(got: got, want: want, ordered: false) {
                Issue.record("range \(q.text): \(problem)\n  prometheus: \(Self.clip(want))\n  hearth: \(Self.clip(got))")
            }
            compared += 1
        }
        for q in Self.formatQueries {
            let url = "/api/v1/format_query?query=" + q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let want = try await E2E.request(promBase + url), got = try await E2E.request(hearthBase + url)
            let wantData = (try? JSONSerialization.jsonObject(with: want.body) as? [String: Any])?["data"] as? String
            let gotData = (try? JSONSerialization.jsonObject(with: got.body) as? [String: Any])?["data"] as? String
            #expect(got.status == want.status, "format_query \(q): status \(got.status), want \(want.status)")
            #expect(gotData == wantData, "format_query \(q):\n\(gotData ?? got.text)\nwant:\n\(wantData ?? want.text)")
            compared += 1
        }
        print("PROMQL-COMPARE compared \(compared) answers")
        #expect(compared > 150)
    }

    struct Query {
        var text: String
        /// Also compare as a range query (instant-only for range-vector results).
        var range = true
        /// Prometheus defines the instant-result order (sort, sort_desc, topk).
        var ordered = false
    }

    /// ~45 queries over the dataset; `at` is an `@` time inside the data that sits on no boundary.
    static func queries(at: Int) -> [Query] {
        let rate = "rate(http_requests_total[5m])"
        return [
            Query(text: "http_requests_total"),
            Query(text: "memory_bytes{job=~\"api|db\"}"),
            Query(text: "http_requests_total[2m]", range: false),
            Query(text: rate),
            Query(text: "irate(http_requests_total{code=\"500\"}[3m])"),
            Query(text: "increase(http_requests_total{method=\"post\"}[10m])"),
            Query(text: "delta(memory_bytes[7m])"),
            Query(text: "idelta(cpu_temp_celsius{core=\"1\"}[2m])"),
            Query(text: "deriv(memory_bytes[15m])"),
            Query(text: "predict_linear(memory_bytes[30m], 3600)"),
            Query(text: "resets(http_requests_total[1h])"),
            Query(text: "changes(up[1h])"),
            Query(text: "avg_over_time(cpu_temp_celsius[10m])"),
            Query(text: "max_over_time(memory_bytes[20m]) - min_over_time(memory_bytes[20m])"),
            Query(text: "sum_over_time(up[30m]) / count_over_time(up[30m])"),
            Query(text: "quantile_over_time(0.9, cpu_temp_celsius{job=\"web\"}[30m])"),
            Query(text: "stddev_over_time(memory_bytes[30m])"),
            Query(text: "stdvar_over_time(cpu_temp_celsius{core=\"0\"}[15m])"),
            Query(text: "last_over_time(memory_bytes{instance=\"i1\"}[5m])"),
            Query(text: "present_over_time(up{job=\"db\"}[5m])"),
            Query(text: "absent_over_time(nonexistent_metric{job=\"x\"}[5m])"),
            Query(text: "sum by (job) (\(rate))"),
            Query(text: "sum without (instance, method) (\(rate))"),
            Query(text: "avg by (job, instance) (cpu_temp_celsius)"),
            Query(text: "max by (code) (\(rate))"),
            Query(text: "min(memory_bytes) by (job)"),
            Query(text: "count by (job) (up == 1)"),
            Query(text: "group by (job, code) (http_requests_total)"),
            Query(text: "stddev by (job) (cpu_temp_celsius)"),
            Query(text: "quantile by (job) (0.75, \(rate))"),
            Query(text: "count_values(\"state\", up)"),
            // topk/bottomk over gauges with random decimals: counter rates tie (integer increases), and which of
            // two tied series 2.42 keeps depends on Go map order, so rates would make the answer a coin toss.
            Query(text: "topk(3, avg by (job, instance) (cpu_temp_celsius))", ordered: true),
            Query(text: "topk by (job) (1, max_over_time(cpu_temp_celsius[10m]))", ordered: false),
            Query(text: "bottomk(2, memory_bytes)", ordered: true),
            Query(text: "sort_desc(sum by (instance) (\(rate)))", ordered: true),
            Query(text: "sort(avg by (job) (memory_bytes))", ordered: true),
            Query(
                text:
                    "sum by (job, instance, code) (\(rate)) / ignoring(code) group_left sum by (job, instance) (\(rate))"),
            Query(text: "memory_bytes * on(job, instance) group_left(version) build_info"),
            Query(text: "cpu_temp_celsius > bool 60"),
            Query(text: "cpu_temp_celsius > 55 < 70"),
            Query(text: "up == 0 or memory_bytes{job=\"web\"}"),
            Query(text: "memory_bytes and on(job, instance) up == 1"),
            Query(text: "http_requests_total{code=\"200\"} unless on(job, instance) up == 0"),
            Query(text: "histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))"),
            Query(text: "histogram_quantile(0.5, rate(request_duration_seconds_bucket{job=\"api\"}[10m]))"),
            Query(
                text:
                    "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])"),
            Query(text: "label_replace(up, \"host\", \"$1\", \"instance\", \"i(.*)\")"),
            Query(text: "label_join(memory_bytes, \"id\", \"-\", \"job\", \"instance\")"),
            Query(text: "memory_bytes offset 17m"),
            Query(text: "rate(http_requests_total{code=\"404\"}[5m] offset 30m)"),
            Query(text: "memory_bytes{instance=\"i2\"} @ \(at)"),
            Query(text: "max_over_time(rate(http_requests_total{job=\"api\",code=\"200\"}[5m])[30m:1m])"),
            Query(text: "avg_over_time(sum by (job) (memory_bytes)[20m:2m])"),
            Query(text: "absent(nonexistent_metric{job=\"x\"})"),
            Query(text: "scalar(sum(up)) * 2"),
            Query(text: "time() - timestamp(up{instance=\"i0\"})"),
            Query(text: "hour(timestamp(memory_bytes{instance=\"i3\"})) * 60 + minute(timestamp(memory_bytes{instance=\"i3\"}))"),
            Query(text: "day_of_week() + day_of_month() + month()"),
            Query(text: "abs(-memory_bytes) / 1e6"),
            Query(text: "round(ln(memory_bytes) * sqrt(memory_bytes / 1e6), 0.001)"),
            Query(text: "clamp(cpu_temp_celsius, 50, 65) + clamp_min(cpu_temp_celsius, 60) - clamp_max(cpu_temp_celsius, 55)"),
            Query(text: "exp(cpu_temp_celsius / 100) ^ 2 % 7"),
            Query(text: "1 + 2 * 3"),
        ]
    }

    /// `format_query` inputs: canonical spacing, long expressions split over lines, and a parse error.
    static let formatQueries = [
        "sum(rate(http_requests_total[5m]))by(job)",
        "a+on(job)group_left(version)b offset 1h30m",
        "-x @ 1700000000 > bool 0.5",
        #"sum by (job) (rate(http_requests_total{job="api-server"}[5m])) / on(job) group_left sum by (job) (rate(http_requests_total[5m] offset 1h)) > 0.5"#,
        #"label_replace(sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m])), "dst", "$1", "instance", "(.*):.*")"#,
        #"topk(5, sum without (instance, pod, container) (rate(container_cpu_usage_seconds_total{namespace="production"}[5m])))"#,
        "max_over_time(rate(http_requests_total[5m])[30m:1m])",
        "sum(rate(x[5m]",
    ]

    // MARK: - HTTP and comparison

    static func get(_ base: String, _ params: [String: String], range: Bool = false) async throws -> [String: Any] {
        var c = URLComponents(string: "\(base)/api/v1/\(range ? "query_range" : "query")")!
        c.queryItems = params.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // URLComponents leaves '+' alone; a form decoder reads it as a space.
        let url = c.url!.absoluteString.replacingOccurrences(of: "+", with: "%2B")
        let r = try await E2E.request(url)
        guard let json = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any] else {
            return ["status": "unparsable", "body": r.text]
        }
        return json
    }

    static func hasData(_ r: [String: Any]) -> Bool {
        guard let data = r["data"] as? [String: Any] else { return false }
        if let list = data["result"] as? [Any] { return !list.isEmpty }
        return false
    }

    static func clip(_ v: [String: Any]) -> String {
        let text = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys])).map {
            String(decoding: $0, as: UTF8.self)
        } ?? "\(v)"
        return text.count > 800 ? String(text.prefix(800)) + "…" : text
    }

    static func vectorValues(_ r: [String: Any]) -> [String: String] {
        let result = ((r["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        return E2E.vector(result)
    }

    static func key(_ item: [String: Any]) -> String {
        let metric = (item["metric"] as? [String: String]) ?? [:]
        return metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Values equal as floats within 1e-9 relative (1e-12 absolute near zero: sums that cancel differ by
    /// summation order, Kahan in 3.x and Hearth, plain in 2.42); NaN equals NaN.
    static func close(_ a: String, _ b: String) -> Bool {
        guard let x = Double(a.replacingOccurrences(of: "+Inf", with: "inf")),
            let y = Double(b.replacingOccurrences(of: "+Inf", with: "inf"))
        else { return a == b }
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        if x == y { return true }
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y)) || abs(x - y) < 1e-12
    }

    static func point(_ p: Any?) -> (Double, String)? {
        guard let a = p as? [Any], a.count == 2, let v = a[1] as? String else { return nil }
        return ((a[0] as? NSNumber)?.doubleValue ?? .nan, v)
    }

    /// nil when `got` answers like `want`, else what differs.
    static func compare(got: [String: Any], want: [String: Any], ordered: Bool) -> String? {
        guard want["status"] as? String == "success" else { return "prometheus failed: \(clip(want))" }
        guard got["status"] as? String == "success" else { return "hearth failed" }
        let wd = want["data"] as! [String: Any], gd = got["data"] as! [String: Any]
        guard let type = wd["resultType"] as? String, type == gd["resultType"] as? String else {
            return "resultType \(gd["resultType"] ?? "nil"), want \(wd["resultType"] ?? "nil")"
        }
        switch type {
        case "scalar", "string":
            guard let w = point(wd["result"]), let g = point(gd["result"]) else { return "bad \(type) result" }
            return w.0 == g.0 && close(g.1, w.1) ? nil : "\(type) \(g), want \(w)"
        case "vector":
            let w = wd["result"] as! [[String: Any]], g = gd["result"] as! [[String: Any]]
            if Set(w.map(key)) != Set(g.map(key)) || w.count != g.count {
                return "series \(g.map(key).sorted()), want \(w.map(key).sorted())"
            }
            let wv = Dictionary(w.map { (key($0), point($0["value"])!) }, uniquingKeysWith: { a, _ in a })
            for item in g {
                let p = point(item["value"])!, e = wv[key(item)]!
                if p.0 != e.0 || !close(p.1, e.1) { return "\(key(item)): \(p), want \(e)" }
            }
            if ordered {
                // Ties may be ordered either way; the value sequence must agree.
                let gs = g.map { point($0["value"])!.1 }, ws = w.map { point($0["value"])!.1 }
                if zip(gs, ws).contains(where: { !close($0, $1) }) { return "order \(gs), want \(ws)" }
            }
            return nil
        default:
            let w = wd["result"] as! [[String: Any]], g = gd["result"] as! [[String: Any]]
            if Set(w.map(key)) != Set(g.map(key)) || w.count != g.count {
                return "series \(g.map(key).sorted()), want \(w.map(key).sorted())"
            }
            let wv = Dictionary(w.map { (key($0), $0["values"] as! [Any]) }, uniquingKeysWith: { a, _ in a })
            for item in g {
                let gp = (item["values"] as! [Any]).map { point($0)! }, wp = wv[key(item)]!.map { point($0)! }
                if gp.count != wp.count { return "\(key(item)): \(gp.count) points, want \(wp.count)" }
                for (a, b) in zip(gp, wp) where a.0 != b.0 || !close(a.1, b.1) {
                    return "\(key(item)) at \(b.0): \(a.1), want \(b.1)"
                }
            }
            return nil
        }
    }
}

/// A deterministic dataset in OpenMetrics text: counters with resets, gauges, classic histograms, several jobs and
/// instances, one sample every `stepSeconds` at odd sub-second offsets.
struct DatasetWriter {
    let startSeconds: Int
    let endSeconds: Int
    let stepSeconds: Int
    let jobs = ["api", "web", "db"]
    let instances = ["i0", "i1", "i2", "i3"]
    let codes = ["200", "404", "500"]
    let methods = ["get", "post"]
    let bounds = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]

    var seriesCount: Int {
        let targets = jobs.count * instances.count
        // requests, memory, cpu cores, up, build_info, buckets, _sum, _count
        return targets * (codes.count * methods.count + 1 + 4 + 1 + 1 + bounds.count + 2)
    }

    /// xorshift64*: the same numbers on every run.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
    }

    /// Sample times of series number `k`: 7.3s past the grid plus a per-series sub-second shift, never a whole second.
    func times(_ k: Int) -> [String] {
        let shiftMs = 7300 + (k * 37) % 600
        var out: [String] = []
        var t = startSeconds * 1000 + shiftMs
        while t < endSeconds * 1000 {
            let ms = t % 1000
            out.append("\(t / 1000).\(ms < 10 ? "00" : ms < 100 ? "0" : "")\(ms)")
            t += stepSeconds * 1000
        }
        return out
    }

    func labels(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }

    /// Shortest round-trip text; whole numbers without a fraction.
    func number(_ v: Double) -> String {
        if v == .infinity { return "+Inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    func openMetrics() -> String {
        var out = ""
        var k = 0
        var rng = Random(state: 0x9E37_79B9_7F4A_7C15)
        func family(_ name: String, _ body: () -> Void) {
            out += "# TYPE \(name) unknown\n"
            body()
        }
        family("http_requests_total") {
            for job in jobs {
                for instance in instances {
                    for code in codes {
                        for method in methods {
                            let l = labels([("job", job), ("instance", instance), ("code", code), ("method", method)])
                            let scale = code == "200" ? 10.0 : code == "404" ? 2.0 : 0.5
                            var v = 0.0
                            for t in times(k) {
                                if rng.next() < 0.004 { v = 0 }  // a counter reset
                                v += (rng.next() * scale * 2).rounded()
                                out += "http_requests_total\(l) \(number(v)) \(t)\n"
                            }
                            k += 1
                        }
                    }
                }
            }
        }
        family("memory_bytes") {
            for (j, job) in jobs.enumerated() {
                for (i, instance) in instances.enumerated() {
                    let base = Double(100 + 50 * j + 10 * i) * 1_000_000
                    for (n, t) in times(k).enumerated() {
                        let v = base + 2e7 * sin(Double(n) / 40 + Double(i)) + Double(n) * 1500 + rng.next() * 1e5
                        out += "memory_bytes\(labels([("job", job), ("instance", instance)])) \(number(v)) \(t)\n"
                    }
                    k += 1
                }
            }
        }
        family("cpu_temp_celsius") {
            for job in jobs {
                for instance in instances {
                    for core in 0..<4 {
                        let l = labels([("job", job), ("instance", instance), ("core", "\(core)")])
                        for (n, t) in times(k).enumerated() {
                            let v = 58 + 8 * sin(Double(n) / 25 + Double(core)) + rng.next() * 3
                            out += "cpu_temp_celsius\(l) \(number(v)) \(t)\n"
                        }
                        k += 1
                    }
                }
            }
        }
        family("up") {
            for job in jobs {
                for instance in instances {
                    var v = 1.0
                    for t in times(k) {
                        if rng.next() < 0.01 { v = 1 - v }
                        out += "up\(labels([("job", job), ("instance", instance)])) \(number(v)) \(t)\n"
                    }
                    k += 1
                }
            }
        }
        family("build_info") {
            for job in jobs {
                for (i, instance) in instances.enumerated() {
                    let l = labels([("job", job), ("instance", instance), ("version", "1.\(i % 2)")])
                    for t in times(k) { out += "build_info\(l) 1 \(t)\n" }
                    k += 1
                }
            }
        }
        histogram(&out, &k, &rng)
        out += "# EOF\n"
        return out
    }

    /// `request_duration_seconds` as classic histogram series (`_bucket` with `le`, `_sum`, `_count`).
    func histogram(_ out: inout String, _ k: inout Int, _ rng: inout Random) {
        let upper = bounds.map { $0 == "+Inf" ? Double.infinity : Double($0)! }
        var series: [(labels: String, lines: [String])] = []
        var sums: [(String, [String])] = []
        var counts: [(String, [String])] = []
        for job in jobs {
            for instance in instances {
                let firstK = k
                k += bounds.count + 2
                let ts = times(firstK)
                var cumulative = [Double](repeating: 0, count: bounds.count)
                var sum = 0.0
                var bucketLines = [[String]](repeating: [], count: bounds.count)
                var sumLines: [String] = [], countLines: [String] = []
                for t in ts {
                    let observations = Int(rng.next() * 20)
                    for _ in 0..<observations {
                        let x = -log(max(rng.next(), 1e-9)) * (job == "db" ? 0.6 : 0.2)
                        sum += x
                        for (b, u) in upper.enumerated() where x <= u { cumulative[b] += 1 }
                    }
                    for b in bounds.indices { bucketLines[b].append("\(number(cumulative[b])) \(t)") }
                    sumLines.append("\(number(sum)) \(t)")
                    countLines.append("\(number(cumulative[bounds.count - 1])) \(t)")
                }
                for (b, le) in bounds.enumerated() {
                    series.append((labels([("job", job), ("instance", instance), ("le", le)]), bucketLines[b]))
                }
                sums.append((labels([("job", job), ("instance", instance)]), sumLines))
                counts.append((labels([("job", job), ("instance", instance)]), countLines))
            }
        }
        out += "# TYPE request_duration_seconds_bucket unknown\n"
        for s in series { for line in s.lines { out += "request_duration_seconds_bucket\(s.labels) \(line)\n" } }
        out += "# TYPE request_duration_seconds_sum unknown\n"
        for s in sums { for line in s.1 { out += "request_duration_seconds_sum\(s.0) \(line)\n" } }
        out += "# TYPE request_duration_seconds_count unknown\n"
        for s in counts { for line in s.1 { out += "request_duration_seconds_count\(s.0) \(line)\n" } }
    }
}
