public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import PromModel
public import ServiceLifecycle
import Synchronization

/// Settings of the ``Notifier``.
public struct NotifierConfiguration: Sendable {
    /// Alertmanager base URLs, e.g. `http://127.0.0.1:9093`; alerts are posted to `<url>/api/v2/alerts`.
    public var alertmanagerURLs: [String]
    /// Labels added to every alert unless it already has the label (`global.external_labels`).
    public var externalLabels: [String: String] = [:]
    /// Most alerts waiting to be sent; beyond it the oldest are dropped and counted (Prometheus: 10000).
    public var queueCapacity: Int = 10_000
    /// Most alerts per request (Prometheus: 64).
    public var maxBatchSize: Int = 64
    /// Per-request timeout in milliseconds (`alerting.alertmanagers[].timeout`, default 10s).
    public var timeoutMs: Int64 = 10_000
    /// Attempts per batch and Alertmanager before the batch is given up (firing alerts are resent anyway).
    public var maxAttempts: Int = 3
    /// Wait before the first retry; doubled for each further retry.
    public var retryBackoffMs: Int64 = 500

    /// Creates a configuration.
    public init(alertmanagerURLs: [String], externalLabels: [String: String] = [:]) {
        self.alertmanagerURLs = alertmanagerURLs
        self.externalLabels = externalLabels
    }

    /// - Throws: ``RulesError`` naming the field with a bad value.
    public func validate() throws {
        for url in alertmanagerURLs where URL(string: url)?.host == nil {
            throw RulesError(.notification, "alertmanagerURLs: \"\(url)\" is not an absolute http(s) URL")
        }
        if queueCapacity < 1 { throw RulesError(.notification, "queueCapacity must be at least 1, got \(queueCapacity)") }
        if maxBatchSize < 1 { throw RulesError(.notification, "maxBatchSize must be at least 1, got \(maxBatchSize)") }
        if maxAttempts < 1 { throw RulesError(.notification, "maxAttempts must be at least 1, got \(maxAttempts)") }
    }
}

/// Sends alerts to Alertmanagers' v2 API from a bounded queue.
///
/// ``send(_:)`` never blocks: it queues (dropping the oldest alerts when full) and wakes ``run()``,
/// which posts batches to every Alertmanager concurrently, retrying failures with backoff.
/// Thread-safe.
public final class Notifier: AlertSender, Service, Sendable {
    /// Counters since start.
    public struct Stats: Sendable, Equatable {
        /// Alerts delivered, counted once per Alertmanager.
        public var sent = 0
        /// Alerts dropped because the queue was full.
        public var dropped = 0
        /// Batches an Alertmanager did not accept after all attempts.
        public var failedBatches = 0
        /// Requests that failed, including ones retried successfully.
        public var failedRequests = 0
    }

    let configuration: NotifierConfiguration
    let client: HTTPClient
    let clock: any Clock<Duration>
    let logger: Logger
    /// Guards the queue and counters; held only to copy in or out, never across an await.
    private let state = Mutex<(queue: [OutgoingAlert], stats: Stats)>(([], Stats()))
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// Creates a notifier.
    /// - Parameters:
    ///   - client: the HTTP client; the caller owns and shuts it down.
    ///   - clock: sleeps between retries; tests pass a fast or manual clock.
    public init(
        configuration: NotifierConfiguration, client: HTTPClient = .shared, clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "hearth.notifier")
    ) {
        self.configuration = configuration
        self.client = client
        self.clock = clock
        self.logger = logger
        // One pending wake-up is enough: the run loop drains the whole queue each time.
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues alerts, adding external labels; drops the oldest queued alerts beyond the capacity.
    public func send(_ alerts: [OutgoingAlert]) {
        let external = configuration.externalLabels
        let labelled = alerts.map { alert in
            var a = alert
            for (k, v) in external where a.labels.get(k) == nil { a.labels = a.labels.setting(k, to: v) }
            return a
        }
        let (dropped, length) = state.withLock { s in
            s.queue.append(contentsOf: labelled)
            let excess = max(0, s.queue.count - configuration.queueCapacity)
            s.queue.removeFirst(excess)
            s.stats.dropped += excess
            return (excess, s.queue.count)
        }
        if dropped > 0 { RulesMetrics.dropped(count: dropped) }
        RulesMetrics.queueLength(length)
        wake.yield()
    }

    /// Counters since start.
    public var stats: Stats { state.withLock { $0.stats } }

    /// Alerts waiting to be sent.
    public var queueLength: Int { state.withLock { $0.queue.count } }

    /// Delivers queued alerts until graceful shutdown, then flushes what is queued once.
    public func run() async throws {
        for await _ in wakeups.cancelOnGracefulShutdown() {
            await drain()
        }
        await drain()
    }

    /// Stops ``run()`` after it has flushed the queue; for owners that do not use a `ServiceGroup`.
    public func finish() { wake.finish() }

    /// Sends batches until the queue is empty.
    func drain() async {
        while true {
            let batch: [OutgoingAlert] = state.withLock { s in
                let n = min(configuration.maxBatchSize, s.queue.count)
                defer { s.queue.removeFirst(n) }
                return Array(s.queue.prefix(n))
            }
            if batch.isEmpty { return }
            await deliver(batch)
        }
    }

    /// Posts one batch to every Alertmanager concurrently.
    func deliver(_ batch: [OutgoingAlert]) async {
        let body: ByteBuffer
        do { body = ByteBuffer(bytes: try AlertmanagerPayload.encode(batch)) } catch {
            logger.debug("cannot encode alerts", metadata: ["error": "\(error)"])
            return
        }
        await withDiscardingTaskGroup { tasks in
            for base in configuration.alertmanagerURLs {
                tasks.addTask { await self.deliver(body, count: batch.count, to: base) }
            }
        }
    }

    private func deliver(_ body: ByteBuffer, count: Int, to base: String) async {
        let url = base.hasSuffix("/") ? base + "api/v2/alerts" : base + "/api/v2/alerts"
        var backoff = configuration.retryBackoffMs
        for attempt in 1...configuration.maxAttempts {
            do {
                try await post(body, to: url)
                state.withLock { $0.stats.sent += count }
                RulesMetrics.sent(alertmanager: url, count: count)
                return
            } catch {
                state.withLock { $0.stats.failedRequests += 1 }
                logger.debug("alertmanager request failed", metadata: ["url": "\(url)", "attempt": "\(attempt)", "error": "\(error)"])
                if attempt == configuration.maxAttempts || Task.isCancelled { break }
                do { try await clock.sleep(for: .milliseconds(backoff)) } catch { break }
                backoff *= 2
            }
        }
        state.withLock { $0.stats.failedBatches += 1 }
        RulesMetrics.failed(alertmanager: url, count: count)
    }

    private func post(_ body: ByteBuffer, to url: String) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Hearth")
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .milliseconds(configuration.timeoutMs))
        let text = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw RulesError(
                .notification, "POST \(url): HTTP \(response.status.code): \(String(buffer: text).prefix(200))")
        }
    }
}

/// The JSON body of Alertmanager's `POST /api/v2/alerts`: an array of postable alerts.
enum AlertmanagerPayload {
    struct Element: Encodable {
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String?
        var generatorURL: String
    }

    static func encode(_ alerts: [OutgoingAlert]) throws -> [UInt8] {
        let elements = alerts.map { a in
            Element(
                labels: dictionary(a.labels), annotations: dictionary(a.annotations),
                startsAt: RFC3339.format(ms: a.startsAt.ms), endsAt: a.endsAt.map { RFC3339.format(ms: $0.ms) },
                generatorURL: a.generatorURL)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(elements))
    }

    static func dictionary(_ labels: Labels) -> [String: String] {
        Dictionary(labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
