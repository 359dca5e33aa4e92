import Benchmark
import PromModel
import PromWire

/// A remote-write request like one Prometheus sends for node_exporter targets: 2,000 series with one
/// sample each and 8 labels (metric name, job, instance, env, region, cluster and two per-metric labels).
enum RemoteWriteFixture {
    static let seriesCount = 2_000

    static func request() -> WriteRequest {
        let metrics: [(String, String, [String], String, [String])] = [
            (
                "node_cpu_seconds_total", "cpu", ["0", "1", "2", "3", "4", "5", "6", "7"], "mode",
                ["idle", "user", "system", "iowait", "irq"]
            ),
            ("node_network_receive_bytes_total", "device", ["eth0", "eth1", "lo", "docker0"], "direction", ["rx"]),
            ("node_filesystem_avail_bytes", "mountpoint", ["/", "/boot", "/var", "/home"], "fstype", ["ext4", "xfs"]),
            ("node_disk_io_time_seconds_total", "device", ["sda", "sdb", "nvme0n1"], "kind", ["io"]),
        ]
        var series: [TimeSeries] = []
        series.reserveCapacity(seriesCount)
        var i = 0
        outer: while true {
            for (name, l1, v1s, l2, v2s) in metrics {
                for v1 in v1s {
                    for v2 in v2s {
                        let host = i % 50
                        let labels = [
                            Label(name: "__name__", value: name), Label(name: "cluster", value: "prod-eu-1"),
                            Label(name: "env", value: "production"),
                            Label(name: "instance", value: "10.1.\(host / 10).\(host):9100"),
                            Label(name: "job", value: "node"), Label(name: l1, value: v1), Label(name: l2, value: v2),
                            Label(name: "region", value: "eu-west-1"),
                        ]
                        series.append(
                            TimeSeries(
                                labels: labels,
                                samples: [Sample(t: Timestamp(ms: 1_700_000_000_000 + Int64(i)), v: Double(i) * 1.25)]))
                        i += 1
                        if series.count == seriesCount { break outer }
                    }
                }
            }
        }
        return WriteRequest(timeseries: series)
    }
}

/// A node_exporter-like text page of 20,000 sample lines in eight families (CPU, network, filesystem,
/// disk, interrupts...), 1 to 4 labels each, 1.47 MB; the same shape as deploy/bench/scrape_vs_prometheus.py serves.
enum ExpositionFixture {
    static let lines = 20_000

    static func page() -> [UInt8] {
        let modes = ["idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"]
        let families: [(String, String, (Int) -> [(String, String)])] = [
            ("node_cpu_seconds_total", "counter", { [("cpu", "\($0 / 8)"), ("mode", modes[$0 % 8])] }),
            ("node_network_receive_bytes_total", "counter", { [("device", "veth\(String($0, radix: 16))")] }),
            ("node_network_transmit_packets_total", "counter", { [("device", "veth\(String($0, radix: 16))")] }),
            (
                "node_filesystem_avail_bytes", "gauge",
                {
                    [
                        ("device", "/dev/mapper/vg-lv\($0)"), ("fstype", "ext4"),
                        ("mountpoint", "/var/lib/containers/storage/overlay/\(String($0, radix: 16))"),
                    ]
                }
            ),
            ("node_disk_read_bytes_total", "counter", { [("device", "nvme\($0 / 16)n1p\($0 % 16)")] }),
            ("node_softnet_processed_total", "counter", { [("cpu", "\($0)")] }),
            (
                "node_interrupts_total", "counter",
                { [("cpu", "\($0 % 64)"), ("devices", "PCI-MSI \($0)-edge"), ("info", "nvme0q\($0 % 32)"), ("type", "\($0)")] }
            ),
            ("node_memory_info_bytes", "gauge", { [("kind", "slab_\($0)")] }),
        ]
        var text = ""
        let per = lines / families.count
        for (name, type, labels) in families {
            text += "# HELP \(name) Synthetic \(type) like node_exporter's.\n# TYPE \(name) \(type)\n"
            for i in 0..<per {
                let l = labels(i).map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
                text += "\(name){\(l)} \(type == "counter" ? Double(i) * 7919.25 : 1e9 + Double(i) * 4096)\n"
            }
        }
        return Array(text.utf8)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], warmupIterations: 3, maxDuration: .seconds(3),
        maxIterations: 2_000)

    let request = RemoteWriteFixture.request()
    let body = request.protobuf()
    let snappyBody = Snappy.compress(body)
    precondition((try? WriteRequestDecoder.decode(body)) == request)
    precondition((try? WriteRequest(protobuf: body)) == request)

    // Each iteration is one request of 2,000 samples: samples/s = throughput × 2,000.
    // Names have no spaces: `benchmark thresholds check` looks files up by the raw name.
    Benchmark("decode-2000-series-protobuf-c") { b in
        for _ in b.scaledIterations { blackHole(try WriteRequest(protobuf: body)) }
    }
    Benchmark("decode-2000-series-hand-written") { b in
        for _ in b.scaledIterations { blackHole(try WriteRequestDecoder.decode(body)) }
    }
    Benchmark("visit-2000-series-hash-label-bytes") { b in
        for _ in b.scaledIterations {
            var acc: UInt64 = 0
            try body.withUnsafeBytes { raw in
                try WriteRequestDecoder.visit(raw) { series in
                    var h = XXHash64()
                    series.forEachLabel { name, value in
                        h.update(bytes: name)
                        h.update(byte: 0xff)
                        h.update(bytes: value)
                        h.update(byte: 0xff)
                    }
                    series.forEachSample { acc &+= UInt64(bitPattern: $0.t.ms) }
                    acc &+= h.finalize()
                }
            }
            blackHole(acc)
        }
    }
    Benchmark("visit-2000-series-walk-labels-and-samples") { b in
        for _ in b.scaledIterations {
            var acc = 0
            try body.withUnsafeBytes { raw in
                try WriteRequestDecoder.visit(raw) { series in
                    series.forEachLabel { name, value in acc &+= name.count &+ value.count }
                    series.forEachSample { acc &+= Int(truncatingIfNeeded: $0.t.ms) }
                }
            }
            blackHole(acc)
        }
    }
    Benchmark("snappy-and-visit-2000-series") { b in
        for _ in b.scaledIterations {
            let raw = try Snappy.decompress(snappyBody)
            var count = 0
            try raw.withUnsafeBytes { try WriteRequestDecoder.visit($0) { _ in count += 1 } }
            blackHole(count)
        }
    }
    Benchmark("encode-2000-series-protobuf-c") { b in
        for _ in b.scaledIterations { blackHole(try request.protobufC()) }
    }
    Benchmark("encode-2000-series-hand-written") { b in
        for _ in b.scaledIterations { blackHole(request.protobuf()) }
    }

    // Scrape parsing: each iteration parses one 20,000-line page; samples/s = throughput × 20,000 and
    // MB/s = throughput × page bytes (printed once below).
    let page = ExpositionFixture.page()
    print("exposition page: \(ExpositionFixture.lines) lines, \(page.count) bytes")
    Benchmark("parse-text-exposition-20000-lines") { b in
        for _ in b.scaledIterations {
            var p = TextExpositionParser(bytes: page, format: .prometheusText)
            var acc = 0.0
            while let e = try p.next() { acc += e.value }
            blackHole(acc)
        }
    }
    // As the scrape loop's first scrape of a target does: also build every series' labels.
    Benchmark("parse-text-exposition-20000-lines-with-labels") { b in
        for _ in b.scaledIterations {
            var p = TextExpositionParser(bytes: page, format: .prometheusText)
            var n = 0
            while let e = try p.next() { n &+= try p.labels(of: e).count }
            blackHole(n)
        }
    }
}
