import Foundation
import PromModel
import Testing
import Yams

@testable import Scrape

@Suite struct TargetBuilderTests {
    @Test func defaultsAndInstance() throws {
        var job = ScrapeConfiguration(jobName: "node")
        job.params = ["module": ["a", "b"]]
        let builder = try TargetBuilder(job: job)
        let targets = builder.targets(of: StaticConfiguration(targets: ["h:9100"], labels: ["env": "prod"]))
        #expect(targets.count == 1)
        #expect(targets[0].labels == ["env": "prod", "instance": "h:9100", "job": "node"])
        #expect(targets[0].url == "http://h:9100/metrics?module=a&module=b")
        #expect(targets[0].discoveredLabels["__metrics_path__"] == "/metrics")
        #expect(targets[0].discoveredLabels["__param_module"] == "a")
    }

    @Test func relabelingRewritesAddressSchemePathAndParams() throws {
        var job = ScrapeConfiguration(jobName: "blackbox")
        job.relabelConfigs = [
            RelabelConfiguration(sourceLabels: ["__address__"], targetLabel: "__param_target"),
            RelabelConfiguration(sourceLabels: ["__param_target"], targetLabel: "instance"),
            RelabelConfiguration(targetLabel: "__address__", replacement: "127.0.0.1:9115"),
            RelabelConfiguration(targetLabel: "__metrics_path__", replacement: "/probe"),
            RelabelConfiguration(targetLabel: "__scheme__", replacement: "https"),
            RelabelConfiguration(sourceLabels: ["instance"], regex: "skip.*", action: .drop),
        ]
        let builder = try TargetBuilder(job: job)
        let targets = builder.targets(of: StaticConfiguration(targets: ["example.com:443", "skip.me:1"]))
        #expect(targets.map(\.url) == ["https://127.0.0.1:9115/probe?target=example.com%3A443"])
        #expect(targets.first?.labels == ["instance": "example.com:443", "job": "blackbox"])
    }

    @Test func groupLabelsMayOverrideJob() throws {
        let builder = try TargetBuilder(job: ScrapeConfiguration(jobName: "node"))
        let t = builder.targets(
            of: StaticConfiguration(targets: ["h:1"], labels: ["job": "custom", "__metrics_path__": "/m"]))
        #expect(t.first?.labels["job"] == "custom")
        #expect(t.first?.url == "http://h:1/m")
    }
}

@Suite struct FileSDTests {
    static let yaml: TargetGroupDecoder = { data in
        try YAMLDecoder().decode([StaticConfiguration].self, from: String(decoding: data, as: UTF8.self))
    }

    @Test func readsJSONAndYAMLAndNoticesChanges() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("a.json")
        let yaml = dir.appendingPathComponent("b.yml")
        try Data(#"[{"targets": ["h1:1"], "labels": {"team": "x"}}]"#.utf8).write(to: json)
        try Data("- targets: [h2:2]\n".utf8).write(to: yaml)
        var reader = FileSDReader(
            config: FileSDConfiguration(files: [dir.path + "/*.json", yaml.path]), decodeYAML: Self.yaml)
        var changed = false
        changed = reader.refresh()
        #expect(changed)
        #expect(reader.allGroups.map(\.targets) == [["h1:1"], ["h2:2"]])
        #expect(reader.allGroups[0].labels == ["team": "x"])
        #expect(reader.allGroups[0].source == json.path)
        changed = reader.refresh()
        #expect(!changed)

        // A new size or modification time makes the reader look again.
        try Data(#"[{"targets": ["h1:1", "h3:3"]}]"#.utf8).write(to: json)
        changed = reader.refresh()
        #expect(changed)
        #expect(reader.allGroups[0].targets == ["h1:1", "h3:3"])

        // A broken file keeps its last good groups; a deleted one is forgotten.
        try Data("[{".utf8).write(to: json)
        _ = reader.refresh()
        #expect(reader.allGroups[0].targets == ["h1:1", "h3:3"])
        #expect(reader.errors[json.path] != nil)
        try FileManager.default.removeItem(at: json)
        changed = reader.refresh()
        #expect(changed)
        #expect(reader.allGroups.map(\.targets) == [["h2:2"]])
    }

    @Test func unknownKeysInTargetFilesAreErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("a.json")
        try Data(#"[{"targets": ["h:1"], "label": {}}]"#.utf8).write(to: json)
        var reader = FileSDReader(config: FileSDConfiguration(files: [json.path]), decodeYAML: nil)
        _ = reader.refresh()
        #expect(reader.errors[json.path] == "[0].label: unknown field")
    }
}

@Suite struct ScrapePoolTests {
    struct NeverFetcher: TargetFetcher {
        func fetch(_ target: Target, settings: ScrapeSettings) async throws -> ScrapeResponse {
            throw ScrapeError("not used")
        }
    }

    @Test func syncStartsNewAndKeepsExistingLoops() throws {
        var job = ScrapeConfiguration(jobName: "node")
        job.staticConfigs = [StaticConfiguration(targets: ["a:1", "b:2", "a:1"])]
        var pool = try ScrapePool(config: job, decodeYAML: nil)
        let storage = MemoryAppendable()
        let first = pool.sync(pool.discover(), appendable: storage, fetcher: NeverFetcher())
        #expect(first.map(\.target.url).sorted() == ["http://a:1/metrics", "http://b:2/metrics"])
        let second = pool.sync(pool.discover(), appendable: storage, fetcher: NeverFetcher())
        #expect(second.isEmpty)
        let third = pool.sync([], appendable: storage, fetcher: NeverFetcher())
        #expect(third.isEmpty && pool.loops.isEmpty)
    }

    @Test func targetLimit() throws {
        var job = ScrapeConfiguration(jobName: "node")
        job.targetLimit = 1
        job.staticConfigs = [StaticConfiguration(targets: ["a:1", "b:2"])]
        var pool = try ScrapePool(config: job, decodeYAML: nil)
        let started = pool.sync(pool.discover(), appendable: MemoryAppendable(), fetcher: NeverFetcher())
        #expect(started.isEmpty)
        #expect(pool.lastError == "target_limit exceeded (number of targets: 2, limit: 1)")
    }
}
