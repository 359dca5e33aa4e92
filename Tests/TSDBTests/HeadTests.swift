import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Collects every sample of every series a querier returns, keyed by labels.
func collect(_ q: any Querier, _ matchers: [Matcher] = []) async throws -> [Labels: [Sample]] {
    var set = try await q.select(sorted: true, hints: nil, matchers: matchers)
    var out: [Labels: [Sample]] = [:]
    while let s = try set.next() {
        var it = s.makeIterator()
        var samples: [Sample] = []
        while try it.next() { samples.append(it.at()) }
        out[s.labels] = samples
    }
    return out
}

func sample(_ t: Int64, _ v: Double) -> Sample { Sample(t: Timestamp(ms: t), v: v) }

@Suite struct HeadTests {
    static let a: Labels = ["__name__": "cpu", "job": "a"]

    struct RejectionCase: CustomTestStringConvertible, Sendable {
        var name: String
        var existing: [Int64]
        var t: Int64
        var v: Double = 1
        var windowMs: Int64 = 0
        var minValid: Int64 = .min
        var expected: AppendError.Code?
        var testDescription: String { name }
    }

    @Test("append accepts or rejects", arguments: [
        RejectionCase(name: "in order", existing: [10, 20], t: 30),
        RejectionCase(name: "first sample", existing: [], t: -5),
        RejectionCase(name: "duplicate with same value is ignored", existing: [10, 20], t: 20),
        RejectionCase(name: "duplicate timestamp, other value", existing: [10, 20], t: 20, v: 2, expected: .duplicateTimestamp),
        RejectionCase(name: "out of order without window", existing: [10, 20], t: 15, expected: .outOfOrder),
        RejectionCase(name: "out of order inside window", existing: [10, 20], t: 15, windowMs: 10),
        RejectionCase(name: "out of order outside window", existing: [10, 20], t: 5, windowMs: 10, expected: .outOfOrder),
        RejectionCase(name: "before minimum valid time", existing: [], t: 5, minValid: 10, expected: .outOfBounds),
        RejectionCase(name: "ooo before minimum valid time", existing: [20], t: 12, windowMs: 100, minValid: 15, expected: .outOfBounds),
    ])
    func rejections(c: RejectionCase) async throws {
        let head = try Head(options: HeadOptions(outOfOrderWindow: .milliseconds(c.windowMs)))
        head.setMinValidTime(Timestamp(ms: c.minValid))
        var app = head.appender()
        for t in c.existing { _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: t), v: 1) }
        try await app.commit()
        app = head.appender()
        do {
            _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: c.t), v: c.v)
            #expect(c.expected == nil)
        } catch {
            #expect(error.code == c.expected)
        }
        try await app.commit()
    }

    @Test func samplesAreVisibleOnlyAfterCommit() async throws {
        let head = try Head()
        var app = head.appender()
        let ref = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: 1), v: 1)
        #expect(try await collect(head.querier(mint: .min, maxt: .max)).isEmpty)
        _ = try app.append(ref: ref, labels: Self.a, t: Timestamp(ms: 2), v: 2)
        try await app.commit()
        #expect(try await collect(head.querier(mint: .min, maxt: .max)) == [Self.a: [sample(1, 1), sample(2, 2)]])
        var rolled = head.appender()
        _ = try rolled.append(ref: ref, labels: Self.a, t: Timestamp(ms: 3), v: 3)
        rolled.rollback()
        #expect(try await collect(head.querier(mint: .min, maxt: .max))[Self.a]?.count == 2)
    }

    @Test func outOfOrderSamplesMergeOnQuery() async throws {
        let head = try Head(options: HeadOptions(outOfOrderWindow: .seconds(60)))
        var app = head.appender()
        for t in stride(from: 0, through: 50_000, by: 10_000) { _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: Int64(t)), v: Double(t)) }
        try await app.commit()
        app = head.appender()
        for t: Int64 in [35_000, 5_000, 15_000] { _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: t), v: -Double(t)) }
        try await app.commit()
        let got = try await collect(head.querier(mint: .min, maxt: .max))[Self.a]!
        #expect(got.map(\.t.ms) == [0, 5_000, 10_000, 15_000, 20_000, 30_000, 35_000, 40_000, 50_000])
        #expect(got[1].v == -5_000)
        #expect(head.statistics.outOfOrderAppended == 3)
        // A range in the middle, and chunk-level reads are non-overlapping and sorted.
        let mid = try await collect(head.querier(mint: Timestamp(ms: 12_000), maxt: Timestamp(ms: 36_000)))[Self.a]!
        #expect(mid.map(\.t.ms) == [15_000, 20_000, 30_000, 35_000])
        var cs = try await head.chunkQuerier(mint: .min, maxt: .max).selectChunks(sorted: true, hints: nil, matchers: [])
        let series = try #require(try cs.next())
        let decoded = try series.chunks.flatMap { try XORChunkDecoder.decodeAll($0.bytes) }
        #expect(decoded == got)
    }

    @Test func chunksAreCutAt120SamplesAndAtRangeBoundaries() async throws {
        let head = try Head(options: HeadOptions(chunkRange: .seconds(3600)))
        var app = head.appender()
        // 300 samples 1s apart, then a jump past the 1h boundary.
        for t in 0..<300 { _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: Int64(t) * 1000), v: 1) }
        _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: 3_600_000), v: 2)
        try await app.commit()
        var cs = try await head.chunkQuerier(mint: .min, maxt: .max).selectChunks(sorted: true, hints: nil, matchers: [])
        let chunks = try #require(try cs.next()).chunks
        #expect(chunks.map { try! XORChunkDecoder.decodeAll($0.bytes).count } == [120, 120, 60, 1])
        #expect(chunks.last?.minTime.ms == 3_600_000)
    }

    @Test func matchersSelectSeries() async throws {
        let head = try Head()
        var app = head.appender()
        let sets: [Labels] = [
            ["__name__": "http", "code": "200", "job": "api"], ["__name__": "http", "code": "500", "job": "api"],
            ["__name__": "http", "job": "web"], ["__name__": "cpu", "job": "api"],
        ]
        for l in sets { _ = try app.append(ref: nil, labels: l, t: Timestamp(ms: 1), v: 1) }
        try await app.commit()
        let q = try await head.querier(mint: .min, maxt: .max)
        func names(_ ms: [Matcher]) async throws -> [Labels] { try await collect(q, ms).keys.sorted() }
        #expect(try await names([.equal("__name__", "http")]).count == 3)
        #expect(try await names([.equal("__name__", "http"), Matcher(.notEqual, "code", "200")]) == [sets[1], sets[2]].sorted())
        #expect(try await names([Matcher(.regexMatch, "code", "2..|5..")]).count == 2)
        #expect(try await names([.equal("__name__", "http"), .equal("code", "")]) == [sets[2]])
        #expect(try await names([Matcher(.regexNoMatch, "job", "api")]) == [sets[2]])
        #expect(try await q.labelValues("job", matchers: []) == ["api", "web"])
        #expect(try await q.labelValues("code", matchers: [.equal("job", "api")]) == ["200", "500"])
        #expect(try await q.labelNames(matchers: []) == ["__name__", "code", "job"])
    }

    @Test func truncationDropsOldChunksAndCollectsEmptySeries() async throws {
        let head = try Head(options: HeadOptions(chunkRange: .seconds(100)))
        let b: Labels = ["__name__": "cpu", "job": "b"]
        var app = head.appender()
        for t in stride(from: Int64(0), to: 300_000, by: 1000) { _ = try app.append(ref: nil, labels: Self.a, t: Timestamp(ms: t), v: 1) }
        _ = try app.append(ref: nil, labels: b, t: Timestamp(ms: 50_000), v: 1)
        try await app.commit()
        #expect(head.seriesCount == 2)
        let removed = head.truncate(before: Timestamp(ms: 200_000))
        #expect(removed == 1)
        #expect(head.seriesCount == 1)
        #expect(head.minTime?.ms == 200_000)
        #expect(try await collect(head.querier(mint: .min, maxt: .max))[Self.a]?.first?.t.ms == 200_000)
        #expect(try await head.querier(mint: .min, maxt: .max).labelValues("job", matchers: []) == ["a"])
        app = head.appender()
        #expect(throws: AppendError(.outOfBounds, "")) { try app.append(ref: nil, labels: b, t: Timestamp(ms: 150_000), v: 1) }
    }

    @Test func restartReplaysCommittedSamples() async throws {
        let dir = ScratchDirectory()
        do {
            let wal = try WAL(directory: dir.path)
            let head = try Head(options: HeadOptions(outOfOrderWindow: .seconds(10)), wal: wal)
            try head.replay(from: wal)
            try wal.startWriting()
            var app = head.appender()
            for i in 0..<50 { _ = try app.append(ref: nil, labels: ["__name__": "m", "i": "\(i)"], t: Timestamp(ms: 10_000), v: Double(i)) }
            try await app.commit()
            app = head.appender()
            for i in 0..<50 { _ = try app.append(ref: nil, labels: ["__name__": "m", "i": "\(i)"], t: Timestamp(ms: 5_000), v: 0.5) }
            try await app.commit()
            try wal.close()
        }
        let wal = try WAL(directory: dir.path)
        let head = try Head(options: HeadOptions(outOfOrderWindow: .seconds(10)), wal: wal)
        let report = try head.replay(from: wal)
        #expect(report.series == 50 && report.samples == 100 && report.unknownReferences == 0)
        let all = try await collect(head.querier(mint: .min, maxt: .max))
        #expect(all.count == 50)
        #expect(all[["__name__": "m", "i": "7"]] == [sample(5_000, 0.5), sample(10_000, 7)])
        // New series get references past the replayed ones.
        try wal.startWriting()
        var app = head.appender()
        let ref = try app.append(ref: nil, labels: ["__name__": "new"], t: Timestamp(ms: 11_000), v: 1)
        #expect(ref.rawValue > 50)
        try await app.commit()
        try wal.close()
    }
}

@Suite struct StripeSeriesTests {
    @Test func denseSparseAndCollectedReferences() {
        let stripes = StripeSeries(stripes: 4)
        var next: UInt64 = 1
        var made: [MemSeries] = []
        for i in 0..<1000 {
            let (s, created) = stripes.getOrCreate(hash: UInt64(i % 7), labels: ["i": "\(i)"]) {
                defer { next += 1 }
                return i == 500 ? 1 << 40 : next
            }
            #expect(created)
            made.append(s)
        }
        #expect(stripes.count == 1000)
        for s in made { #expect(stripes.get(ref: s.ref) === s) }
        // Hash collisions (7 hashes for 1000 label sets) resolve by labels.
        #expect(stripes.get(hash: 3, labels: ["i": "3"]) === made[3])
        #expect(stripes.get(hash: 3, labels: ["i": "4"]) == nil)
        let removed = stripes.removeAll { $0.ref < 400 || $0.ref == 1 << 40 }
        #expect(removed.count == 400)
        #expect(stripes.count == 600)
        #expect(stripes.get(ref: 1 << 40) == nil)
        #expect(stripes.get(ref: 10) == nil)
        #expect(stripes.get(ref: made[999].ref) === made[999])
        #expect(stripes.get(hash: 3, labels: ["i": "3"]) == nil)
        #expect(stripes.get(hash: UInt64(999 % 7), labels: ["i": "999"]) === made[999])
    }
}

@Suite struct CompactLabelsTests {
    @Test("compact labels round-trip and match", arguments: [
        Labels(), ["__name__": "up"], ["a": "1", "b": String(repeating: "x", count: 200), "é": "ü"],
    ] as [Labels])
    func roundTrip(labels: Labels) throws {
        let c = CompactLabels(labels)
        #expect(c.decode() == labels)
        #expect(c.equals(labels))
        #expect(c.count == labels.count)
        #expect(!c.equals(labels.setting("zz", to: "1")))
        let s = MemSeries(ref: 42, hash: 0, labels: labels)
        #expect(try WALRecordCodec.decode(CompactLabels.seriesRecord([s])) == .series([RefSeries(ref: 42, labels: labels)]))
    }
}

@Suite struct HeadReferenceTests {
    @Test func knownReferenceNeedsNoLabelsAndAStaleOneAsksForThem() async throws {
        let head = try Head(options: HeadOptions(chunkRange: .seconds(100)))
        let l: Labels = ["__name__": "x"]
        var app = head.appender()
        let ref = try app.append(ref: nil, labels: l, t: Timestamp(ms: 1000), v: 1)
        _ = try app.append(ref: ref, labels: Labels(), t: Timestamp(ms: 2000), v: 2)
        try await app.commit()
        #expect(try await collect(head.querier(mint: .min, maxt: .max))[l]?.count == 2)
        head.truncate(before: Timestamp(ms: 500_000))
        #expect(head.seriesCount == 0)
        app = head.appender()
        #expect(throws: AppendError(.invalidLabels, "")) { try app.append(ref: ref, labels: Labels(), t: Timestamp(ms: 600_000), v: 3) }
        let fresh = try app.append(ref: ref, labels: l, t: Timestamp(ms: 600_000), v: 3)
        #expect(fresh != ref)
        try await app.commit()
    }
}

@Suite struct HeadChunkStoreTests {
    @Test func mappedChunksReadBackAcrossFiles() throws {
        let dir = ScratchDirectory()
        let store = try HeadChunkStore(directory: dir.path + "/chunks_head", fileSize: 4096)
        var chunks: [HeadChunk] = []
        var originals: [[UInt8]] = []
        for i in 0..<200 {
            var c = XORChunk()
            for k in 0..<(i % 50 + 1) { c.append(t: Timestamp(ms: Int64(k) * 15_000), v: Double(i * k)) }
            originals.append(c.bytes)
            chunks.append(HeadChunk(c, store: store))
        }
        #expect(chunks.map(\.bytes) == originals)
        // Files are unlinked once mapped: nothing stays on disk to clean up.
        #expect(try DiskIO.list(dir.path + "/chunks_head").isEmpty)
    }

    @Test func headWithMappedChunksAnswersLikeHeapHead() async throws {
        let dir = ScratchDirectory()
        let mapped = try Head(chunkDirectory: dir.path + "/chunks_head")
        let heap = try Head()
        for head in [mapped, heap] {
            var app = head.appender()
            for i in 0..<20 {
                for k in 0..<1000 {
                    _ = try app.append(ref: nil, labels: ["__name__": "m", "i": "\(i)"], t: Timestamp(ms: Int64(k) * 15_000), v: Double(k ^ i))
                }
            }
            try await app.commit()
        }
        let a = try await collect(mapped.querier(mint: .min, maxt: .max))
        #expect(a.count == 20 && a.values.allSatisfy { $0.count == 1000 })
        #expect(a == (try await collect(heap.querier(mint: .min, maxt: .max))))
        mapped.truncate(before: Timestamp(ms: 10_000_000))
        #expect(try await collect(mapped.querier(mint: .min, maxt: .max)).values.allSatisfy { $0.first!.t.ms >= 7_200_000 })
    }
}
