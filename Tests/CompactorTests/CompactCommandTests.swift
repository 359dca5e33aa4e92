import Compactor
import Foundation
import ObjectStore
import TSDB
import Testing

/// `hearth compact` as a user runs it: summary on stdout, exit status.
@Suite struct CompactCommandTests {
    static func run(_ f: BucketFixture, _ extra: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CrashSafetyTests.hearthBinary())
        p.arguments = ["compact", "--bucket.path=\(f.root)/bucket", "--data-dir=\(f.root)/scratch", "--log.level=error"] + extra
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func dryRunThenOnceThenFailure() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.hearthBinary()) else {
            print("skipping: no hearth binary")
            return
        }
        let f = try BucketFixture()
        _ = try CrashSafetyTests.populate(f)
        let dry = try Self.run(f, ["--once", "--dry-run", "--dedup.replica-label=replica"])
        #expect(dry.status == 0)
        #expect(dry.output.contains("planned: t1: vertical compact"), "\(dry.output)")
        #expect(try await f.liveBlocks().count == 9)

        let once = try Self.run(f, ["--once", "--delete-delay=0s", "--dedup.replica-label=replica"])
        #expect(once.status == 0, "\(once.output)")
        #expect(once.output.contains("blocks compacted: 3 (from 10 source blocks)"), "\(once.output)")
        #expect(once.output.contains("blocks deleted: 10"), "\(once.output)")

        // A corrupt block in a stream with work to do: the job fails, the exit status says so.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let base = (now - 20 * 24 * hour) / (8 * hour) * (8 * hour)
        for k in 0..<4 {
            let from = base + Int64(k) * 2 * hour
            try f.putBlock(series: generateSeries(count: 2, from: from, to: from + 2 * hour), minTime: from, maxTime: from + 2 * hour)
        }
        let victim = try #require(try await f.liveBlocks().first { $0.meta.minTime == base })
        try await f.bucket.put(victim.prefix + "index", Array(repeating: 0x55, count: 64))
        let failed = try Self.run(f, ["--once"])
        #expect(failed.status != 0)
        #expect(failed.output.contains("FAILED:"), "\(failed.output)")
        #expect(failed.output.contains("blocks marked no-compact: 4"), "\(failed.output)")

        #expect(try Self.run(f, ["--wait", "--once"]).status != 0)
    }
}
