import PromModel
import StorageAPI
import Testing

@testable import TSDB

@Suite struct DBTests {
    static let hour: Int64 = 3_600_000

    static func options(blockRangeHours: Int64 = 2) -> DBOptions {
        var o = DBOptions(blockRange: .seconds(blockRangeHours * 3600))
        o.wal = WALOptions(segmentSize: 64 * 1024, syncPolicy: .never)
        return o
    }

    /// `count` series sampled every `stepMs` over `[from, to)`; values encode series and time.
    static func fill(_ db: DB, series count: Int, from: Int64, to: Int64, stepMs: Int64 = 60_000) async throws -> [Labels: [Sample]] {
        var expected: [Labels: [Sample]] = [:]
        var t = from
        while t < to {
            var app = db.appender()
            for i in 0..<count {
                let l: Labels = ["__name__": "m", "i": "\(i)"]
                let v = Double(i) * 1e6 + Double(t / 1000)
                _ = try app.append(ref: nil, labels: l, t: Timestamp(ms: t), v: v)
                expected[l, default: []].append(Sample(t: Timestamp(ms: t), v: v))
            }
            try await app.commit()
            t += stepMs
        }
        return expected
    }

    @Test func restartWithDataPresent() async throws {
        let dir = ScratchDirectory()
        var db = try DB(directory: dir.path, options: Self.options())
        let expected = try await Self.fill(db, series: 10, from: 0, to: Self.hour)
        try db.close()
        db = try DB(directory: dir.path, options: Self.options())
        #expect(db.replayReport.series == 10)
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == expected)
        try db.close()
    }

    @Test func secondOpenOfTheSameDirectoryIsRefused() throws {
        let dir = ScratchDirectory()
        let db = try DB(directory: dir.path, options: Self.options())
        #expect(throws: TSDBError(.locked, "")) { try DB(directory: dir.path, options: Self.options()) }
        try db.close()
    }

    @Test func compactionCutsBlocksThatReadBackTheSameSamples() async throws {
        let dir = ScratchDirectory()
        var db = try DB(directory: dir.path, options: Self.options())
        let expected = try await Self.fill(db, series: 20, from: 0, to: 7 * Self.hour)
        let report = try await db.compact()
        // 7h of data with a 2h range: blocks [0,2h) and [2h,4h) are cut; [4h,7h) stays (≤ 1.5 × 2h).
        #expect(report.headBlocks.count == 2)
        #expect(db.blocks.map(\.meta.minTime) == [0, 2 * Self.hour])
        #expect(db.blocks.allSatisfy { $0.meta.stats.numSeries == 20 })
        #expect(db.head.minTime?.ms == 4 * Self.hour)
        // The block alone holds exactly the samples of its range.
        let first = try await collect(db.blocks[0].querier(mint: .min, maxt: .max))
        #expect(first == expected.mapValues { $0.filter { $0.t.ms < 2 * Self.hour } })
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == expected)
        // WAL truncated behind a checkpoint; restart sees the same data.
        #expect(try WALCheckpoint.latest(in: dir.path + "/wal") != nil)
        try db.close()
        db = try DB(directory: dir.path, options: Self.options())
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == expected)
        #expect(db.head.minValidTime.ms == 4 * Self.hour)
        try db.close()
    }

    static func writeBlock(_ dir: String, _ series: [Labels: [Sample]], mint: Int64, maxt: Int64) throws -> BlockMeta {
        let s = series.map { ChunkSeries(labels: $0.key, chunks: encodeChunks($0.value)) }
        return try BlockWriter(parentDirectory: dir).write(series: s, minTime: Timestamp(ms: mint), maxTime: Timestamp(ms: maxt))
    }

    static func samples(_ ts: ClosedRange<Int64>, every: Int64, v: Double) -> [Sample] {
        stride(from: ts.lowerBound, through: ts.upperBound, by: Int(every)).map { Sample(t: Timestamp(ms: $0), v: v) }
    }

    @Test func overlappingBlocksAreDeduplicatedAndMergedVertically() async throws {
        let dir = ScratchDirectory()
        let l: Labels = ["__name__": "x"]
        _ = try Self.writeBlock(dir.path, [l: Self.samples(0...100_000, every: 10_000, v: 1)], mint: 0, maxt: 100_001)
        _ = try Self.writeBlock(dir.path, [l: Self.samples(50_000...150_000, every: 5_000, v: 2)], mint: 50_000, maxt: 150_001)
        let db = try DB(directory: dir.path, options: Self.options())
        let before = try await collect(db.querier(mint: .min, maxt: .max))[l]!
        #expect(before.map(\.t.ms) == Array(stride(from: Int64(0), to: 50_000, by: 10_000)) + Array(stride(from: Int64(50_000), through: 150_000, by: 5_000)))
        let report = try await db.compact()
        #expect(report.mergedBlocks.count == 1 && report.deletedBlocks.count == 2)
        #expect(db.blocks.count == 1)
        #expect(db.blocks[0].meta.compaction.level == 2)
        #expect(try await collect(db.querier(mint: .min, maxt: .max))[l] == before)
        try db.close()
    }

    @Test func adjacentBlocksMergeIntoTheNextRange() async throws {
        let dir = ScratchDirectory()
        let l: Labels = ["__name__": "x"]
        let h = Self.hour
        for i: Int64 in 0..<4 {
            _ = try Self.writeBlock(dir.path, [l: Self.samples((i * 2 * h)...(i * 2 * h + h), every: 60_000, v: Double(i))], mint: i * 2 * h, maxt: (i + 1) * 2 * h)
        }
        let db = try DB(directory: dir.path, options: Self.options())
        let before = try await collect(db.querier(mint: .min, maxt: .max))
        _ = try await db.compact()
        // [0,6h) is complete (a block reaches 8h) and merges; [6h,8h) stays alone.
        #expect(db.blocks.map { [$0.meta.minTime, $0.meta.maxTime] } == [[0, 6 * h], [6 * h, 8 * h]])
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == before)
        try db.close()
    }

    @Test func retentionDeletesOldestBlocks() async throws {
        let dir = ScratchDirectory()
        let l: Labels = ["__name__": "x"]
        let h = Self.hour
        for i: Int64 in [0, 10, 20] {
            _ = try Self.writeBlock(dir.path, [l: Self.samples((i * h)...(i * h + h), every: 1000, v: 1)], mint: i * h, maxt: i * h + 2 * h)
        }
        var o = Self.options()
        o.compactionRanges = [.seconds(1000 * 3600)]  // no merging inside this test's span
        o.retention = .seconds(15 * 3600)
        var db = try DB(directory: dir.path, options: o)
        _ = try await db.compact()
        #expect(db.blocks.map(\.meta.minTime) == [10 * h, 20 * h])
        try db.close()
        o.retention = nil
        o.maxBytes = DiskIO.treeSize(db.blocks[1].directory) * 3 / 2 + DiskIO.treeSize(dir.path + "/wal")
        db = try DB(directory: dir.path, options: o)
        _ = try await db.compact()
        #expect(db.blocks.map(\.meta.minTime) == [20 * h])
        try db.close()
    }

    @Test func corruptBlockIsRefusedWhileOthersServe() async throws {
        let dir = ScratchDirectory()
        let l: Labels = ["__name__": "x"]
        let good = try Self.writeBlock(dir.path, [l: Self.samples(0...1000, every: 100, v: 1)], mint: 0, maxt: 2000)
        let bad = try Self.writeBlock(dir.path, [l: Self.samples(5000...6000, every: 100, v: 2)], mint: 5000, maxt: 7000)
        let index = dir.path + "/\(bad.ulid)/index"
        var bytes = try DiskIO.readFile(index)
        for i in 0..<min(64, bytes.count) { bytes[i] ^= 0x5a }
        try DiskIO.writeFile(index, bytes)
        let db = try DB(directory: dir.path, options: Self.options())
        #expect(db.blocks.map(\.ulid) == [good.ulid])
        #expect(db.corruptBlocks.count == 1)
        #expect(db.corruptBlocks.first?.directory.hasSuffix(bad.ulid.description) == true)
        #expect(try await collect(db.querier(mint: .min, maxt: .max))[l]?.count == 11)
        try db.close()
    }
}

@Suite struct DBDeleteTests {
    @Test func deleteHidesSamplesInHeadAndBlocksAcrossRestarts() async throws {
        let dir = ScratchDirectory()
        let h = DBTests.hour
        var db = try DB(directory: dir.path, options: DBTests.options())
        let expected = try await DBTests.fill(db, series: 3, from: 0, to: 7 * h, stepMs: 600_000)
        _ = try await db.compact()
        #expect(db.blocks.count == 2)
        // Delete series i=1 from 1h to 5h: spans block [0,2h), block [2h,4h) and the head.
        try await db.delete(mint: Timestamp(ms: h), maxt: Timestamp(ms: 5 * h), matchers: [.equal("i", "1")])
        var want = expected
        let l1: Labels = ["__name__": "m", "i": "1"]
        want[l1] = want[l1]!.filter { $0.t.ms < h || $0.t.ms > 5 * h }
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == want)
        try db.close()
        db = try DB(directory: dir.path, options: DBTests.options())
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == want)
        try db.close()
    }
}

@Suite struct DBOutOfOrderTests {
    @Test func outOfOrderSamplesAreCompactedIntoTheirBlock() async throws {
        let dir = ScratchDirectory()
        let h = DBTests.hour
        var options = DBTests.options()
        options.outOfOrderWindow = .seconds(3600)
        let db = try DB(directory: dir.path, options: options)
        var expected = try await DBTests.fill(db, series: 2, from: 0, to: 4 * h, stepMs: 600_000)
        // Late samples, 5 minutes after in-order ones, up to 45 minutes behind the newest sample.
        var app = db.appender()
        let l: Labels = ["__name__": "m", "i": "0"]
        for t in stride(from: 3 * h + 300_000, to: 4 * h, by: 600_000) {
            _ = try app.append(ref: nil, labels: l, t: Timestamp(ms: t), v: -1)
            expected[l]!.append(Sample(t: Timestamp(ms: t), v: -1))
        }
        try await app.commit()
        expected[l]!.sort { $0.t < $1.t }
        // 3h55m is after the newest sample (3h50m): in order; the other five are out of order.
        #expect(db.head.statistics.outOfOrderAppended == 5)
        // Push the head past 1.5 × 2h beyond [0, 2h) and [2h, 4h) so both are cut.
        let more = try await DBTests.fill(db, series: 2, from: 4 * h, to: 7 * h, stepMs: 600_000)
        for (k, v) in more { expected[k]! += v }
        _ = try await db.compact()
        #expect(db.blocks.map(\.meta.minTime) == [0, 2 * h])
        let block = try await collect(db.blocks[1].querier(mint: .min, maxt: .max))
        #expect(block[l] == expected[l]!.filter { $0.t.ms >= 2 * h && $0.t.ms < 4 * h })
        #expect(try await collect(db.querier(mint: .min, maxt: .max)) == expected)
        try db.close()
    }
}

@Suite struct WALSyncPolicyTests {
    @Test("every sync policy keeps committed records", arguments: [WALSyncPolicy.always, .interval(.milliseconds(5)), .never])
    func policy(_ policy: WALSyncPolicy) async throws {
        let dir = ScratchDirectory()
        let wal = try WAL(directory: dir.path, options: WALOptions(segmentSize: 64 * 1024, syncPolicy: policy))
        try wal.startWriting()
        for i in 0..<300 { try await wal.log([WALRecordCodec.encode(samples: [RefSample(ref: 1, t: Int64(i), v: 0)])]) }
        try wal.close()
        await #expect(throws: TSDBError(.closed, "")) { try await wal.log([[2]]) }
        let (ts, _) = try WALTests.replayedTimestamps(dir.path)
        #expect(ts == (0..<300).map(Int64.init))
    }
}

@Suite struct MergeSeriesSetTests {
    static func set(_ series: [(Labels, [Int64])], v: Double) -> any SeriesSet {
        ArraySeriesSet(series.map { ArraySeries(labels: $0.0, samples: $0.1.map { Sample(t: Timestamp(ms: $0), v: v) }) })
    }

    @Test func mergesSortedSetsAndDeduplicatesTimestamps() throws {
        let a: Labels = ["n": "a"], b: Labels = ["n": "b"], c: Labels = ["n": "c"]
        var merged = MergeSeriesSet([
            Self.set([(a, [1, 3, 5]), (c, [1])], v: 1),
            Self.set([(a, [2, 3, 6]), (b, [4])], v: 2),
            Self.set([], v: 3),
        ])
        var got: [(Labels, [Sample])] = []
        while let s = try merged.next() {
            var it = s.makeIterator()
            var samples: [Sample] = []
            while try it.next() { samples.append(it.at()) }
            got.append((s.labels, samples))
        }
        #expect(got.map(\.0) == [a, b, c])
        #expect(got[0].1.map(\.t.ms) == [1, 2, 3, 5, 6])
        #expect(got[0].1.map(\.v) == [1, 2, 1, 1, 2])
        // Seek lands on the first sample at or after the target, across sources.
        var it = MergedSeries(labels: a, parts: [ArraySeries(labels: a, samples: [sample(1, 1), sample(10, 1)]),
                                                 ArraySeries(labels: a, samples: [sample(4, 2), sample(10, 2)])]).makeIterator()
        #expect(try it.seek(Timestamp(ms: 3)) && it.at() == sample(4, 2))
        #expect(try it.seek(Timestamp(ms: 4)) && it.at() == sample(4, 2))
        #expect(try it.next() && it.at() == sample(10, 1))
        #expect(try !it.next())
    }
}
