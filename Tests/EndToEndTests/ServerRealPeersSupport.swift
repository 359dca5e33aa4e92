import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Raw samples per series: series key (sorted `name=value` pairs, `__name__` included) → timestamp ms → value.
typealias SeriesSamples = [String: [Int64: Double]]

/// Peers and helpers for the `hearth server` end-to-end tests: the Python fixtures, the real peer
/// processes, exposition parsing and raw-sample comparison.
enum Peers {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Whether `python3` on PATH can import `module`.
    static func pythonHas(_ module: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import \(module)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Runs a fixture script with `python3` from PATH (env execs it, so the PID is Python's).
    static func python(_ script: String, _ args: [String], log: String) throws -> ChildProcess {
        try ChildProcess(
            "/usr/bin/env", ["python3", fixtures.appendingPathComponent(script).path] + args, logPath: log)
    }

    static func startReceive(dir: String, port: Int) throws -> ChildProcess {
        try ChildProcess(
            E2E.hearth(),
            [
                "receive", "--web.listen-address=127.0.0.1:\(port)", "--storage.path=\(dir)/receive",
                "--bucket.path=\(dir)/bucket",
            ],
            logPath: "\(dir)/receive-\(UUID().uuidString.prefix(6)).log")
    }

    static func startServer(dir: String, port: Int, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            E2E.hearth(),
            [
                "server", "--config.file=\(dir)/server.yml", "--web.listen-address=127.0.0.1:\(port)",
                "--storage.tsdb.path=\(dir)/server",
                // Restarts during an outage must not wait out the default one-minute flush deadline.
                "--storage.remote.flush-deadline=15s",
            ] + extra,
            logPath: "\(dir)/server-\(UUID().uuidString.prefix(6)).log")
    }

    /// Polls `check` every `every` until it returns true or `seconds` pass.
    static func eventually(_ seconds: Double, every: Duration = .milliseconds(500), _ check: () async throws -> Bool)
        async -> Bool
    {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if (try? await check()) == true { return true }
            try? await Task.sleep(for: every)
        } while Date() < deadline
        return false
    }

    /// Removes a test's directory unless HEARTH_E2E_KEEP is set (then its logs stay for a post-mortem).
    static func cleanUp(_ dir: String) {
        if ProcessInfo.processInfo.environment["HEARTH_E2E_KEEP"] != nil {
            print("kept \(dir)")
        } else {
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static var nowSeconds: Double { Date().timeIntervalSince1970 }

    static func key(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// A Prometheus-API query (`/api/v1/query` or `/api/v1/query_range`); returns `data`.
    static func api(_ base: String, _ path: String, _ params: [String: String]) async throws -> [String: Any] {
        var c = URLComponents(string: "\(base)\(path)")!
        c.queryItems = params.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // URLComponents leaves `+` alone, which a server reads as a space.
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let r = try await E2E.request(c.url!.absoluteString)
        guard r.status == 200, let json = try JSONSerialization.jsonObject(with: r.body) as? [String: Any],
            let data = json["data"] as? [String: Any]
        else { throw TestFailure("\(path) \(params) answered \(r.status): \(r.text.prefix(500))") }
        return data
    }

    /// Instant vector at `time`: series key → value.
    static func vector(_ base: String, _ promql: String, time: Double = nowSeconds) async throws -> [String: Double] {
        let data = try await api(base, "/api/v1/query", ["query": promql, "time": String(format: "%.3f", time)])
        var out: [String: Double] = [:]
        for item in data["result"] as? [[String: Any]] ?? [] {
            let metric = item["metric"] as? [String: String] ?? [:]
            out[key(metric)] = Double(((item["value"] as? [Any])?.last as? String) ?? "")
        }
        return out
    }

    /// Every raw sample of `selector` in `(time - range, time]` via an instant range-vector query;
    /// NaN (stale markers) left out.
    static func rawSamples(_ base: String, _ selector: String, rangeSeconds: Int, at time: Double) async throws
        -> SeriesSamples
    {
        let data = try await api(
            base, "/api/v1/query", ["query": "\(selector)[\(rangeSeconds)s]", "time": String(format: "%.3f", time)])
        return matrix(data["result"] as? [[String: Any]] ?? [])
    }

    static func matrix(_ result: [[String: Any]]) -> SeriesSamples {
        var out: SeriesSamples = [:]
        for item in result {
            let k = key(item["metric"] as? [String: String] ?? [:])
            var samples: [Int64: Double] = [:]
            for pair in item["values"] as? [[Any]] ?? [] {
                guard pair.count == 2, let t = (pair[0] as? NSNumber)?.doubleValue, let s = pair[1] as? String,
                    let v = Double(s), !v.isNaN
                else { continue }
                samples[Int64((t * 1000).rounded())] = v
            }
            out[k] = samples
        }
        return out
    }

    /// VictoriaMetrics' raw export of `match` in `[start, end]` seconds; also counts samples stored twice.
    static func victoriaExport(_ base: String, match: String, start: Double, end: Double) async throws
        -> (samples: SeriesSamples, duplicates: Int)
    {
        var c = URLComponents(string: "\(base)/api/v1/export")!
        c.queryItems = [
            URLQueryItem(name: "match[]", value: match),
            URLQueryItem(name: "start", value: String(format: "%.3f", start)),
            URLQueryItem(name: "end", value: String(format: "%.3f", end)),
        ]
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let r = try await E2E.request(c.url!.absoluteString)
        guard r.status == 200 else {
            throw TestFailure("victoria-metrics export answered \(r.status): \(r.text.prefix(300))")
        }
        var out: SeriesSamples = [:]
        var duplicates = 0
        for line in r.text.split(separator: "\n") where !line.isEmpty {
            // Stale markers may be exported as bare NaN, which JSON does not allow.
            let fixed = line.replacingOccurrences(of: "NaN", with: "null")
            guard let obj = try JSONSerialization.jsonObject(with: Data(fixed.utf8)) as? [String: Any] else { continue }
            let k = key(obj["metric"] as? [String: String] ?? [:])
            let values = obj["values"] as? [Any] ?? []
            let stamps = obj["timestamps"] as? [NSNumber] ?? []
            var samples = out[k] ?? [:]
            for (t, v) in zip(stamps, values) {
                guard let v = (v as? NSNumber)?.doubleValue, !v.isNaN else { continue }
                if samples[t.int64Value] != nil { duplicates += 1 }
                samples[t.int64Value] = v
            }
            out[k] = samples
        }
        return (out, duplicates)
    }

    /// Differences of `got` from `want` for samples with timestamps in `[from, to]` ms: missing series,
    /// missing or extra samples, different values. Empty when they agree.
    /// - Parameter relativeTolerance: 0 for exact comparison; VictoriaMetrics keeps about 15 significant
    ///   digits, so its values are compared within 1e-13.
    static func diff(
        want: SeriesSamples, got: SeriesSamples, from: Int64, to: Int64, relativeTolerance: Double = 0, limit: Int = 12
    ) -> [String] {
        var problems: [String] = []
        var missing = 0
        var extra = 0
        var wrong = 0
        var compared = 0
        for k in Set(want.keys).union(got.keys).sorted() {
            let w = (want[k] ?? [:]).filter { $0.key >= from && $0.key <= to }
            let g = (got[k] ?? [:]).filter { $0.key >= from && $0.key <= to }
            if w.isEmpty && g.isEmpty { continue }
            compared += w.count
            for (t, v) in w.sorted(by: { $0.key < $1.key }) {
                guard let gv = g[t] else {
                    missing += 1
                    if problems.count < limit { problems.append("missing \(k) @\(t) = \(v)") }
                    continue
                }
                if gv != v && !(relativeTolerance > 0 && abs(gv - v) <= relativeTolerance * max(abs(v), abs(gv))) {
                    wrong += 1
                    if problems.count < limit { problems.append("value \(k) @\(t): want \(v), got \(gv)") }
                }
            }
            for (t, v) in g where w[t] == nil {
                extra += 1
                if problems.count < limit { problems.append("extra \(k) @\(t) = \(v)") }
            }
        }
        if missing + extra + wrong == 0 { return [] }
        return ["\(compared) samples compared: \(missing) missing, \(extra) extra, \(wrong) with other values"]
            + problems
    }

    static func sampleCount(_ s: SeriesSamples, from: Int64, to: Int64) -> Int {
        s.values.reduce(0) { $0 + $1.keys.filter { $0 >= from && $0 <= to }.count }
    }

    /// The value of `name{…}` lines in a Prometheus text page whose labels include all of `labels`.
    static func metricValue(_ text: String, _ name: String, labels: [String: String] = [:]) -> Double? {
        let page = Exposition(text)
        var total: Double?
        for (k, v) in page.samples {
            let l = page.labels[k] ?? [:]
            guard l["__name__"] == name, labels.allSatisfy({ l[$0.key] == $0.value }) else { continue }
            total = (total ?? 0) + v
        }
        return total
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A parsed text-format 0.0.4 or OpenMetrics page: each sample line as series key → value, and
/// `# TYPE` lines as family → type. Written independently of Hearth's parser on purpose.
struct Exposition {
    var samples: [String: Double] = [:]
    var labels: [String: [String: String]] = [:]
    var types: [String: String] = [:]

    init(_ text: String) {
        for raw in text.split(separator: "\n") {
            let line = Substring(raw)
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let (l, rest) = Self.series(line), let token = rest.split(separator: " ").first,
                let v = Double(token)
            else { continue }
            let k = Peers.key(l)
            samples[k] = v
            labels[k] = l
        }
    }

    /// Name and labels of a sample line, and the text after them.
    static func series(_ line: Substring) -> ([String: String], Substring)? {
        var i = line.startIndex
        while i < line.endIndex && line[i] != "{" && line[i] != " " { i = line.index(after: i) }
        var l = ["__name__": String(line[..<i])]
        guard i < line.endIndex else { return nil }
        if line[i] == "{" {
            i = line.index(after: i)
            while i < line.endIndex && line[i] != "}" {
                if line[i] == "," || line[i] == " " {
                    i = line.index(after: i)
                    continue
                }
                let nameStart = i
                while i < line.endIndex && line[i] != "=" { i = line.index(after: i) }
                let name = String(line[nameStart..<i])
                i = line.index(i, offsetBy: 2)  // `="`
                var value = ""
                while i < line.endIndex && line[i] != "\"" {
                    if line[i] == "\\" {
                        i = line.index(after: i)
                        value.append(line[i] == "n" ? "\n" : line[i])
                    } else {
                        value.append(line[i])
                    }
                    i = line.index(after: i)
                }
                i = line.index(after: i)
                // An empty label value is the same as no label (Prometheus drops it).
                if !value.isEmpty { l[name] = value }
            }
            i = line.index(after: i)
        }
        return (l, line[i...].drop { $0 == " " })
    }

    /// Whether the sample named `name` belongs to a counter family (so it can only go up).
    func isCounter(_ name: String) -> Bool {
        for suffix in ["", "_total", "_created"] where name.hasSuffix(suffix) {
            if types[String(name.dropLast(suffix.count))] == "counter" { return true }
        }
        return false
    }
}
