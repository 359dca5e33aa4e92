import PromModel
import Synchronization
public import StorageAPI

extension Head: Appendable {
    /// A new appender. Not thread-safe: use one per task, and one commit or rollback per appender.
    public func appender() -> any Appender { HeadAppender(head: self) }
}

/// Buffers samples for one commit into a ``Head``.
///
/// `append` checks each sample against the committed state and throws ``AppendError`` for a
/// rejection; `commit` applies the buffered samples under the head's commit lock (re-checking, since
/// other appenders may have committed meanwhile; late rejections are counted in ``Head/statistics``),
/// enqueues one series record and one samples record to the WAL, and waits for durability.
///
/// When `ref` names a live series, `labels` is not read: a caller that cached references may pass an
/// empty label set and, if `append` throws `.invalidLabels` (the series was collected), retry with
/// the real labels. That keeps building label sets off the path for known series.
struct HeadAppender: Appender {
    let head: Head
    private var pending: [(series: MemSeries, t: Int64, v: Double)] = []
    private var limits: AppendLimits

    init(head: Head) {
        self.head = head
        self.limits = head.limits
    }

    mutating func append(ref: SeriesRef?, labels: Labels, t: Timestamp, v: Double) throws(AppendError) -> SeriesRef {
        var byRef = ref.flatMap { head.series.get(ref: $0.rawValue) }
        let limits = self.limits
        // Two attempts at most: a series collected between lookup and lock is marked removed, and the
        // label lookup after that finds or creates its successor.
        for _ in 0..<2 {
            let s: MemSeries
            if let found = byRef {
                s = found
                byRef = nil
            } else {
                guard !labels.isEmpty else {
                    throw AppendError(.invalidLabels, "empty label set (or unknown series reference \(ref?.rawValue ?? 0))")
                }
                if labels.items.contains(where: { $0.name.isEmpty }) {
                    throw AppendError(.invalidLabels, "empty label name in \(labels)")
                }
                s = head.getOrCreate(labels).0
            }
            let result = s.state.withLock { st -> Result<AppendOutcome, AppendError>? in
                if st.removed { return nil }
                let r = st.check(t: t.ms, v: v, limits: limits)
                if case .success = r { st.pending += 1 }
                return r
            }
            switch result {
            case nil: continue
            case .failure(let e)?: throw e
            case .success?:
                pending.append((s, t.ms, v))
                return SeriesRef(s.ref)
            }
        }
        throw AppendError(.unavailable, "series \(labels) was removed concurrently twice; retry")
    }

    mutating func commit() async throws {
        let batch = pending
        pending = []
        guard !batch.isEmpty else { return }
        if let ticket = try head.commit(batch), let wal = head.wal {
            try await wal.waitDurable(ticket)
        }
    }

    mutating func rollback() {
        for p in pending { p.series.state.withLock { $0.pending -= 1 } }
        pending = []
    }
}

extension Head {
    /// Applies committed samples and enqueues their WAL records, both under ``commitLock`` so that
    /// records reach the WAL in the order they were applied. Samples are visible before they are
    /// durable; when the WAL has failed, commit throws and the applied samples stay in memory only.
    /// - Returns: the WAL ticket to wait for, nil when nothing was logged.
    func commit(_ batch: [(series: MemSeries, t: Int64, v: Double)]) throws -> UInt64? {
        try commitLock.withLock { _ throws -> UInt64? in
            let records = applyLocked(batch)
            guard let wal, !records.isEmpty else { return nil }
            return try wal.enqueue(records)
        }
    }

    /// Applies samples and returns the records to log; the caller holds ``commitLock``.
    func applyLocked(_ batch: [(series: MemSeries, t: Int64, v: Double)]) -> [[UInt8]] {
        let limits = self.limits
        var newSeries: [MemSeries] = []
        var accepted: [RefSample] = []
        accepted.reserveCapacity(batch.count)
        var lo = Int64.max, hi = Int64.min
        var ooo = 0, rejected = 0
        for (s, t, v) in batch {
            let (outcome, needsRecord) = s.state.withLock { st in
                st.pending -= 1
                let needs = !st.walLogged
                st.walLogged = true
                return (st.append(t: t, v: v, limits: limits), needs)
            }
            if needsRecord && wal != nil { newSeries.append(s) }
            switch outcome {
            case .success(.inOrder), .success(.outOfOrder):
                if case .success(.outOfOrder) = outcome { ooo += 1 }
                accepted.append(RefSample(ref: s.ref, t: t, v: v))
                lo = Swift.min(lo, t)
                hi = Swift.max(hi, t)
            case .success(.duplicateIgnored): break
            case .failure: rejected += 1
            }
        }
        extendTimeRange(lo, hi)
        stats.add(appended: accepted.count, ooo: ooo, rejected: rejected, created: 0)
        guard wal != nil else { return [] }
        var records: [[UInt8]] = []
        if !newSeries.isEmpty { records.append(CompactLabels.seriesRecord(newSeries)) }
        if !accepted.isEmpty { records.append(WALRecordCodec.encode(samples: accepted)) }
        return records
    }
}
