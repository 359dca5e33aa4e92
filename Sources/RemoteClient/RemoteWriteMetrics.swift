import Metrics
import Synchronization

/// A point-in-time copy of a queue manager's counters.
public struct RemoteWriteStats: Sendable, Equatable {
    /// Samples acknowledged by the endpoint.
    public var samplesSent = 0
    /// Samples dropped after a non-retryable response (4xx other than 413/415, or 429 without retries).
    public var samplesFailed = 0
    /// Sample sends retried (each retry counts the batch's samples once).
    public var samplesRetried = 0
    /// Samples dropped before sending: relabeled away, or with no known series.
    public var samplesDropped = 0
    /// Samples read from the WAL.
    public var samplesIn = 0
    /// HTTP requests that got a response, by outcome.
    public var requests = 0
    /// Batches split after HTTP 413.
    public var splits = 0
    /// Whether the sender fell back from remote write 2.0 to 1.0.
    public var downgradedToV1 = false
    /// WAL segments skipped because they were gone or corrupt.
    public var segmentsLost = 0
    /// Shards currently running.
    public var shards = 0
    /// Times the shard count changed.
    public var reshards = 0
    /// Highest sample timestamp read from the WAL, in milliseconds.
    public var highestTimestampMs: Int64 = 0
    /// Highest sample timestamp acknowledged by the endpoint, in milliseconds.
    public var highestSentTimestampMs: Int64 = 0

    public init() {}
}

/// Counters of one remote-write destination, mirrored to swift-metrics with Prometheus' names
/// (`prometheus_remote_storage_*`, labelled with `remote_name` and `url`).
final class RemoteWriteMetrics: Sendable {
    private let stats = Mutex(RemoteWriteStats())
    private let sentCounter, failedCounter, retriedCounter, droppedCounter, inCounter: Counter
    private let highestGauge, highestSentGauge, shardsGauge: Gauge

    init(name: String, url: String) {
        let d = [("remote_name", name), ("url", url)]
        sentCounter = Counter(label: "prometheus_remote_storage_samples_total", dimensions: d)
        failedCounter = Counter(label: "prometheus_remote_storage_samples_failed_total", dimensions: d)
        retriedCounter = Counter(label: "prometheus_remote_storage_samples_retried_total", dimensions: d)
        droppedCounter = Counter(label: "prometheus_remote_storage_samples_dropped_total", dimensions: d)
        inCounter = Counter(label: "prometheus_remote_storage_samples_in_total", dimensions: d)
        highestGauge = Gauge(label: "prometheus_remote_storage_highest_timestamp_in_seconds", dimensions: d)
        highestSentGauge = Gauge(label: "prometheus_remote_storage_queue_highest_sent_timestamp_seconds", dimensions: d)
        shardsGauge = Gauge(label: "prometheus_remote_storage_shards", dimensions: d)
    }

    var snapshot: RemoteWriteStats { stats.withLock { $0 } }

    func read(samples n: Int, highestMs: Int64?) {
        inCounter.increment(by: n)
        let h = stats.withLock { s -> Int64 in
            s.samplesIn += n
            if let highestMs, highestMs > s.highestTimestampMs { s.highestTimestampMs = highestMs }
            return s.highestTimestampMs
        }
        highestGauge.record(Double(h) / 1000)
    }

    func sent(_ n: Int, highestMs: Int64) {
        sentCounter.increment(by: n)
        let h = stats.withLock { s -> Int64 in
            s.samplesSent += n
            s.requests += 1
            s.highestSentTimestampMs = max(s.highestSentTimestampMs, highestMs)
            return s.highestSentTimestampMs
        }
        highestSentGauge.record(Double(h) / 1000)
    }

    func failed(_ n: Int) {
        failedCounter.increment(by: n)
        stats.withLock {
            $0.samplesFailed += n; $0.requests += 1
        }
    }

    func retried(_ n: Int) {
        retriedCounter.increment(by: n)
        stats.withLock { $0.samplesRetried += n }
    }

    func dropped(_ n: Int) {
        guard n > 0 else { return }
        droppedCounter.increment(by: n)
        stats.withLock { $0.samplesDropped += n }
    }

    func split() {
        stats.withLock {
            $0.splits += 1; $0.requests += 1
        }
    }
    func downgraded() {
        stats.withLock {
            $0.downgradedToV1 = true; $0.requests += 1
        }
    }
    func segmentsLost(_ n: Int) { stats.withLock { $0.segmentsLost = n } }

    func shards(_ n: Int) {
        shardsGauge.record(n)
        stats.withLock { s in
            if s.shards != 0 && s.shards != n { s.reshards += 1 }
            s.shards = n
        }
    }
}
