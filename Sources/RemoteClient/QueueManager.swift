public import AsyncHTTPClient
public import Logging
public import NIOPosix
public import PromModel
public import ServiceLifecycle
import Synchronization

/// Tuning of a ``QueueManager`` that prometheus.yml does not expose.
public struct QueueManagerOptions: Sendable {
    /// How often the WAL is checked for new records when idle. Default 250ms.
    public var pollInterval: Duration = .milliseconds(250)
    /// How often the shard count is reconsidered. Default 10s.
    public var reshardInterval: Duration = .seconds(10)
    /// Minimum time between two writes of the position file (it is always written at shutdown). Default 1s.
    public var positionSaveInterval: Duration = .seconds(1)
    /// Bytes of WAL read per step. Default 1 MiB.
    public var readChunkBytes = 1 << 20

    public init() {}
}

/// Remote write for one destination: tails the TSDB WAL, shards samples by series, batches, sends and
/// saves the acknowledged WAL position so a restart resumes where it stopped.
///
/// A `Service`: ``run()`` works until cancelled (graceful shutdown), then saves the position.
/// Memory is bounded by `capacity × shards` samples plus the series map; during an outage the WAL
/// reader blocks and WAL segments are kept (hard-linked) up to `wal_budget_bytes`.
public final class QueueManager: Service, Sendable {
    public let configuration: RemoteWriteConfiguration
    /// The TSDB's WAL directory (`<data>/wal`).
    public let walDirectory: String
    /// Where the position file and retained segment links live.
    public let stateDirectory: String
    let options: QueueManagerOptions
    let externalLabels: Labels
    let relabel: (@Sendable (Labels) -> Labels?)?
    let threadPool: NIOThreadPool
    let clock: QueueClock
    let logger: Logger
    let metrics: RemoteWriteMetrics
    let sender: RemoteWriteSender
    let positions: PositionStore
    let retention: SegmentRetention
    // Send timing for resharding: samples acknowledged and seconds spent sending them, all shards.
    private let sendTiming = Mutex((samples: 0, seconds: 0.0))
    private let committed = Mutex<WALPosition?>(nil)
    // Set once by the graceful shutdown handler.
    private let shutdown = Mutex(false)

    /// - Parameters:
    ///   - dataDirectory: the local TSDB directory; its WAL is `<dataDirectory>/wal`.
    ///   - stateDirectory: defaults to `<dataDirectory>/remote_write/<name>`.
    ///   - relabel: `write_relabel_configs` compiled by the caller; nil result drops the series.
    ///   - clock: time for batching deadlines, backoff and polling.
    /// - Throws: ``RemoteClientError`` for an invalid configuration or unreadable secret file.
    public init<C: Clock<Duration>>(
        configuration: RemoteWriteConfiguration, dataDirectory: String, stateDirectory: String? = nil,
        externalLabels: Labels = Labels(), relabel: (@Sendable (Labels) -> Labels?)? = nil,
        options: QueueManagerOptions = QueueManagerOptions(), httpClient: HTTPClient = .shared,
        threadPool: NIOThreadPool = .singleton, clock: C = ContinuousClock(), logger: Logger
    ) throws where C: Sendable, C.Instant: Sendable {
        try configuration.validate()
        self.configuration = configuration
        let walDirectory = dataDirectory + "/wal"
        self.walDirectory = walDirectory
        let state = stateDirectory ?? dataDirectory + "/remote_write/" + configuration.effectiveName
        self.stateDirectory = state
        self.options = options
        self.externalLabels = externalLabels
        self.relabel = relabel
        self.threadPool = threadPool
        let queueClock = QueueClock(clock)
        self.clock = queueClock
        var logger = logger
        logger[metadataKey: "remote_name"] = "\(configuration.effectiveName)"
        self.logger = logger
        let metrics = RemoteWriteMetrics(name: configuration.effectiveName, url: configuration.url)
        self.metrics = metrics
        self.sender = try RemoteWriteSender(
            client: httpClient, config: configuration, metrics: metrics, clock: queueClock, logger: logger)
        self.positions = PositionStore(stateDirectory: state)
        self.retention = SegmentRetention(
            walDirectory: walDirectory, stateDirectory: state, budgetBytes: configuration.walBudgetBytes)
    }

    /// Current counters.
    public var stats: RemoteWriteStats { metrics.snapshot }

    /// The last position saved (or loaded at start), nil before ``run()`` loaded it.
    public var committedPosition: WALPosition? { committed.withLock { $0 } }

    /// The lowest WAL segment this destination still needs; a TSDB that wants to keep segments for
    /// remote write MAY consult it before truncating.
    public var lowestSegmentInUse: Int? { committedPosition?.segment }

    func io<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    /// Runs until cancelled or graceful shutdown, then saves the acknowledged position.
    ///
    /// Graceful shutdown stops reading the WAL and sends what is queued; if the endpoint is down the
    /// service group's shutdown timeout cancels the run, and the unsent rest is sent after restart.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.runUntilCancelled()
        } onGracefulShutdown: {
            self.shutdown.withLock { $0 = true }
        }
    }

    /// Whether graceful shutdown began: the feed loop stops after the record it is queueing and the
    /// shards drain, so the saved position covers everything read.
    var shutdownRequested: Bool { shutdown.withLock { $0 } }

    private func runUntilCancelled() async throws {
        let state = stateDirectory, store = positions
        let saved = try await io { () throws -> WALPosition? in
            try PosixFile.makeDirectories(state)
            return try store.load()
        }
        let box = WatcherBox(
            WALWatcher(
                walDirectory: walDirectory, retention: retention, relabel: relabel, externalLabels: externalLabels,
                readChunkBytes: options.readChunkBytes, logger: logger))
        let start = try await io { () throws -> WALPosition in
            try box.watcher.start(at: saved)
            return box.watcher.cursor
        }
        committed.withLock { $0 = start }
        logger.debug(
            "remote write starts", metadata: ["position": "\(start)", "saved": "\(saved.map { "\($0)" } ?? "none")"])
        var loop = FeedLoop(manager: self, watcher: box, position: start)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.keepSegments() }
                try await loop.run()
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            try? saveFinal(&loop)
            throw error
        }
        try saveFinal(&loop)
    }

    /// Saves the acknowledged position at shutdown. The task is cancelled by then and thread-pool
    /// hops would fail with `CancellationError`, so this one small write blocks the caller instead.
    private func saveFinal(_ loop: inout FeedLoop) throws {
        let position = loop.committable()
        try positions.save(position)
        committed.withLock { $0 = position }
    }

    /// Writes the acknowledged position when it moved and enough time passed; ``keepSegments()`` then
    /// releases the segments before it.
    func saveCommitted(loop: inout FeedLoop) async throws {
        let position = loop.committable()
        let previous = committed.withLock { $0 }
        let now = clock.elapsed()
        guard position != previous, now - loop.lastSave >= options.positionSaveInterval else { return }
        loop.lastSave = now
        let store = positions
        try await io { try store.save(position) }
        committed.withLock { $0 = position }
    }

    /// Links new WAL segments at or after the acknowledged position every poll interval, also while
    /// the WAL reader is blocked on full queues during an outage, so TSDB truncation cannot take them.
    func keepSegments() async throws {
        let retention = retention
        while true {
            let first = committed.withLock { $0?.segment } ?? 0
            do {
                let lost = try await io { try retention.update(keepingFrom: first) }
                if !lost.isEmpty {
                    logger.debug("remote write disk budget exceeded", metadata: ["segments": "\(lost)"])
                }
            } catch {
                logger.debug("remote write cannot retain WAL segments", metadata: ["error": "\(error)"])
            }
            try await clock.sleep(options.pollInterval)
        }
    }

    /// One shard: waits for samples, fills a batch until `max_samples_per_send` or the deadline, sends.
    func runShard(_ queue: ShardQueue) async throws {
        let q = configuration.queueConfig
        let deadline = q.batchSendDeadline.duration
        while await queue.waitForSamples() {
            let started = clock.elapsed()
            while queue.count < q.maxSamplesPerSend && !queue.isClosed {
                let left = deadline - (clock.elapsed() - started)
                if left <= .zero { break }
                // Polling in short slices keeps one waiter per queue; a full batch waits at most a slice.
                try await clock.sleep(min(left, .milliseconds(10)))
            }
            let batch = queue.take(max: q.maxSamplesPerSend)
            guard !batch.isEmpty else { continue }
            let t0 = clock.elapsed()
            try await sender.send(batch)
            let spent = (clock.elapsed() - t0).seconds
            sendTiming.withLock {
                $0.samples += batch.count; $0.seconds += spent
            }
            queue.acknowledge()
        }
    }

    /// Samples acknowledged and seconds spent sending since the last call.
    func takeSendTiming() -> (samples: Int, seconds: Double) {
        sendTiming.withLock { t in
            defer { t = (0, 0) }; return t
        }
    }
}

/// Holds the WAL watcher so thread-pool closures can reach it.
/// @unchecked Sendable: only the feed loop's task uses the watcher, one thread-pool call at a time.
final class WatcherBox: @unchecked Sendable {
    let watcher: WALWatcher
    init(_ watcher: WALWatcher) { self.watcher = watcher }
}
