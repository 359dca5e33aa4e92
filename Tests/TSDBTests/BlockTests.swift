import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Selection, label lookups, time ranges and tombstones over an opened block.
@Suite struct BlockTests {
    /// Five series chosen so every matcher kind hits a present, absent and empty label.
    static let labelSets: [Labels] = [
        ["__name__": "up", "job": "api", "instance": "a"],
        ["__name__": "up", "job": "api", "instance": "b", "env": "prod"],
        ["__name__": "up", "job": "node", "instance": "a"],
        ["__name__": "down", "job": "node"],
        ["__name__": "up", "instance": "c"],
    ]

    static func withBlock<T>(_ body: (Block, [ArraySeries]) throws -> T) throws -> T {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = labelSets.enumerated().map { i, l in
            ArraySeries(labels: l, samples: (0..<200).map { Sample(t: Timestamp(ms: Int64($0) * 1000), v: Double(i * 1000 + $0)) })
        }
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)
        return try body(try Block.open(directory: dir.path + "/" + meta.ulid.description), input)
    }

    static func m(_ kind: Matcher.Kind, _ name: String, _ value: String) -> Matcher { try! Matcher(kind, name, value) }

    @Test("matchers select like Prometheus", arguments: [
        ("name equal", [m(.equal, "__name__", "up")], [0, 1, 2, 4]),
        ("equal", [m(.equal, "job", "api")], [0, 1]),
        ("not equal keeps series without the label", [m(.notEqual, "job", "api")], [2, 3, 4]),
        ("regex alternation", [m(.regexMatch, "job", "api|node")], [0, 1, 2, 3]),
        ("negative regex keeps series without the label", [m(.regexNoMatch, "job", "api|node")], [4]),
        ("equal empty means label absent", [m(.equal, "job", "")], [4]),
        ("not equal empty means label present", [m(.notEqual, "job", "")], [0, 1, 2, 3]),
        ("dot star matches everything", [m(.regexMatch, "env", ".*")], [0, 1, 2, 3, 4]),
        ("dot plus needs the label", [m(.regexMatch, "env", ".+")], [1]),
        ("negative regex on a rare label", [m(.regexNoMatch, "env", "prod")], [0, 2, 3, 4]),
        ("intersection with negation", [m(.equal, "__name__", "up"), m(.regexNoMatch, "instance", "a")], [1, 4]),
        ("prefix regex", [m(.regexMatch, "job", "a.*")], [0, 1]),
        ("general regex", [m(.regexMatch, "job", "no.e")], [2, 3]),
        ("unknown label value", [m(.equal, "missing", "x")], []),
        ("absent label with a name", [m(.equal, "__name__", "up"), m(.equal, "env", "")], [0, 2, 4]),
        ("regex matching empty or a value", [m(.regexMatch, "instance", "a|")], [0, 2, 3]),
        ("contradiction", [m(.equal, "job", "api"), m(.equal, "job", "node")], []),
    ] as [(String, [Matcher], [Int])])
    func selection(name: String, matchers: [Matcher], want: [Int]) throws {
        try Self.withBlock { block, input in
            let got = try BlockFixtures.read(block, matchers)
            let expected = want.map { input[$0] }.sorted { labelsLess($0.labels, $1.labels) }
            #expect(got.map(\.labels) == expected.map(\.labels), "\(name)")
            #expect(got == expected)
        }
    }

    @Test func labelNamesAndValues() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = Self.labelSets.map { ArraySeries(labels: $0, samples: [Sample(t: Timestamp(ms: 1), v: 1)]) }
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)
        let block = try Block.open(directory: dir.path + "/" + meta.ulid.description)
        let q = try await block.querier(mint: .min, maxt: .max)
        #expect(try await q.labelNames(matchers: []) == ["__name__", "env", "instance", "job"])
        #expect(try await q.labelNames(matchers: [.equal("__name__", "down")]) == ["__name__", "job"])
        #expect(try await q.labelValues("job", matchers: []) == ["api", "node"])
        #expect(try await q.labelValues("instance", matchers: [.equal("job", "node")]) == ["a"])
        #expect(try await q.labelValues("nope", matchers: []) == [])
        var set = try await q.select(sorted: true, hints: nil, matchers: [.equal("job", "node")])
        var names: [String] = []
        while let s = try set.next() { names.append(s.labels.metricName) }
        #expect(names == ["down", "up"])
    }

    @Test func timeRangeTrimsSamplesAndSeekSkipsAhead() throws {
        try Self.withBlock { block, input in
            let got = try BlockFixtures.read(block, [.equal("job", "api")], mint: Timestamp(ms: 50_500), maxt: Timestamp(ms: 130_000))
            #expect(got.count == 2)
            let first = try #require(got.first { $0.labels == input[0].labels })
            #expect(first.samples == input[0].samples.filter { $0.t.ms >= 50_500 && $0.t.ms <= 130_000 })

            var set = try BlockQuerier(block: block, mint: .min, maxt: .max).selectSync(matchers: [.equal("instance", "c")])
            var it = try #require(try set.next()).makeIterator()
            #expect(try it.seek(Timestamp(ms: 150_500)))
            #expect(it.at() == Sample(t: Timestamp(ms: 151_000), v: 4151))
            #expect(try it.seek(Timestamp(ms: 10)))  // never moves backwards
            #expect(it.at().t == Timestamp(ms: 151_000))
            #expect(try it.next() && it.at().t == Timestamp(ms: 152_000))
            #expect(try !it.seek(Timestamp(ms: 999_999)))
            #expect(try set.next() == nil)

            let outside = try BlockFixtures.read(block, [.equal("job", "api")], mint: Timestamp(ms: 500_000), maxt: .max)
            #expect(outside.isEmpty)
        }
    }

    @Test func tombstonesHideDeletedSamples() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 6, samplesPerSeries: 400)
        let writer = BlockWriter(parentDirectory: dir.path)
        let meta = try writer.write(samples: input)
        let path = dir.path + "/" + meta.ulid.description
        let refs = try Block.open(directory: path).allSeries()

        // Delete a range in the middle of series 0 and all of series 1, as a delete request would.
        let start = input[0].samples[130].t
        let end = input[0].samples[170].t
        var tombstones = Tombstones()
        tombstones.add(refs[0].ref, TombstoneInterval(minTime: start, maxTime: end))
        tombstones.add(refs[1].ref, TombstoneInterval(minTime: .min, maxTime: .max))
        try tombstones.write(toDirectory: path)

        let block = try Block.open(directory: path)
        #expect(block.tombstones == tombstones)
        let got = try BlockFixtures.read(block)
        #expect(got.count == 5)
        #expect(got[0].samples == input[0].samples.filter { $0.t < start || $0.t > end })
        #expect(Array(got.dropFirst()) == Array(input.dropFirst(2)))

        let q = try await block.chunkQuerier(mint: .min, maxt: .max)
        var set = try await q.selectChunks(sorted: true, hints: nil, matchers: [.equal("series", input[0].labels["series"])])
        let chunks = try #require(try set.next()).chunks
        let samples = try chunks.flatMap { try XORChunkDecoder.decodeAll($0.bytes) }
        #expect(samples == got[0].samples)
        // The untouched first and last chunks are the stored bytes; only the middle one is re-encoded.
        let stored = try writer.encodeChunks(input[0])
        #expect(chunks.first == stored.first)
        #expect(chunks.last == stored.last)
    }
}
