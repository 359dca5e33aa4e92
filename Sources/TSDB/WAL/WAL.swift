import Dispatch
import Synchronization

/// When the WAL calls fsync.
public enum WALSyncPolicy: Sendable, Equatable {
    /// Group commit: every commit waits until its records are fsynced; concurrent commits share one fsync.
    case always
    /// Commits wait for the write only; the writer fsyncs when at least this long passed since the last sync.
    case interval(Duration)
    /// Commits wait for the write only; fsync happens when a segment is closed.
    case never
}

/// Configuration of a ``WAL``.
public struct WALOptions: Sendable {
    /// Target size of one segment file; a record never spans two segments. Default 128 MiB.
    public var segmentSize: Int = 128 * 1024 * 1024
    /// Default `.always` (group commit).
    public var syncPolicy: WALSyncPolicy = .always

    /// - Parameters:
    ///   - segmentSize: bytes per segment, a multiple of 32 KiB and at least 64 KiB.
    ///   - syncPolicy: when commits are fsynced.
    public init(segmentSize: Int = 128 * 1024 * 1024, syncPolicy: WALSyncPolicy = .always) {
        self.segmentSize = segmentSize
        self.syncPolicy = syncPolicy
    }

    /// - Throws: ``TSDBError`` `.invalidArgument` naming the field.
    public func validate() throws {
        if segmentSize < 2 * WALFormat.pageSize || segmentSize % WALFormat.pageSize != 0 {
            throw TSDBError(.invalidArgument, "segmentSize \(segmentSize) must be a multiple of 32768 and at least 65536")
        }
    }
}

/// A write-ahead log in Prometheus' segment format with group commit.
///
/// Thread-safe. ``enqueue(_:)`` appends records to an in-memory batch in call order; a single writer
/// (a serial `DispatchQueue`, acceptable until the writer becomes an NIO thread-pool task, #3) drains
/// the batch, writes it, fsyncs once per batch per the ``WALSyncPolicy`` and wakes every commit
/// whose records are now durable. Records enqueued earlier are always written earlier.
///
/// The batch is bounded by its producers: each committer waits for durability before enqueueing
/// more, so pending bytes never exceed one commit per concurrent appender.
public final class WAL: Sendable {
    /// The WAL directory (`<data>/wal`).
    public let directory: String
    /// Segment size and sync policy.
    public let options: WALOptions

    private struct Pending {
        var records: [[UInt8]] = []
        var lastTicket: UInt64 = 0
        var durableTicket: UInt64 = 0
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var draining = false
        var failure: TSDBError?
    }

    // Guards the batch, tickets and waiters; held only for O(1) bookkeeping, never during I/O.
    private let pending = Mutex(Pending())
    private let queue = DispatchQueue(label: "hearth.wal.writer")
    private let writer: WriterBox

    /// Opens (creating if needed) a WAL directory. Call ``startWriting()`` after replay.
    public init(directory: String, options: WALOptions = WALOptions()) throws {
        try options.validate()
        try DiskIO.makeDirectory(directory)
        self.directory = directory
        self.options = options
        self.writer = WriterBox()
    }

    /// Indices of segment files present, ascending.
    public func segmentIndices() throws -> [Int] {
        try DiskIO.list(directory).compactMap { name in name.count == 8 ? Int(name) : nil }.sorted()
    }

    /// Starts a fresh segment after the last existing one; earlier segments are never appended to.
    public func startWriting() throws {
        let next = (try segmentIndices().last).map { $0 + 1 } ?? 0
        let w = try WALSegmentWriter(directory: directory, segment: next, segmentSize: options.segmentSize)
        queue.sync { writer.value = w }
    }

    /// Appends records to the current batch and returns a ticket for ``waitDurable(_:)``.
    /// Empty records are skipped.
    public func enqueue(_ records: [[UInt8]]) throws -> UInt64 {
        let (ticket, schedule) = try pending.withLock { p throws(TSDBError) -> (UInt64, Bool) in
            if let f = p.failure { throw f }
            p.records.append(contentsOf: records.lazy.filter { !$0.isEmpty })
            p.lastTicket += 1
            let schedule = !p.draining
            p.draining = true
            return (p.lastTicket, schedule)
        }
        if schedule { queue.async { self.drain() } }
        return ticket
    }

    /// Returns when everything enqueued up to `ticket` is durable per the sync policy.
    /// - Throws: ``TSDBError`` when a write or fsync failed; the WAL then refuses further records.
    public func waitDurable(_ ticket: UInt64) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let ready: Result<Void, TSDBError>? = pending.withLock { p in
                if let f = p.failure { return .failure(f) }
                if p.durableTicket >= ticket { return .success(()) }
                p.waiters.append((ticket, c))
                return nil
            }
            if let ready { c.resume(with: ready.mapError { $0 as any Error }) }
        }
    }

    /// Enqueues records and waits until they are durable.
    public func log(_ records: [[UInt8]]) async throws {
        try await waitDurable(try enqueue(records))
    }

    private func drain() {
        while true {
            let batch: ([[UInt8]], UInt64)? = pending.withLock { p in
                if p.records.isEmpty {
                    p.draining = false
                    return nil
                }
                defer { p.records = [] }
                return (p.records, p.lastTicket)
            }
            guard let (records, upTo) = batch else { return }
            do {
                guard let w = writer.value else { throw TSDBError(.closed, "WAL \(directory) is not open for writing") }
                for r in records { try w.write(r) }
                try w.flush()
                switch options.syncPolicy {
                case .always: try w.sync()
                case .interval(let d):
                    if ContinuousClock.now - writer.lastSync >= d {
                        try w.sync()
                        writer.lastSync = .now
                    }
                case .never: break
                }
            } catch {
                fail(error as? TSDBError ?? TSDBError(.io, "WAL write", underlying: error))
                return
            }
            let ready = pending.withLock { p in
                p.durableTicket = upTo
                let ready = p.waiters.filter { $0.ticket <= upTo }
                p.waiters.removeAll { $0.ticket <= upTo }
                return ready
            }
            for w in ready { w.continuation.resume() }
        }
    }

    private func fail(_ error: TSDBError) {
        let waiters = pending.withLock { p in
            p.failure = p.failure ?? error
            p.draining = false
            p.records = []
            defer { p.waiters = [] }
            return p.waiters
        }
        for w in waiters { w.continuation.resume(throwing: error) }
    }

    /// Closes the current segment and starts the next one; returns the new segment's index.
    @discardableResult
    public func nextSegment() throws -> Int {
        try queue.sync { () throws -> Int in
            guard let w = writer.value else { throw TSDBError(.closed, "WAL \(directory) is not open for writing") }
            return try w.nextSegment()
        }
    }

    /// The segment currently written, or nil before ``startWriting()``.
    public var currentSegment: Int? { queue.sync { writer.value?.segment } }

    /// Deletes segments with an index below `segment`.
    public func truncate(before segment: Int) throws {
        for s in try segmentIndices() where s < segment {
            try DiskIO.removeAll(directory + "/" + WALFormat.segmentName(s))
        }
        DiskIO.syncDirectory(directory)
    }

    /// Writes and syncs pending records, then closes the segment. Later enqueues fail with `.closed`.
    public func close() throws {
        queue.sync {}  // let a scheduled drain finish first
        let result: Result<Void, any Error> = queue.sync {
            Result {
                try writer.value?.close()
                writer.value = nil
            }
        }
        fail(TSDBError(.closed, "WAL \(directory) is closed"))
        try result.get()
    }
}

/// Holds the segment writer. @unchecked Sendable: `value` is only touched on the WAL's serial queue.
private final class WriterBox: @unchecked Sendable {
    var value: WALSegmentWriter?
    /// When the `.interval` policy last synced.
    var lastSync = ContinuousClock.now
}
