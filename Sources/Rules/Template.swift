/// A parsed Go `text/template`, the subset Prometheus alert labels and annotations use.
///
/// Supported: text; `{{ pipeline }}` with `|` chains, `(…)` groups, `$var := …` declarations;
/// `{{ if }}`/`{{ else if }}`/`{{ else }}`/`{{ end }}`, `{{ range }}` and `{{ with }}`; trim markers
/// `{{-` and `-}}`; comments; string, raw-string, number and boolean literals; fields on maps
/// (`$labels.instance`, `.Labels.job`) where a missing key is the empty string as in Prometheus'
/// `missingkey=zero`. Functions are listed in ``TemplateFunctions``.
public struct Template: Sendable {
    /// The template name used in error messages, e.g. `__alert_HighLatency`.
    public let name: String
    let root: [TemplateNode]

    /// Parses `text`.
    /// - Throws: ``RulesError`` with code `template` and Go-like text, e.g. `template: x:1: unexpected {{end}}`.
    public init(_ text: String, name: String = "template") throws {
        self.name = name
        var parser = TemplateParser(text: text, name: name)
        root = try parser.parseAll()
    }
}

/// One node of a parsed template.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline)
    case ifNode(TemplatePipeline, then: [TemplateNode], otherwise: [TemplateNode])
    case range(TemplatePipeline, body: [TemplateNode], otherwise: [TemplateNode])
    case with(TemplatePipeline, body: [TemplateNode], otherwise: [TemplateNode])
}

/// `$a := cmd | cmd …`; `declarations` holds one or two variable names (the latter for `range`).
struct TemplatePipeline: Sendable {
    var declarations: [String]
    var commands: [[TemplateOperand]]
    var line: Int
}

/// An argument of a command.
indirect enum TemplateOperand: Sendable {
    case function(String)
    case variable(String, fields: [String])
    case dot(fields: [String])
    case literal(TemplateValue)
    case group(TemplatePipeline, fields: [String])
}

/// Splits template text into text and actions, then parses each action's tokens.
struct TemplateParser {
    let text: [Character]
    let name: String
    var pos = 0
    var line = 1

    init(text: String, name: String) {
        self.text = Array(text)
        self.name = name
    }

    func error(_ message: String, line: Int? = nil) -> RulesError {
        RulesError(.template, "template: \(name):\(line ?? self.line): \(message)")
    }

    mutating func parseAll() throws -> [TemplateNode] {
        let (nodes, end) = try parseList()
        switch end {
        case nil: return nodes
        case .end: throw error("unexpected {{end}}")
        case .else, .elseIf: throw error("unexpected {{else}}")
        }
    }

    /// How a list of nodes ended, other than at EOF.
    enum Terminator {
        case end
        case `else`
        /// `{{else if …}}…{{end}}`: the nested if, which consumed the shared `{{end}}`.
        case elseIf(TemplateNode)
    }

    /// Nodes up to a closing `{{end}}`/`{{else …}}` or EOF (nil).
    mutating func parseList() throws -> ([TemplateNode], Terminator?) {
        var nodes: [TemplateNode] = []
        while pos < text.count {
            let (chunk, hasAction) = readText()
            if !chunk.isEmpty { nodes.append(.text(chunk)) }
            guard hasAction else { break }
            let startLine = line
            let action = try readAction()
            var tokens = try TemplateLexer.tokens(of: action, line: startLine, parser: self)
            guard let first = tokens.first else {
                if action.trimmingWhitespace.hasPrefix("/*") { continue }
                throw error("missing value for command")
            }
            if case .identifier(let keyword) = first {
                switch keyword {
                case "end":
                    return (nodes, .end)
                case "else":
                    tokens.removeFirst()
                    if tokens.isEmpty { return (nodes, .else) }
                    guard case .identifier("if") = tokens.first else { throw error("unexpected tokens after else") }
                    tokens.removeFirst()
                    let pipe = try TemplatePipelineParser.parse(tokens, line: startLine, parser: self)
                    let (body, term) = try parseList()
                    let otherwise = try parseElse(term, keyword: "if")
                    return (nodes, .elseIf(.ifNode(pipe, then: body, otherwise: otherwise)))
                case "if", "range", "with":
                    tokens.removeFirst()
                    let pipe = try TemplatePipelineParser.parse(tokens, line: startLine, parser: self)
                    let (body, term) = try parseList()
                    let otherwise = try parseElse(term, keyword: keyword)
                    switch keyword {
                    case "if": nodes.append(.ifNode(pipe, then: body, otherwise: otherwise))
                    case "range": nodes.append(.range(pipe, body: body, otherwise: otherwise))
                    default: nodes.append(.with(pipe, body: body, otherwise: otherwise))
                    }
                    continue
                case "define", "template", "block", "break", "continue":
                    throw error("{{\(keyword)}} is not supported in alert templates")
                default: break
                }
            }
            nodes.append(.action(try TemplatePipelineParser.parse(tokens, line: startLine, parser: self)))
        }
        return (nodes, nil)
    }

    mutating func parseElse(_ term: Terminator?, keyword: String) throws -> [TemplateNode] {
        switch term {
        case .end: return []
        case .elseIf(let node): return [node]
        case .else:
            let (otherwise, term2) = try parseList()
            guard case .end = term2 else { throw error("unexpected EOF in {{\(keyword)}}") }
            return otherwise
        case nil: throw error("unexpected EOF in {{\(keyword)}}")
        }
    }

    /// Text up to the next `{{`, applying a following `{{-` trim; true when an action follows.
    mutating func readText() -> (String, Bool) {
        var out = ""
        while pos < text.count {
            if text[pos] == "{" && pos + 1 < text.count && text[pos + 1] == "{" {
                pos += 2
                if pos + 1 < text.count && text[pos] == "-" && text[pos + 1].isWhitespace {
                    while let last = out.last, last.isWhitespace { out.removeLast() }
                    pos += 1
                }
                return (out, true)
            }
            if text[pos] == "\n" { line += 1 }
            out.append(text[pos])
            pos += 1
        }
        return (out, false)
    }

    /// The inside of an action up to `}}` (quotes respected), applying a `-}}` trim afterwards.
    mutating func readAction() throws -> String {
        var out = ""
        var quote: Character? = nil
        while pos < text.count {
            let c = text[pos]
            if let q = quote {
                out.append(c)
                if c == "\\" && q == "\"" && pos + 1 < text.count {
                    out.append(text[pos + 1])
                    pos += 2
                    continue
                }
                if c == q { quote = nil }
                pos += 1
                continue
            }
            if c == "\"" || c == "`" || c == "'" { quote = c }
            if c == "}" && pos + 1 < text.count && text[pos + 1] == "}" {
                pos += 2
                if out.hasSuffix(" -") || out.hasSuffix("\t-") || out.hasSuffix("\n-") {
                    out.removeLast()
                    while pos < text.count && text[pos].isWhitespace {
                        if text[pos] == "\n" { line += 1 }
                        pos += 1
                    }
                }
                return out
            }
            if c == "\n" { line += 1 }
            out.append(c)
            pos += 1
        }
        throw error("unclosed action")
    }
}
