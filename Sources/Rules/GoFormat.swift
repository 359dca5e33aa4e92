import Foundation

/// Go's `fmt` formatting of the values templates print, so annotations read as Prometheus renders them.
enum GoFormat {
    /// `%v` of a float64: shortest round-trip digits, exponent form when the exponent is < -4 or ≥ 6 (`1e+06`).
    static func float(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (digits, exponent) = shortestDigits(abs(v))
        let sign = v < 0 ? "-" : ""
        // strconv 'g' with the shortest precision decides on an exponent as if the precision were 6.
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(exponent)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
        }
        let dp = exponent + 1
        if dp <= 0 { return sign + "0." + String(repeating: "0", count: -dp) + digits }
        if dp >= digits.count { return sign + digits + String(repeating: "0", count: dp - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: dp)
        return sign + digits[..<i] + "." + digits[i...]
    }

    /// The shortest decimal digits of a positive finite `v` and the exponent of the first digit.
    static func shortestDigits(_ v: Double) -> (String, Int) {
        // Swift's description is the shortest round-trip form, e.g. "1234.5", "1e-05", "1.5e+20".
        let text = v.description
        let parts = text.split(separator: "e")
        var exponent = parts.count > 1 ? Int(parts[1])! : 0
        let mantissa = parts[0]
        let intPart = mantissa.split(separator: ".", omittingEmptySubsequences: false)[0]
        let fracPart = mantissa.contains(".") ? String(mantissa.split(separator: ".")[1]) : ""
        var digits = String(intPart) + fracPart
        exponent += intPart.count - 1
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, exponent)
    }

    /// Go's `fmt.Sprint`: spaces only between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, a) in args.enumerated() {
            if i > 0, !isString(a), !isString(args[i - 1]) { out += " " }
            out += a.printed
        }
        return out
    }

    private static func isString(_ v: TemplateValue) -> Bool {
        if case .string = v { return true }
        return false
    }

    /// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %f %e %g %q %x %%`, with flags, width
    /// and precision. Mismatches print Go's `%!verb(type=value)` form.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var argIndex = 0
        var chars = format.makeIterator()
        while let c = chars.next() {
            guard c == "%" else {
                out.append(c)
                continue
            }
            var spec = "%"
            var verb: Character? = nil
            while let d = chars.next() {
                if d.isLetter || d == "%" {
                    verb = d
                    break
                }
                spec.append(d)
            }
            guard let verb else {
                out += "%!(NOVERB)"
                break
            }
            if verb == "%" {
                out += "%"
                continue
            }
            guard argIndex < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            out += formatOne(spec, verb, args[argIndex])
            argIndex += 1
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { "\(goType($0))=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    static func goType(_ v: TemplateValue) -> String {
        switch v {
        case .none: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .string: return "string"
        case .map: return "map[string]string"
        case .list: return "[]interface {}"
        }
    }

    static func formatOne(_ spec: String, _ verb: Character, _ arg: TemplateValue) -> String {
        switch (verb, arg) {
        case ("v", _), ("s", .string): return pad(spec, arg.printed)
        case ("s", .map), ("s", .list), ("s", .bool): return pad(spec, arg.printed)
        case ("q", .string(let s)): return pad(spec, "\"" + s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\"")
        case ("t", .bool(let b)): return pad(spec, b ? "true" : "false")
        case ("d", .int(let i)): return String(format: spec + "ld", i)
        case ("x", .int(let i)), ("X", .int(let i)): return String(format: spec + "l" + String(verb), i)
        case ("x", .string(let s)): return s.utf8.map { String(format: "%02x", $0) }.joined()
        case ("f", .float(let f)), ("F", .float(let f)), ("e", .float(let f)), ("E", .float(let f)),
            ("g", .float(let f)), ("G", .float(let f)):
            if f.isNaN { return pad(spec, "NaN") }
            if f.isInfinite { return pad(spec, f > 0 ? "+Inf" : "-Inf") }
            return String(format: spec + String(verb), f)
        case ("f", .int(let i)), ("e", .int(let i)), ("g", .int(let i)):
            return "%!\(verb)(int=\(i))"
        default:
            return "%!\(verb)(\(goType(arg))=\(arg.printed))"
        }
    }

    /// Applies a `%-10s`-style width to already formatted text.
    static func pad(_ spec: String, _ text: String) -> String {
        let flags = spec.dropFirst()
        let left = flags.contains("-")
        let digits = flags.filter { $0.isNumber || $0 == "." }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        var text = text
        if parts.count > 1, let precision = Int(parts[1]), precision < text.count { text = String(text.prefix(precision)) }
        guard let width = parts.first.flatMap({ Int($0) }), width > text.count else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return left ? text + padding : padding + text
    }
}
