import PromModel
import PromQL
import StorageAPI
import Testing

/// A storage that records the hints of every select.
final class RecordingStorage: Queryable, @unchecked Sendable {
    // @unchecked: written by the one query task under test, read after it finishes.
    let inner = MemoryStorage()
    var selects: [(mint: Timestamp, maxt: Timestamp, hints: SelectHints?)] = []

    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        Recording(storage: self, inner: try await inner.querier(mint: mint, maxt: maxt), mint: mint, maxt: maxt)
    }

    struct Recording: Querier, @unchecked Sendable {
        let storage: RecordingStorage
        let inner: any Querier
        let mint: Timestamp
        let maxt: Timestamp
        func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
            storage.selects.append((mint, maxt, hints))
            return try await inner.select(sorted: sorted, hints: hints, matchers: matchers)
        }
        func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] { [] }
        func labelNames(matchers: [Matcher]) async throws -> [String] { [] }
        func close() {}
    }
}

struct EngineTests {
    static func counter(_ name: String, job: String, points: Int, stepMs: Int64) -> (Labels, [Sample]) {
        let labels = Labels(["__name__": name, "job": job])
        return (labels, (0..<points).map { Sample(t: Timestamp(ms: Int64($0) * stepMs), v: Double($0)) })
    }

    @Test func selectHintsDescribeTheNeededData() async throws {
        let storage = RecordingStorage()
        let (labels, samples) = Self.counter("foo", job: "a", points: 100, stepMs: 15_000)
        storage.inner.add(labels, samples)
        _ = try await Engine().rangeQuery(
            "sum by (job) (rate(foo[5m]))", start: Timestamp(ms: 1_000_000), end: Timestamp(ms: 1_240_000),
            stepMs: 60_000, storage: storage)
        let s = try #require(storage.selects.first)
        #expect(s.mint == Timestamp(ms: 1_000_000 - 300_000 + 1))
        #expect(s.maxt == Timestamp(ms: 1_240_000))
        let hints = try #require(s.hints)
        #expect(hints.function == "rate")
        #expect(hints.rangeMs == 300_000)
        #expect(hints.stepMs == 60_000)
        #expect(hints.grouping == ["job"] && hints.by)
    }

    @Test func offsetAndAtShiftTheSelectedRange() async throws {
        let storage = RecordingStorage()
        _ = try await Engine().instantQuery("foo offset 1h", at: Timestamp(ms: 7_200_000), storage: storage)
        _ = try await Engine().instantQuery("foo @ 100", at: Timestamp(ms: 7_200_000), storage: storage)
        #expect(storage.selects.map(\.maxt) == [Timestamp(ms: 3_600_000), Timestamp(ms: 100_000)])
        #expect(storage.selects[0].mint == Timestamp(ms: 3_600_000 - 300_000 + 1))
    }

    @Test func sampleLimit() async throws {
        let storage = MemoryStorage()
        let (labels, samples) = Self.counter("foo", job: "a", points: 100, stepMs: 1000)
        storage.add(labels, samples)
        var options = EngineOptions()
        options.maxSamples = 50
        await #expect(throws: PromQLError(.limit, "")) {
            try await Engine(options: options).instantQuery(
                "count_over_time(foo[2m])", at: Timestamp(ms: 99_000), storage: storage)
        }
        let ok = try await Engine(options: options).instantQuery(
            "count_over_time(foo[30s])", at: Timestamp(ms: 99_000), storage: storage)
        guard case .vector(let v) = ok else {
            Issue.record("not a vector")
            return
        }
        #expect(v.map(\.v) == [30])
    }

    @Test func seriesLimit() async throws {
        let storage = MemoryStorage()
        for job in ["a", "b", "c"] {
            let (labels, samples) = Self.counter("foo", job: job, points: 3, stepMs: 1000)
            storage.add(labels, samples)
        }
        var options = EngineOptions()
        options.maxSeries = 2
        do {
            _ = try await Engine(options: options).instantQuery("foo", at: Timestamp(ms: 2000), storage: storage)
            Issue.record("no error")
        } catch let e as PromQLError {
            #expect(e.code == .limit)
            #expect(e.message.contains("too many series"))
        }
    }

    @Test func rangeQueryRejectsRangeVectors() async throws {
        await #expect(throws: PromQLError(.parse, "")) {
            try await Engine().rangeQuery(
                "foo[5m]", start: Timestamp(ms: 0), end: Timestamp(ms: 1000), stepMs: 1000, storage: MemoryStorage())
        }
    }

    @Test("left-open windows exclude the sample at t - range", arguments: [(60_000 as Int64, 2.0), (60_001, 3.0)])
    func leftOpenWindow(rangeMs: Int64, expected: Double) async throws {
        let storage = MemoryStorage()
        storage.add(Labels(["__name__": "g"]), [0, 30_000, 60_000].map { Sample(t: Timestamp(ms: $0), v: 1) })
        let v = try await Engine().instantQuery(
            "count_over_time(g[\(rangeMs)ms])", at: Timestamp(ms: 60_000), storage: storage)
        guard case .vector(let e) = v else {
            Issue.record("not a vector")
            return
        }
        #expect(e.map(\.v) == [expected])
    }
}

/// A storage whose reads fail.
struct FailingStorage: Queryable {
    struct Broken: Error {}
    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier { throw Broken() }
}

struct StorageErrorTests {
    @Test func storageErrorsAreWrapped() async throws {
        do {
            _ = try await Engine().instantQuery("rate(foo[5m])", at: Timestamp(ms: 0), storage: FailingStorage())
            Issue.record("no error")
        } catch let e as PromQLError {
            #expect(e.code == .storage)
            #expect(e.underlying is FailingStorage.Broken)
            #expect(e.message.hasPrefix("cannot read series matching {__name__=\"foo\"}"))
        }
    }
}

struct CancellationTests {
    @Test func cancelledQueriesStop() async throws {
        let storage = MemoryStorage()
        storage.add(Labels(["__name__": "foo"]), [Sample(t: Timestamp(ms: 0), v: 1)])
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Engine().instantQuery("foo", at: Timestamp(ms: 0), storage: storage)
        }
        do {
            _ = try await task.value
            Issue.record("no error")
        } catch let e as PromQLError {
            #expect(e.code == .canceled)
        }
    }
}
