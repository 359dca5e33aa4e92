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
        // A small segment cap puts chunks into several files, so references with a segment > 0 are checked too.
        let meta = try BlockWriter(parentDirectory: dir.path, maxSegmentSize: 16 * 1024).write(samples: input)
        let segments = try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/\(meta.ulid)/chunks")
        #expect(segments.count >= 3)

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

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func promtoolHonoursOurTombstones() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 4, samplesPerSeries: 200)
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)
        let path = dir.path + "/" + meta.ulid.description
        let refs = try Block.open(directory: path).allSeries().map(\.ref)
        let s0 = input[0].samples
        let cut = [(s0[10].t, s0[20].t), (s0[150].t, s0[199].t)]
        var t = Tombstones()
        for (a, b) in cut { t.add(refs[0], TombstoneInterval(minTime: a, maxTime: b)) }
        t.add(refs[2], TombstoneInterval(minTime: .min, maxTime: .max))
        try t.write(toDirectory: path)

        try FileManager.default.createDirectory(atPath: dir.path + "/wal", withIntermediateDirectories: true)
        let dump = try ExternalTool.run(Self.promtool!, ["tsdb", "dump", dir.path])
        #expect(dump.status == 0, "promtool tsdb dump failed: \(dump.stderr)")
        var want: [DumpParser.Line] = []
        for (i, s) in input.enumerated() where i != 2 {
            let labels = DumpParser.format(s.labels.items.map { ($0.name, $0.value) })
            for x in s.samples where i != 0 || !cut.contains(where: { $0.0 <= x.t && x.t <= $0.1 }) {
                want.append(.init(labels: labels, t: x.t.ms, bits: x.v.bitPattern))
            }
        }
        Self.expectSameLines(DumpParser.parse(dump.stdout), want)
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func weReadBlocksPromtoolCreated() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (text, want) = Self.openMetrics(series: 20, samplesPerSeries: 300)
        try text.write(toFile: dir.path + "/input.om", atomically: true, encoding: .utf8)
        let out = dir.path + "/blocks"
        let run = try ExternalTool.run(Self.promtool!, ["tsdb", "create-blocks-from", "openmetrics", dir.path + "/input.om", out])
        #expect(run.status == 0, "promtool create-blocks-from failed: \(run.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).filter { ULID($0) != nil }.sorted()
        #expect(!names.isEmpty)

        var got: [Labels: [Sample]] = [:]
        var theirBytes = 0
        var chunksCompared = 0
        for name in names {
            let block = try Block.open(directory: out + "/" + name)
            theirBytes += block.sizes.index + block.sizes.chunks
            for s in try BlockFixtures.read(block) { got[s.labels, default: []] += s.samples }
            // Re-encoding each of their chunks with our encoder must give the very same bytes.
            for series in try block.allSeries() {
                for meta in series.chunks {
                    let stored = try block.chunkBytes(meta.ref)
                    #expect(stored.encoding == ChunkEncoding.xor.rawValue)
                    var ours = XORChunk()
                    for x in try XORChunkDecoder.decodeAll(stored.bytes) { ours.append(t: x.t, v: x.v) }
                    #expect(ours.bytes == stored.bytes, "chunk \(meta.ref) of \(series.labels) differs")
                    chunksCompared += 1
                }
            }
        }
        #expect(chunksCompared > 20)
        #expect(got.count == want.count)
        for s in want { #expect(got[s.labels] == s.samples, "samples of \(s.labels) differ") }

        // The same data written by us, for the bytes-per-sample comparison in the report.
        let ourMeta = try BlockWriter(parentDirectory: dir.path).write(samples: want)
        let ours = try Block.open(directory: dir.path + "/" + ourMeta.ulid.description)
        let samples = Double(want.reduce(0) { $0 + $1.samples.count })
        let ourBytes = ours.sizes.index + ours.sizes.chunks
        print("""
            bytes/sample (index+chunks) for \(Int(samples)) samples in \(want.count) series: \
            hearth \(Double(ourBytes) / samples) (\(ours.sizes.index) + \(ours.sizes.chunks)), \
            promtool \(Double(theirBytes) / samples)
            """)
        #expect(ourBytes <= theirBytes + theirBytes / 10)
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func rewritingPromtoolChunksGivesByteIdenticalFiles() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (text, _) = Self.openMetrics(series: 25, samplesPerSeries: 300)
        try text.write(toFile: dir.path + "/input.om", atomically: true, encoding: .utf8)
        let run = try ExternalTool.run(
            Self.promtool!, ["tsdb", "create-blocks-from", "openmetrics", dir.path + "/input.om", dir.path + "/theirs"])
        #expect(run.status == 0, "promtool create-blocks-from failed: \(run.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/theirs").filter { ULID($0) != nil }
        try #require(names.count == 1)
        let theirPath = dir.path + "/theirs/" + names[0]
        let theirs = try Block.open(directory: theirPath)

        // Take their chunks as they are and write a block of our own from them.
        var set = try awaitSync { try await theirs.chunkQuerier(mint: .min, maxt: .max).selectChunks(sorted: true, hints: nil, matchers: []) }
        var series: [ChunkSeries] = []
        while let s = try set.next() { series.append(s) }
        #expect(series.count == 25)
        let meta = try BlockWriter(parentDirectory: dir.path).write(
            series: series, minTime: theirs.minTime, maxTime: theirs.maxTime)
        let ourPath = dir.path + "/" + meta.ulid.description
        #expect(meta.stats == theirs.meta.stats)
        for file in ["index", "chunks/000001", "tombstones"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: ourPath + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: theirPath + "/" + file))
            let firstDifference = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(a == b, "\(file): \(a.count) vs \(b.count) bytes, first difference at \(firstDifference.map(String.init) ?? "end")")
        }
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func bytesPerSampleVersusPromtool() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        // PERFORMANCE.md's shape: 240 samples per series at 15 s, counters and 2-decimal gauges.
        let input = BlockFixtures.series(count: 300, samplesPerSeries: 240)
        try Self.openMetrics(input).write(toFile: dir.path + "/input.om", atomically: true, encoding: .utf8)
        let run = try ExternalTool.run(
            Self.promtool!, ["tsdb", "create-blocks-from", "openmetrics", dir.path + "/input.om", dir.path + "/theirs"])
        #expect(run.status == 0, "promtool create-blocks-from failed: \(run.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/theirs").filter { ULID($0) != nil }
        try #require(names.count == 1)
        let theirs = try Block.open(directory: dir.path + "/theirs/" + names[0])
        #expect(try BlockFixtures.read(theirs) == input)

        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)
        let ours = try Block.open(directory: dir.path + "/" + meta.ulid.description)
        let n = Double(meta.stats.numSamples)
        func perSample(_ b: Block) -> String {
            let s = b.sizes
            return String(format: "%.3f B/sample (index %d B = %.1f B/series, chunks %.3f B/sample)",
                          Double(s.index + s.chunks) / n, s.index, Double(s.index) / Double(input.count), Double(s.chunks) / n)
        }
        print("""
            bytes/sample, \(Int(n)) samples in \(input.count) series: hearth \(perSample(ours)), \(meta.stats.numChunks) chunks; \
            promtool \(perSample(theirs)), \(theirs.meta.stats.numChunks) chunks
            """)
        // Prometheus' head cuts chunks by time (97 + 143 samples here, measured) rather than at exactly
        // 120, so chunk sizes differ slightly; the encoding itself is identical (see the test above).
        #expect(ours.sizes.chunks <= theirs.sizes.chunks + theirs.sizes.chunks / 100)
        #expect(ours.sizes.index <= theirs.sizes.index + theirs.sizes.index / 10)
    }

    /// OpenMetrics text for `series` (each metric family declared as a gauge, timestamps in seconds).
    static func openMetrics(_ series: [ArraySeries]) -> String {
        var text = ""
        let families = Dictionary(grouping: series, by: { $0.labels.metricName })
        for name in families.keys.sorted() {
            text += "# TYPE \(name) gauge\n"
            for s in families[name]! {
                let labels = s.labels.items.filter { $0.name != "__name__" }.map { "\($0.name)=\"\($0.value)\"" }
                    .joined(separator: ",")
                for x in s.samples {
                    let ms = x.t.ms % 1000
                    let frac = String(repeating: "0", count: 3 - String(ms).count) + String(ms)
                    text += "\(name){\(labels)} \(x.v) \(x.t.ms / 1000).\(frac)\n"
                }
            }
        }
        return text + "# EOF\n"
    }

    /// An OpenMetrics text with gauges at 15 s steps and millisecond jitter, and the samples it holds.
    static func openMetrics(series: Int, samplesPerSeries: Int) -> (String, [ArraySeries]) {
        // Start on a 2-hour boundary so promtool puts everything into one block.
        let start: Int64 = 1_699_999_200_000
        var rng = SplitMix(seed: 7)
        var text = "# HELP room_temperature A gauge.\n# TYPE room_temperature gauge\n"
        var out: [ArraySeries] = []
        for i in 0..<series {
            let labels: Labels = ["__name__": "room_temperature", "room": "r\(i)", "floor": String(i % 4)]
            var samples: [Sample] = []
            for k in 0..<samplesPerSeries {
                let t = start + Int64(k) * 15_000 + Int64(rng.next() % 1000)
                let v = Double(Int(rng.next() % 40_000) - 10_000) / 100
                samples.append(Sample(t: Timestamp(ms: t), v: v))
                let seconds = "\(t / 1000).\(String(repeating: "0", count: 3 - String(t % 1000).count))\(t % 1000)"
                text += "room_temperature{floor=\"\(i % 4)\",room=\"r\(i)\"} \(v) \(seconds)\n"
            }
            out.append(ArraySeries(labels: labels, samples: samples))
        }
        text += "# EOF\n"
        return (text, out.sorted { labelsLess($0.labels, $1.labels) })
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
