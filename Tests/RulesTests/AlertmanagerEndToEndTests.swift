import AsyncHTTPClient
import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import PromModel
import PromQL
import Rules
import Testing

/// A real `prometheus-alertmanager` on a free loopback port with its own config and storage in a temp
/// dir, killed by PID when the test ends.
final class RealAlertmanager {
    let process = Process()
    let dir = ScratchDirectory("hearth-am")
    let url: String

    init?() throws {
        guard let binary = ExternalTool.find("prometheus-alertmanager") ?? ExternalTool.find("alertmanager") else {
            return nil
        }
        let port = ExternalTool.freePort()
        url = "http://127.0.0.1:\(port)"
        let config = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"
        try config.write(toFile: dir.path + "/alertmanager.yml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(dir.path)/alertmanager.yml", "--storage.path=\(dir.path)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ]
        let log = dir.path + "/alertmanager.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: dir.path + "/alertmanager.log", encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    func get(_ path: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + path), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Polls `check` every 200 ms until it is true or `seconds` pass; returns the last result.
    func poll(seconds: Double, _ check: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await check() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return await check()
    }

    /// Alerts listed by `GET /api/v2/alerts`.
    func alerts() async -> [[String: Any]] {
        guard let (status, body) = try? await get("/api/v2/alerts"), status == 200 else { return [] }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]) ?? []
    }
}

@Suite struct AlertmanagerEndToEndTests {
    @Test("an alerting rule's alert shows up in a real Alertmanager, then resolves")
    func realAlertmanager() async throws {
        guard let am = try RealAlertmanager() else {
            print("skipping: prometheus-alertmanager not installed (apt-get install prometheus-alertmanager)")
            return
        }
        defer { am.stop() }
        let ready = await am.poll(seconds: 30) { (try? await am.get("/-/ready"))?.0 == 200 }
        try #require(ready, "alertmanager did not become ready: \(am.log)")

        let storage = try TestStorage()
        let notifier = Notifier(configuration: NotifierConfiguration(alertmanagerURLs: [am.url], externalLabels: ["cluster": "e2e"]))
        let spec = group([
            RuleSpec(
                alert: "HearthE2EDown", expr: "up == 0", labels: ["severity": "page"],
                annotations: ["summary": "{{ $labels.instance }} is down"])
        ])
        let deps = RuleDependencies(engine: Engine(), queryable: storage.db, appendable: storage.db, sender: notifier)
        let g = try RuleGroup(spec: spec, file: "e2e.yaml", dependencies: deps, restoreOnStart: false)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await notifier.run() }
            defer { notifier.finish() }

            let t0 = Timestamp(ms: Int64(Date().timeIntervalSince1970 * 1000))
            try await storage.append([(["__name__": "up", "instance": "db1"], t0.ms, 0)])
            await g.evaluate(at: t0)
            let listed = await am.poll(seconds: 20) {
                await am.alerts().contains { ($0["labels"] as? [String: String])?["alertname"] == "HearthE2EDown" }
            }
            #expect(listed, "alert never listed; alertmanager log: \(am.log)")
            let alert = await am.alerts().first { ($0["labels"] as? [String: String])?["alertname"] == "HearthE2EDown" }
            let labels = alert?["labels"] as? [String: String]
            #expect(labels == ["alertname": "HearthE2EDown", "instance": "db1", "severity": "page", "cluster": "e2e"])
            #expect((alert?["annotations"] as? [String: String])?["summary"] == "db1 is down")
            #expect((alert?["status"] as? [String: Any])?["state"] as? String == "active")

            let t1 = Timestamp(ms: Int64(Date().timeIntervalSince1970 * 1000))
            try await storage.append([(["__name__": "up", "instance": "db1"], t1.ms, 1)])
            await g.evaluate(at: t1)
            let resolved = await am.poll(seconds: 20) {
                !(await am.alerts().contains { ($0["labels"] as? [String: String])?["alertname"] == "HearthE2EDown" })
            }
            #expect(resolved, "alert never resolved; alertmanager log: \(am.log)")
        }
    }
}
