import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import PromModel
import Rules
import Testing

/// A fake Alertmanager on loopback that records request bodies and can fail the first requests.
final class FakeAlertmanager: @unchecked Sendable {
    // Guarded by `lock`: written by Hummingbird's handlers, read by the test.
    private let lock = NSLock()
    private var _bodies: [[[String: Any]]] = []
    private var failuresLeft: Int

    init(failFirst: Int = 0) { failuresLeft = failFirst }

    var bodies: [[[String: Any]]] { lock.withLock { _bodies } }

    /// Runs the server while `body` runs, passing it the base URL.
    func serve(_ body: @Sendable @escaping (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/api/v2/alerts") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let fail: Bool = self.lock.withLock {
                if self.failuresLeft > 0 {
                    self.failuresLeft -= 1
                    return true
                }
                return false
            }
            if fail { return .serviceUnavailable }
            let json = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [[String: Any]] ?? []
            self.lock.withLock { self._bodies.append(json) }
            return .ok
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var ports = portStream.makeAsyncIterator()
            let port = await ports.next() ?? 0
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }
}

/// Retries without waiting, so tests do not depend on wall-clock time.
struct ImmediateClock: Clock {
    typealias Duration = Swift.Duration
    var now: ContinuousClock.Instant { ContinuousClock.now }
    var minimumResolution: Duration { .zero }
    func sleep(until deadline: ContinuousClock.Instant, tolerance: Duration?) async throws { try Task.checkCancellation() }
}

@Suite struct NotifierTests {
    static let alert = OutgoingAlert(
        labels: ["alertname": "Down", "instance": "a", "replica": "mine"], annotations: ["summary": "a is down"],
        startsAt: Timestamp(ms: 1_700_000_000_000), endsAt: Timestamp(ms: 1_700_000_240_123),
        generatorURL: "http://hearth:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1")

    func notifier(_ url: String, queueCapacity: Int = 100, timeoutMs: Int64 = 10_000) -> Notifier {
        var config = NotifierConfiguration(alertmanagerURLs: [url], externalLabels: ["cluster": "eu1", "replica": "ext"])
        config.queueCapacity = queueCapacity
        config.timeoutMs = timeoutMs
        config.maxBatchSize = 2
        return Notifier(configuration: config, clock: ImmediateClock())
    }

    @Test("posts the v2 JSON body with external labels added but not overriding")
    func postsJSON() async throws {
        let am = FakeAlertmanager()
        try await am.serve { url in
            let n = notifier(url)
            n.send([Self.alert])
            n.finish()
            try await n.run()
            #expect(n.stats.sent == 1)
        }
        let body = try #require(am.bodies.first?.first)
        #expect(body["labels"] as? [String: String] == ["alertname": "Down", "instance": "a", "replica": "mine", "cluster": "eu1"])
        #expect(body["annotations"] as? [String: String] == ["summary": "a is down"])
        #expect(body["startsAt"] as? String == "2023-11-14T22:13:20.000Z")
        #expect(body["endsAt"] as? String == "2023-11-14T22:17:20.123Z")
        #expect(body["generatorURL"] as? String == "http://hearth:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1")
    }

    @Test("batches respect maxBatchSize")
    func batches() async throws {
        let am = FakeAlertmanager()
        try await am.serve { url in
            let n = notifier(url)
            n.send((0..<5).map { i in
                var a = Self.alert
                a.labels = a.labels.setting("instance", to: "\(i)")
                return a
            })
            n.finish()
            try await n.run()
        }
        #expect(am.bodies.map(\.count) == [2, 2, 1])
    }

    @Test("failed requests are retried")
    func retries() async throws {
        let am = FakeAlertmanager(failFirst: 2)
        try await am.serve { url in
            let n = notifier(url)
            n.send([Self.alert])
            n.finish()
            try await n.run()
            #expect(n.stats.failedRequests == 2)
            #expect(n.stats.sent == 1)
        }
        #expect(am.bodies.count == 1)
    }

    @Test("a full queue drops the oldest alerts and counts them")
    func boundedQueue() {
        let n = notifier("http://127.0.0.1:1", queueCapacity: 3)
        n.send((0..<5).map { i in
            var a = Self.alert
            a.labels = a.labels.setting("instance", to: "\(i)")
            return a
        })
        #expect(n.queueLength == 3)
        #expect(n.stats.dropped == 2)
    }

    @Test("an unreachable Alertmanager fails the batch after all attempts")
    func unreachable() async throws {
        // A short deadline: the HTTP client keeps retrying a refused connection until the deadline.
        let n = notifier("http://127.0.0.1:\(ExternalTool.freePort())", timeoutMs: 300)
        n.send([Self.alert])
        n.finish()
        try await n.run()
        #expect(n.stats.failedBatches == 1)
        #expect(n.stats.failedRequests == 3)
    }
}
