import Logging
import PromModel
import TSDB

/// The samples of one WAL samples record, with the position just past it.
struct WALSamples: Sendable {
    var samples: [RefSample]
    var end: WALPosition
}

/// The samples of one record with their series' labels; samples of unknown or dropped series are counted.
struct ResolvedSamples: Sendable {
    var samples: [(labels: Labels, t: Int64, v: Double)]
    var dropped: Int
    var end: WALPosition
}

/// Tails a TSDB's WAL: series records build a reference→labels map, samples records are handed out
/// in WAL order, new segments are followed and a checkpoint restores series on restart.
///
/// Not thread-safe: owned by one task. All methods block on file I/O; call them from a thread pool.
final class WALWatcher {
    let walDirectory: String
    let retention: SegmentRetention
    let relabel: (@Sendable (Labels) -> Labels?)?
    let externalLabels: Labels
    let logger: Logger
    /// Bytes read from a segment per ``readNext()``; bounds memory per step.
    let readChunkBytes: Int

    /// Labels to send for each series reference, after relabeling.
    private(set) var series: [UInt64: Labels] = [:]
    /// References whose relabeling dropped the series.
    private(set) var droppedRefs: Set<UInt64> = []
    /// Where the next read starts.
    private(set) var cursor = WALPosition(segment: 0, offset: 0)
    /// Segments skipped because they were gone (beyond the disk budget) or corrupt.
    private(set) var segmentsLost = 0
    /// The segment (or checkpoint index) where each series was last defined, for garbage collection.
    private var seenIn: [UInt64: Int] = [:]
    /// Index of the newest checkpoint whose series were loaded.
    private var checkpointIndex = -1
    /// Segment whose records are being decoded, stamped into ``seenIn``.
    private var currentSegment = 0

    init(
        walDirectory: String, retention: SegmentRetention, relabel: (@Sendable (Labels) -> Labels?)?,
        externalLabels: Labels, readChunkBytes: Int = 1 << 20, logger: Logger
    ) {
        self.walDirectory = walDirectory
        self.retention = retention
        self.relabel = relabel
        self.externalLabels = externalLabels
        self.readChunkBytes = readChunkBytes
        self.logger = logger
    }

    /// Loads series from the latest checkpoint and from the WAL before `position`, and positions the
    /// cursor there; nil (first start) means the beginning of the oldest segment.
    func start(at position: WALPosition?) throws {
        try loadNewCheckpoint()
        let segments = retention.segments()
        let first = segments.first ?? 0
        var target = position ?? WALPosition(segment: first, offset: 0)
        if target.segment < first {
            logger.debug(
                "remote write position is before the oldest WAL segment",
                metadata: [
                    "position": "\(target)", "segment": "\(first)",
                ])
            segmentsLost += first - target.segment
            target = WALPosition(segment: first, offset: 0)
        }
        for s in segments where s <= target.segment {
            guard let path = retention.path(s) else { continue }
            currentSegment = s
            let limit = s == target.segment ? target.offset : Int.max
            var offset = 0
            while offset < limit,
                let r = try? WALTailReader.read(path: path, from: offset, maxBytes: 8 << 20, live: true)
            {
                for rec in r.records where rec.end <= limit {
                    if case .series(let list)? = try? WALRecordCodec.decode(rec.payload) { addSeries(list) }
                }
                if r.next == offset { break }
                offset = r.next
            }
        }
        cursor = target
    }

    /// Reads the next complete records from the cursor on and advances it.
    /// - Returns: samples records in WAL order (possibly none while the WAL is idle).
    func readNext() throws -> [WALSamples] {
        let segments = retention.segments()
        let seg = cursor.segment
        if cursor.offset == 0 { try loadNewCheckpoint() }
        currentSegment = seg
        let later = segments.first { $0 > seg }
        guard let path = retention.path(seg) else {
            if let later { skip(to: later, reason: "segment is gone") }
            return []
        }
        let live = later == nil
        let result: WALTailReader.Result
        do {
            guard let r = try WALTailReader.read(path: path, from: cursor.offset, maxBytes: readChunkBytes, live: live)
            else { return [] }
            result = r
        } catch let error as RemoteClientError where !live {
            logger.debug("skipping the rest of a corrupt WAL segment", metadata: ["error": "\(error)"])
            skip(to: later!, reason: "corrupt")
            return []
        }
        var out: [WALSamples] = []
        for rec in result.records {
            let end = WALPosition(segment: seg, offset: rec.end)
            switch try WALRecordCodec.decode(rec.payload) {
            case .series(let list): addSeries(list)
            case .samples(let samples): out.append(WALSamples(samples: samples, end: end))
            default: break
            }
        }
        cursor.offset = result.next
        if !live && result.records.isEmpty && !result.incomplete, let later {
            cursor = WALPosition(segment: later, offset: 0)
        }
        return out
    }

    /// Attaches labels to a record's samples.
    func resolve(_ record: WALSamples) -> ResolvedSamples {
        var out = ResolvedSamples(samples: [], dropped: 0, end: record.end)
        out.samples.reserveCapacity(record.samples.count)
        for s in record.samples {
            if let labels = series[s.ref] {
                out.samples.append((labels, s.t, s.v))
            } else {
                out.dropped += 1
            }
        }
        return out
    }

    /// Reloads series from a checkpoint newer than the last one seen and forgets series that were
    /// defined only before it and are not in it: the TSDB dropped them from its head, so no later
    /// sample can refer to them. Keeps the series map bounded by the head's series, as in Prometheus.
    private func loadNewCheckpoint() throws {
        guard let checkpoint = try WALCheckpoint.latest(in: walDirectory), checkpoint.index > checkpointIndex else {
            return
        }
        currentSegment = checkpoint.index
        var kept = Set<UInt64>()
        try WALCheckpoint.replay(path: checkpoint.path) { record in
            guard case .series(let s) = record else { return }
            addSeries(s)
            kept.formUnion(s.lazy.map(\.ref))
        }
        checkpointIndex = checkpoint.index
        // Only once the cursor is past the checkpoint: records before it may still name old series.
        guard cursor.segment > checkpoint.index else { return }
        for (ref, seen) in seenIn where seen <= checkpoint.index && !kept.contains(ref) {
            seenIn[ref] = nil
            series[ref] = nil
            droppedRefs.remove(ref)
        }
    }

    private func skip(to segment: Int, reason: String) {
        logger.debug(
            "remote write skips WAL segments",
            metadata: [
                "segment": "\(cursor.segment)", "to": "\(segment)", "reason": "\(reason)",
            ])
        segmentsLost += segment - cursor.segment
        cursor = WALPosition(segment: segment, offset: 0)
    }

    private func addSeries(_ list: [RefSeries]) {
        for s in list {
            seenIn[s.ref] = currentSegment
            var labels = s.labels
            for l in externalLabels where labels.get(l.name) == nil { labels = labels.setting(l.name, to: l.value) }
            if let relabel {
                guard let kept = relabel(labels), !kept.isEmpty else {
                    droppedRefs.insert(s.ref)
                    series[s.ref] = nil
                    continue
                }
                labels = kept
            }
            droppedRefs.remove(s.ref)
            series[s.ref] = labels
        }
    }
}
