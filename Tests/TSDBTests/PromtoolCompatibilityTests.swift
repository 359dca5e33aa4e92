import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Proofs against the real Prometheus 2.x tools: our blocks are theirs and theirs are ours.
@Suite(.serialized) struct PromtoolCompatibilityTests {
    static let promtool = ExternalTool.find("promtool")

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func promtoolAnalyzesAndDumpsOurBlock() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        var input = BlockFixtures.series(count: 30, samplesPerSeries: 250)
        // Edge values must survive the trip through Go's float formatting too.
        input[0].samples[3].v = .infinity
        input[0].samples[4].v = -.infinity
        input[1].samples[5].v = -0.0
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)

        let analyze = try ExternalTool.run(Self.promtool!, ["tsdb", "analyze", dir.path, meta.ulid.description])
        #expect(analyze.status == 0, "promtool tsdb analyze failed: \(analyze.stderr)")
        #expect(analyze.stdout.contains("Block ID: \(meta.ulid)"))
        #expect(analyze.stdout.contains("Series: 30"))

        // promtool opens the directory as a read-only DB, which expects a WAL directory.
        try FileManager.default.createDirectory(atPath: dir.path + "/wal", withIntermediateDirectories: true)
        let dump = try ExternalTool.run(Self.promtool!, ["tsdb", "dump", dir.path])
        #expect(dump.status == 0, "promtool tsdb dump failed: \(dump.stderr)")
        let got = DumpParser.parse(dump.stdout)
        var want: [DumpParser.Line] = []
        for s in input {
            let labels = DumpParser.format(s.labels.items.map { ($0.name, $0.value) })
            for x in s.samples { want.append(.init(labels: labels, t: x.t.ms, bits: x.v.bitPattern)) }
        }
        Self.expectSameLines(got, want)
    }

    /// Compares dump lines without printing thousands of them on failure.
    static func expectSameLines(_ got: [DumpParser.Line], _ want: [DumpParser.Line]) {
        #expect(got.count == want.count)
        let missing = Set(want).subtracting(got)
        let extra = Set(got).subtracting(want)
        #expect(missing.isEmpty, "\(missing.count) samples missing, e.g. \(missing.prefix(3))")
        #expect(extra.isEmpty, "\(extra.count) unexpected samples, e.g. \(extra.prefix(3))")
    }
}
