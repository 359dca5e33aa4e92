import Foundation
import Testing

/// Runs the vendored upstream promqltest corpus (Fixtures/promql, Apache-2.0, see LICENSE and NOTICE there).
///
/// Evals listed in Fixtures/promql/skips.txt (`file:line reason`) and evals whose expected output is a native
/// histogram are skipped; every other eval must pass.
@Suite struct UpstreamCorpusTests {
    static let files = [
        "literals", "selectors", "staleness", "trig_functions", "collision", "range_queries", "subquery",
        "at_modifier", "operators", "aggregators", "functions", "histograms", "name_label_dropping", "limit",
        "duration_expression", "fill-modifier", "info",
    ]

    static func fixture(_ name: String, _ ext: String) throws -> String {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/promql"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Skip entries by file and line.
    static func skips() throws -> [String: [Int: String]] {
        var out: [String: [Int: String]] = [:]
        for line in try fixture("skips", "txt").split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            let parts = t.split(separator: " ", maxSplits: 1)
            let loc = parts[0].split(separator: ":")
            guard loc.count == 2, let n = Int(loc[1]) else { continue }
            let file = String(loc[0])
            #expect(out[file]?[n] == nil, "duplicate skip entry \(file):\(n)")
            #expect(parts.count > 1, "skip entry \(file):\(n) has no reason")
            out[file, default: [:]][n] = parts.count > 1 ? String(parts[1]) : ""
        }
        return out
    }

    @Test("upstream promqltest file", arguments: files)
    func corpus(_ name: String) async throws {
        let text = try Self.fixture(name, "test")
        let file = name + ".test"
        let report = try await TestRunner().run(file: file, text: text, skips: Self.skips()[file] ?? [:])
        print("PROMQL-CORPUS \(report)")
        if !report.stalePasses.isEmpty {
            let lines = report.stalePasses.map(String.init).joined(separator: ",")
            print("PROMQL-CORPUS \(file): skipped evals that now pass: \(lines)")
        }
        for f in report.failures { print("PROMQL-FAIL \(f)") }
        for f in report.nativeHistogramFailures { print("PROMQL-SKIPME \(f)") }
        #expect(report.failed == 0, "\(report): \(report.failures.prefix(5).joined(separator: "\n"))")
    }
}
