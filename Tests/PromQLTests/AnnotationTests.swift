import PromModel
import Testing

@testable import PromQL

@Suite struct AnnotationTests {
    @Test("Go's %g", arguments: [
        (0.5, "0.5"), (1.5, "1.5"), (-0.5, "-0.5"), (2, "2"), (100_000, "100000"), (1_000_000, "1e+06"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (1.25e-7, "1.25e-07"), (123_456_789, "1.23456789e+08"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (0, "0"),
    ])
    func goG(v: Double, want: String) { #expect(GoFloat.g(v) == want) }

    @Test("Go's %.2g", arguments: [
        (0.5, "0.5"), (12, "12"), (123, "1.2e+02"), (0.001234, "0.0012"), (9.96, "10"), (99.5, "1e+02"), (3, "3"),
    ])
    func goG2(v: Double, want: String) { #expect(GoFloat.g(v, precision: 2) == want) }

    @Test func equalMessagesMergeAndPositionsRenderAsLineColumn() {
        var a = Annotations()
        a.add(.invalidQuantile(2, 9))
        a.add(.invalidQuantile(2, 30))
        a.add(.possibleNonCounter("x", 12))
        a.add(Annotation(.warning, "remote source failed"))
        let (warnings, infos) = a.strings(query: "quantile(\n  2, rate(x[5m]))")
        #expect(
            warnings == [
                "PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)", "remote source failed",
            ])
        #expect(
            infos == [
                "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"x\" (2:3)"
            ])
    }

    @Test func deadlineStopsEvaluation() async throws {
        let storage = MemoryStorage()
        storage.add(Labels(["__name__": "x_total"]), (0..<100).map { Sample(t: Timestamp(ms: Int64($0) * 15_000), v: 1) })
        let past = ContinuousClock.now - .seconds(1)
        await #expect(throws: PromQLError(.timeout, "")) {
            _ = try await Engine().instantQuery(
                try PromQLParser.parse("rate(x_total[5m])"), at: Timestamp(ms: 600_000), storage: storage, deadline: past)
        }
        let ok = try await Engine().instantQuery(
            try PromQLParser.parse("rate(x_total[5m])"), at: Timestamp(ms: 600_000), storage: storage,
            deadline: ContinuousClock.now + .seconds(60))
        guard case .vector(let v) = ok.value else { Issue.record("not a vector"); return }
        #expect(v.count == 1 && ok.annotations.isEmpty)
    }
}
