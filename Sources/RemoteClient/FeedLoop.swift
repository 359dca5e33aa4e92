import Logging
import PromModel

/// Moves samples from the WAL watcher into the shards and tracks which WAL position is fully
/// acknowledged. Each generation runs a fixed number of shards; resharding drains the queues and
/// starts the next generation with the new count.
struct FeedLoop {
    let manager: QueueManager
    let watcher: WatcherBox
    /// End of the last record read and fully handed to the shards; the watcher's cursor may be ahead.
    private var readPosition: WALPosition
    /// The last position known to be fully acknowledged.
    private var acknowledged: WALPosition
    /// End positions of samples records still possibly in the shards, by record sequence, ascending.
    private var pendingRecords: [(seq: UInt64, end: WALPosition)] = []
    private var seq: UInt64 = 0
    private var queues: [ShardQueue] = []
    var lastSave: Duration = .zero
    private var lastReshard: Duration = .zero
    private var lastRetried = 0
    private var lastSamplesIn = 0

    init(manager: QueueManager, watcher: WatcherBox, position: WALPosition) {
        self.manager = manager
        self.watcher = watcher
        self.readPosition = position
        self.acknowledged = position
    }

    /// The newest position whose samples were all sent or dropped.
    mutating func committable() -> WALPosition {
        guard let oldest = queues.compactMap(\.oldestPending).min() else {
            pendingRecords.removeAll()
            acknowledged = readPosition
            return acknowledged
        }
        let done = pendingRecords.prefix { $0.seq < oldest }
        if let last = done.last { acknowledged = last.end }
        pendingRecords.removeFirst(done.count)
        return acknowledged
    }

    mutating func run() async throws {
        let q = manager.configuration.queueConfig
        var shards = q.minShards
        while true {
            queues = (0..<shards).map { _ in ShardQueue(capacity: q.capacity) }
            manager.metrics.shards(shards)
            let generation = queues
            let next = try await withThrowingTaskGroup(of: Void.self) { group -> Int? in
                let manager = self.manager
                for queue in generation { group.addTask { try await manager.runShard(queue) } }
                let next: Int?
                do {
                    next = try await feed()
                } catch {
                    for queue in generation { queue.close() }
                    throw error
                }
                for queue in generation { queue.close() }
                try await group.waitForAll()
                return next
            }
            guard let next, !manager.shutdownRequested else { return }
            manager.logger.debug("remote write reshards", metadata: ["from": "\(shards)", "to": "\(next)"])
            shards = next
        }
    }

    /// Feeds until cancelled (returns nil) or a new shard count is wanted (returns it).
    private mutating func feed() async throws -> Int? {
        let box = watcher
        while !Task.isCancelled && !manager.shutdownRequested {
            let step = try await manager.io { () throws -> ReadStep in
                let w = box.watcher
                let records = try w.readNext().map(w.resolve)
                return ReadStep(records: records, cursor: w.cursor, segmentsLost: w.segmentsLost)
            }
            manager.metrics.segmentsLost(step.segmentsLost)
            if step.records.isEmpty {
                readPosition = step.cursor
                try await manager.saveCommitted(loop: &self)
                if let n = desiredShards() { return n }
                try await manager.clock.sleep(manager.options.pollInterval)
                continue
            }
            for record in step.records {
                // A record only partly queued when the queues closed must be read again next time.
                guard !manager.shutdownRequested, await enqueue(record) else { return nil }
                readPosition = record.end
            }
            readPosition = step.cursor
            try await manager.saveCommitted(loop: &self)
        }
        return nil
    }

    /// Splits one samples record across the shards by series hash; false when a queue closed.
    private mutating func enqueue(_ record: ResolvedSamples) async -> Bool {
        seq += 1
        var perShard = [[PendingSample]](repeating: [], count: queues.count)
        var highest: Int64?
        for s in record.samples {
            highest = max(highest ?? s.t, s.t)
            let shard = Int(s.labels.stableHash % UInt64(queues.count))
            perShard[shard].append(PendingSample(labels: s.labels, t: s.t, v: s.v, seq: seq))
        }
        manager.metrics.read(samples: record.samples.count + record.dropped, highestMs: highest)
        manager.metrics.dropped(record.dropped)
        pendingRecords.append((seq, record.end))
        for (i, samples) in perShard.enumerated() where !samples.isEmpty {
            guard await queues[i].push(samples) else { return false }
        }
        return true
    }

    /// A new shard count per ``ReshardPolicy``, checked once per reshard interval and never while
    /// sends are being retried.
    private mutating func desiredShards() -> Int? {
        let now = manager.clock.elapsed()
        let interval = now - lastReshard
        guard interval >= manager.options.reshardInterval else { return nil }
        lastReshard = now
        let stats = manager.metrics.snapshot
        let timing = manager.takeSendTiming()
        defer {
            lastRetried = stats.samplesRetried
            lastSamplesIn = stats.samplesIn
        }
        guard stats.samplesRetried == lastRetried, timing.samples > 0 else { return nil }
        let backlog = queues.reduce(0) { $0 + $1.count }
        let q = manager.configuration.queueConfig
        return ReshardPolicy.desiredShards(
            current: queues.count, minShards: q.minShards, maxShards: q.maxShards,
            samplesIn: stats.samplesIn - lastSamplesIn, backlog: backlog, interval: interval,
            sendSeconds: timing.seconds, samplesSent: timing.samples)
    }
}

/// What one WAL read produced, copied out of the watcher.
struct ReadStep: Sendable {
    var records: [ResolvedSamples]
    var cursor: WALPosition
    var segmentsLost: Int
}

/// How many shards keep up with the incoming samples; pure, so the rule is testable on its own.
enum ReshardPolicy {
    /// Shards needed = (incoming samples/s + backlog drained over one interval) × send seconds per
    /// sample × 1.2 headroom, clamped to `[minShards, maxShards]`.
    /// - Returns: the new count, or nil when it is within 30% of `current` or there is no data.
    static func desiredShards(
        current: Int, minShards: Int, maxShards: Int, samplesIn: Int, backlog: Int, interval: Duration,
        sendSeconds: Double, samplesSent: Int
    ) -> Int? {
        let seconds = interval.seconds
        guard samplesSent > 0, seconds > 0, current > 0 else { return nil }
        let incoming = Double(samplesIn + backlog) / seconds
        let perSample = sendSeconds / Double(samplesSent)
        let desired = min(maxShards, max(minShards, Int((incoming * perSample * 1.2).rounded(.up))))
        guard desired != current, abs(Double(desired - current)) / Double(current) > 0.3 else { return nil }
        return desired
    }
}
