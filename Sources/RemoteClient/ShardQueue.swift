import PromModel
import Synchronization

/// One sample waiting to be sent: its series' labels, the sample and the WAL record it came from.
struct PendingSample: Sendable {
    var labels: Labels
    var t: Int64
    var v: Double
    /// Sequence number of the WAL samples record, for acknowledging positions.
    var seq: UInt64
}

/// A bounded single-producer, single-consumer queue feeding one shard.
///
/// The producer (the WAL reader) waits when the queue is full, so the WAL, not memory, absorbs an
/// outage. The consumer takes batches and acknowledges each once it was sent or dropped; until
/// then its oldest record sequence still counts as pending. Cancelling a waiting task closes the queue.
final class ShardQueue: Sendable {
    let capacity: Int

    private struct State {
        var items: [PendingSample] = []
        var head = 0
        /// Lowest sequence in the batch being sent, nil when none is in flight.
        var inFlight: UInt64?
        var closed = false
        var producer: CheckedContinuation<Void, Never>?
        var consumer: CheckedContinuation<Void, Never>?
        var count: Int { items.count - head }
    }

    // Guards the items and the two waiters; held for O(batch) copies only, never across an await.
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Samples queued, not counting the batch in flight.
    var count: Int { state.withLock { $0.count } }

    /// Lowest record sequence not yet acknowledged, nil when the queue is idle.
    var oldestPending: UInt64? {
        state.withLock { s in
            let queued = s.count > 0 ? s.items[s.head].seq : nil
            switch (s.inFlight, queued) {
            case (let a?, let b?): return min(a, b)
            case (let a?, nil): return a
            case (nil, let b): return b
            }
        }
    }

    /// Appends all `samples`, waiting for room as needed.
    /// - Returns: false when the queue was closed before everything fit.
    func push(_ samples: [PendingSample]) async -> Bool {
        var rest = samples[...]
        while !rest.isEmpty {
            let accepted: Bool? = state.withLock { s in
                if s.closed { return nil }
                let n = min(capacity - s.count, rest.count)
                guard n > 0 else { return false }
                if s.head > 0 && s.head >= s.items.count / 2 {
                    s.items.removeFirst(s.head)
                    s.head = 0
                }
                s.items.append(contentsOf: rest.prefix(n))
                rest = rest.dropFirst(n)
                return true
            }
            guard let accepted else { return false }
            wakeConsumer()
            if !accepted { await wait(producer: true) }
        }
        return true
    }

    /// Waits until at least one sample is queued; false once closed and drained.
    func waitForSamples() async -> Bool {
        while true {
            let ready: Bool? = state.withLock { s in s.count > 0 ? true : (s.closed ? false : nil) }
            if let ready { return ready }
            await wait(producer: false)
        }
    }

    /// Takes up to `max` samples as the batch in flight.
    func take(max: Int) -> [PendingSample] {
        let batch: [PendingSample] = state.withLock { s in
            let n = min(max, s.count)
            let batch = Array(s.items[s.head..<s.head + n])
            s.head += n
            if s.head == s.items.count {
                s.items.removeAll(keepingCapacity: true)
                s.head = 0
            }
            s.inFlight = batch.map(\.seq).min()
            return batch
        }
        wakeProducer()
        return batch
    }

    /// Marks the batch in flight as sent or dropped.
    func acknowledge() { state.withLock { $0.inFlight = nil } }

    /// Stops accepting samples; the consumer drains what is queued, then ``waitForSamples()`` is false.
    func close() {
        state.withLock { $0.closed = true }
        wakeProducer()
        wakeConsumer()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    private func wait(producer: Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    let satisfied = producer ? (s.count < capacity) : (s.count > 0)
                    if s.closed || satisfied || Task.isCancelled { return true }
                    if producer { s.producer = c } else { s.consumer = c }
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            close()
        }
    }

    private func wakeProducer() {
        state.withLock { s in
            defer { s.producer = nil }; return s.producer
        }?.resume()
    }

    private func wakeConsumer() {
        state.withLock { s in
            defer { s.consumer = nil }; return s.consumer
        }?.resume()
    }
}
