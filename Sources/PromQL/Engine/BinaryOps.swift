import Foundation
import PromModel

/// Applies `op` to two floats; `keep` is false when a comparison filters the element out.
@inline(__always)
func applyBinary(_ op: BinaryOperator, _ l: Double, _ r: Double) -> (value: Double, keep: Bool) {
    switch op {
    case .add: return (l + r, true)
    case .sub: return (l - r, true)
    case .mul: return (l * r, true)
    case .div: return (l / r, true)
    case .mod: return (fmod(l, r), true)
    case .pow: return (pow(l, r), true)
    case .atan2: return (atan2(l, r), true)
    case .eql: return (l, l == r)
    case .neq: return (l, l != r)
    case .gtr: return (l, l > r)
    case .lss: return (l, l < r)
    case .gte: return (l, l >= r)
    case .lte: return (l, l <= r)
    case .and, .or, .unless: return (.nan, false)
    }
}

/// Whether the operator removes the metric name from its result (arithmetic does, comparisons don't).
func dropsMetricName(_ op: BinaryOperator) -> Bool {
    switch op {
    case .add, .sub, .mul, .div, .mod, .pow, .atan2: return true
    default: return false
    }
}

/// Collects output series by label set, detecting two values for the same labels at one step.
struct SeriesCollector {
    var series: [StepSeries] = []
    private var index: [Labels: Int] = [:]
    let count: Int

    init(count: Int) { self.count = count }

    mutating func slot(_ labels: Labels, dropName: Bool) -> Int {
        if let k = index[labels] {
            if dropName { series[k].dropName = true }
            return k
        }
        index[labels] = series.count
        series.append(StepSeries(labels: labels, count: count, dropName: dropName))
        return series.count - 1
    }

    /// Whether the slot already has a value at step `i`.
    func has(_ slot: Int, _ i: Int) -> Bool { !Absent.isAbsent(series[slot].values[i]) }

    mutating func set(_ slot: Int, _ i: Int, _ v: Double) throws(PromQLError) {
        if has(slot, i) { throw .execution("vector cannot contain metrics with the same labelset") }
        series[slot].values[i] = v
    }
}

extension Evaluator {
    func evalBinary(_ b: BinaryExpr, _ steps: Steps) async throws -> EvalValue {
        let lhs = try await eval(b.lhs, steps)
        let rhs = try await eval(b.rhs, steps)
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            var out = [Double](repeating: 0, count: steps.count)
            for i in 0..<steps.count {
                let (v, keep) = applyBinary(b.op, l[i], r[i])
                out[i] = b.op.isComparison ? (keep ? 1 : 0) : v
            }
            return .scalar(out)
        case (.vector(let l), .scalar(let r)):
            return .vector(vectorScalar(b, l, r, swap: false))
        case (.scalar(let l), .vector(let r)):
            return .vector(vectorScalar(b, r, l, swap: true))
        case (.vector(let l), .vector(let r)):
            let matching = b.matching!
            switch b.op {
            case .and: return .vector(try setAnd(l, r, matching, steps.count, unless: false))
            case .unless: return .vector(try setAnd(l, r, matching, steps.count, unless: true))
            case .or: return .vector(try setOr(l, r, matching, steps.count))
            default: return .vector(try vectorBinary(b, l, r, matching, steps.count))
            }
        default:
            throw PromQLError.execution("binary expression must contain only scalar and instant vector types")
        }
    }

    func vectorScalar(_ b: BinaryExpr, _ vec: [StepSeries], _ scalar: [Double], swap: Bool) -> [StepSeries] {
        var out: [StepSeries] = []
        out.reserveCapacity(vec.count)
        let drop = dropsMetricName(b.op) || b.returnBool
        for var s in vec {
            for i in s.values.indices where !Absent.isAbsent(s.values[i]) {
                let v = s.values[i]
                var (r, keep) = swap ? applyBinary(b.op, scalar[i], v) : applyBinary(b.op, v, scalar[i])
                if b.op.isComparison {
                    if b.returnBool {
                        r = keep ? 1 : 0
                        keep = true
                    } else {
                        r = v
                    }
                }
                s.values[i] = keep ? r : Absent.value
            }
            if drop { s.dropName = true }
            if !s.isEmpty { out.append(s) }
        }
        return out
    }

    /// The matching signature of a series: the `on` labels, or all but the `ignoring` labels and the name.
    func signature(_ labels: Labels, _ m: VectorMatching) -> Labels {
        if m.on { return labels.keeping(Set(m.matchingLabels)) }
        return labels.removing(Set(m.matchingLabels + [LabelName.metricName]))
    }

    func setAnd(_ l: [StepSeries], _ r: [StepSeries], _ m: VectorMatching, _ n: Int, unless: Bool) throws
        -> [StepSeries]
    {
        var bySig: [Labels: [Int]] = [:]
        for (k, s) in r.enumerated() { bySig[signature(s.labels, m), default: []].append(k) }
        var out: [StepSeries] = []
        for var s in l {
            let cands = bySig[signature(s.labels, m)] ?? []
            for i in 0..<n where !Absent.isAbsent(s.values[i]) {
                let matched = cands.contains { !Absent.isAbsent(r[$0].values[i]) }
                if matched == unless { s.values[i] = Absent.value }
            }
            if !s.isEmpty { out.append(s) }
        }
        return out
    }

    func setOr(_ l: [StepSeries], _ r: [StepSeries], _ m: VectorMatching, _ n: Int) throws -> [StepSeries] {
        var bySig: [Labels: [Int]] = [:]
        for (k, s) in l.enumerated() { bySig[signature(s.labels, m), default: []].append(k) }
        var c = SeriesCollector(count: n)
        for s in l {
            let slot = c.slot(s.labels, dropName: s.dropName)
            for i in 0..<n where !Absent.isAbsent(s.values[i]) { try c.set(slot, i, s.values[i]) }
        }
        for s in r {
            let cands = bySig[signature(s.labels, m)] ?? []
            var slot: Int? = nil
            for i in 0..<n where !Absent.isAbsent(s.values[i]) {
                if cands.contains(where: { !Absent.isAbsent(l[$0].values[i]) }) { continue }
                if slot == nil { slot = c.slot(s.labels, dropName: s.dropName) }
                try c.set(slot!, i, s.values[i])
            }
        }
        return c.series.filter { !$0.isEmpty }
    }
}
