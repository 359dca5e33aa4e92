/// Go's `%q` rendering of bytes that may not be valid UTF-8, used in Prometheus error messages.
func goQuote(_ bytes: [UInt8]) -> String {
    var out = "\""
    var k = 0
    while k < bytes.count {
        let b = bytes[k]
        if b < 0x80 {
            switch b {
            case 34: out += "\\\""
            case 92: out += "\\\\"
            case 10: out += "\\n"
            case 9: out += "\\t"
            case 13: out += "\\r"
            case 0x20..<0x7f: out.append(Character(Unicode.Scalar(b)))
            default: out += "\\x" + String(b, radix: 16).leftPadded(2)
            }
            k += 1
            continue
        }
        // Find the length of a valid UTF-8 sequence starting here, if any.
        let len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
        if len > 0, k + len <= bytes.count, let s = String(validating: bytes[k..<k + len], as: UTF8.self) {
            out += s
            k += len
        } else {
            out += "\\x" + String(b, radix: 16).leftPadded(2)
            k += 1
        }
    }
    return out + "\""
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
