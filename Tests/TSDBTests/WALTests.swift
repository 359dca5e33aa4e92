import PromModel
import Testing

@testable import TSDB

@Suite struct WALTests {
    static let labels: Labels = ["__name__": "up", "job": "node", "instance": "10.0.0.1:9100"]

    @Test("record payloads round-trip, including edge values", arguments: [
        [RefSample(ref: 0, t: 0, v: 0)],
        [RefSample(ref: 7, t: Int64.max, v: .nan), RefSample(ref: 1, t: Int64.min, v: StaleNaN.value)],
        [RefSample(ref: UInt64.max, t: -1, v: -.infinity), RefSample(ref: 0, t: 1, v: .greatestFiniteMagnitude)],
    ])
    func samplesRoundTrip(samples: [RefSample]) throws {
        #expect(try WALRecordCodec.decode(WALRecordCodec.encode(samples: samples)) == .samples(samples))
    }

    @Test func seriesAndTombstonesRoundTrip() throws {
        let series = [RefSeries(ref: 1, labels: Self.labels), RefSeries(ref: UInt64.max, labels: ["a": String(repeating: "é", count: 300)])]
        #expect(try WALRecordCodec.decode(WALRecordCodec.encode(series: series)) == .series(series))
        let ts = [RefTombstone(ref: 3, mint: Int64.min, maxt: Int64.max), RefTombstone(ref: 4, mint: -5, maxt: 5)]
        #expect(try WALRecordCodec.decode(WALRecordCodec.encode(tombstones: ts)) == .tombstones(ts))
    }

    @Test func samplesRecordMatchesPrometheusLayout() {
        // type 2, base ref 5 and base t 1000 big-endian, then (Δref, Δt) zig-zag varints and BE value.
        let bytes = WALRecordCodec.encode(samples: [RefSample(ref: 5, t: 1000, v: 1), RefSample(ref: 4, t: 1015, v: 2)])
        #expect(bytes.count == 1 + 16 + 2 * (1 + 1 + 8))
        #expect(bytes[0] == 2)
        #expect(Array(bytes[1...8]) == [0, 0, 0, 0, 0, 0, 0, 5])
        #expect(Array(bytes[17...18]) == [0, 0])
        #expect(Array(bytes[27...28]) == [1, 30])
    }

    @Test func truncatedPayloadIsCorruption() {
        let bytes = WALRecordCodec.encode(samples: [RefSample(ref: 5, t: 1000, v: 1)])
        #expect(throws: TSDBError(.corruption, "")) { try WALRecordCodec.decode(Array(bytes.dropLast())) }
    }

    @Test func crc32cKnownVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// Writes records of many sizes (some spanning pages and segments) and reads them back in order.
    @Test func segmentsRoundTrip() async throws {
        let dir = ScratchDirectory()
        let wal = try WAL(directory: dir.path, options: WALOptions(segmentSize: 64 * 1024, syncPolicy: .never))
        try wal.startWriting()
        var written: [[RefSample]] = []
        for i in 0..<200 {
            let n = [1, 5, 900, 3000, 7][i % 5]
            let samples = (0..<n).map { RefSample(ref: UInt64(i), t: Int64($0), v: Double(i * n)) }
            written.append(samples)
            try await wal.log([WALRecordCodec.encode(samples: samples)])
        }
        try wal.close()
        #expect(try wal.segmentIndices().count > 3)
        var read: [[RefSample]] = []
        let report = try WAL(directory: dir.path).replay { if case .samples(let s) = $0 { read.append(s) } }
        #expect(read == written)
        #expect(report.repairedTail == nil)
    }

    /// Many concurrent committers: every commit returns after its own records are durable, all land.
    @Test func groupCommitKeepsEveryRecord() async throws {
        let dir = ScratchDirectory()
        let wal = try WAL(directory: dir.path)
        try wal.startWriting()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<50 {
                        try await wal.log([WALRecordCodec.encode(samples: [RefSample(ref: UInt64(task), t: Int64(i), v: 1)])])
                    }
                }
            }
            try await group.waitForAll()
        }
        try wal.close()
        var perTask: [UInt64: [Int64]] = [:]
        try WAL(directory: dir.path).replay { r in
            if case .samples(let s) = r { for x in s { perTask[x.ref, default: []].append(x.t) } }
        }
        #expect(perTask.count == 8)
        for (_, ts) in perTask { #expect(ts == (0..<50).map(Int64.init)) }
    }

    static func writeRecords(_ dir: String, count: Int, segmentSize: Int = 128 * 1024) async throws -> WAL {
        let wal = try WAL(directory: dir, options: WALOptions(segmentSize: segmentSize, syncPolicy: .never))
        try wal.startWriting()
        for i in 0..<count {
            try await wal.log([WALRecordCodec.encode(samples: [RefSample(ref: 1, t: Int64(i), v: Double(i))])])
        }
        try wal.close()
        return wal
    }

    static func replayedTimestamps(_ dir: String) throws -> ([Int64], WALReplayReport) {
        var ts: [Int64] = []
        let report = try WAL(directory: dir).replay { if case .samples(let s) = $0 { ts += s.map(\.t) } }
        return (ts, report)
    }

    @Test("torn or garbage tail is cut off and replay continues", arguments: ["truncate", "garbage", "zeros"])
    func tornTail(kind: String) async throws {
        let dir = ScratchDirectory()
        _ = try await Self.writeRecords(dir.path, count: 100)
        let seg = dir.path + "/00000000"
        let size = DiskIO.fileSize(seg)!
        switch kind {
        case "truncate": try DiskIO.truncate(seg, to: size - 3)
        case "garbage": try DiskIO.writeFile(seg, try DiskIO.readFile(seg) + [0x01, 0x00, 0x40, 0xde, 0xad])
        default: try DiskIO.writeFile(seg, try DiskIO.readFile(seg).dropLast(20) + [UInt8](repeating: 0, count: 20))
        }
        let (ts, report) = try Self.replayedTimestamps(dir.path)
        let expected = kind == "garbage" ? 100 : 99
        #expect(ts == (0..<Int64(expected)).map { $0 })
        #expect(report.repairedTail?.segment == 0)
        // The repaired WAL replays cleanly and accepts new segments.
        let (again, report2) = try Self.replayedTimestamps(dir.path)
        #expect(again == ts)
        #expect(report2.repairedTail == nil)
        #expect(DiskIO.fileSize(seg)! % WALFormat.pageSize == 0)
    }

    @Test func corruptionInTheMiddleIsReportedWithSegmentAndOffset() async throws {
        let dir = ScratchDirectory()
        _ = try await Self.writeRecords(dir.path, count: 100)
        let seg = dir.path + "/00000000"
        var bytes = try DiskIO.readFile(seg)
        bytes[7 + 30] ^= 0xff  // a data byte of the second record (each fragment is 7 + 27 bytes)
        try DiskIO.writeFile(seg, bytes)
        let error = #expect(throws: TSDBError.self) { try Self.replayedTimestamps(dir.path) }
        #expect(error?.code == .corruption)
        #expect(error?.message.contains("segment 00000000") == true)
        #expect(error?.message.contains("at offset 34") == true)
        #expect(error?.message.contains("crc mismatch") == true)
    }

    @Test func corruptionInAnEarlierSegmentIsAnError() async throws {
        let dir = ScratchDirectory()
        _ = try await Self.writeRecords(dir.path, count: 6000, segmentSize: 64 * 1024)
        let seg = dir.path + "/00000000"
        try DiskIO.truncate(seg, to: DiskIO.fileSize(seg)! - 100)
        #expect(throws: TSDBError(.corruption, "")) { try Self.replayedTimestamps(dir.path) }
    }

    @Test func checkpointKeepsLiveSeriesAndRecentSamples() async throws {
        let dir = ScratchDirectory()
        let wal = try WAL(directory: dir.path, options: WALOptions(segmentSize: 64 * 1024, syncPolicy: .never))
        try wal.startWriting()
        try await wal.log([WALRecordCodec.encode(series: [RefSeries(ref: 1, labels: ["a": "1"]), RefSeries(ref: 2, labels: ["a": "2"])])])
        for t in 0..<100 {
            try await wal.log([WALRecordCodec.encode(samples: [RefSample(ref: 1, t: Int64(t), v: 1), RefSample(ref: 2, t: Int64(t), v: 2)])])
        }
        try await wal.log([WALRecordCodec.encode(tombstones: [RefTombstone(ref: 1, mint: 0, maxt: 10), RefTombstone(ref: 1, mint: 60, maxt: 70)])])
        let last = try wal.nextSegment() - 1
        try await wal.log([WALRecordCodec.encode(samples: [RefSample(ref: 1, t: 100, v: 1)])])
        let stats = try WALCheckpoint.create(wal: wal, through: last, mint: 50) { $0 == 1 }
        try wal.truncate(before: last + 1)
        try wal.close()
        #expect(stats.seriesKept == 1 && stats.seriesDropped == 1)
        #expect(stats.samplesKept == 50)
        #expect(stats.tombstonesKept == 1)

        let cp = try #require(try WALCheckpoint.latest(in: dir.path))
        #expect(cp.index == last)
        var records: [WALRecord] = []
        try WALCheckpoint.replay(path: cp.path) { records.append($0) }
        #expect(records.first == .series([RefSeries(ref: 1, labels: ["a": "1"])]))
        let samples = records.flatMap { r -> [RefSample] in if case .samples(let s) = r { return s } else { return [] } }
        #expect(samples.map(\.t) == (50..<100).map(Int64.init))
        #expect(records.last == .tombstones([RefTombstone(ref: 1, mint: 60, maxt: 70)]))
        #expect(try wal.segmentIndices().first == last + 1)
        var tail: [Int64] = []
        try WAL(directory: dir.path).replay(fromSegment: cp.index + 1) { if case .samples(let s) = $0 { tail += s.map(\.t) } }
        #expect(tail == [100])
    }
}

@Suite struct SnappyBlockTests {
    static func decode(_ bytes: [UInt8]) -> [UInt8]? { bytes.withUnsafeBytes { SnappyBlock.decode($0) } }

    @Test func literalsAndEveryCopyKind() {
        // "abcd" literal, copy-1 of 4 at offset 4, copy-2 of 3 at offset 2 (overlapping), copy-4 of 2 at offset 11.
        let input: [UInt8] = [13, 3 << 2, 97, 98, 99, 100, 0b000_000_01, 4, (3 - 1) << 2 | 2, 2, 0, (2 - 1) << 2 | 3, 11, 0, 0, 0]
        #expect(Self.decode(input) == Array("abcdabcdcdcab".utf8))
    }

    @Test func longLiteralWithExtraLengthBytes() {
        let payload = (0..<300).map { UInt8($0 % 251) }
        let input: [UInt8] = [0xac, 0x02, 61 << 2, UInt8((300 - 1) & 0xff), UInt8((300 - 1) >> 8)] + payload
        #expect(Self.decode(input) == payload)
    }

    @Test("invalid input is refused", arguments: [
        [5, 0, 97] as [UInt8],  // literal shorter than the declared total
        [4, 0b000_000_01, 1],  // copy before any output
        [2, 0, 97, 0b000_000_01, 9],  // offset beyond the output
        [1, 4 << 2, 97],  // literal longer than the input
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],  // absurd length
    ])
    func invalid(_ input: [UInt8]) {
        #expect(Self.decode(input) == nil)
    }
}
