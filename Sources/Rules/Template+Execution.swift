import Foundation

/// A value during template execution, mirroring the Go kinds Prometheus templates meet.
public enum TemplateValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// A label or annotation set; fields look keys up.
    case map([String: String])
    /// A list, e.g. from a `range` over the result of a function.
    case list([TemplateValue])

    /// Parses a Go number literal: integer (with 0x/0o/0b prefixes) or float.
    static func number(_ text: String) -> TemplateValue? {
        let t = text.replacingOccurrences(of: "_", with: "")
        if let i = Int(t) { return .int(i) }
        let negative = t.hasPrefix("-")
        let body = negative || t.hasPrefix("+") ? String(t.dropFirst()) : t
        for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            guard let i = Int(body.dropFirst(2), radix: radix) else { return nil }
            return .int(negative ? -i : i)
        }
        return Double(t).map { .float($0) }
    }

    /// Go's truth: false, 0, "", nil and empty maps and lists are false.
    var isTrue: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .string(let s): return !s.isEmpty
        case .map(let m): return !m.isEmpty
        case .list(let l): return !l.isEmpty
        }
    }

    /// How `{{ value }}` prints it (Go's `%v`).
    var printed: String {
        switch self {
        case .none: return "<no value>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f): return GoFormat.float(f)
        case .string(let s): return s
        case .map(let m):
            return "map[" + m.keys.sorted().map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .list(let l): return "[" + l.map(\.printed).joined(separator: " ") + "]"
        }
    }
}

/// What a template sees: `.` and the variables Prometheus defines for alert templates.
public struct TemplateData: Sendable {
    /// The alert's labels (`$labels`, `.Labels`).
    public var labels: [String: String]
    /// The sample value (`$value`, `.Value`).
    public var value: Double
    /// The server's external labels (`$externalLabels`, `.ExternalLabels`).
    public var externalLabels: [String: String]
    /// The server's external URL (`$externalURL`, `.ExternalURL`).
    public var externalURL: String

    /// Creates template data.
    public init(labels: [String: String], value: Double, externalLabels: [String: String] = [:], externalURL: String = "") {
        self.labels = labels
        self.value = value
        self.externalLabels = externalLabels
        self.externalURL = externalURL
    }
}

extension Template {
    /// Executes the template.
    /// - Throws: ``RulesError`` with code `template` when a function fails or an operand is misused.
    public func render(_ data: TemplateData) throws -> String {
        let dot = TemplateValue.map([:])
        var state = TemplateState(
            name: name,
            variables: [
                ("$", dot), ("$labels", .map(data.labels)), ("$value", .float(data.value)),
                ("$externalLabels", .map(data.externalLabels)), ("$externalURL", .string(data.externalURL)),
            ],
            data: data)
        var out = ""
        try state.run(root, dot: .none, into: &out)
        return out
    }
}

/// Variables in scope and the alert data while executing one template.
struct TemplateState {
    let name: String
    var variables: [(String, TemplateValue)]
    let data: TemplateData
    var steps = 0

    func error(_ message: String, line: Int) -> RulesError {
        RulesError(.template, "template: \(name):\(line): \(message)")
    }

    mutating func run(_ nodes: [TemplateNode], dot: TemplateValue, into out: inout String) throws {
        for node in nodes {
            steps += 1
            // Bounds a `range` over a huge list; Prometheus relies on its query limits instead.
            if steps > 100_000 { throw RulesError(.template, "template: \(name): too many steps") }
            switch node {
            case .text(let s): out += s
            case .action(let pipe):
                let v = try eval(pipe, dot: dot)
                if pipe.declarations.isEmpty { out += v.printed }
            case .ifNode(let pipe, let then, let otherwise):
                let scope = variables.count
                let v = try eval(pipe, dot: dot)
                try run(v.isTrue ? then : otherwise, dot: dot, into: &out)
                variables.removeLast(variables.count - scope)
            case .with(let pipe, let body, let otherwise):
                let scope = variables.count
                let v = try eval(pipe, dot: dot)
                if v.isTrue { try run(body, dot: v, into: &out) } else { try run(otherwise, dot: dot, into: &out) }
                variables.removeLast(variables.count - scope)
            case .range(var pipe, let body, let otherwise):
                let names = pipe.declarations
                pipe.declarations = []
                let v = try eval(pipe, dot: dot)
                var items: [(TemplateValue, TemplateValue)] = []
                switch v {
                case .map(let m): items = m.keys.sorted().map { (.string($0), .string(m[$0]!)) }
                case .list(let l): items = l.enumerated().map { (.int($0.offset), $0.element) }
                case .int(let n): items = (0..<max(0, n)).map { (.int($0), .int($0)) }
                case .none: items = []
                default: throw error("range can't iterate over \(v.printed)", line: pipe.line)
                }
                if items.isEmpty { try run(otherwise, dot: dot, into: &out) }
                for (key, element) in items {
                    let scope = variables.count
                    if names.count == 1 { variables.append((names[0], element)) }
                    if names.count == 2 { variables.append((names[0], key)); variables.append((names[1], element)) }
                    try run(body, dot: element, into: &out)
                    variables.removeLast(variables.count - scope)
                }
            }
        }
    }

    mutating func eval(_ pipe: TemplatePipeline, dot: TemplateValue) throws -> TemplateValue {
        var result: TemplateValue? = nil
        for command in pipe.commands {
            result = try call(command, dot: dot, piped: result, line: pipe.line)
        }
        let value = result ?? .none
        for name in pipe.declarations { variables.append((name, value)) }
        return value
    }

    mutating func call(
        _ command: [TemplateOperand], dot: TemplateValue, piped: TemplateValue?, line: Int
    ) throws -> TemplateValue {
        if case .function(let fn) = command[0] {
            var args = try command.dropFirst().map { try operand($0, dot: dot, line: line) }
            if let piped { args.append(piped) }
            do { return try TemplateFunctions.call(fn, args) } catch let e as RulesError {
                throw error("executing \"\(name)\" at <\(fn)>: \(e.message)", line: line)
            }
        }
        guard command.count == 1, piped == nil else {
            throw error("can't give argument to non-function \(command[0])", line: line)
        }
        return try operand(command[0], dot: dot, line: line)
    }

    mutating func operand(_ op: TemplateOperand, dot: TemplateValue, line: Int) throws -> TemplateValue {
        switch op {
        case .literal(let v): return v
        case .function: return try call([op], dot: dot, piped: nil, line: line)
        case .variable(let name, let fields):
            guard let v = variables.last(where: { $0.0 == name })?.1 else {
                throw error("undefined variable: \(name)", line: line)
            }
            return try field(v, fields, line: line, isRoot: name == "$")
        case .dot(let fields): return try field(dot, fields, line: line, isRoot: dot == .none)
        case .group(let pipe, let fields): return try field(eval(pipe, dot: dot), fields, line: line, isRoot: false)
        }
    }

    /// Follows `.a.b`; on the root data the first field is one of Prometheus' `.Labels`, `.Value`, ….
    func field(_ value: TemplateValue, _ fields: [String], line: Int, isRoot: Bool) throws -> TemplateValue {
        var v = value
        for (i, f) in fields.enumerated() {
            if i == 0 && (isRoot || v == .none) {
                switch f {
                case "Labels": v = .map(data.labels)
                case "Value": v = .float(data.value)
                case "ExternalLabels": v = .map(data.externalLabels)
                case "ExternalURL": v = .string(data.externalURL)
                default: throw error("can't evaluate field \(f) in type *template.tmplData", line: line)
                }
                continue
            }
            guard case .map(let m) = v else { throw error("can't evaluate field \(f) in \(v.printed)", line: line) }
            v = .string(m[f] ?? "")
        }
        return v
    }
}
