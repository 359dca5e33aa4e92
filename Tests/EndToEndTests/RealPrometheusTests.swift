import Foundation
import Testing

/// The receiver proven against real Prometheus 2.42: remote write in, remote read out, promtool
/// over the shipped blocks. Skips when the Debian `prometheus` package is absent.
@Suite(.serialized) struct RealPrometheusTests {
    /// How long Prometheus remote-writes before the comparison; the issue asks for two minutes.
    static var seconds: Int { Int(ProcessInfo.processInfo.environment["HEARTH_E2E_SECONDS"] ?? "") ?? 120 }

    @Test func prometheusWritesReadsBackAndPromtoolReadsShippedBlocks() async throws {
        guard let prometheus = E2E.executable("prometheus"), let promtool = E2E.executable("promtool") else {
            print("skipping: prometheus/promtool not installed (apt-get install prometheus)")
            return
        }
        let dir = E2E.temporaryDirectory("prom")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (hearthPort, promPort, readerPort, nodePort) = (E2E.freePort(), E2E.freePort(), E2E.freePort(), E2E.freePort())
        let receiver = try ChildProcess(
            E2E.hearth(),
            ["receive", "--web.listen-address=127.0.0.1:\(hearthPort)", "--storage.path=\(dir)/storage",
             "--bucket.path=\(dir)/bucket", "--tsdb.block-duration=1m", "--shipper.interval=5s"],
            logPath: "\(dir)/receive.log")
        defer { receiver.terminate() }
        #expect(await E2E.waitUntilUp("http://127.0.0.1:\(hearthPort)/-/ready"), "receiver did not become ready:\n\(receiver.log)")

        var targets = "'127.0.0.1:\(promPort)'"
        var node: ChildProcess?
        if let exporter = E2E.executable("prometheus-node-exporter") {
            node = try ChildProcess(exporter, ["--web.listen-address=127.0.0.1:\(nodePort)"], logPath: "\(dir)/node.log")
            targets += ", '127.0.0.1:\(nodePort)'"
        }
        defer { node?.terminate() }
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: local
            static_configs: [{targets: [\(targets)]}]
        remote_write:
          - url: http://127.0.0.1:\(hearthPort)/api/v1/write
            queue_config: {batch_send_deadline: 1s, min_backoff: 100ms}
        """.write(toFile: "\(dir)/writer.yml", atomically: true, encoding: .utf8)
        let writer = try ChildProcess(
            prometheus,
            ["--config.file=\(dir)/writer.yml", "--storage.tsdb.path=\(dir)/writer", "--web.listen-address=127.0.0.1:\(promPort)"],
            logPath: "\(dir)/writer.log")
        defer { writer.terminate() }
        let promBase = "http://127.0.0.1:\(promPort)"
        #expect(await E2E.waitUntilUp("\(promBase)/-/ready"), "prometheus did not start:\n\(writer.log)")
        try await Task.sleep(for: .seconds(Self.seconds))

        let now = Int(Date().timeIntervalSince1970)
        let sent = try await E2E.query(promBase, "sum(prometheus_remote_storage_samples_total)", time: now)
        let failed = try await E2E.query(promBase, "sum(prometheus_remote_storage_samples_failed_total)", time: now)
        let retried = try await E2E.query(promBase, "sum(prometheus_remote_storage_samples_retried_total)", time: now)
        #expect(Double(E2E.vector(sent).values.first ?? "0")! > 100, "prometheus sent too little: \(sent)")
        #expect(E2E.vector(failed).values.first == "0", "samples failed: \(failed)\n\(writer.log.suffix(2000))")
        #expect(E2E.vector(retried).values.first == "0", "samples retried: \(retried)\n\(writer.log.suffix(2000))")

        // A second Prometheus that only reads remotely must answer like the first one does locally.
        try """
        global: {scrape_interval: 1h}
        remote_read:
          - url: http://127.0.0.1:\(hearthPort)/api/v1/read
            read_recent: true
        """.write(toFile: "\(dir)/reader.yml", atomically: true, encoding: .utf8)
        let reader = try ChildProcess(
            prometheus,
            ["--config.file=\(dir)/reader.yml", "--storage.tsdb.path=\(dir)/reader", "--web.listen-address=127.0.0.1:\(readerPort)"],
            logPath: "\(dir)/reader.log")
        defer { reader.terminate() }
        let readerBase = "http://127.0.0.1:\(readerPort)"
        #expect(await E2E.waitUntilUp("\(readerBase)/-/ready"), "reader prometheus did not start:\n\(reader.log)")
        let at = now - 5
        var queries = [
            "up", "prometheus_tsdb_head_series", "rate(prometheus_http_requests_total[30s])",
            "sum by (job, instance) (rate(prometheus_tsdb_head_samples_appended_total[1m]))",
            "histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[1m])))",
            "count(count by (__name__) ({job=\"local\"}))", "max_over_time(scrape_duration_seconds[1m])",
        ]
        if node != nil { queries += ["node_load1", "sum by (mode) (rate(node_cpu_seconds_total[1m]))"] }
        for q in queries {
            let local = E2E.vector(try await E2E.query(promBase, q, time: at))
            let remote = E2E.vector(try await E2E.query(readerBase, q, time: at))
            #expect(!local.isEmpty, "no local answer for \(q)")
            #expect(local == remote, "answers differ for \(q)")
        }

        // A clean stop cuts the heads into blocks and ships them; promtool must accept each one.
        #expect(receiver.terminate() == 0, "receiver did not exit 0:\n\(receiver.log.suffix(3000))")
        let tenantDir = "\(dir)/bucket/default-tenant"
        let blocks = (try? FileManager.default.contentsOfDirectory(atPath: tenantDir)) ?? []
        #expect(blocks.count >= 2, "expected a cut block and a flushed block in the bucket, found \(blocks)")
        for block in blocks {
            #expect(FileManager.default.fileExists(atPath: "\(tenantDir)/\(block)/meta.json"))
            let analyze = try ChildProcess(promtool, ["tsdb", "analyze", tenantDir, block], logPath: "\(dir)/analyze-\(block).log")
            analyze.process.waitUntilExit()
            #expect(analyze.process.terminationStatus == 0, "promtool analyze failed on \(block):\n\(analyze.log)")
            #expect(analyze.log.contains("Block ID: \(block)"))
        }
    }
}
