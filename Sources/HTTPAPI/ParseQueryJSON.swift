import PromModel
import PromQL

/// The syntax tree JSON of `/api/v1/parse_query`, in the shape Prometheus 3's UI tree view reads.
enum ParseQueryJSON {
    static func encode(_ e: Expr) -> [UInt8] {
        var w = JSONWriter()
        write(e, &w)
        return w.bytes
    }

    static func write(_ e: Expr, _ w: inout JSONWriter) {
        switch e {
        case .number(let v):
            w.raw(#"{"type":"numberLiteral","val":"#)
            w.string(PrometheusFloat.format(v))
            w.raw("}")
        case .string(let s):
            w.raw(#"{"type":"stringLiteral","val":"#)
            w.string(s.value)
            w.raw("}")
        case .paren(let inner):
            w.raw(#"{"type":"parenExpr","expr":"#)
            write(inner, &w)
            w.raw("}")
        case .unary(let negate, let inner):
            w.raw(#"{"type":"unaryExpr","op":"#)
            w.string(negate ? "-" : "+")
            w.raw(#","expr":"#)
            write(inner, &w)
            w.raw("}")
        case .vectorSelector(let vs):
            w.raw(#"{"type":"vectorSelector","#)
            selectorFields(vs, &w)
            w.raw("}")
        case .matrixSelector(let ms):
            w.raw(#"{"type":"matrixSelector","#)
            durationFields("range", ms.range, &w)
            w.raw(",")
            selectorFields(ms.vector, &w)
            w.raw("}")
        case .subquery(let sq):
            w.raw(#"{"type":"subquery","expr":"#)
            write(sq.expr, &w)
            w.raw(",")
            durationFields("range", sq.range, &w)
            w.raw(",")
            durationFields("offset", sq.offset, &w)
            w.raw(",")
            durationFields("step", sq.step, &w)
            w.raw(",")
            atFields(sq.at, &w)
            w.raw("}")
        case .binary(let b):
            w.raw(#"{"type":"binaryExpr","op":"#)
            w.string(b.op.rawValue)
            w.raw(#","lhs":"#)
            write(b.lhs, &w)
            w.raw(#","rhs":"#)
            write(b.rhs, &w)
            w.raw(#","matching":"#)
            if let m = b.matching {
                w.raw(#"{"card":"#)
                switch m.card {
                case .oneToOne: w.string("one-to-one")
                case .manyToOne: w.string("many-to-one")
                case .oneToMany: w.string("one-to-many")
                case .manyToMany: w.string("many-to-many")
                }
                w.raw(#","labels":"#)
                stringList(m.matchingLabels, &w)
                w.raw(#","on":"#)
                w.raw(m.on ? "true" : "false")
                w.raw(#","include":"#)
                stringList(m.include, &w)
                w.raw(#","fillValues":{"lhs":"#)
                optionalNumber(m.fillLeft, &w)
                w.raw(#","rhs":"#)
                optionalNumber(m.fillRight, &w)
                w.raw("}}")
            } else {
                w.raw("null")
            }
            w.raw(#","bool":"#)
            w.raw(b.returnBool ? "true" : "false")
            w.raw("}")
        case .aggregate(let a):
            w.raw(#"{"type":"aggregation","op":"#)
            w.string(a.op.rawValue)
            w.raw(#","expr":"#)
            write(a.expr, &w)
            w.raw(#","param":"#)
            if let p = a.param { write(p, &w) } else { w.raw("null") }
            w.raw(#","grouping":"#)
            stringList(a.grouping, &w)
            w.raw(#","without":"#)
            w.raw(a.without ? "true" : "false")
            w.raw("}")
        case .call(let c):
            w.raw(#"{"type":"call","func":{"name":"#)
            w.string(c.function.name)
            w.raw(#","argTypes":"#)
            stringList(c.function.argTypes.map(typeName), &w)
            w.raw(#","variadic":"#)
            w.int(c.function.variadic)
            w.raw(#","returnType":"#)
            w.string(typeName(c.function.returnType))
            w.raw(#"},"args":["#)
            for (i, a) in c.args.enumerated() {
                if i > 0 { w.raw(",") }
                write(a, &w)
            }
            w.raw("]}")
        }
    }

    /// Prometheus' names of value types.
    static func typeName(_ t: ValueType) -> String {
        switch t {
        case .scalar: return "scalar"
        case .vector: return "vector"
        case .matrix: return "matrix"
        case .string: return "string"
        }
    }

    static func selectorFields(_ vs: VectorSelector, _ w: inout JSONWriter) {
        w.raw(#""name":"#)
        w.string(vs.name ?? "")
        w.raw(",")
        durationFields("offset", vs.offset, &w)
        w.raw(#","matchers":["#)
        for (i, m) in vs.matchers.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw(#"{"name":"#)
            w.string(m.name)
            w.raw(#","value":"#)
            w.string(m.value)
            w.raw(#","type":"#)
            w.string(m.kind.rawValue)
            w.raw("}")
        }
        w.raw("],")
        atFields(vs.at, &w)
        w.raw(#","anchored":false,"smoothed":false"#)
    }

    /// `"<name>": milliseconds, "<name>Expr": null` for a literal duration, or 0 and the expression tree.
    static func durationFields(_ name: String, _ d: DurationExpr?, _ w: inout JSONWriter) {
        w.string(name)
        w.raw(":")
        if let ms = literalMilliseconds(d) {
            w.bytesAppend(Array(String(ms).utf8))
            w.raw(",")
            w.string(name + "Expr")
            w.raw(":null")
        } else {
            w.raw("0,")
            w.string(name + "Expr")
            w.raw(":")
            durationTree(d!, &w)
        }
    }

    /// The value of a duration written as a plain literal (absent counts as 0); nil for an expression.
    static func literalMilliseconds(_ d: DurationExpr?) -> Int64? {
        switch d {
        case nil: return 0
        case .seconds(let s): return Int64((s * 1000).rounded())
        case .negate(.seconds(let s)): return -Int64((s * 1000).rounded())
        default: return nil
        }
    }

    static func durationTree(_ d: DurationExpr, _ w: inout JSONWriter) {
        func node(_ op: String, _ lhs: DurationExpr?, _ rhs: DurationExpr?) {
            w.raw(#"{"type":"durationExpr","op":"#)
            w.string(op)
            w.raw(#","lhs":"#)
            if let lhs { durationTree(lhs, &w) } else { w.raw("null") }
            w.raw(#","rhs":"#)
            if let rhs { durationTree(rhs, &w) } else { w.raw("null") }
            w.raw(#","wrapped":false}"#)
        }
        switch d {
        case .seconds(let s):
            w.raw(#"{"type":"numberLiteral","val":"#)
            w.string(PrometheusFloat.format(s))
            w.raw(#","duration":true}"#)
        case .step: node("step()", nil, nil)
        case .range: node("range()", nil, nil)
        case .negate(let e): node("-", nil, e)
        case .binary(let op, let a, let b): node(op.rawValue, a, b)
        case .minOf(let a, let b): node("min()", a, b)
        case .maxOf(let a, let b): node("max()", a, b)
        }
    }

    static func atFields(_ at: AtModifier?, _ w: inout JSONWriter) {
        w.raw(#""timestamp":"#)
        if case .time(let t) = at { w.bytesAppend(Array(String(t.ms).utf8)) } else { w.raw("null") }
        w.raw(#","startOrEnd":"#)
        switch at {
        case .start: w.string("start")
        case .end: w.string("end")
        default: w.raw("null")
        }
    }

    static func stringList(_ items: [String], _ w: inout JSONWriter) {
        w.raw("[")
        for (i, s) in items.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s)
        }
        w.raw("]")
    }

    static func optionalNumber(_ v: Double?, _ w: inout JSONWriter) {
        guard let v, v.isFinite else {
            w.raw("null")
            return
        }
        w.bytesAppend(Array(PrometheusFloat.format(v).utf8))
    }
}
