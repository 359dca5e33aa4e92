import Compactor
import Foundation
import ObjectStore
import PromModel
import StorageAPI
import Testing
import TSDB

@Suite struct BucketCompactionTests {
    /// Four 2h blocks of 20 series.
    static func fourBlocks(_ f: BucketFixture, labels: [String: String] = [:]) throws -> [Labels: [Sample]] {
        var expected: [Labels: [Sample]] = [:]
        for k in 0..<4 {
            let series = generateSeries(count: 20, from: Int64(k) * 2 * hour, to: Int64(k + 1) * 2 * hour)
            try f.putBlock(series: series, minTime: Int64(k) * 2 * hour, maxTime: Int64(k + 1) * 2 * hour, labels: labels)
            for s in series { expected[s.labels, default: []] += s.samples }
        }
        return expected
    }

    @Test func fourRawBlocksBecomeOneWithIdenticalSamples() async throws {
        let f = try BucketFixture()
        let expected = try Self.fourBlocks(f)
        let summary = try await f.compactor(f.configuration(), nowMs: 9 * hour).runOnce()
        #expect(summary.blocksCompacted == 1)
        #expect(summary.sourceBlocksCompacted == 4)
        #expect(summary.blocksDeleted == 4)
        #expect(!summary.failed)
        let live = try await f.liveBlocks()
        #expect(live.count == 1)
        #expect(live.first?.meta.minTime == 0 && live.first?.meta.maxTime == 8 * hour)
        #expect(live.first?.meta.compaction.level == 2)
        #expect(live.first?.meta.compaction.sources.count == 4)
        #expect(live.first?.meta.thanos?.labels["tenant_id"] == "t1")
        #expect(live.first?.meta.stats.numSamples == UInt64(expected.values.reduce(0) { $0 + $1.count }))
        #expect(try await f.rawData() == expected)
        // A second pass finds nothing to do.
        let again = try await f.compactor(f.configuration(), nowMs: 9 * hour).runOnce()
        #expect(again.blocksCompacted == 0 && again.markedForDeletion == 0)
    }

    @Test func overlappingReplicasMergeWithoutDuplicates() async throws {
        let f = try BucketFixture()
        let series = generateSeries(count: 10, from: 0, to: 2 * hour)
        // Replica b has the same samples plus a few of its own, and the replica label on its series too.
        let b = series.map { s in
            ArraySeries(labels: s.labels.setting("replica", to: "b"),
                        samples: s.samples + [Sample(t: Timestamp(ms: 2 * hour - 1), v: 42)])
        }
        try f.putBlock(series: series, minTime: 0, maxTime: 2 * hour, labels: ["replica": "a"])
        try f.putBlock(series: b, minTime: 0, maxTime: 2 * hour, labels: ["replica": "b"])
        var c = f.configuration()
        c.replicaLabels = ["replica"]
        let summary = try await f.compactor(c, nowMs: 3 * hour).runOnce()
        #expect(summary.blocksCompacted == 1)
        let live = try await f.liveBlocks()
        #expect(live.count == 1)
        #expect(live.first?.meta.thanos?.labels["replica"] == nil)
        let data = try await f.rawData()
        #expect(data.count == 10)
        for s in series {
            let got = data[s.labels] ?? []
            #expect(got == s.samples + [Sample(t: Timestamp(ms: 2 * hour - 1), v: 42)])
            #expect(Set(got.map(\.t)).count == got.count)
        }
    }

    @Test func retentionMarksThenDeletesAfterDelay() async throws {
        let f = try BucketFixture()
        let old = try f.putBlock(series: generateSeries(count: 2, from: 0, to: 2 * hour), minTime: 0, maxTime: 2 * hour)
        try f.putBlock(series: generateSeries(count: 2, from: 20 * hour, to: 22 * hour), minTime: 20 * hour, maxTime: 22 * hour)
        var c = f.configuration()
        c.retentionRawMs = 10 * hour
        c.deleteDelayMs = hour
        let first = try await f.compactor(c, nowMs: 23 * hour).runOnce()
        #expect(first.markedForDeletion == 1)
        #expect(first.blocksDeleted == 0)
        #expect(try await f.bucket.exists("t1/\(old.ulid)/deletion-mark.json"))
        #expect(try await f.bucket.exists("t1/\(old.ulid)/meta.json"))
        let later = try await f.compactor(c, nowMs: 24 * hour + 1000).runOnce()
        #expect(later.blocksDeleted == 1)
        #expect(try await f.bucket.list(prefix: "t1/\(old.ulid)/", delimiter: nil).isEmpty)
        #expect(try await f.liveBlocks().count == 1)
    }

    @Test func brokenBlockIsMarkedNoCompactAndOthersGoOn() async throws {
        let f = try BucketFixture()
        _ = try Self.fourBlocks(f, labels: ["stream": "good"])
        let bad = try Self.fourBlocks(f, labels: ["stream": "bad"])
        #expect(bad.count == 20)
        // Corrupt the index of one block in the "bad" stream.
        let victim = try await f.liveBlocks().first { $0.meta.thanos?.labels["stream"] == "bad" }!
        try await f.bucket.put(victim.prefix + "index", Array(repeating: 0x55, count: 64))
        let summary = try await f.compactor(f.configuration(), nowMs: 9 * hour).runOnce()
        #expect(summary.failed)
        #expect(summary.blocksCompacted == 1)
        #expect(summary.markedNoCompact == 4)
        #expect(try await f.bucket.exists(victim.prefix + "no-compact-mark.json"))
        // The next pass leaves the marked blocks alone and does not fail again.
        let next = try await f.compactor(f.configuration(), nowMs: 9 * hour).runOnce()
        #expect(!next.failed)
        #expect(next.warnings.count == 4)
    }

    @Test func partialUploadsAreRemovedAfterGrace() async throws {
        let f = try BucketFixture()
        let ulid = ULID(time: Timestamp(ms: hour))
        try await f.bucket.put("t1/\(ulid)/index", [1, 2, 3])
        try f.putBlock(series: generateSeries(count: 1, from: 0, to: hour), minTime: 0, maxTime: 2 * hour)
        var c = f.configuration()
        c.partialUploadGraceMs = 10 * hour
        #expect(try await f.compactor(c, nowMs: 2 * hour).runOnce().partialUploadsRemoved == 0)
        #expect(try await f.compactor(c, nowMs: 12 * hour).runOnce().partialUploadsRemoved == 1)
        #expect(try await f.bucket.list(prefix: "t1/\(ulid)/", delimiter: nil).isEmpty)
    }

    @Test func dryRunChangesNothing() async throws {
        let f = try BucketFixture()
        _ = try Self.fourBlocks(f)
        var compactor = f.compactor(f.configuration(), nowMs: 9 * hour)
        compactor.dryRun = true
        let summary = try await compactor.runOnce()
        #expect(summary.plannedJobs.count == 1)
        #expect(try await f.liveBlocks().count == 4)
    }

    @Test func promtoolAnalyzesCompactedBlock() async throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        guard let promtool = path.split(separator: ":").map({ $0 + "/promtool" }).first(where: FileManager.default.isExecutableFile)
        else {
            print("skipping: promtool not installed")
            return
        }
        let f = try BucketFixture()
        let expected = try Self.fourBlocks(f)
        _ = try await f.compactor(f.configuration(), nowMs: 9 * hour).runOnce()
        let block = try #require(try await f.liveBlocks().first)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = ["tsdb", "analyze", f.root + "/bucket/t1", block.meta.ulid.description]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
        #expect(out.contains("Series: \(expected.count)\n"), "\(out)")
        // Every sample is there once: `promtool tsdb dump` prints one line per sample. It opens the
        // directory as a Prometheus data directory, which needs a WAL directory (empty is fine).
        try FileManager.default.createDirectory(atPath: f.root + "/bucket/t1/wal", withIntermediateDirectories: true)
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: promtool)
        dump.arguments = ["tsdb", "dump", f.root + "/bucket/t1"]
        let dumpPipe = Pipe()
        dump.standardOutput = dumpPipe
        dump.standardError = dumpPipe
        try dump.run()
        let text = String(decoding: dumpPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        dump.waitUntilExit()
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("{") }.count
        #expect(lines == expected.values.reduce(0) { $0 + $1.count }, "\(text.prefix(2000))")
    }
}

@Suite struct DeleteRequestTests {
    @Test func storedRequestIsAppliedWhenBlocksAreRewritten() async throws {
        let f = try BucketFixture()
        let expected = try BucketCompactionTests.fourBlocks(f)
        let request = DeleteRequest(
            id: "drop-host-3", matchers: [.init(type: "=", name: "instance", value: "host-3")], startMs: hour, endMs: 5 * hour)
        try await request.store(in: f.bucket, tenant: "t1")
        let summary = try await f.compactor(f.configuration(), nowMs: 9 * hour).runOnce()
        #expect(summary.blocksCompacted == 1 && !summary.failed)
        let data = try await f.rawData()
        for (labels, samples) in expected {
            let want = labels.get("instance") == "host-3"
                ? samples.filter { $0.t.ms < hour || $0.t.ms > 5 * hour } : samples
            #expect(data[labels] == want)
        }
        #expect(try await DeleteRequest.load(from: f.bucket, tenant: "t1") == [request])
    }
}

@Suite struct ReplicaDedupTests {
    /// Replica b scrapes 7s after replica a; a misses ten minutes. The result follows a up to its
    /// gap, then b (which has no gap) from there on, and never interleaves the two.
    @Test func replicasWithOffsetScrapesDoNotInterleave() async throws {
        let f = try BucketFixture()
        let gap = (30 * 60_000)..<(40 * 60_000)
        let a = generateSeries(count: 3, from: 0, to: 2 * hour).map { s in
            ArraySeries(labels: s.labels, samples: s.samples.filter { !gap.contains(Int($0.t.ms)) })
        }
        let b = generateSeries(count: 3, from: 7_000, to: 2 * hour) { i, t in -Double(i) - Double(t) }
        try f.putBlock(series: a, minTime: 0, maxTime: 2 * hour, labels: ["replica": "a"])
        try f.putBlock(series: b, minTime: 0, maxTime: 2 * hour, labels: ["replica": "b"])
        var c = f.configuration()
        c.replicaLabels = ["replica"]
        let summary = try await f.compactor(c, nowMs: 3 * hour).runOnce()
        #expect(summary.blocksCompacted == 1 && !summary.failed)
        let data = try await f.rawData()
        for (sa, sb) in zip(a, b) {
            let got = try #require(data[sa.labels])
            let fromA = got.filter { $0.v >= 0 }
            #expect(fromA == sa.samples.filter { $0.t.ms < Int64(gap.lowerBound) })
            let switchT = fromA.last!.t
            #expect(got.filter { $0.v < 0 } == sb.samples.filter { $0.t > switchT })
            // One short step where the output switches replicas; interleaving would make many.
            #expect(zip(got.dropFirst(), got).filter { $0.t.ms - $1.t.ms < 15_000 }.count == 1)
        }
    }
}
