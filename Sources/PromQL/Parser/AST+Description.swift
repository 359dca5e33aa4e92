import Foundation
import PromModel

/// Canonical PromQL text of an expression, in Prometheus' style: parsing the text gives the same tree back.
extension Expr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .number(let v): return formatGoFloat(v)
        case .string(let s): return goQuote(s.bytes)
        case .vectorSelector(let vs): return vs.description
        case .matrixSelector(let ms):
            return selectorText(ms.vector) + "[\(ms.range)]" + modifiersText(ms.vector.offset, ms.vector.at)
        case .subquery(let sq): return "\(sq.expr)" + sq.suffixText
        case .paren(let e): return "(\(e))"
        case .unary(let negate, let e): return (negate ? "-" : "+") + "\(e)"
        case .binary(let b): return b.description
        case .aggregate(let a): return a.description
        case .call(let c): return "\(c.function.name)(\(c.args.map(\.description).joined(separator: ", ")))"
        }
    }
}

extension VectorSelector: CustomStringConvertible {
    public var description: String { selectorText(self) + modifiersText(offset, at) }
}

extension BinaryExpr: CustomStringConvertible {
    public var description: String {
        "\(lhs) \(op.rawValue)" + modifierText + " \(rhs)"
    }

    /// ` bool on(a) group_left(b) fill(0)`: everything written between the operator and the right operand.
    var modifierText: String {
        var text = ""
        if returnBool { text += " bool" }
        if let m = matching {
            if m.on || !m.matchingLabels.isEmpty {
                text +=
                    (m.on ? " on" : " ignoring") + " (" + m.matchingLabels.map(labelNameText).joined(separator: ", ")
                    + ")"
            }
            if m.card == .manyToOne || m.card == .oneToMany {
                text += (m.card == .manyToOne ? " group_left" : " group_right")
                text += " (" + m.include.map(labelNameText).joined(separator: ", ") + ")"
            }
            switch (m.fillLeft, m.fillRight) {
            case (let l?, let r?) where l.bitPattern == r.bitPattern: text += " fill (\(GoFloat.g(l)))"
            case (let l, let r):
                if let l { text += " fill_left (\(GoFloat.g(l)))" }
                if let r { text += " fill_right (\(GoFloat.g(r)))" }
            }
        }
        return text
    }
}

extension AggregateExpr: CustomStringConvertible {
    public var description: String { shortText + "(" + (param.map { "\($0), " } ?? "") + "\(expr))" }

    /// `sum by (job) `: the operator and grouping, without the arguments.
    var shortText: String {
        var text = op.rawValue
        if without || !grouping.isEmpty {
            text += (without ? " without" : " by") + " (" + grouping.map(labelNameText).joined(separator: ", ") + ") "
        }
        return text
    }
}

extension SubqueryExpr {
    /// `[5m:1m] offset 1m @ 100`: everything after the inner expression.
    var suffixText: String { "[\(range):\(step.map { "\($0)" } ?? "")]" + modifiersText(offset, at) }
}

extension DurationExpr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .seconds(let s):
            let ms = s * 1000
            if ms == ms.rounded(), ms > 0, ms < 9e18 { return durationText(Int64(ms)) }
            return formatGoFloat(s)
        case .step: return "step()"
        case .range: return "range()"
        case .negate(let e): return "-\(e)"
        case .minOf(let a, let b): return "min_of(\(a), \(b))"
        case .maxOf(let a, let b): return "max_of(\(a), \(b))"
        case .binary(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        }
    }
}

/// `1h30m`, `500ms`: the largest units first, as Prometheus prints durations.
func durationText(_ ms: Int64) -> String {
    if ms == 0 { return "0s" }
    var rest = ms
    var text = ""
    let units: [(String, Int64)] = [
        ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000),
        ("ms", 1),
    ]
    for (name, size) in units where rest >= size {
        text += "\(rest / size)\(name)"
        rest %= size
    }
    return text
}

/// A label name as written in a query: bare when it is a classic identifier, quoted otherwise.
func labelNameText(_ name: String) -> String {
    let isClassic =
        !name.isEmpty
        && name.unicodeScalars.enumerated().allSatisfy { i, c in
            c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (i > 0 && c >= "0" && c <= "9")
        }
    return isClassic ? name : goQuote(Array(name.utf8))
}

private func isMetricName(_ name: String) -> Bool {
    !name.isEmpty
        && name.unicodeScalars.enumerated().allSatisfy { i, c in
            c == "_" || c == ":" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (i > 0 && c >= "0" && c <= "9")
        }
}

private func selectorText(_ vs: VectorSelector) -> String {
    var matchers = vs.matchers
    var prefix = ""
    if let name = vs.name, let k = matchers.firstIndex(where: { $0.name == LabelName.metricName && $0.kind == .equal })
    {
        matchers.remove(at: k)
        if isMetricName(name) {
            prefix = name
        } else {
            matchers.insert(try! Matcher(.equal, "", name), at: 0)  // printed as a bare quoted name below
        }
    }
    let inner = matchers.map { m in
        if m.name.isEmpty { return goQuote(Array(m.value.utf8)) }
        return labelNameText(m.name) + m.kind.rawValue + goQuote(Array(m.value.utf8))
    }
    if inner.isEmpty { return prefix }
    return prefix + "{" + inner.joined(separator: ", ") + "}"
}

private func modifiersText(_ offset: DurationExpr?, _ at: AtModifier?) -> String {
    var text = ""
    if let offset {
        switch offset {
        case .seconds, .step, .range: text += " offset \(offset)"
        case .negate(let inner) where inner.isAtom: text += " offset -\(inner)"
        default: text += " offset (\(offset))"
        }
    }
    switch at {
    case nil: break
    case .start: text += " @ start()"
    case .end: text += " @ end()"
    // Prometheus prints `@` times with exactly three decimals.
    case .time(let t): text += " @ " + String(format: "%.3f", Double(t.ms) / 1000)
    }
    return text
}

extension DurationExpr {
    /// Printable after `offset` without parentheses.
    fileprivate var isAtom: Bool {
        switch self {
        case .seconds, .step, .range, .minOf, .maxOf: return true
        default: return false
        }
    }
}
