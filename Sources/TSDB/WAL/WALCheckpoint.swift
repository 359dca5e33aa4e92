/// Checkpoints: a compacted copy of WAL segments `…N` in `wal/checkpoint.N`, keeping only series still
/// in the head and samples/tombstones at or after the truncation time, so segments `≤ N` can be deleted.
///
/// A checkpoint directory holds ordinary WAL segments. It is written as `checkpoint.N.tmp`, synced and
/// renamed, so a crash leaves either the old or the new checkpoint, never half of one.
public enum WALCheckpoint {
    /// What a checkpoint kept and dropped.
    public struct Stats: Sendable, Equatable {
        /// Series records kept (still in the head) and dropped.
        public var seriesKept = 0, seriesDropped = 0
        /// Samples kept (at or after the truncation time) and dropped.
        public var samplesKept = 0, samplesDropped = 0
        /// Tombstones kept and dropped.
        public var tombstonesKept = 0, tombstonesDropped = 0
    }

    static let prefix = "checkpoint."

    /// The newest complete checkpoint in a WAL directory.
    public static func latest(in walDirectory: String) throws -> (index: Int, path: String)? {
        let found = try DiskIO.list(walDirectory).compactMap { name -> Int? in
            guard name.hasPrefix(prefix), !name.hasSuffix(".tmp") else { return nil }
            return Int(name.dropFirst(prefix.count))
        }
        return found.max().map { ($0, walDirectory + "/" + prefix + WALFormat.segmentName($0)) }
    }

    /// Reads every record of a checkpoint. Any corruption is an error: checkpoints are synced before use.
    @discardableResult
    public static func replay(path: String, _ body: (WALRecord) throws -> Void) throws -> WALReplayReport {
        let segments = try DiskIO.list(path).compactMap { $0.count == 8 ? Int($0) : nil }.sorted()
        return try WAL.read(directory: path, segments: segments, repairTail: false, body)
    }

    /// Writes `checkpoint.<through>` from the previous checkpoint and segments up to `through`, then
    /// deletes older checkpoints. The caller deletes the segments afterwards (``WAL/truncate(before:)``).
    ///
    /// - Parameters:
    ///   - keepSeries: whether a series reference is still in the head.
    ///   - mint: samples and tombstones ending before this time are dropped.
    @discardableResult
    public static func create(
        wal: WAL, through: Int, mint: Int64, keepSeries: (UInt64) -> Bool
    ) throws -> Stats {
        let dir = wal.directory
        let previous = try latest(in: dir)
        let segments = try wal.segmentIndices().filter { $0 <= through && $0 > (previous?.index ?? -1) }
        let tmp = dir + "/" + prefix + WALFormat.segmentName(through) + ".tmp"
        try DiskIO.removeAll(tmp)
        try DiskIO.makeDirectory(tmp)
        let writer = try WALSegmentWriter(directory: tmp, segment: 0, segmentSize: wal.options.segmentSize)
        var stats = Stats()
        let filter = { (record: WALRecord) throws in
            switch record {
            case .series(let series):
                let kept = series.filter { keepSeries($0.ref) }
                stats.seriesKept += kept.count
                stats.seriesDropped += series.count - kept.count
                if !kept.isEmpty { try writer.write(WALRecordCodec.encode(series: kept)) }
            case .samples(let samples):
                let kept = samples.filter { $0.t >= mint && keepSeries($0.ref) }
                stats.samplesKept += kept.count
                stats.samplesDropped += samples.count - kept.count
                if !kept.isEmpty { try writer.write(WALRecordCodec.encode(samples: kept)) }
            case .tombstones(let tombstones):
                let kept = tombstones.filter { $0.maxt >= mint && keepSeries($0.ref) }
                stats.tombstonesKept += kept.count
                stats.tombstonesDropped += tombstones.count - kept.count
                if !kept.isEmpty { try writer.write(WALRecordCodec.encode(tombstones: kept)) }
            case .unknown:
                break
            }
        }
        if let previous { try replay(path: previous.path, filter) }
        try WAL.read(directory: dir, segments: segments, repairTail: false, filter)
        try writer.close()
        DiskIO.syncDirectory(tmp)
        let final = dir + "/" + prefix + WALFormat.segmentName(through)
        try DiskIO.removeAll(final)
        try DiskIO.rename(tmp, final)
        DiskIO.syncDirectory(dir)
        try deleteCheckpoints(in: dir, before: through)
        return stats
    }

    /// Removes checkpoints older than `index` and leftover temporary ones.
    static func deleteCheckpoints(in dir: String, before index: Int) throws {
        for name in try DiskIO.list(dir) where name.hasPrefix(prefix) {
            let n = Int(name.dropFirst(prefix.count).prefix(8)) ?? -1
            if name.hasSuffix(".tmp") || n < index { try DiskIO.removeAll(dir + "/" + name) }
        }
    }
}
