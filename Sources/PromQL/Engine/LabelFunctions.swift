import PromModel

extension Evaluator {
    func stringArg(_ e: Expr) throws -> StringLiteral {
        guard case .string(let lit) = e.unwrapped else { throw PromQLError.execution("expected string literal") }
        return lit
    }

    func labelReplace(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        let dst = try stringArg(c.args[1]), repl = try stringArg(c.args[2]).value
        let src = try stringArg(c.args[3]).value, pattern = try stringArg(c.args[4]).value
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex("(?s:" + pattern + ")")
        } catch {
            throw PromQLError.execution("invalid regular expression in label_replace(): \(pattern)")
        }
        guard dst.isValidUTF8, !dst.value.isEmpty else {
            throw PromQLError.execution("invalid destination label name in label_replace(): \(dst.value)")
        }
        let input = try await evalVector(c.args[0], steps)
        var c = SeriesCollector(count: steps.count)
        for s in input {
            var labels = s.labels
            var dropName = s.dropName
            if let match = try? regex.wholeMatch(in: s.labels[src]) {
                labels = labels.setting(dst.value, to: expandTemplate(repl, match))
                if dst.value == LabelName.metricName { dropName = false }
            }
            try merge(s, labels, dropName, into: &c)
        }
        return c.series.filter { !$0.isEmpty }
    }

    func labelJoin(_ c: Call, _ steps: Steps) async throws -> [StepSeries] {
        let dst = try stringArg(c.args[1]), sep = try stringArg(c.args[2]).value
        var srcs: [String] = []
        for a in c.args.dropFirst(3) { srcs.append(try stringArg(a).value) }
        guard dst.isValidUTF8, !dst.value.isEmpty else {
            throw PromQLError.execution("invalid destination label name in label_join(): \(dst.value)")
        }
        let input = try await evalVector(c.args[0], steps)
        var c = SeriesCollector(count: steps.count)
        for s in input {
            let joined = srcs.map { s.labels[$0] }.joined(separator: sep)
            let labels = s.labels.setting(dst.value, to: joined)
            try merge(s, labels, dst.value == LabelName.metricName ? false : s.dropName, into: &c)
        }
        return c.series.filter { !$0.isEmpty }
    }

    private func merge(_ s: StepSeries, _ labels: Labels, _ dropName: Bool, into c: inout SeriesCollector) throws {
        let slot = c.slot(labels, dropName: dropName)
        for i in s.values.indices where !Absent.isAbsent(s.values[i]) {
            if c.has(slot, i) { throw PromQLError.execution("vector cannot contain metrics with the same labelset") }
            c.series[slot].values[i] = s.values[i]
        }
    }

    func sortByLabel(_ c: Call, _ steps: Steps, descending: Bool) async throws -> [StepSeries] {
        var names: [String] = []
        for a in c.args.dropFirst() { names.append(try stringArg(a).value) }
        var v = try await evalVector(c.args[0], steps)
        v.sort { a, b in
            for name in names {
                let r = naturalCompare(a.labels[name], b.labels[name])
                if r != 0 { return descending ? r > 0 : r < 0 }
            }
            let r = Labels.compare(a.labels, b.labels)
            return descending ? r > 0 : r < 0
        }
        return v
    }
}

/// Go's `regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`.
func expandTemplate(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
    var out = ""
    let chars = Array(template)
    var i = 0
    func group(_ name: String) -> String {
        if let k = Int(name) {
            guard k < match.output.count, let sub = match.output[k].substring else { return "" }
            return String(sub)
        }
        return match.output[name]?.substring.map(String.init) ?? ""
    }
    while i < chars.count {
        let ch = chars[i]
        guard ch == "$", i + 1 < chars.count else {
            out.append(ch)
            i += 1
            continue
        }
        let next = chars[i + 1]
        if next == "$" {
            out.append("$")
            i += 2
        } else if next == "{" {
            guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                out.append(ch)
                i += 1
                continue
            }
            out += group(String(chars[(i + 2)..<close]))
            i = close + 1
        } else {
            var j = i + 1
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
            if j == i + 1 {
                out.append(ch)
                i += 1
                continue
            }
            out += group(String(chars[(i + 1)..<j]))
            i = j
        }
    }
    return out
}

/// Natural order: digit runs compare as numbers, everything else as text.
func naturalCompare(_ a: String, _ b: String) -> Int {
    func chunks(_ s: String) -> [Substring] {
        var out: [Substring] = []
        var start = s.startIndex
        var idx = s.startIndex
        while idx < s.endIndex {
            let digit = s[idx].isASCII && s[idx].isNumber
            var j = idx
            while j < s.endIndex, (s[j].isASCII && s[j].isNumber) == digit { j = s.index(after: j) }
            out.append(s[start..<j])
            start = j
            idx = j
        }
        return out
    }
    let ca = chunks(a), cb = chunks(b)
    for (x, y) in zip(ca, cb) where x != y {
        if let nx = Double(x), let ny = Double(y), x.first!.isNumber, y.first!.isNumber {
            if nx != ny { return nx < ny ? -1 : 1 }
            continue
        }
        return x < y ? -1 : 1
    }
    return ca.count - cb.count
}
