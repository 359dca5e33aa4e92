import PromModel
import Synchronization

/// What replaying the WAL into a head did.
public struct HeadReplayReport: Sendable {
    /// The checkpoint replayed first, if any.
    public var checkpoint: Int?
    /// What reading the segments did (records, repaired tail).
    public var wal = WALReplayReport()
    /// Series created.
    public var series = 0
    /// Samples applied.
    public var samples = 0
    /// Samples dropped because they were before the minimum valid time, duplicates or out of order.
    public var samplesSkipped = 0
    /// Samples and tombstones naming a series reference no series record defined.
    public var unknownReferences = 0
}

extension Head {
    /// Rebuilds the head from the newest checkpoint and the WAL segments after it.
    ///
    /// Call once, before any append and before ``WAL/startWriting()``. Samples older than
    /// ``minValidTime`` (already in blocks) are skipped. Series keep their WAL references, so later
    /// records and checkpoints keep referring to them.
    /// - Throws: ``TSDBError`` `.corruption` for a corrupt checkpoint or mid-WAL corruption.
    @discardableResult
    public func replay(from wal: WAL) throws -> HeadReplayReport {
        var report = HeadReplayReport()
        // WAL references that map to a series with another reference: a series collected and
        // re-created between a checkpoint and later segments. All others are found by reference.
        var refs: [UInt64: MemSeries] = [:]
        let apply = { (record: WALRecord) in self.replayRecord(record, refs: &refs, report: &report) }
        var first = 0
        if let cp = try WALCheckpoint.latest(in: wal.directory) {
            try WALCheckpoint.replay(path: cp.path, apply)
            report.checkpoint = cp.index
            first = cp.index + 1
        }
        report.wal = try wal.replay(fromSegment: first, apply)
        // Everything replayed is already in the log.
        series.forEach { s in s.state.withLock { $0.walLogged = true } }
        return report
    }

    private func replayRecord(_ record: WALRecord, refs: inout [UInt64: MemSeries], report: inout HeadReplayReport) {
        switch record {
        case .series(let list):
            for rs in list {
                reserveRefs(through: rs.ref)
                let (s, created) = getOrCreate(rs.labels, ref: rs.ref)
                if s.ref != rs.ref { refs[rs.ref] = s }
                if created { report.series += 1 }
            }
        case .samples(let samples):
            let limits = self.limits
            var lo = Int64.max, hi = Int64.min
            for x in samples {
                guard let s = lookup(x.ref, refs) else {
                    report.unknownReferences += 1
                    continue
                }
                let outcome = s.state.withLock { $0.append(t: x.t, v: x.v, limits: replayLimits(limits, hi)) }
                if case .success(let o) = outcome, o != .duplicateIgnored {
                    report.samples += 1
                    lo = min(lo, x.t)
                    hi = max(hi, x.t)
                } else {
                    report.samplesSkipped += 1
                }
            }
            extendTimeRange(lo, hi)
        case .tombstones(let tombstones):
            for ts in tombstones {
                guard let s = lookup(ts.ref, refs) else {
                    report.unknownReferences += 1
                    continue
                }
                try? s.state.withLock { try $0.delete(mint: ts.mint, maxt: ts.maxt) }
            }
        case .unknown:
            break
        }
    }

    private func lookup(_ ref: UInt64, _ remapped: [UInt64: MemSeries]) -> MemSeries? {
        if !remapped.isEmpty, let s = remapped[ref] { return s }
        return series.get(ref: ref)
    }

    /// Limits for replay: the out-of-order floor follows the newest time replayed so far.
    private func replayLimits(_ base: AppendLimits, _ batchMax: Int64) -> AppendLimits {
        var l = base
        let window = options.outOfOrderWindow.milliseconds
        let maxT = max(maxTime?.ms ?? .min, batchMax)
        l.oooMinTime = window <= 0 || maxT == .min ? .max : maxT &- window
        return l
    }
}
