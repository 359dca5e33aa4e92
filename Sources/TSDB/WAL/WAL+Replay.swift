/// What a replay read and repaired.
public struct WALReplayReport: Sendable, Equatable {
    /// Records handed to the caller.
    public var records = 0
    /// Records of types this version skips (histograms, exemplars, ...).
    public var unknownRecords = 0
    /// When a torn last record was cut off: the segment and the offset it was truncated at.
    public var repairedTail: (segment: Int, offset: Int)?

    /// An empty report.
    public init() {}

    /// Field-wise equality.
    public static func == (a: WALReplayReport, b: WALReplayReport) -> Bool {
        a.records == b.records && a.unknownRecords == b.unknownRecords
            && a.repairedTail?.segment == b.repairedTail?.segment && a.repairedTail?.offset == b.repairedTail?.offset
    }
}

extension WAL {
    /// Reads every record of segments with index ≥ `firstSegment`, in order.
    ///
    /// A torn or garbage record at the end of the last non-empty segment (nothing valid after it) is
    /// cut off: the segment is truncated there and zero-padded to the page end, later empty segments
    /// are removed, and replay ends normally. Corruption anywhere else is an error.
    /// Call before ``startWriting()``.
    /// - Throws: ``TSDBError`` `.corruption` naming the segment and offset, or what `body` throws.
    @discardableResult
    public func replay(fromSegment firstSegment: Int = 0, _ body: (WALRecord) throws -> Void) throws -> WALReplayReport {
        let segments = try segmentIndices().filter { $0 >= firstSegment }
        return try Self.read(directory: directory, segments: segments, repairTail: true, body)
    }

    /// Reads records from the given segments of `directory`; shared with checkpoint replay.
    @discardableResult
    static func read(
        directory: String, segments: [Int], repairTail: Bool, _ body: (WALRecord) throws -> Void
    ) throws -> WALReplayReport {
        var report = WALReplayReport()
        for (i, s) in segments.enumerated() {
            if i > 0 && segments[i - 1] + 1 != s {
                throw TSDBError(.corruption, "WAL \(directory) misses segments between \(segments[i - 1]) and \(s)")
            }
            let path = directory + "/" + WALFormat.segmentName(s)
            let bytes = try DiskIO.readFile(path)
            var reader = WALSegmentReader(bytes: bytes, segment: s)
            do {
                while let (payload, offset) = try reader.next() {
                    let record: WALRecord
                    do {
                        record = try WALRecordCodec.decode(payload)
                    } catch {
                        let name = WALFormat.segmentName(s)
                        throw TSDBError(.corruption, "cannot decode WAL record in segment \(name) of \(directory) at offset \(offset): \(error)")
                    }
                    if case .unknown = record { report.unknownRecords += 1; continue }
                    report.records += 1
                    try body(record)
                }
            } catch let c as WALCorruption {
                let laterHaveData = segments[(i + 1)...].contains { DiskIO.fileSize(directory + "/" + WALFormat.segmentName($0)) ?? 0 > 0 }
                let torn = repairTail && !laterHaveData && !WALSegmentReader.hasValidRecordAfter(bytes, failedAt: c.offset)
                guard torn else { throw c.error(directory: directory) }
                try repair(directory: directory, segment: s, at: c.recordOffset, removing: Array(segments[(i + 1)...]))
                report.repairedTail = (s, c.recordOffset)
                return report
            }
        }
        return report
    }

    /// Cuts a segment at `offset`, zero-fills up to the page end (a page terminator, so Prometheus
    /// readers accept it too) and removes the empty segments after it.
    private static func repair(directory: String, segment: Int, at offset: Int, removing later: [Int]) throws {
        let path = directory + "/" + WALFormat.segmentName(segment)
        try DiskIO.truncate(path, to: offset)
        let padded = (offset + WALFormat.pageSize - 1) / WALFormat.pageSize * WALFormat.pageSize
        if padded > offset { try DiskIO.truncate(path, to: padded) }
        for s in later { try DiskIO.removeAll(directory + "/" + WALFormat.segmentName(s)) }
        DiskIO.syncDirectory(directory)
    }
}
