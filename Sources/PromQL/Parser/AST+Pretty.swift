/// Multi-line formatting of long expressions, as Prometheus' `format_query` (promql `Prettify`) does: a node whose
/// one-line form exceeds 100 characters is split, its children indented by two spaces per level.
extension Expr {
    /// The expression formatted for reading; short expressions stay on one line.
    public var pretty: String { pretty(level: 0) }

    private static let maxLineLength = 100

    private static func indent(_ level: Int) -> String { String(repeating: "  ", count: level) }

    private var needsSplit: Bool { description.utf8.count > Expr.maxLineLength }

    func pretty(level: Int) -> String {
        let pad = Expr.indent(level)
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector: return pad + description
        case .unary(let negate, let inner):
            let child = inner.pretty(level: level).drop { $0 == " " }
            return pad + (negate ? "-" : "+") + child
        case .subquery(let sq):
            guard needsSplit else { return description }
            return sq.expr.pretty(level: level) + sq.suffixText
        default: break
        }
        guard needsSplit else { return pad + description }
        switch self {
        case .paren(let inner): return pad + "(\n" + inner.pretty(level: level + 1) + "\n" + pad + ")"
        case .binary(let b):
            return b.lhs.pretty(level: level + 1) + "\n" + pad + b.op.rawValue + b.modifierText + "\n"
                + b.rhs.pretty(level: level + 1)
        case .aggregate(let a):
            var text = pad + a.shortText + "(\n"
            if let p = a.param { text += p.pretty(level: level + 1) + ",\n" }
            return text + a.expr.pretty(level: level + 1) + "\n" + pad + ")"
        case .call(let c):
            let args = c.args.map { $0.pretty(level: level + 1) }.joined(separator: ",\n")
            return pad + c.function.name + "(\n" + args + "\n" + pad + ")"
        default: return pad + description
        }
    }
}
