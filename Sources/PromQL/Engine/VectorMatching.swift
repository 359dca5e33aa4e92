import PromModel

/// Prometheus' `Labels.String()` form: `{__name__="x", a="b"}`.
func labelsString(_ l: Labels) -> String {
    "{" + l.items.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ", ") + "}"
}

extension Evaluator {
    /// Arithmetic and comparison between two instant vectors: one-to-one, many-to-one or one-to-many.
    func vectorBinary(_ b: BinaryExpr, _ lhs: [StepSeries], _ rhs: [StepSeries], _ m: VectorMatching, _ n: Int)
        throws -> [StepSeries]
    {
        let swap = m.card == .oneToMany
        let many = swap ? rhs : lhs
        let one = swap ? lhs : rhs
        var oneBySig: [Labels: [Int]] = [:]
        for (k, s) in one.enumerated() { oneBySig[signature(s.labels, m), default: []].append(k) }
        let manySigs = many.map { signature($0.labels, m) }
        let manyPresent = (0..<n).map { i in many.contains { !Absent.isAbsent($0.values[i]) } }
        try checkOneSideUnique(oneBySig, one, manyPresent, side: swap ? "left" : "right")

        let dropForOp = dropsMetricName(b.op) || b.returnBool
        var c = SeriesCollector(count: n)
        // One-to-one: which steps of each match group already produced a pair (flat `[group * n + step]`).
        var sigIndex: [Labels: Int] = [:]
        var matchedOneToOne: [Bool] = []
        var pairs: [(Int, Int, Labels)] = []
        for (a, s) in many.enumerated() {
            for r in oneBySig[manySigs[a]] ?? [] { pairs.append((a, r, manySigs[a])) }
        }
        for (a, r, sig) in pairs {
            let ms = many[a], os = one[r]
            var slot: Int? = nil
            var g = -1
            if m.card == .oneToOne {
                if let k = sigIndex[sig] {
                    g = k
                } else {
                    g = sigIndex.count
                    sigIndex[sig] = g
                    matchedOneToOne.append(contentsOf: repeatElement(false, count: n))
                }
            }
            for i in 0..<n where !Absent.isAbsent(ms.values[i]) && !Absent.isAbsent(os.values[i]) {
                if m.card == .oneToOne {
                    if matchedOneToOne[g * n + i] {
                        throw PromQLError.execution(
                            "multiple matches for labels: many-to-one matching must be explicit "
                                + "(group_left/group_right)")
                    }
                    matchedOneToOne[g * n + i] = true
                }
                let (vl, vr) = swap ? (os.values[i], ms.values[i]) : (ms.values[i], os.values[i])
                var (v, keep) = applyBinary(b.op, vl, vr)
                if b.op.isComparison && b.returnBool {
                    v = keep ? 1 : 0
                    keep = true
                }
                if !keep { continue }
                if slot == nil {
                    slot = c.slot(resultLabels(ms.labels, os.labels, m), dropName: dropForOp || ms.dropName)
                }
                if c.has(slot!, i) {
                    throw PromQLError.execution(
                        m.card == .oneToOne
                            ? "vector cannot contain metrics with the same labelset"
                            : "multiple matches for labels: grouping labels must ensure unique matches")
                }
                try c.set(slot!, i, v)
            }
        }
        if m.fillLeft != nil || m.fillRight != nil {
            try applyFill(b, lhs, rhs, m, &c, n)
        }
        return c.series.filter { !$0.isEmpty }
    }

    func checkOneSideUnique(_ bySig: [Labels: [Int]], _ one: [StepSeries], _ manyPresent: [Bool], side: String) throws {
        for (sig, idxs) in bySig where idxs.count > 1 {
            for i in manyPresent.indices where manyPresent[i] {
                let present = idxs.filter { !Absent.isAbsent(one[$0].values[i]) }
                if present.count > 1 {
                    let a = labelsString(one[present[0]].labels), b = labelsString(one[present[1]].labels)
                    throw PromQLError.execution(
                        "found duplicate series for the match group \(labelsString(sig)) on the \(side) hand-side "
                            + "of the operation: [\(a), \(b)];many-to-many matching not allowed: "
                            + "matching labels must be unique on one side")
                }
            }
        }
    }

    /// Labels of a result element: the "many" side's, reduced for one-to-one matching, plus `group_x` labels.
    func resultLabels(_ many: Labels, _ one: Labels?, _ m: VectorMatching) -> Labels {
        var labels = many
        if m.card == .oneToOne {
            labels = m.on ? labels.keeping(Set(m.matchingLabels)) : labels.removing(Set(m.matchingLabels))
        }
        for name in m.include {
            labels = labels.setting(name, to: one?[name] ?? "")
        }
        return labels
    }

    /// `fill_left(v)` / `fill_right(v)`: elements without a partner are matched against the fill value.
    ///
    /// As in Prometheus, `group_right` swaps the sides first, so `fill_left` then fills the "many" side.
    func applyFill(
        _ b: BinaryExpr, _ lhs: [StepSeries], _ rhs: [StepSeries], _ m: VectorMatching, _ c: inout SeriesCollector,
        _ n: Int
    ) throws {
        let swap = m.card == .oneToMany
        let many = swap ? rhs : lhs
        let one = swap ? lhs : rhs
        let dropForOp = dropsMetricName(b.op) || b.returnBool
        let manySigs = many.map { signature($0.labels, m) }
        let oneSigs = one.map { signature($0.labels, m) }
        var manyBySig: [Labels: [Int]] = [:]
        var oneBySig: [Labels: [Int]] = [:]
        for (k, s) in manySigs.enumerated() { manyBySig[s, default: []].append(k) }
        for (k, s) in oneSigs.enumerated() { oneBySig[s, default: []].append(k) }
        func emit(_ labels: Labels, _ dropName: Bool, _ i: Int, manyValue: Double, oneValue: Double) throws {
            let (vl, vr) = swap ? (oneValue, manyValue) : (manyValue, oneValue)
            var (v, keep) = applyBinary(b.op, vl, vr)
            if b.op.isComparison && b.returnBool {
                v = keep ? 1 : 0
                keep = true
            }
            if !keep { return }
            let slot = c.slot(labels, dropName: dropName)
            try c.set(slot, i, v)
        }
        if let fill = m.fillRight {
            for (a, s) in many.enumerated() {
                let cands = oneBySig[manySigs[a]] ?? []
                let labels = resultLabels(s.labels, nil, m)
                for i in 0..<n where !Absent.isAbsent(s.values[i]) {
                    if cands.contains(where: { !Absent.isAbsent(one[$0].values[i]) }) { continue }
                    try emit(labels, dropForOp || s.dropName, i, manyValue: s.values[i], oneValue: fill)
                }
            }
        }
        if let fill = m.fillLeft {
            for (a, s) in one.enumerated() {
                let cands = manyBySig[oneSigs[a]] ?? []
                for i in 0..<n where !Absent.isAbsent(s.values[i]) {
                    if cands.contains(where: { !Absent.isAbsent(many[$0].values[i]) }) { continue }
                    try emit(oneSigs[a], dropForOp || s.dropName, i, manyValue: fill, oneValue: s.values[i])
                }
            }
        }
    }
}
