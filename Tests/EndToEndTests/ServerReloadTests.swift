import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hearth server` reloads prometheus.yml and its rule files on SIGHUP and `POST /-/reload`, shows the
/// result in `/api/v1/targets` and `/api/v1/rules`, and refuses a broken file with 500 while the old
/// configuration keeps scraping. The server scrapes itself every second. About 20-40 s.
@Suite(.serialized) struct ServerReloadTests {
    struct Server {
        let dir: String
        let base: String
        let port: Int
        let child: ChildProcess

        func writeConfig(_ text: String) throws {
            try text.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        }

        func json(_ path: String) async throws -> [String: Any] {
            let r = try await E2E.request(base + path)
            guard r.status == 200, let object = try JSONSerialization.jsonObject(with: r.body) as? [String: Any],
                let data = object["data"] as? [String: Any]
            else {
                throw ValidationFailure("GET \(path): \(r.status) \(r.text)")
            }
            return data
        }

        /// `scrapePool → [health]` of the active targets.
        func targets() async throws -> [String: [String]] {
            let data = try await json("/api/v1/targets")
            var out: [String: [String]] = [:]
            for t in data["activeTargets"] as? [[String: Any]] ?? [] {
                out[t["scrapePool"] as? String ?? "?", default: []].append(t["health"] as? String ?? "?")
            }
            return out
        }

        /// `group → [rule name]`.
        func rules() async throws -> [String: [String]] {
            let data = try await json("/api/v1/rules")
            var out: [String: [String]] = [:]
            for g in data["groups"] as? [[String: Any]] ?? [] {
                out[g["name"] as? String ?? "?"] = (g["rules"] as? [[String: Any]] ?? []).map { $0["name"] as? String ?? "?" }
            }
            return out
        }

        func metric(_ name: String) async throws -> Double? {
            let text = try await E2E.request(base + "/metrics").text
            for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
                return Double(line.split(separator: " ")[1])
            }
            return nil
        }

        func lastScrape(pool: String) async throws -> String? {
            let data = try await json("/api/v1/targets")
            let t = (data["activeTargets"] as? [[String: Any]] ?? []).first { $0["scrapePool"] as? String == pool }
            return t?["lastScrape"] as? String
        }
    }

    struct ValidationFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func config(port: Int, jobs: [String], ruleFiles: [String] = []) -> String {
        var text = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
        for job in jobs {
            text += "  - job_name: \(job)\n    static_configs:\n      - targets: ['127.0.0.1:\(port)']\n"
        }
        if !ruleFiles.isEmpty { text += "rule_files:\n" + ruleFiles.map { "  - \($0)\n" }.joined() }
        return text
    }

    /// Polls `check` every 250 ms until it is true or `seconds` pass.
    static func eventually(_ seconds: Double = 60, _ check: () async throws -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await check()) == true { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// `instance/job → activeAt` of the alerts.
    static func activeAt(_ server: Server) async throws -> [String: String] {
        let alerts = try await server.json("/api/v1/alerts")["alerts"] as? [[String: Any]] ?? []
        var out: [String: String] = [:]
        for a in alerts {
            let labels = a["labels"] as? [String: String] ?? [:]
            out["\(labels["instance"] ?? "")/\(labels["job"] ?? "")"] = a["activeAt"] as? String
        }
        return out
    }

    @Test func reloadAppliesJobsAndRulesAndRefusesBrokenConfig() async throws {
        let dir = E2E.temporaryDirectory("reload")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = E2E.freePort()
        try Self.config(port: port, jobs: ["self"]).write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            E2E.hearth(),
            [
                "server", "--config.file=\(dir)/prometheus.yml", "--web.listen-address=127.0.0.1:\(port)",
                "--storage.tsdb.path=\(dir)/data",
            ], logPath: dir + "/server.log")
        defer { child.terminate() }
        let server = Server(dir: dir, base: "http://127.0.0.1:\(port)", port: port, child: child)
        #expect(await E2E.waitUntilUp(server.base + "/-/ready", seconds: 180), "server did not start: \(child.log)")
        #expect(await Self.eventually { try await server.targets() == ["self": ["up"]] })
        #expect(try await server.rules().isEmpty)

        // 1. SIGHUP: a second job and a rule file.
        try """
            groups:
              - name: reload
                rules:
                  - record: job:up:sum
                    expr: sum by (job) (up)
                  - alert: TargetUp
                    expr: up == 1
                    labels: {severity: none}
            """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try server.writeConfig(Self.config(port: port, jobs: ["self", "second"], ruleFiles: ["rules.yml"]))
        kill(child.process.processIdentifier, SIGHUP)
        #expect(await Self.eventually { try await server.targets() == ["second": ["up"], "self": ["up"]] }, "\(child.log)")
        #expect(await Self.eventually { try await server.rules() == ["reload": ["job:up:sum", "TargetUp"]] }, "\(child.log)")
        // The alert fires (no `for`) and shows in /api/v1/alerts.
        #expect(
            await Self.eventually {
                let alerts = try await server.json("/api/v1/alerts")["alerts"] as? [[String: Any]] ?? []
                return alerts.count == 2 && alerts.allSatisfy { $0["state"] as? String == "firing" }
            })
        #expect(try await server.metric("prometheus_config_last_reload_successful") == 1)
        // A reload that leaves the rule as it is keeps its alerts (same activeAt), as Prometheus does.
        let activeAt = try await Self.activeAt(server)
        try server.writeConfig(Self.config(port: port, jobs: ["self", "second", "extra"], ruleFiles: ["rules.yml"]))
        #expect(try await E2E.request(server.base + "/-/reload", method: "POST").status == 200)
        #expect(try await server.targets().keys.sorted() == ["extra", "second", "self"])
        let kept = try await Self.activeAt(server)
        #expect(!activeAt.isEmpty && activeAt.keys.allSatisfy { kept[$0] == activeAt[$0] }, "\(activeAt) vs \(kept)")

        // 2. POST /-/reload: drop the first job, change the rule file.
        try """
            groups:
              - name: changed
                rules:
                  - record: job:up:count
                    expr: count by (job) (up)
            """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try server.writeConfig(Self.config(port: port, jobs: ["second"], ruleFiles: ["rules.yml"]))
        let ok = try await E2E.request(server.base + "/-/reload", method: "POST")
        #expect(ok.status == 200, "\(ok.text)")
        // The reload is applied when the request returns.
        #expect(try await server.targets() == ["second": ["up"]])
        #expect(try await server.rules() == ["changed": ["job:up:count"]])

        // 3. A broken config and a broken rule file are refused with 500; the old configuration keeps scraping.
        try server.writeConfig(Self.config(port: port, jobs: ["second"]) + "    scrape_intervall: 5s\n")
        let bad = try await E2E.request(server.base + "/-/reload", method: "POST")
        #expect(bad.status == 500)
        #expect(bad.text.contains("scrape_intervall"), "\(bad.text)")
        #expect(try await server.metric("prometheus_config_last_reload_successful") == 0)
        try "groups:\n  - name: x\n    rules:\n      - record: bad\n        expr: sum(\n".write(
            toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try server.writeConfig(Self.config(port: port, jobs: ["second", "third"], ruleFiles: ["rules.yml"]))
        let badRules = try await E2E.request(server.base + "/-/reload", method: "PUT")
        #expect(badRules.status == 500)
        #expect(badRules.text.contains("rules.yml"), "\(badRules.text)")
        #expect(try await server.targets() == ["second": ["up"]])
        #expect(try await server.rules() == ["changed": ["job:up:count"]])
        let before = try await server.lastScrape(pool: "second")
        #expect(await Self.eventually { try await server.lastScrape(pool: "second") != before }, "scraping stopped")

        // 4. Fixed again: the metric goes back to 1. Concurrent reloads are applied one after another.
        try server.writeConfig(Self.config(port: port, jobs: ["second"]))
        let base = server.base
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await E2E.request(base + "/-/reload", method: "POST").status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200, 200, 200])
        #expect(try await server.metric("prometheus_config_last_reload_successful") == 1)
        #expect(try await server.rules().isEmpty)
        #expect(child.terminate() == 0, "\(child.log)")
    }

    /// `write_relabel_configs` decide what reaches `hearth receive`; a reload that changes them restarts
    /// the queue from its saved WAL position with the new rules. About 15-30 s.
    @Test func writeRelabelConfigsApplyAndChangeOnReload() async throws {
        let dir = E2E.temporaryDirectory("write-relabel")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let receivePort = E2E.freePort()
        let receiver = try ChildProcess(
            E2E.hearth(),
            [
                "receive", "--web.listen-address=127.0.0.1:\(receivePort)", "--storage.path=\(dir)/storage",
                "--bucket.path=\(dir)/bucket",
            ], logPath: dir + "/receive.log")
        defer { receiver.terminate() }
        let receiverBase = "http://127.0.0.1:\(receivePort)"
        #expect(await E2E.waitUntilUp(receiverBase + "/-/ready", seconds: 180), "receiver did not start: \(receiver.log)")

        let port = E2E.freePort()
        func config(keep: String) -> String {
            Self.config(port: port, jobs: ["self"]) + """
                remote_write:
                  - url: \(receiverBase)/api/v1/write
                    name: receiver
                    queue_config: {batch_send_deadline: 200ms}
                    write_relabel_configs:
                      - {source_labels: [__name__], regex: "\(keep)", action: keep}

                """
        }
        try config(keep: "up").write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            E2E.hearth(),
            [
                "server", "--config.file=\(dir)/prometheus.yml", "--web.listen-address=127.0.0.1:\(port)",
                "--storage.tsdb.path=\(dir)/data",
            ], logPath: dir + "/server.log")
        defer { child.terminate() }
        let server = Server(dir: dir, base: "http://127.0.0.1:\(port)", port: port, child: child)
        #expect(await E2E.waitUntilUp(server.base + "/-/ready", seconds: 180), "server did not start: \(child.log)")

        /// Metric names of the `self` job that the receiver has.
        func names() async throws -> Set<String> {
            let r = try await E2E.request(receiverBase + "/api/v1/label/__name__/values?match%5B%5D=%7Bjob%3D%22self%22%7D")
            let object = try JSONSerialization.jsonObject(with: r.body) as? [String: Any]
            return Set(object?["data"] as? [String] ?? [])
        }
        #expect(await Self.eventually(60) { try await names().contains("up") }, "\(child.log)")
        // Scraped in the same commits as `up`, but dropped by the relabel rule.
        #expect(try await !names().contains("scrape_duration_seconds"))

        try server.writeConfig(config(keep: "up|scrape_duration_seconds"))
        #expect(try await E2E.request(server.base + "/-/reload", method: "POST").status == 200)
        #expect(
            await Self.eventually(60) { try await names().contains("scrape_duration_seconds") },
            "\(child.log)\n\(receiver.log)")
        #expect(try await !names().contains("scrape_samples_scraped"))
        #expect(child.terminate() == 0, "\(child.log)")
    }

    /// A stub Alertmanager: records the bodies of `POST /api/v2/alerts` in `<dir>/alerts-<port>.log`.
    static func stubAlertmanager(dir: String, port: Int) throws -> ChildProcess? {
        guard let python = E2E.executable("python3") ?? ProcessInfo.processInfo.environment["PATH"].flatMap({ path in
            path.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }) else { return nil }
        let script = """
            import http.server, sys
            log = sys.argv[2]
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    with open(log, "ab") as f: f.write(body + b"\\n")
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
            """
        try script.write(toFile: dir + "/am.py", atomically: true, encoding: .utf8)
        return try ChildProcess(python, [dir + "/am.py", "\(port)", dir + "/alerts-\(port).log"], logPath: dir + "/am-\(port).out")
    }

    /// The Alertmanager list follows the configuration: after a reload alerts go to the new one only.
    /// About 10 s.
    @Test func reloadSwitchesAlertmanagers() async throws {
        let dir = E2E.temporaryDirectory("reload-am")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (portA, portB) = (E2E.freePort(), E2E.freePort())
        guard let amA = try Self.stubAlertmanager(dir: dir, port: portA),
            let amB = try Self.stubAlertmanager(dir: dir, port: portB)
        else {
            print("skipping: python3 not found")
            return
        }
        defer {
            amA.terminate(waitingUpTo: 2)
            amB.terminate(waitingUpTo: 2)
        }
        let port = E2E.freePort()
        try "groups:\n  - name: a\n    rules:\n      - alert: Up\n        expr: up == 1\n".write(
            toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        func config(alertmanager: Int) -> String {
            Self.config(port: port, jobs: ["self"], ruleFiles: ["rules.yml"])
                + "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:\(alertmanager)']\n"
        }
        try config(alertmanager: portA).write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            E2E.hearth(),
            [
                "server", "--config.file=\(dir)/prometheus.yml", "--web.listen-address=127.0.0.1:\(port)",
                "--storage.tsdb.path=\(dir)/data",
            ], logPath: dir + "/server.log")
        defer { child.terminate() }
        let server = Server(dir: dir, base: "http://127.0.0.1:\(port)", port: port, child: child)
        #expect(await E2E.waitUntilUp(server.base + "/-/ready", seconds: 180), "server did not start: \(child.log)")
        func received(_ p: Int) -> String { (try? String(contentsOfFile: dir + "/alerts-\(p).log", encoding: .utf8)) ?? "" }
        #expect(await Self.eventually(60) { received(portA).contains("\"alertname\":\"Up\"") }, "\(child.log)")

        // A changed expression makes a new alert, sent at once (an unchanged one keeps its resend timer, 1m).
        try "groups:\n  - name: a\n    rules:\n      - alert: Up\n        expr: up > 0\n".write(
            toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try server.writeConfig(config(alertmanager: portB))
        #expect(try await E2E.request(server.base + "/-/reload", method: "POST").status == 200)
        let sentToA = received(portA).count
        #expect(await Self.eventually(60) { received(portB).contains("\"alertname\":\"Up\"") }, "\(child.log)")
        // The old notifier is gone: A hears nothing new.
        try await Task.sleep(for: .seconds(2))
        #expect(received(portA).count == sentToA)
        #expect(child.terminate() == 0, "\(child.log)")
    }
}
