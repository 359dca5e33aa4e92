/// Prometheus' duration syntax (`model.Duration`): units `ms s m h d w y` in decreasing order,
/// e.g. `1h30m`, `10m`, `2d`. Used for flags and config files.
public enum PrometheusDuration {
    /// Milliseconds for a duration string.
    /// - Throws: ``PrometheusDurationError`` for an empty string, an unknown unit, units out of order,
    ///   or an overflow.
    public static func parseMilliseconds(_ text: String) throws -> Int64 {
        if text == "0" { return 0 }
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
            ("s", 1000), ("ms", 1),
        ]
        var rest = Substring(text)
        var total: Int64 = 0
        var lastUnit = -1
        guard !rest.isEmpty else { throw PrometheusDurationError(text: text, reason: "empty duration") }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits) else {
                throw PrometheusDurationError(text: text, reason: "expected a number at \"\(rest)\"")
            }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let index = units.firstIndex(where: { $0.0 == unitText }) else {
                throw PrometheusDurationError(text: text, reason: "unknown unit \"\(unitText)\" (use ms, s, m, h, d, w, y)")
            }
            guard index > lastUnit else { throw PrometheusDurationError(text: text, reason: "units out of order") }
            lastUnit = index
            rest = rest.dropFirst(unitText.count)
            let (product, o1) = n.multipliedReportingOverflow(by: units[index].1)
            let (sum, o2) = total.addingReportingOverflow(product)
            guard !o1 && !o2 else { throw PrometheusDurationError(text: text, reason: "too large") }
            total = sum
        }
        return total
    }

    /// The canonical text of a duration in milliseconds, e.g. `1h30m`.
    public static func format(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var ms = milliseconds
        var out = ""
        for (unit, size) in [("y", Int64(365 * 86_400_000)), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if ms >= size {
                out += "\(ms / size)\(unit)"
                ms %= size
            }
        }
        return out
    }
}

/// A duration string that does not parse.
public struct PrometheusDurationError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var reason: String
    public var description: String { "invalid duration \"\(text)\": \(reason)" }
}
