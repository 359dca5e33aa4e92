/// A token inside a template action.
enum TemplateToken: Equatable {
    case identifier(String)
    case variable(String)
    /// `.a.b` (empty for a bare `.`), possibly following a variable, `)` or identifier.
    case fields([String])
    case string(String)
    case number(String)
    case declare
    case assign
    case comma
    case pipe
    case open
    case close
}

/// Tokenizes the text between `{{` and `}}`.
enum TemplateLexer {
    static func tokens(of action: String, line: Int, parser: TemplateParser) throws -> [TemplateToken] {
        let s = Array(action.trimmingWhitespace)
        if s.count >= 4 && s[0] == "/" && s[1] == "*" {
            guard s[s.count - 2] == "*" && s[s.count - 1] == "/" else { throw parser.error("unclosed comment", line: line) }
            return []
        }
        var out: [TemplateToken] = []
        var i = 0
        func word(from start: Int) -> String {
            var j = start
            while j < s.count && (s[j].isLetter || s[j].isNumber || s[j] == "_") { j += 1 }
            defer { i = j }
            return String(s[start..<j])
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case " ", "\t", "\n", "\r": i += 1
            case "|": out.append(.pipe); i += 1
            case "(": out.append(.open); i += 1
            case ")": out.append(.close); i += 1
            case ",": out.append(.comma); i += 1
            case "=": out.append(.assign); i += 1
            case ":":
                guard i + 1 < s.count && s[i + 1] == "=" else { throw parser.error("expected :=", line: line) }
                out.append(.declare)
                i += 2
            case "$":
                i += 1
                out.append(.variable("$" + word(from: i)))
            case ".":
                var fields: [String] = []
                while i < s.count && s[i] == "." {
                    i += 1
                    let name = word(from: i)
                    if !name.isEmpty { fields.append(name) }
                    if name.isEmpty { break }
                }
                if case .fields(let previous)? = out.last, !fields.isEmpty, !previous.isEmpty {
                    out[out.count - 1] = .fields(previous + fields)
                } else {
                    out.append(.fields(fields))
                }
            case "\"":
                var value = ""
                i += 1
                while i < s.count && s[i] != "\"" {
                    if s[i] == "\\" && i + 1 < s.count {
                        i += 1
                        switch s[i] {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        default: value.append(s[i])
                        }
                    } else {
                        value.append(s[i])
                    }
                    i += 1
                }
                guard i < s.count else { throw parser.error("unterminated quoted string", line: line) }
                i += 1
                out.append(.string(value))
            case "`":
                guard let end = s[(i + 1)...].firstIndex(of: "`") else {
                    throw parser.error("unterminated raw quoted string", line: line)
                }
                out.append(.string(String(s[(i + 1)..<end])))
                i = end + 1
            case "'":
                guard i + 2 < s.count, s[i + 2] == "'", let scalar = s[i + 1].unicodeScalars.first else {
                    throw parser.error("malformed character constant", line: line)
                }
                out.append(.number(String(scalar.value)))
                i += 3
            default:
                if c.isNumber || ((c == "-" || c == "+") && i + 1 < s.count && (s[i + 1].isNumber || s[i + 1] == ".")) {
                    var j = i + 1
                    while j < s.count && (s[j].isNumber || s[j].isLetter || s[j] == "." || s[j] == "_"
                        || ((s[j] == "-" || s[j] == "+") && (s[j - 1] == "e" || s[j - 1] == "E")))
                    {
                        j += 1
                    }
                    out.append(.number(String(s[i..<j])))
                    i = j
                } else if c.isLetter || c == "_" {
                    out.append(.identifier(word(from: i)))
                } else {
                    throw parser.error("unexpected \"\(c)\" in command", line: line)
                }
            }
        }
        return out
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}

/// Parses one action's tokens into a pipeline.
struct TemplatePipelineParser {
    var tokens: [TemplateToken]
    var index = 0
    let line: Int
    let parser: TemplateParser

    init(tokens: [TemplateToken], line: Int, parser: TemplateParser) {
        self.tokens = tokens
        self.line = line
        self.parser = parser
    }

    static func parse(_ tokens: [TemplateToken], line: Int, parser: TemplateParser) throws -> TemplatePipeline {
        var p = TemplatePipelineParser(tokens: tokens, line: line, parser: parser)
        return try p.parse()
    }

    mutating func parse() throws -> TemplatePipeline {
        let pipe = try pipeline()
        if index < tokens.count { throw parser.error("unexpected \(tokens[index]) in operand", line: line) }
        return pipe
    }

    mutating func pipeline() throws -> TemplatePipeline {
        var declarations: [String] = []
        // Look ahead for `$x :=` or `$k, $v :=`.
        var j = index
        var names: [String] = []
        while j < tokens.count, case .variable(let v) = tokens[j] {
            names.append(v)
            j += 1
            if j < tokens.count, tokens[j] == .comma { j += 1 } else { break }
        }
        if !names.isEmpty, j < tokens.count, tokens[j] == .declare || tokens[j] == .assign {
            declarations = names
            index = j + 1
        }
        var commands: [[TemplateOperand]] = []
        var current: [TemplateOperand] = []
        while index < tokens.count {
            let token = tokens[index]
            if token == .close { break }
            index += 1
            switch token {
            case .pipe:
                guard !current.isEmpty else { throw parser.error("missing command before |", line: line) }
                commands.append(current)
                current = []
            case .identifier(let name):
                switch name {
                case "true": current.append(.literal(.bool(true)))
                case "false": current.append(.literal(.bool(false)))
                case "nil": current.append(.literal(.none))
                default:
                    guard TemplateFunctions.names.contains(name) else {
                        throw parser.error("function \"\(name)\" not defined", line: line)
                    }
                    current.append(.function(name))
                }
            case .variable(let name): current.append(.variable(name, fields: takeFields()))
            case .fields(let fields): current.append(.dot(fields: fields))
            case .string(let s): current.append(.literal(.string(s)))
            case .number(let text):
                guard let value = TemplateValue.number(text) else {
                    throw parser.error("bad number syntax: \"\(text)\"", line: line)
                }
                current.append(.literal(value))
            case .open:
                let inner = try pipeline()
                guard index < tokens.count, tokens[index] == .close else { throw parser.error("unclosed left paren", line: line) }
                index += 1
                current.append(.group(inner, fields: takeFields()))
            default:
                throw parser.error("unexpected \(token) in command", line: line)
            }
        }
        if !current.isEmpty { commands.append(current) }
        guard !commands.isEmpty else { throw parser.error("missing value for command", line: line) }
        return TemplatePipeline(declarations: declarations, commands: commands, line: line)
    }

    /// Field accesses directly after an operand, such as `.instance` in `$labels.instance`.
    mutating func takeFields() -> [String] {
        if index < tokens.count, case .fields(let f) = tokens[index], !f.isEmpty {
            index += 1
            return f
        }
        return []
    }
}
