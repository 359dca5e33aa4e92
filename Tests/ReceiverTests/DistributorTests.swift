import Logging
import ObjectStore
import PromModel
import PromWire
import Receiver
import Testing

@Suite struct DistributorTests {
    static let now: Int64 = 1_700_000_000_000

    func makeService(_ dir: ScratchDirectory, configure: (inout ReceiverConfiguration) -> Void = { _ in })
        async throws -> (ReceiveService, ScratchDirectory)
    {
        var config = ReceiverConfiguration(storagePath: dir.path + "/storage")
        configure(&config)
        let bucket = try FilesystemBucket(root: dir.path + "/bucket")
        let service = ReceiveService(
            configuration: config, bucket: bucket, storageFactory: InMemoryTenantStorage.factory(),
            logger: Logger(label: "test"), nowMs: { Self.now })
        try await service.start()
        return (service, dir)
    }

    static func series(_ name: String, _ samples: [(Int64, Double)], extra: [(String, String)] = []) -> TimeSeries {
        TimeSeries(
            labels: [Label(name: "__name__", value: name)] + extra.map { Label(name: $0.0, value: $0.1) },
            samples: samples.map { Sample(t: Timestamp(ms: $0.0), v: $0.1) })
    }

    @Test func partialAcceptanceKeepsValidSeriesAndNamesProblems() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let (service, _) = try await makeService(dir)
        let good = Self.series("up", [(Self.now - 1000, 1), (Self.now, 1)], extra: [("job", "a")])
        let noName = TimeSeries(labels: [Label(name: "job", value: "x")], samples: [Sample(t: Timestamp(ms: Self.now), v: 1)])
        let future = Self.series("up", [(Self.now + 11 * 60_000, 1)], extra: [("job", "b")])
        let summary = try await service.push(tenant: "t1", series: [good, noName, future])
        #expect(summary.acceptedSamples == 2)
        #expect(summary.rejected[.missingMetricName] == 1)
        #expect(summary.rejected[.tooFarInFuture] == 1)
        #expect(summary.errorBody.contains("no metric name"))
        #expect(summary.errorBody.contains("in the future"))

        // Out of order against what was committed before.
        let late = try await service.push(tenant: "t1", series: [Self.series("up", [(Self.now - 5000, 1)], extra: [("job", "a")])])
        #expect(late.rejected[.outOfOrder] == 1)
        #expect(late.acceptedSamples == 0)
    }

    @Test func tenantsAreIsolated() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let (service, _) = try await makeService(dir)
        _ = try await service.push(tenant: "a", series: [Self.series("m", [(Self.now, 1)])])
        _ = try await service.push(tenant: "b", series: [Self.series("m", [(Self.now, 2)]), Self.series("n", [(Self.now, 3)])])
        let a = try await service.queryable(tenant: "a").handle.storage.headSeriesCount
        let b = try await service.queryable(tenant: "b").handle.storage.headSeriesCount
        #expect(a == 1 && b == 2)
        await #expect { try await service.push(tenant: "../etc", series: []) } throws: {
            ($0 as? ReceiverError)?.code == .invalidTenant
        }
    }

    @Test func activeSeriesLimitRefusesOnlyNewSeries() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let (service, _) = try await makeService(dir) { $0.defaultLimits.maxActiveSeries = 1 }
        _ = try await service.push(tenant: "t", series: [Self.series("a", [(Self.now - 10, 1)])])
        let s = try await service.push(tenant: "t", series: [Self.series("a", [(Self.now, 2)]), Self.series("b", [(Self.now, 1)])])
        #expect(s.acceptedSamples == 1)
        #expect(s.rejected[.seriesLimit] == 1)
        #expect(s.errorBody.contains("max_active_series=1"))
    }

    @Test func rateLimitThrowsRetryable429WithRetryAfter() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let (service, _) = try await makeService(dir) {
            $0.tenantLimits["slow"] = { var l = TenantLimits(); l.samplesPerSecond = 10; l.samplesBurst = 10; return l }()
        }
        _ = try await service.push(tenant: "slow", series: [Self.series("a", (0..<10).map { (Self.now - 100 + $0, 1) })])
        do {
            _ = try await service.push(tenant: "slow", series: [Self.series("a", [(Self.now, 1)])])
            Issue.record("expected rate limit")
        } catch let error as ReceiverError {
            #expect(error.code == .rateLimited)
            #expect(error.isRetryable)
            #expect((error.retryAfterSeconds ?? 0) >= 1)
        }
        // Other tenants are not affected.
        #expect(try await service.push(tenant: "fast", series: [Self.series("a", [(Self.now, 1)])]).acceptedSamples == 1)
    }
}
