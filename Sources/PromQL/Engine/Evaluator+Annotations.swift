import PromModel

extension Evaluator {
    /// Warns about quantiles outside [0, 1] (or NaN) at any step, pointing at the argument at `position`.
    func checkQuantiles(_ q: [Double], position: Int) {
        var nan = false, lowest = Double.infinity, highest = -Double.infinity
        for v in q {
            if v.isNaN { nan = true } else { (lowest, highest) = (min(lowest, v), max(highest, v)) }
        }
        if nan { annotations.add(.invalidQuantile(.nan, position)) }
        if highest > 1 { annotations.add(.invalidQuantile(highest, position)) }
        if lowest < 0 { annotations.add(.invalidQuantile(lowest, position)) }
    }

    /// Warns about limit_ratio ratios outside [-1, 1], which are capped. NaN is an error raised later.
    func checkRatios(_ r: [Double], position: Int) {
        guard !r.contains(where: \.isNaN), let lowest = r.min(), let highest = r.max() else { return }
        if highest > 1 { annotations.add(.invalidRatio(highest, cappedTo: 1, position)) }
        if lowest < -1 { annotations.add(.invalidRatio(lowest, cappedTo: -1, position)) }
    }

    /// rate() and increase() of a selector whose name has no counter suffix get an info, as in Prometheus.
    func noteCounterName(_ labels: Labels, _ c: Call) {
        let name = labels.metricName
        if name.isEmpty || name.hasSuffix("_total") || name.hasSuffix("_sum") || name.hasSuffix("_count")
            || name.hasSuffix("_bucket")
        {
            return
        }
        if nonCounterNames.insert(name).inserted { annotations.add(.possibleNonCounter(name, c.argPositions.first)) }
    }

    /// Stops the query when its task was cancelled or its deadline passed. Cheap enough to call per series.
    @inline(__always)
    func checkDeadline() throws(PromQLError) {
        if Task.isCancelled { throw PromQLError(.canceled, "query was canceled in expression evaluation") }
        if let deadline, ContinuousClock.now >= deadline {
            throw PromQLError(.timeout, "query timed out in expression evaluation")
        }
    }
}
