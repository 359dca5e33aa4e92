import Foundation
import PromModel
import PromWire
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `hearth server` against real peers on loopback: node exporter and a prometheus_client app as
/// targets, VictoriaMetrics and `hearth receive` as remote-write destinations (through an outage
/// and a restart), a misbehaving remote-write stub, remote-read federation, and a real Alertmanager.
/// Each test skips when its peer is not installed (deploy/prerequisites.sh installs them all).
///
/// Wall time measured on a loaded 2-core machine (load average ~10), all five in parallel: scrape
/// 13 s, remote write + outage 247 s (HEARTH_E2E_OUTAGE_SECONDS, default 180), stub 36 s, federation
/// 19 s, alerting 14 s; so the suite adds ~4 min. They run in parallel with each other and with
/// other suites (free ports, own temp dirs). HEARTH_E2E_KEEP=1 keeps each test's directory and logs.
@Suite struct ServerRealPeersTests {
    static var outageSeconds: Int { Int(ProcessInfo.processInfo.environment["HEARTH_E2E_OUTAGE_SECONDS"] ?? "") ?? 180 }

    /// Prometheus' scrape Accept header, to fetch what a scraper is served.
    static let openMetricsAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    static let synthetic: Set<String> = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ]

    // MARK: Scraping

    @Test(.timeLimit(.minutes(3))) func scrapedSeriesMatchWhatTargetsExpose() async throws {
        guard Peers.pythonHas("prometheus_client") else {
            print("skipping: python3 prometheus_client not installed (pip install prometheus-client)")
            return
        }
        let dir = E2E.temporaryDirectory("srv-scrape")
        defer { Peers.cleanUp(dir) }
        let (serverPort, textPort, omPort, nodePort) = (E2E.freePort(), E2E.freePort(), E2E.freePort(), E2E.freePort())
        let textApp = try Peers.python("client_app.py", ["\(textPort)", "text"], log: "\(dir)/text.log")
        defer { textApp.terminate() }
        let omApp = try Peers.python("client_app.py", ["\(omPort)", "negotiate"], log: "\(dir)/om.log")
        defer { omApp.terminate() }
        var node: ChildProcess?
        if let exporter = E2E.executable("prometheus-node-exporter") {
            node = try ChildProcess(
                exporter, ["--web.listen-address=127.0.0.1:\(nodePort)"], logPath: "\(dir)/node.log")
        }
        defer { node?.terminate() }
        try """
        global: {scrape_interval: 1s, scrape_timeout: 1s}
        scrape_configs:
          - job_name: app-text
            static_configs: [{targets: ['127.0.0.1:\(textPort)']}]
          - job_name: app-om
            static_configs: [{targets: ['127.0.0.1:\(omPort)']}]
          - job_name: node
            static_configs: [{targets: ['127.0.0.1:\(nodePort)']}]
        """.write(toFile: "\(dir)/server.yml", atomically: true, encoding: .utf8)
        let server = try Peers.startServer(dir: dir, port: serverPort)
        defer { server.terminate() }
        let base = "http://127.0.0.1:\(serverPort)"
        #expect(await E2E.waitUntilUp("\(base)/-/ready"), "server did not start:\n\(server.log)")

        var jobs = [("app-text", textPort, "text/plain;version=0.0.4"), ("app-om", omPort, Self.openMetricsAccept)]
        if node != nil { jobs.append(("node", nodePort, Self.openMetricsAccept)) }
        for (job, port, accept) in jobs {
            let instance = "127.0.0.1:\(port)"
            let upKey = Peers.key(["__name__": "up", "job": job, "instance": instance])
            let up = await Peers.eventually(60) { try await Peers.vector(base, "up{job=\"\(job)\"}")[upKey] == 1 }
            #expect(up, "\(job) never up==1:\n\(server.log.suffix(2000))")
            guard up else { continue }

            // What the target serves before and after a scrape of ours (interval 1s, so 2.5s holds one).
            let before = Exposition(
                try await E2E.request("http://\(instance)/metrics", headers: ["Accept": accept]).text)
            try await Task.sleep(for: .milliseconds(2500))
            let stored = try await Peers.vector(base, "{job=\"\(job)\"}")
            let after = Exposition(
                try await E2E.request("http://\(instance)/metrics", headers: ["Accept": accept]).text)

            var scraped: [String: Double] = [:]
            var syntheticSeen: [String: Double] = [:]
            for (k, v) in stored {
                var labels = Self.labels(k)
                #expect(labels["job"] == job && labels["instance"] == instance, "\(job): bad target labels on \(k)")
                labels["job"] = nil
                labels["instance"] = nil
                if let name = labels["__name__"], Self.synthetic.contains(name) {
                    syntheticSeen[name] = v
                } else {
                    scraped[Peers.key(labels)] = v
                }
            }
            #expect(
                Set(syntheticSeen.keys) == Self.synthetic, "\(job): synthetic series \(syntheticSeen.keys.sorted())")
            #expect(syntheticSeen["up"] == 1)
            let exposedCounts = Set([before.samples.count, after.samples.count])
            #expect(
                exposedCounts.contains(Int(syntheticSeen["scrape_samples_scraped"] ?? -1)),
                "\(job): scrape_samples_scraped \(syntheticSeen["scrape_samples_scraped"] ?? -1), exposed \(exposedCounts)"
            )
            #expect(
                syntheticSeen["scrape_samples_post_metric_relabeling"] == syntheticSeen["scrape_samples_scraped"],
                "\(job): post-relabel count differs with no metric_relabel_configs")

            if job.hasPrefix("app") {
                // Every value of the app is fixed, so the stored series must be exactly what it serves.
                #expect(before.samples == after.samples, "the app changed between two fetches")
                let missing = Set(before.samples.keys).subtracting(scraped.keys).sorted()
                let extra = Set(scraped.keys).subtracting(before.samples.keys).sorted()
                #expect(missing.isEmpty && extra.isEmpty, "\(job): missing \(missing), extra \(extra)")
                for (k, v) in before.samples where scraped[k] != nil {
                    #expect(scraped[k] == v, "\(job): \(k) stored \(scraped[k]!), exposed \(v)")
                }
            } else {
                // Node exporter: the series set is one of the two fetched; counters unchanged across both
                // fetches (so unchanged at our scrape between them) and constants must match exactly.
                let keys = Set(scraped.keys)
                #expect(
                    keys == Set(before.samples.keys) || keys == Set(after.samples.keys),
                    "node: series differ, missing \(Set(before.samples.keys).subtracting(keys).sorted().prefix(10)), extra \(keys.subtracting(before.samples.keys).sorted().prefix(10))"
                )
                let constants: Set<String> = [
                    "node_exporter_build_info", "node_uname_info", "node_memory_MemTotal_bytes",
                    "node_boot_time_seconds",
                ]
                var checked = 0
                for (k, v) in before.samples where after.samples[k] == v {
                    let name = before.labels[k]?["__name__"] ?? ""
                    guard before.isCounter(name) || constants.contains(name) else { continue }
                    checked += 1
                    #expect(
                        scraped[k] == v, "node: \(k) stored \(scraped[k].map { "\($0)" } ?? "nothing"), exposed \(v)")
                }
                #expect(checked > 50, "node: only \(checked) stable samples to compare")
            }
        }
        // The negotiating app must have been asked for OpenMetrics, the way Prometheus asks.
        let served = try await E2E.request("http://127.0.0.1:\(omPort)/last").text
        #expect(served.hasPrefix("application/openmetrics-text"), "app-om served \(served) to hearth")
    }

    static func labels(_ key: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in key.split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            out[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return out
    }

    // MARK: remote write, outage and restart

    @Test(.timeLimit(.minutes(10))) func remoteWriteArrivesCompleteAcrossReceiverOutageAndServerRestart() async throws {
        guard let victoria = E2E.executable("victoria-metrics"), Peers.pythonHas("prometheus_client") else {
            print("skipping: victoria-metrics or python3 prometheus_client not installed (deploy/prerequisites.sh)")
            return
        }
        let dir = E2E.temporaryDirectory("srv-write")
        defer { Peers.cleanUp(dir) }
        let (serverPort, vmPort, receivePort, appPort, nodePort) =
            (E2E.freePort(), E2E.freePort(), E2E.freePort(), E2E.freePort(), E2E.freePort())
        let vm = try ChildProcess(
            victoria,
            [
                "-httpListenAddr=127.0.0.1:\(vmPort)", "-storageDataPath=\(dir)/vm", "-search.latencyOffset=0",
                "-retentionPeriod=100y",
            ],
            logPath: "\(dir)/vm.log")
        defer { vm.terminate() }
        var receive = try Peers.startReceive(dir: dir, port: receivePort)
        defer { receive.terminate() }
        let app = try Peers.python("client_app.py", ["\(appPort)", "negotiate"], log: "\(dir)/app.log")
        defer { app.terminate() }
        var node: ChildProcess?
        if let exporter = E2E.executable("prometheus-node-exporter") {
            node = try ChildProcess(
                exporter, ["--web.listen-address=127.0.0.1:\(nodePort)"], logPath: "\(dir)/node.log")
        }
        defer { node?.terminate() }
        let (vmBase, receiveBase, base) =
            ("http://127.0.0.1:\(vmPort)", "http://127.0.0.1:\(receivePort)", "http://127.0.0.1:\(serverPort)")
        #expect(await E2E.waitUntilUp("\(vmBase)/health"), "victoria-metrics did not start:\n\(vm.log)")
        #expect(await E2E.waitUntilUp("\(receiveBase)/-/ready"), "receiver did not start:\n\(receive.log)")
        try """
        global: {scrape_interval: 2s, scrape_timeout: 2s}
        scrape_configs:
          - job_name: app
            static_configs: [{targets: ['127.0.0.1:\(appPort)']}]
          - job_name: node
            static_configs: [{targets: ['127.0.0.1:\(nodePort)']}]
          - job_name: hearth
            static_configs: [{targets: ['127.0.0.1:\(serverPort)']}]
        remote_write:
          - url: \(vmBase)/api/v1/write
            name: vm
            queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 2s}
          - url: \(receiveBase)/api/v1/write
            name: receive
            queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 2s}
        """.write(toFile: "\(dir)/server.yml", atomically: true, encoding: .utf8)
        let started = Peers.nowSeconds
        var server = try Peers.startServer(dir: dir, port: serverPort)
        defer { server.terminate() }
        #expect(await E2E.waitUntilUp("\(base)/-/ready"), "server did not start:\n\(server.log)")

        // Data flows to the receiver before the outage.
        let flowing = await Peers.eventually(60) {
            try await Peers.vector(receiveBase, "count(up)").values.first ?? 0 >= 3
        }
        #expect(flowing, "receiver got no data:\n\(server.log.suffix(2000))")
        try await Task.sleep(for: .seconds(10))

        // The receiver dies hard; halfway through the outage the server restarts gracefully.
        kill(receive.process.processIdentifier, SIGKILL)
        receive.process.waitUntilExit()
        let half = Double(Self.outageSeconds) / 2
        try await Task.sleep(for: .seconds(half))
        #expect(server.terminate() == 0, "server did not stop cleanly:\n\(server.log.suffix(3000))")
        server = try Peers.startServer(dir: dir, port: serverPort)
        #expect(await E2E.waitUntilUp("\(base)/-/ready"), "server did not restart:\n\(server.log)")
        try await Task.sleep(for: .seconds(half))
        receive = try Peers.startReceive(dir: dir, port: receivePort)
        #expect(await E2E.waitUntilUp("\(receiveBase)/-/ready"), "receiver did not restart:\n\(receive.log)")
        try await Task.sleep(for: .seconds(10))

        // Everything the server stored up to the cutoff must be at both destinations, value for value.
        let cutoff = Peers.nowSeconds - 5
        let from = Int64(started * 1000) - 60_000
        let to = Int64(cutoff * 1000)
        let range = Int(cutoff - started) + 120
        let selector = "{__name__=~\".+\"}"
        let local = try await Peers.rawSamples(base, selector, rangeSeconds: range, at: cutoff)
        let localCount = Peers.sampleCount(local, from: from, to: to)
        #expect(localCount > 1000 * (Self.outageSeconds / 2) / 2, "server stored only \(localCount) samples")
        // Hearth's own scrapes stop for the restart, the targets' series continue on both sides.
        var receiveDiff: [String] = ["not compared"]
        var vmDiff: [String] = ["not compared"]
        var duplicates = 0
        _ = await Peers.eventually(240, every: .seconds(3)) {
            let got = try await Peers.rawSamples(receiveBase, selector, rangeSeconds: range, at: cutoff)
            receiveDiff = Peers.diff(want: local, got: got, from: from, to: to)
            let exported = try await Peers.victoriaExport(
                vmBase, match: selector, start: Double(from) / 1000, end: Double(to) / 1000)
            vmDiff = Peers.diff(want: local, got: exported.samples, from: from, to: to, relativeTolerance: 1e-13)
            duplicates = exported.duplicates
            return receiveDiff.isEmpty && vmDiff.isEmpty
        }
        #expect(
            receiveDiff.isEmpty,
            "hearth receive differs from the server's TSDB:\n\(receiveDiff.joined(separator: "\n"))")
        #expect(vmDiff.isEmpty, "victoria-metrics differs from the server's TSDB:\n\(vmDiff.joined(separator: "\n"))")
        // A graceful restart saves the acknowledged position: at most a few scrapes are sent twice.
        let seriesCount = local.count
        #expect(
            duplicates <= 3 * seriesCount,
            "victoria-metrics got \(duplicates) duplicate samples (\(seriesCount) series)")
        print(
            "remote write e2e: \(localCount) samples in \(seriesCount) series compared, \(duplicates) duplicates at victoria-metrics"
        )

        let metrics = try await E2E.request("\(base)/metrics").text
        for name in ["vm", "receive"] {
            let failed = Peers.metricValue(
                metrics, "prometheus_remote_storage_samples_failed_total", labels: ["remote_name": name])
            #expect(failed == 0, "\(name): samples failed \(failed.map { "\($0)" } ?? "absent")")
        }
        #expect(server.terminate() == 0, "server did not stop cleanly:\n\(server.log.suffix(3000))")
    }

    // MARK: a misbehaving endpoint

    @Test(.timeLimit(.minutes(4))) func retriesRateLimitsDropsBadRequestsAndSplitsLargeBatches() async throws {
        guard Peers.pythonHas("prometheus_client"), Peers.pythonHas("cramjam") else {
            print("skipping: python3 prometheus_client/cramjam not installed (deploy/prerequisites.sh)")
            return
        }
        let dir = E2E.temporaryDirectory("srv-stub")
        defer { Peers.cleanUp(dir) }
        let (serverPort, stubPort, appPort) = (E2E.freePort(), E2E.freePort(), E2E.freePort())
        let bodies = "\(dir)/bodies"
        try FileManager.default.createDirectory(atPath: bodies, withIntermediateDirectories: true)
        let (rateLimitSeconds, retryAfter, badRequests, splitSeconds, splitAbove) = (6.0, 2, 3, 15.0, 40)
        let stub = try Peers.python(
            "remote_write_stub.py",
            [
                "\(stubPort)", bodies, "\(rateLimitSeconds)", "\(retryAfter)", "\(badRequests)", "\(splitSeconds)",
                "\(splitAbove)",
            ],
            log: "\(dir)/stub.log")
        defer { stub.terminate() }
        let app = try Peers.python("client_app.py", ["\(appPort)", "negotiate"], log: "\(dir)/app.log")
        defer { app.terminate() }
        try """
        global: {scrape_interval: 1s, scrape_timeout: 1s}
        scrape_configs:
          - job_name: app
            static_configs: [{targets: ['127.0.0.1:\(appPort)']}]
        remote_write:
          - url: http://127.0.0.1:\(stubPort)/api/v1/write
            name: stub
            queue_config:
              min_shards: 1
              max_shards: 1
              capacity: 500
              max_samples_per_send: 100
              batch_send_deadline: 1s
              min_backoff: 100ms
              max_backoff: 1s
              retry_on_http_429: true
        """.write(toFile: "\(dir)/server.yml", atomically: true, encoding: .utf8)
        let server = try Peers.startServer(dir: dir, port: serverPort)
        defer { server.terminate() }
        let base = "http://127.0.0.1:\(serverPort)"
        #expect(await E2E.waitUntilUp("\(base)/-/ready"), "server did not start:\n\(server.log)")

        struct Request {
            var seq: Int, time: Double, status: Int, samples: Int
        }
        func requests() -> [Request] {
            let text = (try? String(contentsOfFile: "\(bodies)/requests.log", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let f = line.split(separator: " ")
                guard f.count >= 4, let seq = Int(f[0]), let t = Double(f[1]), let s = Int(f[2]), let n = Int(f[3])
                else { return nil }
                return Request(seq: seq, time: t, status: s, samples: n)
            }
        }
        // Wait until the stub has been accepting everything for a while.
        let settled = await Peers.eventually(150) {
            let r = requests()
            guard let first = r.first else { return false }
            return r.contains { $0.status == 204 && $0.time > first.time + rateLimitSeconds + splitSeconds + 8 }
        }
        #expect(settled, "stub never reached its accepting phase:\n\(stub.log)\n\(server.log.suffix(2000))")
        let cutoff = Peers.nowSeconds - 5
        let to = Int64(cutoff * 1000)

        // Decode what the stub got, by outcome.
        var accepted: SeriesSamples = [:]
        var dropped: SeriesSamples = [:]
        var duplicates = 0
        func decode(_ seq: Int) throws -> [(String, Int64, Double)] {
            let data = try Data(contentsOf: URL(fileURLWithPath: String(format: "%@/%06d.bin", bodies, seq)))
            let request = try WriteRequest(snappyProtobuf: [UInt8](data))
            return request.timeseries.flatMap { ts in
                let k = Peers.key(Dictionary(ts.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
                return ts.samples.map { (k, $0.t.ms, $0.v) }
            }
        }
        let caughtUp = await Peers.eventually(60) {
            accepted = [:]
            dropped = [:]
            duplicates = 0
            for r in requests() where r.status == 204 || r.status == 400 {
                for (k, t, v) in try decode(r.seq) {
                    if r.status == 204 {
                        if accepted[k]?[t] != nil { duplicates += 1 }
                        accepted[k, default: [:]][t] = v
                    } else {
                        dropped[k, default: [:]][t] = v
                    }
                }
            }
            return accepted.values.contains { $0.keys.contains { $0 >= to } }
        }
        #expect(caughtUp, "the stub never accepted samples past the cutoff")
        let log = requests()

        // 429: retried, and never before Retry-After (one shard, so requests are sequential).
        let limited = log.filter { $0.status == 429 }
        #expect(limited.count >= 2, "expected several 429s, got \(limited.count)")
        for r in limited {
            guard let next = log.first(where: { $0.seq == r.seq + 1 }) else { continue }
            #expect(
                next.time >= r.time + Double(retryAfter) - 0.05,
                "request \(next.seq) came \(next.time - r.time)s after a 429 with Retry-After: \(retryAfter)")
        }
        // 400: dropped and counted.
        let bad = log.filter { $0.status == 400 }
        #expect(bad.count == badRequests)
        let failedSamples = bad.reduce(0) { $0 + $1.samples }
        let counted = await Peers.eventually(20) {
            let metrics = try await E2E.request("\(base)/metrics").text
            return Peers.metricValue(
                metrics, "prometheus_remote_storage_samples_failed_total", labels: ["remote_name": "stub"])
                == Double(failedSamples)
        }
        let metrics = try await E2E.request("\(base)/metrics").text
        #expect(
            counted,
            "samples_failed_total should be \(failedSamples): \(metrics.split(separator: "\n").filter { $0.contains("remote_storage") }.joined(separator: "\n"))"
        )
        // 413: large batches were refused and their samples arrived in smaller requests.
        let tooLarge = log.filter { $0.status == 413 }
        #expect(!tooLarge.isEmpty, "no batch was large enough to be refused with 413")
        var splitMissing = 0
        for r in tooLarge {
            for (k, t, _) in try decode(r.seq) where accepted[k]?[t] == nil && dropped[k]?[t] == nil {
                splitMissing += 1
            }
        }
        #expect(splitMissing == 0, "\(splitMissing) samples of 413-refused batches never arrived")
        #expect(duplicates == 0, "\(duplicates) samples were accepted twice")

        // Everything else arrived: accepted ∪ dropped is exactly what the server stored.
        let local = try await Peers.rawSamples(base, "{__name__=~\".+\"}", rangeSeconds: 600, at: cutoff)
        var delivered = accepted
        for (k, samples) in dropped {
            for (t, v) in samples {
                #expect(accepted[k]?[t] == nil, "\(k) @\(t) both dropped and accepted")
                delivered[k, default: [:]][t] = v
            }
        }
        let problems = Peers.diff(want: local, got: delivered, from: 0, to: to)
        #expect(problems.isEmpty, "stub's samples differ from the server's TSDB:\n\(problems.joined(separator: "\n"))")
        #expect(Peers.sampleCount(local, from: 0, to: to) > 500)
        print(
            "remote write stub: \(log.count) requests, \(limited.count)×429, \(bad.count)×400 (\(failedSamples) samples), \(tooLarge.count)×413"
        )
    }

    // MARK: remote-read federation

    @Test(.timeLimit(.minutes(3))) func rangeQueryReturnsDataOlderThanLocalRetentionThroughRemoteRead() async throws {
        guard Peers.pythonHas("prometheus_client") else {
            print("skipping: python3 prometheus_client not installed")
            return
        }
        let dir = E2E.temporaryDirectory("srv-read")
        defer { Peers.cleanUp(dir) }
        let (serverPort, receivePort, appPort) = (E2E.freePort(), E2E.freePort(), E2E.freePort())
        let receive = try Peers.startReceive(dir: dir, port: receivePort)
        defer { receive.terminate() }
        let receiveBase = "http://127.0.0.1:\(receivePort)"
        #expect(await E2E.waitUntilUp("\(receiveBase)/-/ready"), "receiver did not start:\n\(receive.log)")
        let app = try Peers.python("client_app.py", ["\(appPort)", "negotiate"], log: "\(dir)/app.log")
        defer { app.terminate() }

        // Two hours of 30s samples ending an hour ago: older than the server's 30m retention.
        let step: Int64 = 30_000
        let now = Int64(Peers.nowSeconds * 1000)
        let oldStart = (now - 3 * 3_600_000) / step * step
        let points = 241
        let instance = "127.0.0.1:\(appPort)"
        func series(_ labels: [String: String], _ value: (Int) -> Double) -> TimeSeries {
            TimeSeries(
                labels: labels.sorted { $0.key < $1.key }.map { Label(name: $0.key, value: $0.value) },
                samples: (0..<points).map { Sample(t: Timestamp(ms: oldStart + Int64($0) * step), v: value($0)) })
        }
        let shared = ["__name__": "app_temperature_celsius", "job": "app", "instance": instance, "room": "kitchen"]
        let only = ["__name__": "backfill_only", "src": "old"]
        let body = WriteRequest(timeseries: [
            series(shared) { 10 + Double($0) * 0.5 }, series(only) { Double($0 * $0) },
        ])
        let written = try await E2E.request(
            "\(receiveBase)/api/v1/write", method: "POST", body: Data(body.snappyProtobuf()),
            headers: [
                "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                "X-Prometheus-Remote-Write-Version": "0.1.0",
            ])
        #expect(
            (200..<300).contains(written.status), "receiver refused the old samples: \(written.status) \(written.text)")

        try """
        global: {scrape_interval: 1s, scrape_timeout: 1s}
        scrape_configs:
          - job_name: app
            static_configs: [{targets: ['\(instance)']}]
        remote_read:
          - url: \(receiveBase)/api/v1/read
        """.write(toFile: "\(dir)/server.yml", atomically: true, encoding: .utf8)
        let server = try Peers.startServer(dir: dir, port: serverPort, extra: ["--storage.tsdb.retention.time=30m"])
        defer { server.terminate() }
        let base = "http://127.0.0.1:\(serverPort)"
        #expect(await E2E.waitUntilUp("\(base)/-/ready"), "server did not start:\n\(server.log)")
        let sharedKey = Peers.key(shared)
        #expect(
            await Peers.eventually(60) {
                try await Peers.vector(base, "app_temperature_celsius{room=\"kitchen\"}")[sharedKey] == 21.5
            }, "server never scraped the app:\n\(server.log.suffix(2000))")
        // Local data must span at least one 10s step before the query's end.
        try await Task.sleep(for: .seconds(12))

        // One range query over the whole span: the old part from the receiver, the recent part local.
        // Steps of 10s from the first old sample land exactly on every old (30s) sample.
        let end = Peers.nowSeconds
        let data = try await Peers.api(
            base, "/api/v1/query_range",
            [
                "query": "app_temperature_celsius{room=\"kitchen\"}", "start": "\(oldStart / 1000)",
                "end": String(format: "%.3f", end), "step": "10",
            ])
        let result = Peers.matrix(data["result"] as? [[String: Any]] ?? [])
        #expect(Array(result.keys) == [sharedKey], "series: \(result.keys.sorted())")
        let values = result[sharedKey] ?? [:]
        for i in 0..<points {
            let t = oldStart + Int64(i) * step
            #expect(
                values[t] == 10 + Double(i) * 0.5, "old point \(i) @\(t): \(values[t].map { "\($0)" } ?? "missing")")
        }
        let recent = values.filter { $0.key > now - 60_000 }
        #expect(
            !recent.isEmpty && recent.values.allSatisfy { $0 == 21.5 },
            "recent local points: \(recent.sorted { $0.key < $1.key })")

        let onlyRemote = try await Peers.vector(base, "count_over_time(backfill_only[4h])", time: end)
        #expect(onlyRemote.values.first == Double(points), "count_over_time of the old-only series: \(onlyRemote)")
        let sum = try await Peers.vector(base, "sum_over_time(backfill_only[4h])", time: end)
        #expect(sum.values.first == Double((0..<points).reduce(0) { $0 + $1 * $1 }), "sum_over_time: \(sum)")
    }

    // MARK: alerting

    @Test(.timeLimit(.minutes(3))) func alertFiresAtAlertmanagerAndResolves() async throws {
        guard let alertmanager = E2E.executable("prometheus-alertmanager"), Peers.pythonHas("prometheus_client") else {
            print("skipping: prometheus-alertmanager or python3 prometheus_client not installed")
            return
        }
        let dir = E2E.temporaryDirectory("srv-alert")
        defer { Peers.cleanUp(dir) }
        let (serverPort, amPort, appPort) = (E2E.freePort(), E2E.freePort(), E2E.freePort())
        try """
        route: {receiver: sink, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
        receivers: [{name: sink}]
        """.write(toFile: "\(dir)/alertmanager.yml", atomically: true, encoding: .utf8)
        let am = try ChildProcess(
            alertmanager,
            [
                "--config.file=\(dir)/alertmanager.yml", "--storage.path=\(dir)/am",
                "--web.listen-address=127.0.0.1:\(amPort)",
                "--cluster.listen-address=", "--log.level=debug",
            ],
            logPath: "\(dir)/am.log")
        defer { am.terminate() }
        let amBase = "http://127.0.0.1:\(amPort)"
        #expect(await E2E.waitUntilUp("\(amBase)/-/ready"), "alertmanager did not start:\n\(am.log)")
        let app = try Peers.python("client_app.py", ["\(appPort)", "negotiate"], log: "\(dir)/app.log")
        defer { app.terminate() }
        try """
        groups:
          - name: e2e
            interval: 1s
            rules:
              - alert: AppFlagRaised
                expr: app_alert_flag > 0
                for: 2s
                labels: {severity: page}
                annotations:
                  summary: "flag raised on {{ $labels.instance }}"
                  description: "flag value is {{ $value }}"
        """.write(toFile: "\(dir)/rules.yml", atomically: true, encoding: .utf8)
        try """
        global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
        rule_files: [rules.yml]
        alerting:
          alertmanagers:
            - static_configs: [{targets: ['127.0.0.1:\(amPort)']}]
        scrape_configs:
          - job_name: app
            static_configs: [{targets: ['127.0.0.1:\(appPort)']}]
        """.write(toFile: "\(dir)/server.yml", atomically: true, encoding: .utf8)
        let server = try Peers.startServer(dir: dir, port: serverPort)
        defer { server.terminate() }
        let base = "http://127.0.0.1:\(serverPort)"
        #expect(await E2E.waitUntilUp("\(base)/-/ready"), "server did not start:\n\(server.log)")
        #expect(
            await Peers.eventually(60) { try await Peers.vector(base, "app_alert_flag").values.first == 0 },
            "server never scraped the flag:\n\(server.log.suffix(2000))")

        func alerts() async throws -> [[String: Any]] {
            let r = try await E2E.request("\(amBase)/api/v2/alerts")
            let all = try JSONSerialization.jsonObject(with: r.body) as? [[String: Any]] ?? []
            return all.filter { ($0["labels"] as? [String: String])?["alertname"] == "AppFlagRaised" }
        }
        try await Task.sleep(for: .seconds(4))
        #expect(try await alerts().isEmpty, "alert present before the flag was raised")

        _ = try await E2E.request("http://127.0.0.1:\(appPort)/set?name=app_alert_flag&value=1")
        var fired: [String: Any] = [:]
        #expect(
            await Peers.eventually(60) {
                fired = try await alerts().first ?? [:]
                return !fired.isEmpty
            }, "alertmanager never listed the alert:\n\(server.log.suffix(3000))")
        let labels = fired["labels"] as? [String: String] ?? [:]
        #expect(
            labels == [
                "alertname": "AppFlagRaised", "severity": "page", "job": "app", "instance": "127.0.0.1:\(appPort)",
            ],
            "labels: \(labels)")
        let annotations = fired["annotations"] as? [String: String] ?? [:]
        #expect(
            annotations == ["summary": "flag raised on 127.0.0.1:\(appPort)", "description": "flag value is 1"],
            "annotations: \(annotations)")
        #expect(
            (fired["status"] as? [String: Any])?["state"] as? String == "active", "status: \(fired["status"] ?? "none")"
        )
        let firing = try await Peers.vector(base, "ALERTS{alertname=\"AppFlagRaised\",alertstate=\"firing\"}")
        #expect(firing.values.first == 1, "ALERTS series on the server: \(firing)")

        // Lowering the flag resolves it; Alertmanager drops it from the list well before the 4-minute
        // endsAt of a firing alert would expire, so the resolve was sent.
        _ = try await E2E.request("http://127.0.0.1:\(appPort)/set?name=app_alert_flag&value=0")
        let loweredAt = Date()
        #expect(
            await Peers.eventually(60) { try await alerts().isEmpty },
            "alert never resolved:\n\(server.log.suffix(3000))")
        #expect(Date().timeIntervalSince(loweredAt) < 60)
        #expect(
            await Peers.eventually(20) {
                try await Peers.vector(base, "ALERTS{alertname=\"AppFlagRaised\"}").isEmpty
            }, "ALERTS still present on the server")
    }
}
