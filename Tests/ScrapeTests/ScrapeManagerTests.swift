import AsyncHTTPClient
import Foundation
import Logging
import PromModel
import PromWire
import Testing

@testable import Scrape

@Suite struct ScrapeManagerTests {
    /// Answers every target with the same one-series page.
    struct StubFetcher: TargetFetcher {
        func fetch(_ target: Target, settings: ScrapeSettings) async throws -> ScrapeResponse {
            return ScrapeResponse(body: Array("stub_value 1\n".utf8), contentType: nil)
        }
    }

    /// Waits (bounded) until `condition` holds; the test fails if it never does.
    func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func scrapesReloadsAndMarksRemovedTargetsStale() async throws {
        let config = try decodeConfig(
            """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: a
                static_configs: [{targets: ["h:1"]}]
              - job_name: b
                static_configs: [{targets: ["h:2"]}]
            """)
        var options = ScrapeManagerOptions()
        options.discoveryInterval = .milliseconds(100)
        options.fetcher = StubFetcher()
        let storage = MemoryAppendable()
        let manager = try ScrapeManager(
            configuration: config, appendable: storage, options: options, logger: Logger(label: "test"))
        let upB: Labels = ["__name__": "up", "job": "b", "instance": "h:2"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run() }
            #expect(try await eventually { storage.samples(upB).contains { $0.v == 1 } })
            let targets = await manager.targets()
            #expect(targets.keys.sorted() == ["a", "b"])

            try manager.apply(
                try decodeConfig(
                    """
                    global: {scrape_interval: 1s}
                    scrape_configs:
                      - job_name: a
                        static_configs: [{targets: ["h:1"]}]
                    """))
            #expect(try await eventually { storage.samples(upB).last.map { StaleNaN.isStale($0.v) } == true })
            #expect(await manager.targets().keys.sorted() == ["a"])
            group.cancelAll()
        }
    }

    @Test func poolsListActiveAndDroppedTargetsWithSettings() async throws {
        let config = try decodeConfig(
            """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: a
                scrape_timeout: 500ms
                static_configs: [{targets: ["h:1", "skip:9"], labels: {zone: z1}}]
                relabel_configs:
                  - {source_labels: [__address__], regex: "skip:.*", action: drop}
            """)
        var options = ScrapeManagerOptions()
        options.discoveryInterval = .milliseconds(100)
        options.fetcher = StubFetcher()
        let manager = try ScrapeManager(
            configuration: config, appendable: MemoryAppendable(), options: options, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run() }
            let scraped = try await eventually { manager.pools().first?.active.first?.health == .up }
            #expect(scraped)
            let pools = manager.pools()
            #expect(pools.map(\.jobName) == ["a"])
            #expect(pools[0].interval == .seconds(1))
            #expect(pools[0].timeout == ConfigDuration(milliseconds: 500))
            #expect(pools[0].active.map(\.target.url) == ["http://h:1/metrics"])
            #expect(pools[0].active[0].lastScrape != nil)
            #expect(pools[0].dropped.map { $0["__address__"] } == ["skip:9"])
            #expect(pools[0].dropped[0]["zone"] == "z1")
            #expect(pools[0].dropped[0]["job"] == "a")
            group.cancelAll()
        }
    }

    /// Answers with a page that declares TYPE and HELP.
    struct MetadataFetcher: TargetFetcher {
        func fetch(_ target: Target, settings: ScrapeSettings) async throws -> ScrapeResponse {
            let page = "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 1\n"
                + "# TYPE temperature gauge\ntemperature 20\n"
            return ScrapeResponse(body: Array(page.utf8), contentType: "text/plain; version=0.0.4")
        }
    }

    @Test func metadataOfTheLastScrapeOncePerFamily() async throws {
        let config = try decodeConfig(
            """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: a
                static_configs: [{targets: ["h:1", "h:2"]}]
            """)
        var options = ScrapeManagerOptions()
        options.discoveryInterval = .milliseconds(100)
        options.fetcher = MetadataFetcher()
        let manager = try ScrapeManager(
            configuration: config, appendable: MemoryAppendable(), options: options, logger: Logger(label: "test"))
        #expect(manager.metadata().isEmpty)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run() }
            let scraped = try await eventually { manager.metadata().count == 2 }
            #expect(scraped)
            #expect(
                manager.metadata() == [
                    MetricMetadata(type: .counter, metricFamilyName: "jobs_total", help: "Jobs done."),
                    MetricMetadata(type: .gauge, metricFamilyName: "temperature"),
                ])
            group.cancelAll()
        }
    }

    @Test func invalidReloadKeepsRunningConfiguration() throws {
        let manager = try ScrapeManager(
            configuration: PrometheusConfiguration(), appendable: MemoryAppendable(), logger: Logger(label: "test"))
        var bad = PrometheusConfiguration()
        bad.scrapeConfigs = [ScrapeConfiguration(jobName: "")]
        #expect(throws: ConfigError(path: "scrape_configs[0].job_name", "must not be empty")) { try manager.apply(bad) }
    }
}

@Suite struct NodeExporterTests {
    @Test func scrapesARealNodeExporter() async throws {
        let binary = ["/usr/bin/prometheus-node-exporter", "/usr/local/bin/node_exporter"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let binary else {
            print("skipping node exporter test: prometheus-node-exporter not installed")
            return
        }
        let port = Int.random(in: 20_000..<40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.cpu",
            "--collector.meminfo", "--collector.loadavg",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var job = ScrapeConfiguration(jobName: "node")
        job.staticConfigs = [StaticConfiguration(targets: ["127.0.0.1:\(port)"])]
        job.scrapeTimeout = .seconds(10)
        job.scrapeInterval = .seconds(15)
        let target = try #require(try TargetBuilder(job: job).targets(of: job.staticConfigs[0]).first)
        let storage = MemoryAppendable()
        try await HTTPTargetFetcherHarness.run { fetcher in
            let loop = ScrapeLoop(
                target: target, settings: try ScrapeSettings(job), appendable: storage, fetcher: fetcher)
            var status = await loop.scrapeOnce(at: Timestamp(ms: 1_000))
            // The exporter needs a moment to bind its port.
            for i in 0..<100 where status.health != .up {
                try await Task.sleep(for: .milliseconds(100))
                status = await loop.scrapeOnce(at: Timestamp(ms: 2_000 + Int64(i)))
            }
            #expect(status.health == .up, "\(status.lastError ?? "")")
            let t = try #require(status.lastScrape).ms
            let names = Set(storage.at(t).keys.map(\.metricName))
            #expect(names.contains("node_load1"))
            #expect(names.contains("node_memory_MemTotal_bytes"))
            #expect(names.contains("node_exporter_build_info"))
            #expect(status.lastCounts.scraped > 50)
            #expect(storage.at(t)[["__name__": "up", "job": "node", "instance": "127.0.0.1:\(port)"]] == 1)
        }
    }
}

enum HTTPTargetFetcherHarness {
    static func run(_ body: (HTTPTargetFetcher) async throws -> Void) async throws {
        try await HTTPClient.withHTTPClient(
            configuration: HTTPTargetFetcher.clientConfiguration(bodySizeLimit: 64 << 20)
        ) {
            try await body(HTTPTargetFetcher(client: $0))
        }
    }
}
