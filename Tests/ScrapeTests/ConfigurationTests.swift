import Foundation
import Testing

@testable import Scrape

@Suite struct ConfigurationTests {
    static let badFixtures: [String] = {
        let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("config")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".bad.yaml") }.sorted()
    }()

    @Test func fullExampleDecodesWithDefaults() throws {
        let text = try String(contentsOf: try fixtureURL("config/full.good.yaml"), encoding: .utf8)
        let config = try decodeConfig(text)
        #expect(config.global.scrapeInterval == .seconds(15))
        #expect(config.global.scrapeTimeout == .seconds(10))
        #expect(config.global.externalLabels == ["cluster": "eu-1", "replica": "a"])
        #expect(config.ruleFiles == ["rules/*.yml"])
        #expect(config.alerting.alertmanagers.first?.timeout == .seconds(5))
        #expect(config.alerting.alertmanagers.first?.staticConfigs.first?.targets == ["127.0.0.1:9093"])

        let node = config.scrapeConfigs[0]
        #expect(node.scrapeInterval == .seconds(15))
        #expect(node.scrapeTimeout == .seconds(10))
        #expect(node.metricsPath == "/metrics" && node.scheme == "http" && node.honorTimestamps && !node.honorLabels)
        #expect(node.relabelConfigs[1].action == .hashmod && node.relabelConfigs[1].modulus == 4)
        #expect(node.relabelConfigs[0].separator == ";" && node.relabelConfigs[0].replacement == "$1")
        #expect(node.staticConfigs[0].labels == ["env": "prod"])

        let app = config.scrapeConfigs[1]
        #expect(app.scrapeInterval == .seconds(5) && app.scrapeTimeout == .seconds(2))
        #expect(app.params == ["module": ["http_2xx"]])
        #expect(app.httpClient.basicAuth == BasicAuthConfiguration(username: "scraper", password: "secret"))
        #expect(app.httpClient.tlsConfig.insecureSkipVerify)
        #expect(app.bodySizeLimit.bytes == 10 << 20)
        #expect(app.fileSDConfigs[0].refreshInterval == .seconds(60))
        #expect(app.sampleLimit == 1000 && app.labelLimit == 30)

        let token = config.scrapeConfigs[2]
        #expect(token.httpClient.authorization == AuthorizationConfiguration(type: "Bearer", credentials: "abc"))

        let rw = config.remoteWrite[0]
        #expect(rw.url == "http://127.0.0.1:19291/api/v1/write")
        #expect(rw.remoteTimeout == .seconds(10) && rw.headers == ["X-Scope-OrgID": "team-a"])
        #expect(rw.protobufMessage == "io.prometheus.write.v2.Request")
        #expect(rw.queueConfig.maxSamplesPerSend == 500 && rw.queueConfig.maxShards == 10)
        #expect(rw.queueConfig.capacity == 10_000 && rw.queueConfig.retryOnHTTP429)
        #expect(rw.writeRelabelConfigs[0].action == .keep)
        #expect(config.remoteRead[0].readRecent && config.remoteRead[0].requiredMatchers == ["job": "node"])
        #expect(config.remoteRead[0].remoteTimeout == .seconds(60))
    }

    @Test func emptyDocumentUsesDefaults() throws {
        let config = try decodeConfig("{}")
        #expect(config.global.scrapeInterval == .seconds(60) && config.global.evaluationInterval == .seconds(60))
        #expect(config.scrapeConfigs.isEmpty)
    }

    @Test func shortGlobalIntervalLowersDefaultTimeout() throws {
        let config = try decodeConfig("global: {scrape_interval: 5s}\nscrape_configs: [{job_name: a}]")
        #expect(config.global.scrapeTimeout == .seconds(5))
        #expect(config.scrapeConfigs[0].scrapeTimeout == .seconds(5))
    }

    @Test("bad configs fail with the expected message", arguments: badFixtures)
    func bad(name: String) throws {
        let text = try String(contentsOf: try fixtureURL("config/\(name)"), encoding: .utf8)
        let expected = try #require(text.split(separator: "\n").first?.dropFirst("# error: ".count))
        #expect(throws: (any Error).self) { try decodeConfig(text) }
        do { _ = try decodeConfig(text) } catch { #expect(error.description == String(expected)) }
    }

    @Test func deployExampleIsAcceptedByUsAndPromtool() throws {
        let path = repositoryRoot().appendingPathComponent("deploy/prometheus.yml").path
        let config = try decodeConfig(try String(contentsOfFile: path, encoding: .utf8))
        #expect(config.scrapeConfigs.map(\.jobName) == ["hearth", "hearth-receive"])
        #expect(config.scrapeConfigs[0].staticConfigs[0].targets == ["127.0.0.1:9090"])
        #expect(config.scrapeConfigs[1].staticConfigs[0].targets == ["127.0.0.1:19291"])
        #expect(config.remoteWrite.map(\.url) == ["http://127.0.0.1:19291/api/v1/write"])
        #expect(config.remoteRead.map(\.url) == ["http://127.0.0.1:19291/api/v1/read"])
        guard let result = try runTool("promtool", ["check", "config", path]) else {
            print("skipping promtool check: promtool not installed")
            return
        }
        #expect(result.status == 0, "\(result.output)")
    }
}
