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
    static func eventually(_ seconds: Double = 30, _ check: () async throws -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await check()) == true { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
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
        #expect(await E2E.waitUntilUp(server.base + "/-/ready"), "server did not start: \(child.log)")
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

        // 4. Fixed again: the metric goes back to 1.
        try server.writeConfig(Self.config(port: port, jobs: ["second"]))
        #expect(try await E2E.request(server.base + "/-/reload", method: "POST").status == 200)
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
        #expect(await E2E.waitUntilUp(receiverBase + "/-/ready"), "receiver did not start: \(receiver.log)")

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
        #expect(await E2E.waitUntilUp(server.base + "/-/ready"), "server did not start: \(child.log)")

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
}
