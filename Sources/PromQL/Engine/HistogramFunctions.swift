import Foundation
import PromModel

/// One classic histogram bucket: cumulative count of observations ≤ `upperBound`.
struct Bucket {
    var upperBound: Double
    var count: Double
}

extension Evaluator {
    /// Groups `_bucket` series by their labels without `le`; returns each group's members with their bounds.
    /// Series without a parsable `le` are left out, with a warning about the expression at `position`.
    func bucketGroups(_ input: [StepSeries], position: Int) -> [(labels: Labels, members: [(Int, Double)], drop: Bool)] {
        var index: [Labels: Int] = [:]
        var groups: [(labels: Labels, members: [(Int, Double)], drop: Bool)] = []
        for (k, s) in input.enumerated() {
            guard let le = s.labels.get("le"), let bound = parseBound(le) else {
                annotations.add(
                    .badBucketLabel(metricName: s.labels.metricName, le: s.labels.get("le") ?? "", position))
                continue
            }
            let key = s.labels.removing(["le"])
            if let g = index[key] {
                groups[g].members.append((k, bound))
            } else {
                index[key] = groups.count
                groups.append((key, [(k, bound)], true))
            }
        }
        return groups
    }

    func histogramQuantile(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        let q = try await evalScalar(c.args[0], steps)
        checkQuantiles(q, position: c.argPositions[0])
        let input = try await evalVector(c.args[1], steps)
        return try bucketFunction(input, steps, position: c.argPositions[1]) { i, buckets, fix in
            bucketQuantile(q[i], &buckets, fix: &fix)
        }
    }

    func histogramFraction(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        let lower = try await evalScalar(c.args[0], steps)
        let upper = try await evalScalar(c.args[1], steps)
        let input = try await evalVector(c.args[2], steps)
        return try bucketFunction(input, steps, position: c.argPositions[2]) { i, buckets, _ in
            bucketFraction(lower[i], upper[i], &buckets)
        }
    }

    func histogramQuantiles(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        let label = try stringArg(c.args[1]).value
        var qs: [[Double]] = []
        for (k, a) in c.args.enumerated().dropFirst(2) {
            qs.append(try await evalScalar(a, steps))
            checkQuantiles(qs[qs.count - 1], position: c.argPositions[k])
        }
        let input = try await evalVector(c.args[0], steps)
        var out = SeriesCollector(count: steps.count)
        for q in qs {
            let part = try bucketFunction(input, steps, position: c.argPositions[0]) { i, buckets, fix in
                bucketQuantile(q[i], &buckets, fix: &fix)
            }
            for s in part {
                let text = formatGoFloat(q[0])
                let value = text.contains(".") || !q[0].isFinite ? text : text + ".0"
                let slot = out.slot(s.labels.setting(label, to: value), dropName: s.dropName)
                for i in s.values.indices where !Absent.isAbsent(s.values[i]) { try out.set(slot, i, s.values[i]) }
            }
        }
        return out.series
    }

    /// Applies `f` to each bucket group at each step; `f` reports forced monotonicity fixes, which become an info
    /// about the expression at `position`.
    func bucketFunction(
        _ input: [StepSeries], _ steps: Steps, position: Int, _ f: (Int, inout [Bucket], inout MonotonicityFix?) -> Double
    ) throws -> [StepSeries] {
        let n = steps.count
        var out: [StepSeries] = []
        var buckets: [Bucket] = []
        for g in bucketGroups(input, position: position) {
            var s = StepSeries(labels: g.labels, count: n, dropName: true)
            for i in 0..<n {
                buckets.removeAll(keepingCapacity: true)
                for (k, bound) in g.members where !Absent.isAbsent(input[k].values[i]) {
                    buckets.append(Bucket(upperBound: bound, count: input[k].values[i]))
                }
                guard !buckets.isEmpty else { continue }
                var fix: MonotonicityFix? = nil
                s.values[i] = f(i, &buckets, &fix)
                if var fix {
                    (fix.minTs, fix.maxTs) = (steps.time(i), steps.time(i))
                    annotations.add(.forcedMonotonicity(metricName: g.labels.metricName, position, fix: fix))
                }
            }
            if !s.isEmpty { out.append(s) }
        }
        return out
    }
}

func parseBound(_ s: String) -> Double? {
    let t = s.trimmingCharacters(in: .whitespaces)
    switch t.lowercased() {
    case "+inf", "inf": return .infinity
    case "-inf": return -.infinity
    case "nan": return .nan
    default: return Double(t)
    }
}

/// Sorts buckets, merges equal bounds and forces counts to be monotonic (ignoring tiny float deltas).
/// - Returns: where counts had to be raised, not counting float-precision fixes.
@discardableResult
func prepareBuckets(_ buckets: inout [Bucket]) -> MonotonicityFix? {
    buckets.sort { $0.upperBound < $1.upperBound }
    var merged: [Bucket] = []
    merged.reserveCapacity(buckets.count)
    for b in buckets {
        if let last = merged.last, last.upperBound == b.upperBound {
            merged[merged.count - 1].count += b.count
        } else {
            merged.append(b)
        }
    }
    buckets = merged
    guard !buckets.isEmpty else { return nil }
    var fix: MonotonicityFix? = nil
    var prev = buckets[0].count
    for i in 1..<buckets.count {
        let curr = buckets[i].count
        if curr == prev { continue }
        if almostEqual(prev, curr, 1e-12) {
            buckets[i].count = prev
            continue
        }
        if curr < prev {
            buckets[i].count = prev
            let bound = buckets[i].upperBound
            if fix == nil { fix = MonotonicityFix(minTs: 0, maxTs: 0, minBucket: bound, maxBucket: bound, maxDiff: 0) }
            fix!.minBucket = min(fix!.minBucket, bound)
            fix!.maxBucket = max(fix!.maxBucket, bound)
            fix!.maxDiff = max(fix!.maxDiff, prev - curr)
            continue
        }
        prev = curr
    }
    return fix
}

func almostEqual(_ a: Double, _ b: Double, _ epsilon: Double) -> Bool {
    if a == b { return true }
    let absSum = abs(a) + abs(b)
    let diff = abs(a - b)
    let minNormal = Double.leastNormalMagnitude
    if a == 0 || b == 0 || absSum < minNormal { return diff < epsilon * minNormal }
    return diff / min(absSum, Double.greatestFiniteMagnitude) < epsilon
}

/// The q-quantile of classic buckets, interpolating linearly within a bucket, as Prometheus does.
func bucketQuantile(_ q: Double, _ buckets: inout [Bucket], fix: inout MonotonicityFix?) -> Double {
    if q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    buckets.sort { $0.upperBound < $1.upperBound }
    guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
    fix = prepareBuckets(&buckets)
    if buckets.count < 2 { return .nan }
    let observations = buckets[buckets.count - 1].count
    if observations == 0 || observations.isNaN { return .nan }
    var rank = q * observations
    var b = buckets.count - 1
    for i in 0..<(buckets.count - 1) where buckets[i].count >= rank {
        b = i
        break
    }
    if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
    if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
    var start = 0.0
    let end = buckets[b].upperBound
    var count = buckets[b].count
    if b > 0 {
        start = buckets[b - 1].upperBound
        count -= buckets[b - 1].count
        rank -= buckets[b - 1].count
    }
    return start + (end - start) * (rank / count)
}

/// The fraction of observations between `lower` and `upper`, interpolating linearly within buckets.
func bucketFraction(_ lower: Double, _ upper: Double, _ buckets: inout [Bucket]) -> Double {
    buckets.sort { $0.upperBound < $1.upperBound }
    guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
    prepareBuckets(&buckets)
    let total = buckets[buckets.count - 1].count
    if total == 0 || lower.isNaN || upper.isNaN { return .nan }
    if lower >= upper { return 0 }
    func rank(at v: Double) -> Double {
        var below = 0.0
        for (i, b) in buckets.enumerated() {
            let lo = i == 0 ? (b.upperBound > 0 ? 0 : -Double.infinity) : buckets[i - 1].upperBound
            if v <= lo { return below }
            if v < b.upperBound {
                if lo.isInfinite || b.upperBound.isInfinite { return lo.isInfinite ? b.count : below }
                return below + (b.count - below) * (v - lo) / (b.upperBound - lo)
            }
            below = b.count
        }
        return total
    }
    return (rank(at: upper) - rank(at: lower)) / total
}
