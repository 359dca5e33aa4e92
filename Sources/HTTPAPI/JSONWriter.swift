/// Writes JSON straight into bytes: query results can hold millions of points, and building
/// dictionaries for `JSONEncoder` would cost more than the query.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(contentsOf: [0x5c, 0x22])
            case 0x5c: bytes.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: bytes.append(contentsOf: [0x5c, 0x6e])
            case 0x0d: bytes.append(contentsOf: [0x5c, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5c, 0x74])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5c, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xf)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    mutating func bytesAppend(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func int(_ v: Int) { bytes.append(contentsOf: String(v).utf8) }

    /// A timestamp in milliseconds as Prometheus prints it: seconds with up to three decimals.
    mutating func timestamp(_ ms: Int64) {
        let negative = ms < 0
        let abs = ms.magnitude
        if negative { bytes.append(0x2d) }
        bytes.append(contentsOf: String(abs / 1000).utf8)
        let frac = abs % 1000
        if frac != 0 {
            var digits = String(frac)
            while digits.count < 3 { digits = "0" + digits }
            while digits.hasSuffix("0") { digits.removeLast() }
            bytes.append(0x2e)
            bytes.append(contentsOf: digits.utf8)
        }
    }

    /// A sample value as a JSON string, formatted like Go's `strconv.FormatFloat(v, 'f', -1, 64)`.
    mutating func value(_ v: Double) {
        bytes.append(0x22)
        bytes.append(contentsOf: PrometheusFloat.format(v).utf8)
        bytes.append(0x22)
    }

    mutating func labels(_ items: some Sequence<(String, String)>) {
        bytes.append(0x7b)
        var first = true
        for (k, v) in items {
            if !first { bytes.append(0x2c) }
            first = false
            string(k)
            bytes.append(0x3a)
            string(v)
        }
        bytes.append(0x7d)
    }
}

/// Float text as Prometheus' API prints it: shortest round-trip digits, never an exponent,
/// `+Inf`, `-Inf` and `NaN` for the special values.
enum PrometheusFloat {
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let text = v.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        // Expand d.ddde±x into plain digits.
        let mantissa = text[..<e]
        let exponent = Int(text[text.index(after: e)...])!
        let negative = mantissa.hasPrefix("-")
        let unsigned = negative ? mantissa.dropFirst() : mantissa[...]
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: -point + 1) + digits
            point = 1
        } else if point > digits.count {
            digits += String(repeating: "0", count: point - digits.count)
        }
        var out = String(digits.prefix(point))
        var rest = String(digits.dropFirst(point))
        while rest.hasSuffix("0") { rest.removeLast() }
        if !rest.isEmpty { out += "." + rest }
        return (negative ? "-" : "") + out
    }
}
