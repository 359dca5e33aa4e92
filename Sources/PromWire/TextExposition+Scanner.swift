/// Byte-level tokens of the exposition formats, over one line of a buffer.
struct ByteScanner {
    struct Failure: Error { var message: String }

    let bytes: [UInt8]
    var pos: Int
    let end: Int

    init(bytes: [UInt8], pos: Int, end: Int) {
        self.bytes = bytes
        self.pos = pos
        self.end = end
    }

    var atEnd: Bool { pos >= end }
    var peek: UInt8? { pos < end ? bytes[pos] : nil }

    /// A metric (`allowColon`) or label name; empty when none starts here.
    mutating func name(allowColon: Bool) -> Range<Int> {
        let start = pos
        while pos < end {
            let c = bytes[pos]
            let letter = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (allowColon && c == 0x3A)
            let digit = c >= 0x30 && c <= 0x39
            guard letter || (digit && pos > start) else { break }
            pos += 1
        }
        return start..<pos
    }

    /// Skips spaces and tabs (exactly one space for OpenMetrics).
    /// - Returns: whether something was skipped and more text follows.
    mutating func skipBlanks(openMetrics: Bool) -> Bool {
        let start = pos
        if openMetrics {
            if peek == 0x20 { pos += 1 }
        } else {
            while let c = peek, c == 0x20 || c == 0x09 { pos += 1 }
        }
        return pos > start && !atEnd
    }

    /// The text up to the next blank, without consuming it.
    func token() -> String {
        var e = pos
        while e < end && bytes[e] != 0x20 && bytes[e] != 0x09 { e += 1 }
        return String(decoding: bytes[pos..<e], as: UTF8.self)
    }

    /// A float value in Go's syntax (`1`, `-1.5e3`, `NaN`, `+Inf`, `-Inf`), consuming it.
    mutating func float() -> Double? {
        let text = token()
        guard !text.isEmpty else { return nil }
        let v: Double?
        switch text {
        case "NaN": v = .nan
        case "+Inf", "Inf": v = .infinity
        case "-Inf": v = -.infinity
        default:
            // Swift accepts spellings Go rejects (e.g. "nan", "infinity"); only digits, signs, dots and
            // exponents are passed to it.
            guard
                text.utf8.allSatisfy({
                    ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45
                })
            else { return nil }
            v = Double(text)
        }
        if v != nil { pos += text.utf8.count }
        return v
    }

    /// Parses `{name="value",...}`, calling `emit` with each unescaped pair when given.
    mutating func labelBlock(_ emit: ((String, String) -> Void)?) throws(Failure) {
        pos += 1
        while true {
            skipSpaces()
            guard let c = peek else { throw Failure(message: "unterminated label set") }
            if c == UInt8(ascii: "}") {
                pos += 1
                return
            }
            let name = self.name(allowColon: false)
            guard !name.isEmpty else { throw Failure(message: "invalid label name at \"\(token())\"") }
            skipSpaces()
            guard peek == UInt8(ascii: "=") else { throw Failure(message: "expected \"=\" after label name") }
            pos += 1
            skipSpaces()
            guard peek == UInt8(ascii: "\"") else { throw Failure(message: "expected quoted label value") }
            pos += 1
            let value = try quoted(build: emit != nil)
            emit?(String(decoding: bytes[name], as: UTF8.self), value)
            skipSpaces()
            if peek == UInt8(ascii: ",") {
                pos += 1
            } else if peek != UInt8(ascii: "}") {
                throw Failure(message: "expected \",\" or \"}\" after label value")
            }
        }
    }

    private mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 { pos += 1 }
    }

    /// The rest of a quoted value after the opening quote, unescaping `\\`, `\"` and `\n`.
    private mutating func quoted(build: Bool) throws(Failure) -> String {
        let start = pos
        var escaped = false
        while pos < end {
            let c = bytes[pos]
            if c == UInt8(ascii: "\\") {
                guard pos + 1 < end else { break }
                // Like Prometheus, any escaped character is accepted; only \\, \" and \n are unescaped.
                escaped = true
                pos += 2
                continue
            }
            if c == UInt8(ascii: "\"") {
                let raw = bytes[start..<pos]
                pos += 1
                guard build else { return "" }
                return escaped ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
            }
            pos += 1
        }
        throw Failure(message: "unterminated label value")
    }

    private static func unescape(_ raw: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            if raw[i] == UInt8(ascii: "\\") && i + 1 < raw.endIndex {
                let n = raw[i + 1]
                switch n {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(n)
                default: out.append(contentsOf: [raw[i], n])
                }
                i += 2
            } else {
                out.append(raw[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
