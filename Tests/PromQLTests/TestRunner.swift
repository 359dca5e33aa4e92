import Foundation
import PromModel
import PromQL

/// Pass/fail/skip counts of one test file.
struct FileReport: CustomStringConvertible {
    var file: String
    var passed = 0
    var failed = 0
    var skipped = 0
    var failures: [String] = []
    /// Skipped evals that pass now: their skip entry can go.
    var stalePasses: [Int] = []
    /// Failing evals that involve native histograms, as candidate skip entries.
    var nativeHistogramFailures: [String] = []

    var description: String { "\(file): \(passed) passed, \(failed) failed, \(skipped) skipped" }
}

/// Runs promqltest scripts against the engine over an in-memory storage.
struct TestRunner {
    let engine = Engine()

    func run(file: String, text: String, skips: [Int: String]) async throws -> FileReport {
        var report = FileReport(file: file)
        let storage = MemoryStorage()
        for command in try TestScript.parse(text) {
            switch command {
            case .clear: storage.clear()
            case .load(let series, let native):
                for (labels, samples) in series { storage.add(labels, samples) }
                storage.nativeSeries += native
            case .eval(let cmd):
                let problem = cmd.nativeHistogramOutput ? "native histogram output" : await check(cmd, storage)
                if skips[cmd.line] != nil {
                    report.skipped += 1
                    if problem == nil { report.stalePasses.append(cmd.line) }
                } else if let problem {
                    report.failed += 1
                    report.failures.append("\(file):\(cmd.line): \(cmd.query)\n    \(problem)")
                    if let reason = nativeHistogramReason(cmd, storage) {
                        report.nativeHistogramFailures.append("\(file):\(cmd.line) \(reason)")
                    }
                } else {
                    report.passed += 1
                }
            }
        }
        return report
    }

    /// Why an eval needs native histograms, if it does: its expected output has one, or it selects a series
    /// that has native histogram samples.
    func nativeHistogramReason(_ cmd: EvalCommand, _ storage: MemoryStorage) -> String? {
        if cmd.nativeHistogramOutput { return "native histogram in expected output (out of scope)" }
        guard let expr = try? PromQLParser.parse(cmd.query) else { return nil }
        for vs in selectors(expr) {
            for labels in storage.nativeSeries where vs.matchers.allSatisfy({ $0.matches(labels[$0.name]) }) {
                return "selects \(labels.metricName), which has native histogram samples (out of scope)"
            }
        }
        return nil
    }

    func selectors(_ e: Expr) -> [VectorSelector] {
        switch e {
        case .number, .string: return []
        case .vectorSelector(let vs): return [vs]
        case .matrixSelector(let ms): return [ms.vector]
        case .subquery(let sq): return selectors(sq.expr)
        case .paren(let inner), .unary(_, let inner): return selectors(inner)
        case .binary(let b): return selectors(b.lhs) + selectors(b.rhs)
        case .aggregate(let a): return selectors(a.expr) + (a.param.map(selectors) ?? [])
        case .call(let c): return c.args.flatMap(selectors)
        }
    }

    /// nil when the eval behaves as expected, else what went wrong.
    func check(_ cmd: EvalCommand, _ storage: MemoryStorage) async -> String? {
        let result: QueryValue
        let annotations: Annotations
        do {
            let expr = try PromQLParser.parse(cmd.query)
            let answer: QueryResult
            if cmd.instant {
                answer = try await engine.instantQuery(
                    expr, at: Timestamp(ms: cmd.start), storage: storage, deadline: nil)
            } else {
                answer = try await engine.rangeQuery(
                    expr, start: Timestamp(ms: cmd.start), end: Timestamp(ms: cmd.end), stepMs: cmd.step,
                    storage: storage, deadline: nil)
            }
            (result, annotations) = (answer.value, answer.annotations)
        } catch {
            guard cmd.expectFail else { return "unexpected error: \(error)" }
            let message = "\(error)"
            if let want = cmd.failMessage, want != message { return "error \"\(message)\", want \"\(want)\"" }
            if let re = cmd.failRegex, (try? Regex(re).firstMatch(in: message)) == nil {
                return "error \"\(message)\" does not match /\(re)/"
            }
            return nil
        }
        if cmd.expectFail { return "expected an error, got \(describe(result))" }
        if let problem = annotationProblem(cmd, annotations) { return problem }
        if let problem = compare(cmd, result) { return problem }
        return await invarianceProblem(cmd, storage, result)
    }

    /// Checks warnings and infos as upstream's harness does.
    func annotationProblem(_ cmd: EvalCommand, _ annotations: Annotations) -> String? {
        let (warnings, infos) = annotations.strings(query: cmd.query)
        if cmd.expectAnyWarning && warnings.isEmpty { return "expected warnings, got none" }
        if cmd.expectAnyInfo && infos.isEmpty { return "expected infos, got none" }
        for (kind, got, want, none) in [
            ("warning", warnings, cmd.warnings, cmd.noWarnings), ("info", infos, cmd.infos, cmd.noInfos),
        ] {
            if none && !got.isEmpty { return "unexpected \(kind)s: \(got)" }
            guard let want else { continue }
            if got.isEmpty { return "expected \(kind)s, got none" }
            for w in want where !got.contains(where: w.matches) {
                return "no \(kind) matches \(w.message ?? w.regex ?? ""): got \(got)"
            }
            for g in got where !want.contains(where: { $0.matches(g) }) { return "unexpected \(kind) \"\(g)\"" }
        }
        return nil
    }

    func compare(_ cmd: EvalCommand, _ result: QueryValue) -> String? {
        switch result {
        case .string(let s, _):
            return s == cmd.expectedString
                ? nil : "got string \"\(s)\", want \(cmd.expectedString.map { "\"\($0)\"" } ?? "other")"
        case .scalar(let s):
            if let want = cmd.expectedScalar {
                return almostEqual(want, s.v) ? nil : "got scalar \(s.v), want \(want)"
            }
            if cmd.expected.count == 1, cmd.expected[0].labels.isEmpty, let p = cmd.expected[0].points.first {
                return almostEqual(p.v, s.v) ? nil : "got scalar \(s.v), want \(p.v)"
            }
            return "got scalar \(s.v), want \(cmd.expected.count) series"
        case .vector(let elements):
            if cmd.expectedScalar != nil { return "got vector \(describe(result)), want scalar" }
            let got = elements.map { ExpectedSeries(labels: $0.labels, points: [($0.t.ms, $0.v)]) }
            let want = cmd.expected.map { e in
                ExpectedSeries(labels: e.labels, points: e.points.prefix(1).map { (cmd.start, $0.v) })
            }
            return compareSeries(got: got, want: want, ordered: cmd.ordered)
        case .matrix(let series):
            if let want = cmd.expectedScalar {
                guard series.count == 1, series[0].samples.count == (cmd.instant ? 1 : series[0].samples.count) else {
                    return "got \(describe(result)), want scalar \(want)"
                }
                return series[0].samples.allSatisfy { almostEqual(want, $0.v) }
                    ? nil : "got \(describe(result)), want scalar \(want)"
            }
            let got = series.map { ExpectedSeries(labels: $0.labels, points: $0.samples.map { ($0.t.ms, $0.v) }) }
            return compareSeries(got: got, want: cmd.expected, ordered: false)
        }
    }

    func compareSeries(got: [ExpectedSeries], want: [ExpectedSeries], ordered: Bool) -> String? {
        if got.count != want.count {
            return
                "got \(got.count) series, want \(want.count):\n      got:  \(render(got))\n      want: \(render(want))"
        }
        for (k, w) in want.enumerated() {
            let candidates = ordered ? [got[k]] : got.filter { $0.labels == w.labels }
            guard let g = candidates.first, g.labels == w.labels else {
                return "missing series \(w.labels)\(ordered ? " at position \(k)" : ""):\n      got:  \(render(got))"
            }
            if g.points.count != w.points.count
                || zip(g.points, w.points).contains(where: { $0.t != $1.t || !almostEqual($0.v, $1.v) })
            {
                return "series \(w.labels):\n      got:  \(renderPoints(g))\n      want: \(renderPoints(w))"
            }
        }
        return nil
    }

    func render(_ s: [ExpectedSeries]) -> String {
        s.map { "\($0.labels) \(renderPoints($0))" }.joined(separator: "; ")
    }

    func renderPoints(_ s: ExpectedSeries) -> String {
        s.points.map { "\($0.v)@\($0.t / 1000)" }.joined(separator: " ")
    }

    func describe(_ v: QueryValue) -> String {
        switch v {
        case .scalar(let s): return "scalar \(s.v)"
        case .string(let s, _): return "string \"\(s)\""
        case .vector(let e): return "vector " + e.map { "\($0.labels) \($0.v)" }.joined(separator: ", ")
        case .matrix(let m): return "matrix " + m.map { "\($0.labels) \($0.samples.map(\.v))" }.joined(separator: ", ")
        }
    }
}

/// Relative comparison with tolerance 1e-6, NaN equal to NaN, as upstream's test harness does.
func almostEqual(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN && b.isNaN { return true }
    if a == b { return true }
    let epsilon = 1e-6
    let absSum = abs(a) + abs(b)
    let diff = abs(a - b)
    if a == 0 || b == 0 || absSum < Double.leastNormalMagnitude { return diff < epsilon * Double.leastNormalMagnitude }
    return diff / min(absSum, Double.greatestFiniteMagnitude) < epsilon
}
