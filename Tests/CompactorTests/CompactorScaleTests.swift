import Compactor
import Foundation
import StorageAPI
import TSDB
import Testing

/// A bigger run for numbers, not for CI: set `HEARTH_COMPACT_SCALE=<series>` to run it.
@Suite struct CompactorScaleTests {
    @Test func compactionAndDownsamplingThroughput() async throws {
        guard let text = ProcessInfo.processInfo.environment["HEARTH_COMPACT_SCALE"], let count = Int(text) else { return }
        let f = try BucketFixture()
        // 24 raw 2h blocks (2 days) at a 15s step: compaction to 8h, then 2d, then a 5m copy.
        var samples = 0
        for k in 0..<24 {
            let from = Int64(k) * 2 * hour
            let series = generateSeries(count: count, from: from, to: from + 2 * hour)
            samples += series.reduce(0) { $0 + $1.samples.count }
            try f.putBlock(series: series, minTime: from, maxTime: from + 2 * hour)
        }
        let clock = ContinuousClock()
        var summary = CompactionSummary()
        let elapsed = try await clock.measure { summary = try await f.compactor(f.configuration(), nowMs: 49 * hour).runOnce() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("scale: \(count) series, \(samples) raw samples, \(summary.blocksCompacted) compactions, "
            + "\(summary.blocksDownsampled) downsamplings in \(String(format: "%.2f", seconds)) s "
            + "(\(Int(Double(samples) / seconds)) raw samples/s through all levels)")
        print("scale: bytes before \(summary.bytesBefore), after \(summary.bytesAfter)")
        for b in try await f.liveBlocks() {
            print("scale: resolution \(b.meta.thanos?.downsample.resolution ?? 0): \(b.bytes) bytes, \(b.meta.stats.numChunks) chunks")
        }
        #expect(!summary.failed)
    }
}
