import PromModel

/// Assigns series to the groups of an aggregation's `by`/`without` clause.
struct Grouper {
    private let names: Set<String>
    private let without: Bool
    private let byName: Bool
    private var index: [Labels: Int] = [:]
    /// Each group's output labels, in order of first appearance.
    private(set) var labels: [Labels] = []
    /// Whether each group's output drops `__name__` (only for `by (__name__)`, when a member drops it).
    private(set) var drop: [Bool] = []

    init(_ a: AggregateExpr) {
        names = Set(a.grouping)
        without = a.without
        byName = !a.without && names.contains(LabelName.metricName)
    }

    /// The group of `s`, creating it on first sight.
    mutating func group(_ s: StepSeries) -> Int {
        let key = without ? s.labels.removing(names.union([LabelName.metricName])) : s.labels.keeping(names)
        if let g = index[key] {
            if byName && s.dropName { drop[g] = true }
            return g
        }
        index[key] = labels.count
        labels.append(key)
        drop.append(byName && s.dropName)
        return labels.count - 1
    }
}

/// Running state of sum, avg, min, max, count, group, stddev and stdvar for every group and step, in flat
/// `[group * n + step]` arrays.
struct Accumulator {
    let op: AggregateOp
    let n: Int
    private(set) var groups = 0
    private var value: [Double] = []
    /// Kahan compensation for sum/avg; the running mean for stddev/stdvar.
    private var comp: [Double] = []
    private var count: [Double] = []
    private var mean: [Double] = []
    private var incremental: [Bool] = []

    init(op: AggregateOp, n: Int) {
        self.op = op
        self.n = n
    }

    mutating func addGroup() {
        groups += 1
        value.append(contentsOf: repeatElement(Absent.value, count: n))
        comp.append(contentsOf: repeatElement(0, count: n))
        count.append(contentsOf: repeatElement(0, count: n))
        if op == .avg {
            mean.append(contentsOf: repeatElement(0, count: n))
            incremental.append(contentsOf: repeatElement(false, count: n))
        }
    }

    mutating func add(_ values: [Double], to g: Int) {
        if op == .sum {
            addSum(values, to: g)
            return
        }
        let base = g * n
        for i in 0..<n {
            let v = values[i]
            if Absent.isAbsent(v) { continue }
            let j = base + i
            count[j] += 1
            if count[j] == 1 {
                switch op {
                case .count, .group: value[j] = 1
                case .stddev, .stdvar:
                    comp[j] = v
                    value[j] = v.isFinite ? 0 : .nan
                default: value[j] = v
                }
                continue
            }
            switch op {
            case .sum: (value[j], comp[j]) = kahanInc(v, value[j], comp[j])
            case .count: value[j] += 1
            case .min: if value[j] > v || value[j].isNaN { value[j] = v }
            case .max: if value[j] < v || value[j].isNaN { value[j] = v }
            case .stddev, .stdvar:
                let delta = v - comp[j]
                comp[j] += delta / count[j]
                value[j] += delta * (v - comp[j])
            case .avg: addToAverage(v, j)
            default: break
            }
        }
    }

    /// `sum`, the common case, without the per-element switch and bounds checks.
    private mutating func addSum(_ values: [Double], to g: Int) {
        let base = g * n
        let n = n
        values.withUnsafeBufferPointer { src in
            value.withUnsafeMutableBufferPointer { value in
                comp.withUnsafeMutableBufferPointer { comp in
                    count.withUnsafeMutableBufferPointer { count in
                        for i in 0..<min(n, src.count) {
                            let v = src[i]
                            if Absent.isAbsent(v) { continue }
                            let j = base + i
                            if count[j] == 0 {
                                value[j] = v
                            } else {
                                (value[j], comp[j]) = kahanInc(v, value[j], comp[j])
                            }
                            count[j] += 1
                        }
                    }
                }
            }
        }
    }

    /// A Kahan sum that switches to an incremental mean once the sum overflows, as Prometheus does.
    private mutating func addToAverage(_ v: Double, _ j: Int) {
        if !incremental[j] {
            let (s2, c2) = kahanInc(v, value[j], comp[j])
            if !s2.isInfinite || value[j].isInfinite {
                (value[j], comp[j]) = (s2, c2)
                return
            }
            incremental[j] = true
            mean[j] = value[j] / (count[j] - 1)
            comp[j] /= count[j] - 1
        }
        if mean[j].isInfinite {
            if v.isInfinite && (mean[j] > 0) == (v > 0) { return }
            if !v.isInfinite && !v.isNaN { return }
        }
        let q = (count[j] - 1) / count[j]
        (mean[j], comp[j]) = kahanInc(v / count[j], q * mean[j], q * comp[j])
    }

    /// The aggregated values, ``Absent`` where a group had no input at a step.
    func finish() -> [Double] {
        var out = value
        for j in out.indices where count[j] > 0 {
            switch op {
            case .sum: out[j] += comp[j]
            case .avg: out[j] = incremental[j] ? mean[j] + comp[j] : value[j] / count[j] + comp[j] / count[j]
            case .stdvar: out[j] /= count[j]
            case .stddev: out[j] = (out[j] / count[j]).squareRoot()
            default: break
            }
        }
        return out
    }
}
