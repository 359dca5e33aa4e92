import Foundation
import Testing

@testable import RemoteClient

/// Remote endpoint settings: Prometheus' defaults and validation. (prometheus.yml itself is decoded by
/// Scrape's `PrometheusConfiguration`; ScrapeTests cover the key names.)
@Suite struct ConfigurationTests {
    @Test func remoteWriteDefaults() throws {
        let c = RemoteWriteConfiguration(url: "http://r:9090/api/v1/write")
        #expect(c.queueConfig.capacity == 10000 && c.queueConfig.maxShards == 50 && c.queueConfig.minShards == 1)
        #expect(c.queueConfig.maxSamplesPerSend == 2000)
        #expect(c.queueConfig.batchSendDeadline.duration == .seconds(5))
        #expect(
            c.queueConfig.minBackoff.duration == .milliseconds(30) && c.queueConfig.maxBackoff.duration == .seconds(5))
        #expect(c.protobufMessage == .v1 && c.remoteTimeout.duration == .seconds(30))
        #expect(c.walBudgetBytes == 1 << 30)
        try c.validate()
    }

    @Test func effectiveNameIsTheNameOrAStableURLHash() {
        var c = RemoteWriteConfiguration(url: "http://r:9090/api/v1/write")
        let hashed = c.effectiveName
        #expect(!hashed.isEmpty && hashed == RemoteWriteConfiguration(url: "http://r:9090/api/v1/write").effectiveName)
        #expect(hashed != RemoteWriteConfiguration(url: "http://other/api/v1/write").effectiveName)
        c.name = "lts"
        #expect(c.effectiveName == "lts")
    }

    static func invalid(_ change: @Sendable (inout RemoteWriteConfiguration) -> Void) -> RemoteWriteConfiguration {
        var c = RemoteWriteConfiguration(url: "http://x/w")
        change(&c)
        return c
    }

    @Test(arguments: [
        (invalid { $0.url = "ftp://x" }, "remote_write.url"),
        (invalid { $0.queueConfig.minShards = 5; $0.queueConfig.maxShards = 2 }, "queue_config.max_shards"),
        (invalid { $0.bearerToken = "t"; $0.basicAuth = BasicAuth(username: "u") }, "basic_auth"),
        (invalid { $0.queueConfig.minBackoff = ConfigDuration(.seconds(9)) }, "queue_config.min_backoff"),
        (invalid { $0.walBudgetBytes = -1 }, "wal_budget_bytes"),
    ])
    func invalidRemoteWrite(c: RemoteWriteConfiguration, field: String) throws {
        #expect { try c.validate() } throws: { ($0 as? RemoteClientError)?.message.contains(field) == true }
    }

    @Test func remoteRead() throws {
        let d = RemoteReadConfiguration(url: "http://r/read")
        #expect(!d.readRecent && d.requiredMatchers.isEmpty && d.remoteTimeout.duration == .seconds(60))
        try d.validate()
        var bad = RemoteReadConfiguration(url: "http://r/read")
        bad.bearerToken = "a"
        bad.bearerTokenFile = "/f"
        #expect { try bad.validate() } throws: { ($0 as? RemoteClientError)?.message.contains("bearer_token_file") == true }
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
