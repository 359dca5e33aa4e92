import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import PromModel
import TSDB
import Testing

@testable import RemoteClient

/// The queue against a scripted endpoint: batching, retries, drops, splits, protocol fallback, restart.
@Suite struct QueueManagerTests {
    static let series = (0..<4).map { Labels(["__name__": "q", "s": "\($0)"]) }

    /// Writes samples to a DB, runs a queue manager against `endpoint` until `done`, and returns it.
    static func run(
        _ endpoint: FakeWriteEndpoint, dir: String, samples: Int = 250,
        configure: (inout RemoteWriteConfiguration) -> Void = { _ in },
        until done: @escaping (RemoteWriteStats, Int) -> Bool
    ) async throws -> (written: [ReceivedSample], stats: RemoteWriteStats) {
        let db = try smallSegmentDB(dir + "/db")
        let written = try await appendSamples(db, series: series, count: samples, start: 1_000_000)
        try db.close()
        var stats = RemoteWriteStats()
        try await withServer(endpoint.router) { port in
            var config = testConfiguration(port: port)
            configure(&config)
            let manager = try QueueManager(
                configuration: config, dataDirectory: dir + "/db", options: testOptions(), logger: Logger(label: "test")
            )
            try await withQueueManager(manager) {
                let ok = try await eventually { done(manager.stats, written.count) }
                #expect(ok, "queue did not finish: \(manager.stats)")
            }
            stats = manager.stats
        }
        return (written, stats)
    }

    static func allSent(_ s: RemoteWriteStats, _ n: Int) -> Bool { s.samplesSent == n }

    @Test func batchesUpToMaxSamplesPerSend() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint()
        let (written, stats) = try await Self.run(
            endpoint, dir: dir.path,
            configure: {
                $0.queueConfig.maxSamplesPerSend = 64
            }, until: Self.allSent)
        #expect(Set(endpoint.received) == Set(written) && endpoint.received.count == written.count)
        #expect(endpoint.requestSizes.allSatisfy { $0 <= 64 })
        #expect(endpoint.requestSizes.count >= written.count / 64)
        #expect(stats.samplesFailed == 0 && stats.samplesRetried == 0)
        #expect(stats.highestSentTimestampMs == written.map(\.t).max())
    }

    @Test func spreadsSeriesOverShardsKeepingPerSeriesOrder() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint()
        let (written, _) = try await Self.run(
            endpoint, dir: dir.path,
            configure: {
                $0.queueConfig.minShards = 3
                $0.queueConfig.maxShards = 3
            }, until: Self.allSent)
        for labels in Self.series {
            #expect(endpoint.received.filter { $0.labels == labels } == written.filter { $0.labels == labels })
        }
    }

    @Test func retriesServerErrors() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint([.init(status: .serviceUnavailable), .init(status: .internalServerError)])
        let (written, stats) = try await Self.run(endpoint, dir: dir.path, until: Self.allSent)
        #expect(Set(endpoint.received) == Set(written))
        #expect(stats.samplesRetried > 0 && stats.samplesFailed == 0)
        #expect(endpoint.statuses.prefix(2) == [503, 500])
    }

    @Test func retries429HonouringRetryAfterWhenEnabled() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint([.init(status: .tooManyRequests, headers: ["Retry-After": "0"])])
        let (written, stats) = try await Self.run(
            endpoint, dir: dir.path,
            configure: {
                $0.queueConfig.retryOnRateLimit = true
            }, until: Self.allSent)
        #expect(Set(endpoint.received) == Set(written))
        #expect(stats.samplesRetried > 0 && stats.samplesFailed == 0)
    }

    @Test func dropsOn400And429WithoutRetries() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint([.init(status: .badRequest), .init(status: .tooManyRequests)])
        let (written, stats) = try await Self.run(
            endpoint, dir: dir.path,
            until: { s, n in
                s.samplesSent + s.samplesFailed == n
            })
        #expect(stats.samplesFailed == 200)  // two batches of max_samples_per_send 100
        #expect(stats.samplesRetried == 0)
        #expect(endpoint.received.count == written.count - 200)
    }

    @Test func splitsABatchOn413() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint([.init(status: .contentTooLarge, overSamples: 30, sticky: true)])
        let (written, stats) = try await Self.run(endpoint, dir: dir.path, until: Self.allSent)
        #expect(Set(endpoint.received) == Set(written) && endpoint.received.count == written.count)
        #expect(endpoint.requestSizes.allSatisfy { $0 <= 30 })
        #expect(stats.splits > 0 && stats.samplesFailed == 0)
    }

    @Test func fallsBackToV1On415() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint([.init(status: .unsupportedMediaType, when: "v2", sticky: true)])
        let (written, stats) = try await Self.run(
            endpoint, dir: dir.path,
            configure: {
                $0.protobufMessage = .v2
            }, until: Self.allSent)
        #expect(Set(endpoint.received) == Set(written))
        #expect(stats.downgradedToV1)
        #expect(endpoint.contentTypes.first?.contains("v2") == true)
    }

    @Test func sendsRemoteWrite2WhenAccepted() async throws {
        let dir = TempDir()
        let endpoint = FakeWriteEndpoint()
        let (written, stats) = try await Self.run(
            endpoint, dir: dir.path,
            configure: {
                $0.protobufMessage = .v2
            }, until: Self.allSent)
        #expect(Set(endpoint.received) == Set(written) && endpoint.received.count == written.count)
        #expect(!stats.downgradedToV1 && endpoint.contentTypes.allSatisfy { $0.contains("v2") })
    }
}

extension QueueManagerTests {
    @Test func reshardsWhenSendingIsTheBottleneckWithoutLosingOrReorderingSamples() async throws {
        let dir = TempDir()
        let db = try smallSegmentDB(dir.path + "/db")
        let written = try await appendSamples(db, series: Self.series, count: 1500, start: 1_000_000)
        try db.close()
        let endpoint = FakeWriteEndpoint(delay: .milliseconds(2))
        var stats = RemoteWriteStats()
        try await withServer(endpoint.router) { port in
            var config = testConfiguration(port: port, maxPerSend: 10)
            config.queueConfig.maxShards = 8
            var options = testOptions()
            options.reshardInterval = .milliseconds(100)
            let manager = try QueueManager(
                configuration: config, dataDirectory: dir.path + "/db", options: options, logger: Logger(label: "test"))
            try await withQueueManager(manager) {
                let ok = try await eventually(tries: 6000) { manager.stats.samplesSent == written.count }
                #expect(ok, "\(manager.stats)")
            }
            stats = manager.stats
        }
        #expect(stats.reshards >= 1)
        #expect(endpoint.received.count == written.count)
        for labels in Self.series {
            #expect(endpoint.received.filter { $0.labels == labels } == written.filter { $0.labels == labels })
        }
    }
}
