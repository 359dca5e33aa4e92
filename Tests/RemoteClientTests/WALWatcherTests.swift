import Foundation
import Logging
import PromModel
import TSDB
import Testing

@testable import RemoteClient

/// The watcher reads what the real TSDB writes: series and samples records, across segments,
/// from a live segment and through a checkpoint.
@Suite struct WALWatcherTests {
    static func watcher(_ dir: String, state: String, relabel: (@Sendable (Labels) -> Labels?)? = nil) -> WALWatcher {
        let retention = SegmentRetention(walDirectory: dir + "/wal", stateDirectory: state, budgetBytes: 1 << 30)
        return WALWatcher(
            walDirectory: dir + "/wal", retention: retention, relabel: relabel, externalLabels: Labels(),
            readChunkBytes: 16 * 1024, logger: Logger(label: "test"))
    }

    /// Reads until the watcher makes no progress.
    static func drain(_ w: WALWatcher) throws -> [ReceivedSample] {
        var out: [ReceivedSample] = []
        var idle = 0
        while idle < 3 {
            let before = w.cursor
            let records = try w.readNext()
            for r in records {
                for s in w.resolve(r).samples { out.append(ReceivedSample(s.labels, s.t, s.v)) }
            }
            idle = records.isEmpty && w.cursor == before ? idle + 1 : 0
        }
        return out
    }

    @Test func readsSeriesAndSamplesAcrossSegments() async throws {
        let dir = TempDir()
        let db = try smallSegmentDB(dir.path + "/db")
        let series = (0..<5).map { Labels(["__name__": "m", "i": "\($0)"]) }
        let written = try await appendSamples(db, series: series, count: 5000, start: 1_000_000)
        try db.close()
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/db/wal").filter {
            $0.count == 8
        }
        #expect(segments.count > 2)

        let w = Self.watcher(dir.path + "/db", state: dir.path + "/state")
        try w.start(at: nil)
        #expect(try Self.drain(w) == written)
    }

    @Test func followsALiveSegmentAndNewSegments() async throws {
        let dir = TempDir()
        let db = try smallSegmentDB(dir.path + "/db")
        let series = [Labels(["__name__": "live", "job": "a"])]
        var written = try await appendSamples(db, series: series, count: 10, start: 0)
        let w = Self.watcher(dir.path + "/db", state: dir.path + "/state")
        try w.start(at: nil)
        var got = try Self.drain(w)
        #expect(got == written)
        written = try await appendSamples(
            db, series: series + [Labels(["__name__": "late"])], count: 3000, start: 100_000)
        got = try Self.drain(w)
        try db.close()
        #expect(got == written)
    }

    @Test func restoresSeriesFromACheckpoint() async throws {
        let dir = TempDir()
        let walDir = dir.path + "/db/wal"
        let wal = try WAL(directory: walDir, options: WALOptions(segmentSize: 64 * 1024, syncPolicy: .never))
        try wal.startWriting()
        let a = Labels(["__name__": "a"]), b = Labels(["__name__": "b"])
        try await wal.log([
            WALRecordCodec.encode(series: [RefSeries(ref: 1, labels: a), RefSeries(ref: 2, labels: b)]),
            WALRecordCodec.encode(samples: [RefSample(ref: 1, t: 10, v: 1), RefSample(ref: 2, t: 10, v: 2)]),
        ])
        let next = try wal.nextSegment()
        try await wal.log([
            WALRecordCodec.encode(samples: [RefSample(ref: 1, t: 20, v: 3), RefSample(ref: 2, t: 20, v: 4)])
        ])
        try WALCheckpoint.create(wal: wal, through: next - 1, mint: 15) { _ in true }
        try wal.truncate(before: next)
        try wal.close()

        // A restart positioned at the first segment still standing: labels come from the checkpoint.
        let w = Self.watcher(dir.path + "/db", state: dir.path + "/state")
        try w.start(at: WALPosition(segment: next, offset: 0))
        #expect(try Self.drain(w) == [ReceivedSample(a, 20, 3), ReceivedSample(b, 20, 4)])
    }

    @Test func relabelDropsAndRewritesSeries() async throws {
        let dir = TempDir()
        let db = try smallSegmentDB(dir.path + "/db")
        let keep = Labels(["__name__": "keep"]), drop = Labels(["__name__": "drop"])
        _ = try await appendSamples(db, series: [keep, drop], count: 5, start: 0)
        try db.close()
        let w = Self.watcher(dir.path + "/db", state: dir.path + "/state") { labels in
            labels.metricName == "drop" ? nil : labels.setting("env", to: "test")
        }
        try w.start(at: nil)
        let got = try Self.drain(w)
        #expect(got.count == 5)
        #expect(got.allSatisfy { $0.labels == keep.setting("env", to: "test") })
    }

    @Test func retentionKeepsSegmentsTheTSDBDeletes() throws {
        let dir = TempDir()
        let wal = dir.path + "/wal"
        try FileManager.default.createDirectory(atPath: wal, withIntermediateDirectories: true)
        for i in 0..<3 {
            _ = FileManager.default.createFile(atPath: wal + "/0000000\(i)", contents: Data(repeating: 1, count: 1000))
        }
        let r = SegmentRetention(walDirectory: wal, stateDirectory: dir.path + "/state", budgetBytes: 1500)
        try r.update(keepingFrom: 1)
        for i in 0..<3 { try? FileManager.default.removeItem(atPath: wal + "/0000000\(i)") }
        #expect(r.segments() == [1, 2])
        #expect(r.path(1) != nil && r.path(0) == nil)
        // Two linked-only segments of 1000 bytes exceed a 1500-byte budget: the oldest goes.
        #expect(try r.update(keepingFrom: 1) == [1])
        #expect(r.segments() == [2])
    }
}

extension WALWatcherTests {
    @Test func forgetsSeriesDroppedByALaterCheckpoint() async throws {
        let dir = TempDir()
        let wal = try WAL(
            directory: dir.path + "/db/wal", options: WALOptions(segmentSize: 64 * 1024, syncPolicy: .never))
        try wal.startWriting()
        let live = Labels(["__name__": "live"]), gone = Labels(["__name__": "gone"])
        try await wal.log([
            WALRecordCodec.encode(series: [RefSeries(ref: 1, labels: live), RefSeries(ref: 2, labels: gone)])
        ])
        let w = Self.watcher(dir.path + "/db", state: dir.path + "/state")
        try w.start(at: nil)
        _ = try Self.drain(w)
        #expect(w.series.count == 2)

        // The head dropped series 2; the checkpoint keeps only series 1.
        let next = try wal.nextSegment()
        try WALCheckpoint.create(wal: wal, through: next - 1, mint: 0) { $0 == 1 }
        try await wal.log([WALRecordCodec.encode(samples: [RefSample(ref: 1, t: 5, v: 1)])])
        #expect(try Self.drain(w) == [ReceivedSample(live, 5, 1)])
        #expect(w.series.keys.sorted() == [1])
        try wal.close()
    }
}

extension WALWatcherTests {
    /// A segment cut anywhere inside its last record: live, the reader stops before that record and
    /// resumes there; closed, it is corruption.
    @Test(arguments: [1, 7, 100, 5000])
    func stopsBeforeARecordCutByTheEndOfTheFile(cut: Int) async throws {
        let dir = TempDir()
        let wal = try WAL(directory: dir.path + "/wal", options: WALOptions(segmentSize: 64 * 1024, syncPolicy: .never))
        try wal.startWriting()
        let small = WALRecordCodec.encode(samples: [RefSample(ref: 1, t: 1, v: 1)])
        let big = WALRecordCodec.encode(samples: (0..<1000).map { RefSample(ref: 1, t: Int64($0), v: Double($0)) })
        try await wal.log([small, big])
        try wal.close()
        let path = dir.path + "/wal/00000000"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let whole = try #require(try WALTailReader.read(path: path, from: 0, maxBytes: 1 << 20, live: false))
        #expect(whole.records.map(\.payload) == [small, big] && !whole.incomplete)

        let end = whole.records[1].end
        try Data(bytes.prefix(end - cut)).write(to: URL(fileURLWithPath: path))
        let partial = try WALTailReader.decode(Array(bytes.prefix(end - cut)), base: 0, from: 0, live: true)
        #expect(partial.records.map(\.payload) == [small])
        #expect(partial.next == whole.records[0].end && partial.incomplete)
        #expect(throws: (any Error).self) {
            try WALTailReader.decode(Array(bytes.prefix(end - cut)), base: 0, from: 0, live: false)
        }
        // Resuming at the returned offset once the bytes are there yields exactly the missing record.
        let resumed = try WALTailReader.decode(Array(bytes), base: 0, from: partial.next, live: true)
        #expect(resumed.records.map(\.payload) == [big])
    }
}
