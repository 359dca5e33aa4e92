import Compactor
import Foundation
import ObjectStore
import PromModel
import StorageAPI
import Testing
import TSDB

/// Kills `hearth compact --once` with SIGKILL at random points, then lets one run finish: the
/// bucket must hold exactly the data written, once, with no partial blocks or stale marks left.
@Suite struct CrashSafetyTests {
    /// The `hearth` executable beside the test runner (as in EndToEndTests), or `HEARTH_BINARY`.
    static func hearthBinary() -> String {
        if let path = ProcessInfo.processInfo.environment["HEARTH_BINARY"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        return runner.deletingLastPathComponent().appendingPathComponent("hearth").path
    }

    static func start(_ f: BucketFixture, extra: [String] = []) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: hearthBinary())
        p.arguments = [
            "compact", "--once", "--bucket.path=\(f.root)/bucket", "--data-dir=\(f.root)/scratch", "--delete-delay=0s",
            "--partial-upload-grace=0s", "--dedup.replica-label=replica", "--log.level=error",
        ] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Eight 2h blocks (two 8h ranges) a month back, one of them duplicated by a second replica.
    static func populate(_ f: BucketFixture) throws -> [Labels: [Sample]] {
        // Real time drives the child, so the data lies a month back, aligned to 8h.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let base = (now - 30 * 24 * hour) / (8 * hour) * (8 * hour)
        var expected: [Labels: [Sample]] = [:]
        for k in 0..<8 {
            let from = base + Int64(k) * 2 * hour
            let series = generateSeries(count: 50, from: from, to: from + 2 * hour)
            try f.putBlock(series: series, minTime: from, maxTime: from + 2 * hour, labels: ["replica": "a"])
            if k == 5 { try f.putBlock(series: series, minTime: from, maxTime: from + 2 * hour, labels: ["replica": "b"]) }
            for s in series { expected[s.labels, default: []] += s.samples }
        }
        return expected
    }

    @Test func killedCompactionsThenOneCompleteRun() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.hearthBinary()) else {
            print("skipping: no hearth binary at \(Self.hearthBinary())")
            return
        }
        // Calibrate: how long an uninterrupted run takes here, so kills land inside the work.
        let calibration = try BucketFixture()
        _ = try Self.populate(calibration)
        let started = ContinuousClock.now
        let p0 = try Self.start(calibration)
        p0.waitUntilExit()
        let fullRunMs = max(50, Int((ContinuousClock.now - started) / .milliseconds(1)))
        var rng = SystemRandomNumberGenerator()
        var killed = 0
        var interrupted = 0
        for _ in 0..<3 {
            let f = try BucketFixture()
            let expected = try Self.populate(f)
            for _ in 0..<4 {
                let p = try Self.start(f)
                try await Task.sleep(for: .milliseconds(Int.random(in: 10...(fullRunMs * 3 / 4), using: &rng)))
                if p.isRunning {
                    kill(p.processIdentifier, SIGKILL)
                    killed += 1
                }
                p.waitUntilExit()
                // Count kills that left work half done: partial uploads or marked blocks.
                let state = try await BucketCatalog.scan(f.bucket)
                if !state.partial.isEmpty || state.blocks.contains(where: { $0.deletionMark != nil }) { interrupted += 1 }
            }
            let last = try Self.start(f)
            last.waitUntilExit()
            #expect(last.terminationStatus == 0)
            let catalog = try await BucketCatalog.scan(f.bucket)
            #expect(catalog.partial.isEmpty)
            #expect(catalog.blocks.allSatisfy { $0.deletionMark == nil && $0.noCompactMark == nil })
            #expect(catalog.blocks.count == 2)
            let sorted = catalog.blocks.map(\.meta).sorted { $0.minTime < $1.minTime }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.maxTime <= b.minTime) }
            #expect(try await f.rawData() == expected)
        }
        print("crash safety: full run \(fullRunMs) ms; \(killed) of 12 runs killed with SIGKILL, \(interrupted) left half-done work")
    }

    /// The same with downsampling in every pass (thresholds lowered so the 8h blocks qualify):
    /// kills land in compaction, downsampling and deletion. Afterwards raw data is exact, and each
    /// 8h range has exactly one 5m and one 1h block whose count aggregates add up to the raw samples.
    @Test func killedCompactionsWithDownsamplingThenOneCompleteRun() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.hearthBinary()) else {
            print("skipping: no hearth binary at \(Self.hearthBinary())")
            return
        }
        let extra = ["--downsample.5m-after=7h", "--downsample.1h-after=7h"]
        let calibration = try BucketFixture()
        _ = try Self.populate(calibration)
        let started = ContinuousClock.now
        let p0 = try Self.start(calibration, extra: extra)
        p0.waitUntilExit()
        #expect(p0.terminationStatus == 0)
        let fullRunMs = max(50, Int((ContinuousClock.now - started) / .milliseconds(1)))
        var killed = 0
        do {
            let f = try BucketFixture()
            let expected = try Self.populate(f)
            for _ in 0..<5 {
                let p = try Self.start(f, extra: extra)
                try await Task.sleep(for: .milliseconds(Int.random(in: 10...max(20, fullRunMs / 2))))
                if p.isRunning {
                    kill(p.processIdentifier, SIGKILL)
                    killed += 1
                }
                p.waitUntilExit()
            }
            let last = try Self.start(f, extra: extra)
            last.waitUntilExit()
            #expect(last.terminationStatus == 0)
            let catalog = try await BucketCatalog.scan(f.bucket)
            #expect(catalog.partial.isEmpty)
            #expect(catalog.blocks.allSatisfy { $0.deletionMark == nil && $0.noCompactMark == nil })
            #expect(try await f.rawData() == expected)
            let rawSamples = expected.values.flatMap { $0 }
            for resolution in [Int64(0), 300_000, 3_600_000] {
                let blocks = catalog.blocks.filter { ($0.meta.thanos?.downsample.resolution ?? 0) == resolution }
                #expect(blocks.count == 2, "resolution \(resolution): \(blocks.map(\.meta.ulid))")
                let sorted = blocks.map(\.meta).sorted { $0.minTime < $1.minTime }
                for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.maxTime <= b.minTime) }
                guard resolution > 0 else { continue }
                for b in blocks {
                    let block = try Block.open(directory: try f.bucket.localPath(String(b.prefix.dropLast())))
                    var count = 0.0
                    for s in try block.allSeries() {
                        for c in s.chunks { count += try AggregateChunk.decode(try block.chunkBytes(c.ref).bytes, only: .count)?.reduce(0) { $0 + $1.v } ?? 0 }
                    }
                    let want = rawSamples.filter { $0.t.ms >= b.meta.minTime && $0.t.ms < b.meta.maxTime }.count
                    #expect(Int(count) == want, "block \(b.meta.ulid) at \(resolution)")
                }
            }
        }
        print("crash safety with downsampling: full run \(fullRunMs) ms; \(killed) of 5 runs killed with SIGKILL")
    }
}
