import Foundation
import Glibc
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Proof 3: a real Prometheus server, started over a directory holding only our block, answers
/// PromQL queries with our samples.
@Suite struct PrometheusServerTests {
    static let prometheus = ExternalTool.find("prometheus")
    static let curl = ExternalTool.find("curl")

    @Test(.enabled(if: prometheus != nil && curl != nil, "prometheus or curl is not installed"))
    func prometheusQueriesOurBlock() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 30, samplesPerSeries: 250)
        try FileManager.default.createDirectory(atPath: dir.path + "/data", withIntermediateDirectories: true)
        let meta = try BlockWriter(parentDirectory: dir.path + "/data").write(samples: input)
        try "scrape_configs: []\n".write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)

        let port = ExternalTool.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.prometheus!)
        server.arguments = [
            "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/data",
            "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:\(port)", "--web.enable-admin-api",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { Self.stop(server) }

        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<150 where !ready {
            ready = (try? ExternalTool.run(Self.curl!, ["-s", "\(base)/-/ready"], timeoutSeconds: 2))?
                .stdout.contains("Ready") ?? false
            if !ready { usleep(100_000) }
        }
        try #require(ready, "prometheus did not become ready within 15 s")

        let probe = input.first { $0.labels.metricName == "cpu_usage" }!
        let sample = probe.samples[100]
        let seconds = String(format: "%.3f", Double(sample.t.ms) / 1000)
        let count = try Self.query(base, "count(cpu_usage)", at: seconds)
        #expect(count.first?.value == Double(input.filter { $0.labels.metricName == "cpu_usage" }.count))

        let selector = "cpu_usage{series=\"\(probe.labels["series"])\"}"
        let exact = try Self.query(base, selector, at: seconds)
        #expect(exact.count == 1)
        #expect(exact.first?.value.bitPattern == sample.v.bitPattern)
        #expect(exact.first?.metric == Dictionary(uniqueKeysWithValues: probe.labels.items.map { ($0.name, $0.value) }))

        // Prometheus writes a tombstones file into our block; we must read it and hide those samples.
        let from = probe.samples[50].t
        let to = probe.samples[80].t
        let delete = try ExternalTool.run(Self.curl!, [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-g",
            "\(base)/api/v1/admin/tsdb/delete_series?match[]=\(selector)&start=\(Double(from.ms) / 1000)&end=\(Double(to.ms) / 1000)",
        ], timeoutSeconds: 10)
        #expect(delete.stdout == "204", "delete_series answered \(delete.stdout)")
        Self.stop(server)
        let block = try Block.open(directory: dir.path + "/data/" + meta.ulid.description)
        #expect(block.tombstones.count == 1)
        let got = try BlockFixtures.read(block, [.equal("series", probe.labels["series"])])
        #expect(got.first?.samples == probe.samples.filter { $0.t < from || $0.t > to })
        #expect(try BlockFixtures.read(block).count == input.count)
    }

    /// Runs an instant query and returns the vector's labels and values.
    static func query(_ base: String, _ q: String, at time: String) throws -> [(metric: [String: String], value: Double)] {
        let out = try ExternalTool.run(
            curl!, ["-s", "-G", "--data-urlencode", "query=\(q)", "--data-urlencode", "time=\(time)", "\(base)/api/v1/query"],
            timeoutSeconds: 10)
        let json = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(json?["status"] as? String == "success", "query \(q) answered \(out.stdout)")
        let result = (json?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.map { r in
            let metric = r["metric"] as? [String: String] ?? [:]
            let value = (r["value"] as? [Any])?.last as? String ?? "NaN"
            return (metric, Double(value) ?? .nan)
        }
    }

    /// Stops the server by its PID: SIGTERM, then SIGKILL after 10 s.
    static func stop(_ p: Process) {
        guard p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        for _ in 0..<100 where p.isRunning { usleep(100_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }
}
