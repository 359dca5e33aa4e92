/// Splits a PromQL query into tokens. Comments (`#` to the end of the line) are dropped.
struct Lexer {
    private let src: [UInt8]
    private var pos = 0

    init(_ input: String) { src = Array(input.utf8) }

    /// All tokens, ending with `.eof`.
    /// - Throws: a parse ``PromQLError`` for an unterminated string or a stray character.
    mutating func tokenize() throws(PromQLError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try nextToken()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    private func peek(_ off: Int = 0) -> UInt8? { pos + off < src.count ? src[pos + off] : nil }
    private func text(_ from: Int) -> String { String(decoding: src[from..<pos], as: UTF8.self) }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 || c == 95 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102) }

    private mutating func nextToken() throws(PromQLError) -> Token {
        // Skip whitespace and comments.
        while let c = peek() {
            if c == 32 || c == 9 || c == 10 || c == 13 {
                pos += 1
            } else if c == 35 {
                while let d = peek(), d != 10 { pos += 1 }
            } else {
                break
            }
        }
        let start = pos
        guard let c = peek() else { return Token(kind: .eof, start: pos, end: pos, text: "") }
        func op(_ kind: TokenKind, _ n: Int) -> Token {
            pos += n
            return Token(kind: kind, start: start, end: pos, text: text(start))
        }
        switch c {
        case UInt8(ascii: "("): return op(.leftParen, 1)
        case UInt8(ascii: ")"): return op(.rightParen, 1)
        case UInt8(ascii: "{"): return op(.leftBrace, 1)
        case UInt8(ascii: "}"): return op(.rightBrace, 1)
        case UInt8(ascii: "["): return op(.leftBracket, 1)
        case UInt8(ascii: "]"): return op(.rightBracket, 1)
        case UInt8(ascii: ","): return op(.comma, 1)
        case UInt8(ascii: ":"): return op(.colon, 1)
        case UInt8(ascii: "@"): return op(.at, 1)
        case UInt8(ascii: "+"): return op(.add, 1)
        case UInt8(ascii: "-"): return op(.sub, 1)
        case UInt8(ascii: "*"): return op(.mul, 1)
        case UInt8(ascii: "/"): return op(.div, 1)
        case UInt8(ascii: "%"): return op(.mod, 1)
        case UInt8(ascii: "^"): return op(.pow, 1)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return op(.eql, 2) }
            if peek(1) == UInt8(ascii: "~") { return op(.eqlRegex, 2) }
            return op(.assign, 1)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return op(.neq, 2) }
            if peek(1) == UInt8(ascii: "~") { return op(.neqRegex, 2) }
            throw error("unexpected character after '!': \(describe(peek(1)))", start)
        case UInt8(ascii: "<"): return peek(1) == UInt8(ascii: "=") ? op(.lte, 2) : op(.lss, 1)
        case UInt8(ascii: ">"): return peek(1) == UInt8(ascii: "=") ? op(.gte, 2) : op(.gtr, 1)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"): return try lexString(quote: c)
        default: break
        }
        if Self.isDigit(c) || (c == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            return try lexNumberOrDuration()
        }
        if Self.isAlpha(c) || c == UInt8(ascii: ":") {
            var hasColon = false
            while let d = peek(), Self.isAlpha(d) || Self.isDigit(d) || d == UInt8(ascii: ":") {
                if d == UInt8(ascii: ":") { hasColon = true }
                pos += 1
            }
            let word = text(start)
            let lower = word.lowercased()
            if lower == "inf" || lower == "nan" { return Token(kind: .number, start: start, end: pos, text: word) }
            return Token(kind: hasColon ? .metricIdentifier : .identifier, start: start, end: pos, text: word)
        }
        throw error("unexpected character: \(describe(c))", start)
    }

    private func describe(_ c: UInt8?) -> String {
        guard let c else { return "end of input" }
        return "'\(Character(Unicode.Scalar(c)))'"
    }

    private func error(_ msg: String, _ at: Int) -> PromQLError {
        PromQLError(.parse, "\(positionPrefix(src, at)) parse error: \(msg)", position: at..<at + 1)
    }

    private mutating func lexNumberOrDuration() throws(PromQLError) -> Token {
        let start = pos
        if peek() == UInt8(ascii: "0"), let x = peek(1), x | 0x20 == UInt8(ascii: "x") {
            pos += 2
            while let d = peek(), Self.isHex(d) { pos += 1 }
            return Token(kind: .number, start: start, end: pos, text: text(start))
        }
        // Durations: one or more <integer><unit> groups.
        if let end = durationEnd(from: pos) {
            pos = end
            return Token(kind: .duration, start: start, end: pos, text: text(start))
        }
        while let d = peek(), Self.isDigit(d) { pos += 1 }
        if peek() == UInt8(ascii: ".") {
            pos += 1
            while let d = peek(), Self.isDigit(d) { pos += 1 }
        }
        if let e = peek(), e | 0x20 == UInt8(ascii: "e") {
            var p = pos + 1
            if p < src.count, src[p] == UInt8(ascii: "+") || src[p] == UInt8(ascii: "-") { p += 1 }
            if p < src.count, Self.isDigit(src[p]) {
                pos = p
                while let d = peek(), Self.isDigit(d) { pos += 1 }
            }
        }
        if let d = peek(), Self.isAlpha(d) {
            throw error("bad number or duration syntax: \"\(text(start))\(Character(Unicode.Scalar(d)))\"", start)
        }
        return Token(kind: .number, start: start, end: pos, text: text(start))
    }

    /// The end of a duration like `1h30m` starting at `from`, or nil if the text there is not one.
    private func durationEnd(from: Int) -> Int? {
        var p = from
        var groups = 0
        while p < src.count, Self.isDigit(src[p]) {
            var q = p
            while q < src.count, Self.isDigit(src[q]) { q += 1 }
            guard q < src.count else { break }
            let u = src[q]
            var unitLen = 0
            if u == UInt8(ascii: "m"), q + 1 < src.count, src[q + 1] == UInt8(ascii: "s") {
                unitLen = 2
            } else if [
                UInt8(ascii: "s"), UInt8(ascii: "m"), UInt8(ascii: "h"), UInt8(ascii: "d"),
                UInt8(ascii: "w"), UInt8(ascii: "y"),
            ].contains(u) {
                unitLen = 1
            }
            if unitLen == 0 { break }
            let after = q + unitLen
            if after < src.count, Self.isAlpha(src[after]) { return nil }
            p = after
            groups += 1
        }
        if groups == 0 { return nil }
        if p < src.count, Self.isDigit(src[p]) || src[p] == UInt8(ascii: ".") { return nil }
        return p
    }

    private mutating func lexString(quote: UInt8) throws(PromQLError) -> Token {
        let start = pos
        pos += 1
        var bytes: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated quoted string", start) }
            pos += 1
            if c == quote { break }
            if quote == UInt8(ascii: "`") {
                bytes.append(c)
                continue
            }
            if c == 10 { throw error("unterminated quoted string", start) }
            if c != UInt8(ascii: "\\") {
                bytes.append(c)
                continue
            }
            try lexEscape(quote: quote, into: &bytes)
        }
        let value = String(decoding: bytes, as: UTF8.self)
        return Token(kind: .string, start: start, end: pos, text: value, bytes: bytes)
    }

    private mutating func lexEscape(quote: UInt8, into bytes: inout [UInt8]) throws(PromQLError) {
        let at = pos - 1
        guard let e = peek() else { throw error("unterminated quoted string", at) }
        pos += 1
        switch e {
        case UInt8(ascii: "a"): bytes.append(7)
        case UInt8(ascii: "b"): bytes.append(8)
        case UInt8(ascii: "f"): bytes.append(12)
        case UInt8(ascii: "n"): bytes.append(10)
        case UInt8(ascii: "r"): bytes.append(13)
        case UInt8(ascii: "t"): bytes.append(9)
        case UInt8(ascii: "v"): bytes.append(11)
        case UInt8(ascii: "\\"): bytes.append(92)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            guard e == quote else { throw error("unknown escape sequence", at) }
            bytes.append(e)
        case UInt8(ascii: "x"):
            bytes.append(UInt8(try hexDigits(2, at)))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let v = try hexDigits(e == UInt8(ascii: "u") ? 4 : 8, at)
            guard let scalar = Unicode.Scalar(v) else {
                throw error("escape sequence is an invalid Unicode code point", at)
            }
            bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var v = UInt32(e - 48)
            for _ in 0..<2 {
                guard let d = peek(), d >= 48, d <= 55 else { throw error("unknown escape sequence", at) }
                v = v * 8 + UInt32(d - 48)
                pos += 1
            }
            guard v <= 255 else { throw error("octal escape value > 255: \(v)", at) }
            bytes.append(UInt8(v))
        default:
            throw error("unknown escape sequence", at)
        }
    }

    private mutating func hexDigits(_ n: Int, _ at: Int) throws(PromQLError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<n {
            guard let d = peek(), Self.isHex(d) else { throw error("illegal character in escape sequence", at) }
            let digit = Self.isDigit(d) ? UInt32(d - 48) : UInt32((d | 0x20) - 87)
            v = v * 16 + digit
            pos += 1
        }
        return v
    }
}

/// `line:column:` (both 1-based) of byte offset `at`, the prefix of Prometheus parse errors.
func positionPrefix(_ src: [UInt8], _ at: Int) -> String {
    var line = 1
    var lineStart = 0
    for i in 0..<min(at, src.count) where src[i] == 10 {
        line += 1
        lineStart = i + 1
    }
    return "\(line):\(at - lineStart + 1):"
}
