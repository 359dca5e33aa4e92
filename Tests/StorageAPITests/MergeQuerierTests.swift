import PromModel
import StorageAPI
import Testing

/// A querier over fixed series, for merge tests.
struct FixedQuerier: Querier {
    let series: [ArraySeries]
    var failure: String?

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        if let failure { throw AppendError(.unavailable, failure) }
        let hit = series.filter { s in matchers.allSatisfy { $0.matches(s.labels[$0.name]) } }
        return ArraySeriesSet(hit.sorted { $0.labels < $1.labels })
    }
    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        Array(Set(series.map { $0.labels[name] }.filter { !$0.isEmpty })).sorted()
    }
    func labelNames(matchers: [Matcher]) async throws -> [String] {
        Array(Set(series.flatMap { $0.labels.items.map(\.name) })).sorted()
    }
    func close() {}
}

func samples(_ pairs: [(Int64, Double)]) -> [Sample] { pairs.map { Sample(t: Timestamp(ms: $0.0), v: $0.1) } }

func collect(_ set: any SeriesSet) throws -> [(Labels, [Sample])] {
    var set = set
    var out: [(Labels, [Sample])] = []
    while let s = try set.next() {
        var it = s.makeIterator()
        var got: [Sample] = []
        while try it.next() { got.append(it.at()) }
        out.append((s.labels, got))
    }
    return out
}

@Suite struct MergeQuerierTests {
    let a: Labels = ["__name__": "m", "i": "a"]
    let b: Labels = ["__name__": "m", "i": "b"]
    let c: Labels = ["__name__": "m", "i": "c"]

    @Test func mergesSeriesAndDeduplicatesOverlappingSamples() async throws {
        let head = FixedQuerier(series: [
            ArraySeries(labels: a, samples: samples([(30, 3), (40, 4)])),
            ArraySeries(labels: c, samples: samples([(10, 1)])),
        ])
        let block = FixedQuerier(series: [
            ArraySeries(labels: a, samples: samples([(10, 1), (20, 2), (30, 99)])),
            ArraySeries(labels: b, samples: samples([(5, 5)])),
        ])
        let q = MergeQuerier([.init(head), .init(block)])
        let got = try collect(try await q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "m")]))
        #expect(got.map(\.0) == [a, b, c])
        // At t=30 both sources have a sample: the first source's value wins, once.
        #expect(got[0].1 == samples([(10, 1), (20, 2), (30, 3), (40, 4)]))
        #expect(got[1].1 == samples([(5, 5)]))
        #expect(try await q.labelValues("i", matchers: []) == ["a", "b", "c"])
    }

    @Test func optionalSourceFailureBecomesWarning() async throws {
        let ok = FixedQuerier(series: [ArraySeries(labels: a, samples: samples([(1, 1)]))])
        let down = FixedQuerier(series: [], failure: "remote down")
        let q = MergeQuerier([.init(ok), .init(down, optional: true)])
        let set = try await q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "m")])
        #expect(set.warnings.count == 1 && set.warnings[0].contains("remote down"))
        #expect(try collect(set).count == 1)
        let strict = MergeQuerier([.init(ok), .init(down)])
        await #expect(throws: AppendError.self) {
            _ = try await strict.select(sorted: true, hints: nil, matchers: [.equal("__name__", "m")])
        }
    }

    @Test func seekOnMergedIterator() throws {
        var it = MergedSampleIterator([
            ArraySampleIterator(samples([(10, 1), (30, 3)])), ArraySampleIterator(samples([(20, 2), (30, 9), (40, 4)])),
        ])
        #expect(try it.seek(Timestamp(ms: 25)))
        #expect(it.at() == Sample(t: Timestamp(ms: 30), v: 3))
        #expect(try it.next())
        #expect(it.at().t.ms == 40)
        #expect(try it.next() == false)
    }
}

@Suite struct SampleRunMergerTests {
    static func merged(_ runs: [[(Int64, Double)]]) -> [(Int64, Double)] {
        var ts: [Int64] = [], vs: [Double] = []
        SampleRunMerger.merge(runs.map { r in (r.map(\.0), r.map(\.1)) }, timestamps: &ts, values: &vs)
        return Array(zip(ts, vs))
    }

    @Test func disjointRunsConcatenateInTimeOrder() {
        let got = Self.merged([[(30, 3), (40, 4)], [], [(10, 1), (20, 2)]])
        #expect(got.map(\.0) == [10, 20, 30, 40])
        #expect(got.map(\.1) == [1, 2, 3, 4])
    }

    @Test func overlappingRunsKeepTheEarliestRunsSample() {
        let got = Self.merged([[(20, 2), (30, 3)], [(10, 10), (20, 20), (25, 25), (40, 40)], [(30, 300), (50, 500)]])
        #expect(got.map(\.0) == [10, 20, 25, 30, 40, 50])
        #expect(got.map(\.1) == [10, 2, 25, 3, 40, 500])
    }

    @Test func segmentsAppendedInPlaceAreOrderedOrMerged() {
        // Earlier contents of the arrays are left alone.
        var ts: [Int64] = [1], vs: [Double] = [-1]
        // In order and disjoint: untouched.
        ts += [10, 20, 30, 40]
        vs += [1, 2, 3, 4]
        SampleRunMerger.mergeSegments(bounds: [1, 3, 3, 5], timestamps: &ts, values: &vs)
        #expect(ts == [1, 10, 20, 30, 40])
        // Head first (newest data), then older blocks: reordered.
        ts = [1, 50, 60, 10, 20, 30]
        vs = [-1, 5, 6, 1, 2, 3]
        SampleRunMerger.mergeSegments(bounds: [1, 3, 5, 6], timestamps: &ts, values: &vs)
        #expect(ts == [1, 10, 20, 30, 50, 60])
        #expect(vs == [-1, 1, 2, 3, 5, 6])
        // Overlapping: the first segment's sample wins at equal timestamps.
        ts = [1, 20, 30, 10, 20, 25]
        vs = [-1, 2, 3, 10, 99, 25]
        SampleRunMerger.mergeSegments(bounds: [1, 3, 6], timestamps: &ts, values: &vs)
        #expect(ts == [1, 10, 20, 25, 30])
        #expect(vs == [-1, 10, 2, 25, 3])
    }

    @Test func bulkReadOfMergedSeriesMatchesIteration() async throws {
        let a: Labels = ["__name__": "m"]
        let q = MergeQuerier([
            .init(FixedQuerier(series: [ArraySeries(labels: a, samples: samples([(30, 3), (40, 4), (60, 6)]))])),
            .init(FixedQuerier(series: [ArraySeries(labels: a, samples: samples([(10, 1), (30, 99), (50, 5)]))])),
        ])
        var set = try await q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "m")])
        let s = try #require(try set.next())
        var it = s.makeIterator()
        var ts: [Int64] = [], vs: [Double] = []
        try it.appendSamples(from: Timestamp(ms: 20), through: Timestamp(ms: 50), timestamps: &ts, values: &vs)
        #expect(ts == [30, 40, 50])
        #expect(vs == [3, 4, 5])
    }
}
