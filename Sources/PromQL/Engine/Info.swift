import PromModel

extension Evaluator {
    /// The labels that tie a series to its info series.
    static let identifyingLabels = ["instance", "job"]

    /// `info(v, {selector})`: adds the data labels of matching info series (default `target_info`) to `v`.
    func info(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        var selectorMatchers: [Matcher] = []
        if c.args.count > 1 {
            guard case .vectorSelector(let vs) = c.args[1].unwrapped else {
                throw PromQLError.execution("info(): the second argument must be a vector selector")
            }
            selectorMatchers = vs.matchers
        }
        var nameMatchers = selectorMatchers.filter { $0.name == LabelName.metricName }
        let dataMatchers = selectorMatchers.filter { $0.name != LabelName.metricName }
        if nameMatchers.isEmpty {
            nameMatchers = [.equal(LabelName.metricName, "target_info")]
        } else if !nameMatchers.contains(where: { $0.kind == .equal || $0.kind == .regexMatch }) {
            nameMatchers.append(try Matcher(.regexMatch, LabelName.metricName, ".+_info"))
        }
        let base = try await evalVector(c.args[0], steps)
        let times = infoReferenceTimes(c.args[0], readTimes(at: nil, offset: nil, steps))
        let lookback = options.lookbackDeltaMs
        let selector = VectorSelector(name: nil, matchers: nameMatchers + dataMatchers, offset: nil, at: nil)
        let raw = try await selectAll(
            selector, mint: times.min()! - lookback + 1, maxt: times.max()!, rangeMs: 0, keepStale: true)
        // Latest live sample index of each info series at each step, or -1.
        let latest: [[Int]] = raw.map { r in
            times.map { t in
                let k = windowStart(r.ts, t + 1) - 1
                return k >= 0 && r.ts[k] > t - lookback && !StaleNaN.isStale(r.vs[k]) ? k : -1
            }
        }
        var byIdentity: [[String]: [Int]] = [:]
        for (k, r) in raw.enumerated() {
            byIdentity[Self.identifyingLabels.map { r.labels[$0] }, default: []].append(k)
        }
        let dataNames = Set(dataMatchers.map(\.name))
        let keepUnmatched = dataMatchers.allSatisfy(\.matchesEmpty)
        var out = SeriesCollector(count: steps.count)
        for s in base {
            if nameMatchers.allSatisfy({ $0.matches(s.labels.metricName) }) {
                try copy(s, s.labels, into: &out)
                continue
            }
            let candidates = byIdentity[Self.identifyingLabels.map { s.labels[$0] }] ?? []
            for i in 0..<steps.count where !Absent.isAbsent(s.values[i]) {
                // Per info metric name, the series with the latest sample wins.
                var chosen: [String: Int] = [:]
                for k in candidates where latest[k][i] >= 0 {
                    let name = raw[k].labels.metricName
                    if let prev = chosen[name], raw[prev].ts[latest[prev][i]] >= raw[k].ts[latest[k][i]] { continue }
                    chosen[name] = k
                }
                if chosen.isEmpty {
                    if keepUnmatched { try out.set(out.slot(s.labels, dropName: s.dropName), i, s.values[i]) }
                    continue
                }
                var added: [String: String] = [:]
                for k in chosen.values.sorted() {
                    for l in raw[k].labels
                    where l.name != LabelName.metricName && !Self.identifyingLabels.contains(l.name) {
                        if !dataNames.isEmpty && !dataNames.contains(l.name) { continue }
                        if s.labels.get(l.name) != nil { continue }
                        if let v = added[l.name], v != l.value {
                            throw PromQLError.execution(
                                "conflicting label: \"\(l.name)\" has values \"\(v)\" and \"\(l.value)\" in info series"
                            )
                        }
                        added[l.name] = l.value
                    }
                }
                var labels = s.labels
                for (name, value) in added { labels = labels.setting(name, to: value) }
                try out.set(out.slot(labels, dropName: s.dropName), i, s.values[i])
            }
        }
        return out.series.filter { !$0.isEmpty }
    }

    private func copy(_ s: StepSeries, _ labels: Labels, into out: inout SeriesCollector) throws {
        let slot = out.slot(labels, dropName: s.dropName)
        for i in s.values.indices where !Absent.isAbsent(s.values[i]) { try out.set(slot, i, s.values[i]) }
    }

    /// The times the base expression reads its data at (after `@` and `offset`), at which the info series
    /// are looked up too.
    func infoReferenceTimes(_ e: Expr, _ times: [Int64]) -> [Int64] {
        func shift(_ at: AtModifier?, _ offset: DurationExpr?, _ times: [Int64]) -> [Int64] {
            let off = durationMs(offset)
            if let t = atTime(at) { return times.map { _ in t - off } }
            return times.map { $0 - off }
        }
        switch e {
        case .vectorSelector(let vs): return shift(vs.at, vs.offset, times)
        case .matrixSelector(let ms): return shift(ms.vector.at, ms.vector.offset, times)
        case .subquery(let sq): return infoReferenceTimes(sq.expr, shift(sq.at, sq.offset, times))
        case .paren(let inner), .unary(_, let inner): return infoReferenceTimes(inner, times)
        case .aggregate(let a): return infoReferenceTimes(a.expr, times)
        case .call(let call):
            if let arg = call.args.first(where: { $0.type == .vector || $0.type == .matrix }) {
                return infoReferenceTimes(arg, times)
            }
            return times
        case .binary(let b): return infoReferenceTimes(b.lhs, times)
        case .number, .string: return times
        }
    }
}
