import Foundation
import Testing

@testable import RemoteClient

/// prometheus.yml key names and defaults (decoded from JSON here; the CLI decodes the same keys from YAML).
@Suite struct ConfigurationTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test func remoteWriteDefaults() throws {
        let c = try Self.decode(RemoteWriteConfiguration.self, #"{"url": "http://r:9090/api/v1/write"}"#)
        #expect(c.queueConfig.capacity == 10000 && c.queueConfig.maxShards == 50 && c.queueConfig.minShards == 1)
        #expect(c.queueConfig.maxSamplesPerSend == 2000)
        #expect(c.queueConfig.batchSendDeadline.duration == .seconds(5))
        #expect(
            c.queueConfig.minBackoff.duration == .milliseconds(30) && c.queueConfig.maxBackoff.duration == .seconds(5))
        #expect(c.protobufMessage == .v1 && c.remoteTimeout.duration == .seconds(30))
        try c.validate()
    }

    @Test func remoteWriteFields() throws {
        let c = try Self.decode(
            RemoteWriteConfiguration.self,
            #"""
            {"url": "https://r/write", "name": "lts", "headers": {"X-Scope-OrgID": "t1"},
             "basic_auth": {"username": "u", "password": "p"},
             "write_relabel_configs": [{"source_labels": ["__name__"], "regex": "go_.*", "action": "drop"}],
             "queue_config": {"capacity": 5, "max_shards": 3, "min_shards": 2, "max_samples_per_send": 4,
                              "batch_send_deadline": "1m30s", "min_backoff": "10ms", "max_backoff": "1s",
                              "retry_on_http_429": true},
             "protobuf_message": "io.prometheus.write.v2.Request"}
            """#)
        #expect(c.effectiveName == "lts" && c.headers["X-Scope-OrgID"] == "t1" && c.basicAuth?.password == "p")
        #expect(c.writeRelabelConfigs == [RelabelRule(sourceLabels: ["__name__"], regex: "go_.*", action: "drop")])
        #expect(c.queueConfig.batchSendDeadline.duration == .seconds(90) && c.queueConfig.retryOnRateLimit)
        #expect(c.queueConfig.minShards == 2 && c.protobufMessage == .v2)
        try c.validate()
    }

    @Test(arguments: [
        (#"{"url": "ftp://x"}"#, "remote_write.url"),
        (#"{"url": "http://x/w", "queue_config": {"min_shards": 5, "max_shards": 2}}"#, "queue_config.max_shards"),
        (#"{"url": "http://x/w", "bearer_token": "t", "basic_auth": {"username": "u"}}"#, "basic_auth"),
    ])
    func invalidRemoteWrite(json: String, field: String) throws {
        let c = try Self.decode(RemoteWriteConfiguration.self, json)
        #expect { try c.validate() } throws: { ($0 as? RemoteClientError)?.message.contains(field) == true }
    }

    @Test func remoteRead() throws {
        let c = try Self.decode(
            RemoteReadConfiguration.self,
            #"""
            {"url": "http://r/api/v1/read", "read_recent": true, "required_matchers": {"job": "a"}}
            """#)
        #expect(c.readRecent && c.requiredMatchers == ["job": "a"] && c.remoteTimeout.duration == .seconds(60))
        let d = try Self.decode(RemoteReadConfiguration.self, #"{"url": "http://r/read"}"#)
        #expect(!d.readRecent && d.requiredMatchers.isEmpty)
    }

    @Test(
        arguments: [
            (200, nil, false, false, SendOutcome.sent),
            (503, "2", false, false, .retry(after: .seconds(2))),
            (500, nil, false, false, .retry(after: nil)),
            (429, "1", true, false, .retry(after: .seconds(1))),
            (429, "1", false, false, .drop(status: 429)),
            (400, nil, true, false, .drop(status: 400)),
            (413, nil, false, false, .split),
            (415, nil, false, true, .downgrade),
            (415, nil, false, false, .drop(status: 415)),
            (503, "Wed, 21 Oct 2015 07:28:00 GMT", false, false, .retry(after: nil)),
        ] as [(Int, String?, Bool, Bool, SendOutcome)])
    func classifiesResponses(status: Int, retryAfter: String?, retry429: Bool, v2: Bool, want: SendOutcome) {
        #expect(
            SendOutcome.classify(status: status, retryAfter: retryAfter, retryOnRateLimit: retry429, isV2: v2) == want)
    }
}

@Suite struct ReshardPolicyTests {
    @Test(
        arguments: [
            // 10k samples/s at 1ms per sample needs 10 s of sending per second: 12 shards with headroom.
            (1, 100_000, 0, 10.0, 10_000, Int?.some(12)),
            // Within 30% of the current count: keep it.
            (11, 100_000, 0, 10.0, 10_000, nil),
            // A backlog adds to the incoming rate.
            (1, 0, 100_000, 10.0, 10_000, 12),
            // Clamped to max_shards.
            (1, 10_000_000, 0, 10.0, 10_000, 50),
            // Idle: shrink to min_shards.
            (8, 0, 0, 0.1, 1_000, 1),
            // Nothing sent yet: no opinion.
            (4, 1_000, 0, 0, 0, nil),
        ] as [(Int, Int, Int, Double, Int, Int?)])
    func desiredShards(current: Int, samplesIn: Int, backlog: Int, sendSeconds: Double, sent: Int, want: Int?) {
        #expect(
            ReshardPolicy.desiredShards(
                current: current, minShards: 1, maxShards: 50, samplesIn: samplesIn, backlog: backlog,
                interval: .seconds(10), sendSeconds: sendSeconds, samplesSent: sent) == want)
    }
}
