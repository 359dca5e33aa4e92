import PromModel
import StorageAPI

/// `count_over_time` and `avg_over_time` over storage that may answer from downsampled data.
///
/// A downsampled point stands for a whole window of raw samples, so counting points or averaging
/// averages would be wrong: these two functions read the count aggregate (and the sum) of each
/// window through ``DownsampledSeries/makeIterator(aggregate:)`` and compute Σcount and
/// Σsum / Σcount. Series without aggregates (plain raw data) are evaluated exactly as the generic
/// range-function path does. Every other function is served by the aggregate the storage picks
/// from the select hints' function name (``AggregateType/forFunction(_:)``).
extension Evaluator {
    /// Evaluates `c` when it is `count_over_time` or `avg_over_time` of a range selector.
    /// - Returns: false when it is not; the caller evaluates `c` as usual.
    func evalDownsampledOverTime(_ c: Call, _ steps: Steps, sink: (StepSeries) throws -> Void) async throws -> Bool {
        let name = c.function.name
        guard name == "count_over_time" || name == "avg_over_time", c.args.count == 1,
            case .matrixSelector(let ms) = c.args[0].unwrapped
        else { return false }
        let isCount = name == "count_over_time"
        let (ends, rangeMs) = try matrixWindows(ms, steps)
        let n = steps.count
        try await selectWithCounts(ms.vector, mint: ends.min()! - rangeMs + 1, maxt: ends.max()!, rangeMs: rangeMs) {
            labels, ts, vs, counts in
            var values = [Double](repeating: Absent.value, count: n)
            var lo = 0, hi = 0
            var found = false
            for i in 0..<n {
                let end = ends[i], start = end - rangeMs
                if i > 0 && end < ends[i - 1] { (lo, hi) = (0, 0) }
                while lo < ts.count && ts[lo] <= start { lo += 1 }
                if hi < lo { hi = lo }
                while hi < ts.count && ts[hi] <= end { hi += 1 }
                if lo == hi { continue }
                found = true
                guard let counts else {
                    values[i] = isCount ? Double(hi - lo) : vs.withUnsafeBufferPointer { averageOverTime($0[lo..<hi]) }
                    continue
                }
                var total = 0.0
                for k in lo..<hi { total += counts[k] }
                if isCount {
                    values[i] = total
                } else {
                    var sum = 0.0, comp = 0.0
                    for k in lo..<hi { (sum, comp) = kahanInc(vs[k], sum, comp) }
                    values[i] = (sum.isInfinite ? sum : sum + comp) / total
                }
            }
            if found { try sink(StepSeries(labels: labels, values: values, dropName: true)) }
        }
        return true
    }

    /// Like ``select(_:mint:maxt:rangeMs:keepStale:retain:_:)`` without stale markers, but a series
    /// with aggregates hands over its per-window sums and counts (`counts` non-nil) instead of
    /// its default samples.
    private func selectWithCounts(
        _ vs: VectorSelector, mint: Int64, maxt: Int64, rangeMs: Int64,
        _ body: (Labels, [Int64], [Double], [Double]?) throws -> Void
    ) async throws {
        try await forEachSeries(vs, mint: mint, maxt: maxt, rangeMs: rangeMs) { s in
            var ts: [Int64] = []
            var values: [Double] = []
            var counts: [Double]?
            if let d = s as? any DownsampledSeries {
                var sumIt = d.makeIterator(aggregate: .sum)
                var countIt = d.makeIterator(aggregate: .count)
                var cs: [Double] = []
                var ok = try sumIt.seek(Timestamp(ms: mint)) && countIt.seek(Timestamp(ms: mint))
                while ok {
                    let (sum, count) = (sumIt.at(), countIt.at())
                    if sum.t.ms > maxt { break }
                    guard sum.t == count.t else {
                        throw PromQLError(
                            .storage, "series \(s.labels): sum and count aggregates are not aligned at \(sum.t.ms)")
                    }
                    ts.append(sum.t.ms)
                    values.append(sum.v)
                    cs.append(count.v)
                    ok = try sumIt.next() && countIt.next()
                }
                counts = cs
            } else {
                var it = s.makeIterator()
                try it.appendSamples(
                    from: Timestamp(ms: mint), through: Timestamp(ms: maxt), timestamps: &ts, values: &values)
                dropStaleMarkers(&ts, &values)
            }
            try checkSampleLimit(adding: ts.count)
            if !ts.isEmpty { try body(s.labels, ts, values, counts) }
        }
    }
}
