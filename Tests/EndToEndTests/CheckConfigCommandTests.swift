import Foundation
import Testing

/// Runs blocking work (a child process and its pipe) on a plain thread, so the few cooperative threads
/// stay free for the tests that poll servers meanwhile.
func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// `hearth check config` through the built binary: what `hearth server` refuses at start and on reload.
@Suite(.serialized) struct CheckConfigCommandTests {
    @Test func acceptsTheExampleConfigAndItsRuleFiles() async throws {
        let dir = E2E.temporaryDirectory("check-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n".write(
            toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try """
            scrape_configs:
              - job_name: a
                static_configs: [{targets: ["127.0.0.1:9100"]}]
            rule_files: [rules.yml]
            remote_write:
              - url: http://127.0.0.1:19291/api/v1/write
                write_relabel_configs: [{source_labels: [__name__], regex: "go_.*", action: drop}]
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let r = try await offCooperativePool { [dir] in try CLITests.run(["check", "config", dir + "/prometheus.yml"]) }
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("SUCCESS: \(dir)/prometheus.yml is valid prometheus config file syntax"), "\(r.output)")
        #expect(r.output.contains("SUCCESS: \(dir)/rules.yml: 1 rules found"), "\(r.output)")
    }

    @Test(
        "refuses what the server would refuse, naming the field",
        arguments: [
            ("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n", "scrape_intervall"),
            ("scrape_configs:\n  - job_name: a\n    tls_config: {ca_file: /nonexistent/ca.pem}\n",
             "scrape_configs[0].tls_config.ca_file"),
            ("remote_write:\n  - url: http://x/w\n    write_relabel_configs: [{regex: \"(\", action: drop}]\n",
             "write_relabel_configs"),
            ("rule_files: [missing.yml]\n", "missing.yml"),
        ])
    func refusesBrokenConfigs(yaml: String, expected: String) async throws {
        let dir = E2E.temporaryDirectory("check-config-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try yaml.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let r = try await offCooperativePool { [dir] in try CLITests.run(["check", "config", dir + "/prometheus.yml"]) }
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("FAILED") && r.output.contains(expected), "\(r.output)")
    }
}
