import Foundation
import PromModel

/// The functions alert templates may call: Go's builtins and Prometheus' helpers.
///
/// Functions that need the query engine or HTTP context (`query`, `first`, `label`, `value`,
/// `sortByLabel`, `strvalue`, `args`, `tmpl`, `pathPrefix`) parse, so files promtool accepts are
/// accepted, but fail when executed.
enum TemplateFunctions {
    static let unsupported: Set<String> = [
        "query", "first", "label", "value", "sortByLabel", "strvalue", "args", "tmpl", "pathPrefix", "externalURL",
        "js", "call", "slice", "html",
    ]
    static let names: Set<String> = unsupported.union([
        "and", "or", "not", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf", "println",
        "urlquery", "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp",
        "toUpper", "toLower", "title", "match", "reReplaceAll", "stripPort", "stripDomain", "safeHtml",
        "parseDuration", "toTime", "toDuration", "graphLink", "tableLink",
    ])

    static func fail(_ message: String) -> RulesError { RulesError(.template, message) }

    static func call(_ name: String, _ args: [TemplateValue]) throws -> TemplateValue {
        func arity(_ n: Int) throws {
            guard args.count == n else { throw fail("wrong number of args for \(name): want \(n) got \(args.count)") }
        }
        func number(_ i: Int) throws -> Double { try TemplateFunctions.number(args[i]) }
        func string(_ i: Int) -> String { args[i].printed }
        switch name {
        case "and":
            guard !args.isEmpty else { throw fail("wrong number of args for and") }
            return args.first(where: { !$0.isTrue }) ?? args.last!
        case "or":
            guard !args.isEmpty else { throw fail("wrong number of args for or") }
            return args.first(where: { $0.isTrue }) ?? args.last!
        case "not": try arity(1); return .bool(!args[0].isTrue)
        case "len":
            try arity(1)
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)
            case .map(let m): return .int(m.count)
            case .list(let l): return .int(l.count)
            default: throw fail("len of \(args[0].printed)")
            }
        case "index":
            guard args.count == 2 else { throw fail("wrong number of args for index") }
            switch (args[0], args[1]) {
            case (.map(let m), let key): return .string(m[key.printed] ?? "")
            case (.list(let l), .int(let i)) where l.indices.contains(i): return l[i]
            default: throw fail("can't index \(args[0].printed) with \(args[1].printed)")
            }
        case "eq":
            guard args.count >= 2 else { throw fail("missing argument for comparison") }
            return .bool(try args.dropFirst().contains { try compare(args[0], $0) == 0 })
        case "ne": try arity(2); return .bool(try compare(args[0], args[1]) != 0)
        case "lt": try arity(2); return .bool(try compare(args[0], args[1]) < 0)
        case "le": try arity(2); return .bool(try compare(args[0], args[1]) <= 0)
        case "gt": try arity(2); return .bool(try compare(args[0], args[1]) > 0)
        case "ge": try arity(2); return .bool(try compare(args[0], args[1]) >= 0)
        case "print": return .string(GoFormat.sprint(args))
        case "println": return .string(args.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let format)? = args.first else { throw fail("printf needs a format string") }
            return .string(GoFormat.sprintf(format, Array(args.dropFirst())))
        case "urlquery": return .string(queryEscape(GoFormat.sprint(args)))
        case "humanize": try arity(1); return .string(Humanize.si(try number(0)))
        case "humanize1024": try arity(1); return .string(Humanize.binary(try number(0)))
        case "humanizeDuration": try arity(1); return .string(Humanize.duration(try number(0)))
        case "humanizePercentage": try arity(1); return .string(GoFormat.sprintf("%.4g%%", [.float(try number(0) * 100)]))
        case "humanizeTimestamp": try arity(1); return .string(Humanize.timestamp(try number(0)))
        case "toTime": try arity(1); return .string(Humanize.timestamp(try number(0)))
        case "toDuration", "parseDuration":
            try arity(1)
            if name == "parseDuration" {
                do { return .float(Double(try PrometheusDurationText.ms(string(0))) / 1000) } catch {
                    throw fail("\(error)")
                }
            }
            return .string(Humanize.duration(try number(0)))
        case "toUpper": try arity(1); return .string(string(0).uppercased())
        case "toLower": try arity(1); return .string(string(0).lowercased())
        case "title": try arity(1); return .string(string(0).capitalized)
        case "safeHtml": try arity(1); return .string(string(0))
        case "match":
            try arity(2)
            return .bool(try regex(string(0)).firstMatch(in: string(1), range: NSRange(string(1).startIndex..., in: string(1))) != nil)
        case "reReplaceAll":
            try arity(3)
            let text = string(2)
            let template = string(1).replacingOccurrences(of: #"\$\{?(\d+)\}?"#, with: "\\$$1", options: .regularExpression)
            return .string(try regex(string(0)).stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template))
        case "stripPort":
            try arity(1)
            let s = string(0)
            if s.hasPrefix("["), let close = s.firstIndex(of: "]") { return .string(String(s[s.index(after: s.startIndex)..<close])) }
            if s.filter({ $0 == ":" }).count == 1, let colon = s.lastIndex(of: ":") { return .string(String(s[..<colon])) }
            return .string(s)
        case "stripDomain":
            try arity(1)
            let s = string(0)
            let (host, port) = s.lastIndex(of: ":").map { (String(s[..<$0]), String(s[$0...])) } ?? (s, "")
            return .string((host.split(separator: ".").first.map(String.init) ?? host) + port)
        case "graphLink", "tableLink":
            try arity(1)
            return .string("/graph?g0.expr=\(queryEscape(string(0)))&g0.tab=\(name == "graphLink" ? 0 : 1)")
        default:
            throw fail("function \(name) is not supported by Hearth's template engine")
        }
    }

    /// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, everything else `%XX`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "): out += "+"
            default: out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    /// A float from a number or numeric string, as Prometheus' `convertToFloat`.
    static func number(_ v: TemplateValue) throws -> Double {
        switch v {
        case .float(let f): return f
        case .int(let i): return Double(i)
        case .string(let s):
            if let d = Double(s) { return d }
            throw fail("strconv.ParseFloat: parsing \"\(s)\": invalid syntax")
        default: throw fail("can't convert \(v.printed) to float")
        }
    }

    /// Numbers compare by value (more lenient than Go, which refuses int against float); others as text.
    static func compare(_ a: TemplateValue, _ b: TemplateValue) throws -> Int {
        switch (a, b) {
        case (.int, .int), (.int, .float), (.float, .int), (.float, .float):
            let x = try number(a), y = try number(b)
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)):
            guard x == y else { return 1 }
            return 0
        default: throw fail("incompatible types for comparison")
        }
    }

    static func regex(_ pattern: String) throws -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern) } catch {
            throw fail("error parsing regexp: \(pattern)")
        }
    }
}

/// Prometheus duration text for `parseDuration`.
enum PrometheusDurationText {
    static func ms(_ text: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64(seconds * 1000) }
        return try PrometheusDuration.parseMilliseconds(text)
    }
}
