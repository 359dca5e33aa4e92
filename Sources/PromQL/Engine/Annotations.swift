import Foundation
public import PromModel

/// A warning or info note about a query's result, as Prometheus 3 returns in `warnings` and `infos`.
///
/// Messages read exactly like Prometheus' (`PromQL info: metric might not be a counter, ...`); the position
/// (a byte offset into the query) is rendered as ` (line:column)` by ``text(query:)``.
public struct Annotation: Sendable, Hashable {
    /// Whether the note is a warning (possibly wrong result) or an info (possibly surprising result).
    public enum Severity: Sendable, Hashable { case warning, info }

    /// Warning or info.
    public var severity: Severity
    /// The text without position; annotations with equal messages are merged.
    public var message: String
    /// Byte offset of the expression the note is about, when it is about one.
    public var position: Int?
    /// Statistics of `histogram_quantile`'s forced-monotonicity info, merged over steps and series.
    var monotonicity: MonotonicityFix?

    /// Creates an annotation.
    public init(_ severity: Severity, _ message: String, position: Int? = nil) {
        self.severity = severity
        self.message = message
        self.position = position
    }

    /// The message as Prometheus' API prints it for `query`: details, then ` (line:column)`.
    public func text(query: String) -> String {
        var out = message
        if let m = monotonicity { out += m.description }
        if let position { out += " (\(lineColumn(Array(query.utf8), position)))" }
        return out
    }
}

/// Where and how much `histogram_quantile` had to fix bucket counts.
struct MonotonicityFix: Sendable, Hashable, CustomStringConvertible {
    var minTs: Int64
    var maxTs: Int64
    var minBucket: Double
    var maxBucket: Double
    var maxDiff: Double
    var count = 0

    mutating func merge(_ o: MonotonicityFix) {
        minTs = min(minTs, o.minTs)
        maxTs = max(maxTs, o.maxTs)
        minBucket = min(minBucket, o.minBucket)
        maxBucket = max(maxBucket, o.maxBucket)
        maxDiff = max(maxDiff, o.maxDiff)
        count += o.count + 1
    }

    var description: String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        let start = f.string(from: Date(timeIntervalSince1970: Double(minTs / 1000)))
        let end = f.string(from: Date(timeIntervalSince1970: Double(maxTs / 1000)))
        return ", from buckets \(GoFloat.g(minBucket)) to \(GoFloat.g(maxBucket)), with a max diff of "
            + "\(GoFloat.g(maxDiff, precision: 2)), over \(count + 1) samples from \(start) to \(end)"
    }
}

/// The annotations of one query, deduplicated by message, in the order they were first raised.
public struct Annotations: Sendable {
    private var items: [Annotation] = []
    private var index: [String: Int] = [:]

    /// No annotations.
    public init() {}

    /// All annotations, warnings and infos mixed.
    public var all: [Annotation] { items }
    /// Whether there are none.
    public var isEmpty: Bool { items.isEmpty }

    /// Adds `a` unless an annotation with the same message exists (then monotonicity statistics are merged).
    public mutating func add(_ a: Annotation) {
        if let k = index[a.message] {
            if let m = a.monotonicity { items[k].monotonicity?.merge(m) }
            return
        }
        index[a.message] = items.count
        items.append(a)
    }

    /// Adds every annotation of `other`.
    public mutating func merge(_ other: Annotations) { for a in other.items { add(a) } }

    /// Warnings and infos as the API prints them, each list capped at `limit` (0: no cap) with a final
    /// "N more ... annotations omitted" line, as Prometheus does.
    public func strings(query: String, limit: Int = 0) -> (warnings: [String], infos: [String]) {
        var warnings: [String] = [], infos: [String] = []
        var skippedWarnings = 0, skippedInfos = 0
        for a in items {
            if a.severity == .info {
                if limit == 0 || infos.count < limit { infos.append(a.text(query: query)) } else { skippedInfos += 1 }
            } else {
                if limit == 0 || warnings.count < limit {
                    warnings.append(a.text(query: query))
                } else {
                    skippedWarnings += 1
                }
            }
        }
        if skippedWarnings > 0 { warnings.append("\(skippedWarnings) more warning annotations omitted") }
        if skippedInfos > 0 { infos.append("\(skippedInfos) more info annotations omitted") }
        return (warnings, infos)
    }
}

extension Annotation {
    static func warning(_ text: String, _ position: Int?) -> Annotation {
        Annotation(.warning, "PromQL warning: " + text, position: position)
    }

    static func info(_ text: String, _ position: Int?) -> Annotation {
        Annotation(.info, "PromQL info: " + text, position: position)
    }

    static func forSuffix(_ metricName: String) -> String {
        metricName.isEmpty ? "" : " for metric name \(goQuote(Array(metricName.utf8)))"
    }

    static func invalidQuantile(_ q: Double, _ position: Int?) -> Annotation {
        .warning("quantile value should be between 0 and 1, got \(GoFloat.g(q))", position)
    }

    static func invalidRatio(_ r: Double, cappedTo: Double, _ position: Int?) -> Annotation {
        .warning(
            "ratio value should be between -1 and 1, got \(GoFloat.g(r)), capping to \(GoFloat.g(cappedTo))", position)
    }

    static func badBucketLabel(metricName: String, le: String, _ position: Int?) -> Annotation {
        .warning(
            "bucket label \"le\" is missing or has a malformed value of \(goQuote(Array(le.utf8)))"
                + forSuffix(metricName), position)
    }

    static func possibleNonCounter(_ metricName: String, _ position: Int?) -> Annotation {
        .info(
            "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
                + goQuote(Array(metricName.utf8)), position)
    }

    static func forcedMonotonicity(metricName: String, _ position: Int?, fix: MonotonicityFix) -> Annotation {
        var a = Annotation.info(
            "input to histogram_quantile needed to be fixed for monotonicity (see "
                + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                + forSuffix(metricName), position)
        a.monotonicity = fix
        return a
    }

    static func sortInRangeQuery(_ position: Int?) -> Annotation {
        .warning("sort is ineffective for range queries since results are always ordered by labels", position)
    }
}

/// `line:column` (1-based, column in bytes) of a byte offset, as Prometheus prints positions.
func lineColumn(_ src: [UInt8], _ at: Int) -> String {
    guard at >= 0 && at <= src.count else { return "invalid position" }
    var line = 1
    var lineStart = 0
    for i in 0..<at where src[i] == 10 {
        line += 1
        lineStart = i + 1
    }
    return "\(line):\(at - lineStart + 1)"
}

/// Go's `%g` formatting of floats, for messages that must read like Prometheus'.
enum GoFloat {
    /// `fmt.Sprintf("%g", v)` (shortest digits) or `"%.<precision>g"`.
    static func g(_ v: Double, precision: Int? = nil) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let negative = v.sign == .minus
        var (digits, dp) = decimalDigits(abs(v))
        var eprec = 6
        if let p = precision {
            let prec = max(1, p)
            (digits, dp) = round(digits, dp, to: prec)
            eprec = prec
            if eprec > digits.count && digits.count >= dp { eprec = digits.count }
        }
        let exp = dp - 1
        var out = negative ? "-" : ""
        if exp < -4 || exp >= eprec {
            out.append(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += exp < 0 ? "e-" : "e+"
            let e = abs(exp)
            out += e < 10 ? "0\(e)" : "\(e)"
            return out
        }
        if dp <= 0 {
            out += "0." + String(repeating: "0", count: -dp) + digits
        } else if dp >= digits.count {
            out += digits + String(repeating: "0", count: dp - digits.count)
        } else {
            let i = digits.index(digits.startIndex, offsetBy: dp)
            out += digits[..<i] + "." + digits[i...]
        }
        return out
    }

    /// Shortest round-trip decimal digits of a finite non-negative value and the decimal point position
    /// (`0.0125` → ("125", -1)); zero is ("0", 1).
    static func decimalDigits(_ v: Double) -> (String, Int) {
        if v == 0 { return ("0", 1) }
        let text = "\(v)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var dp = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            dp -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, dp)
    }

    /// Rounds decimal digits half-up to `n` significant digits, trimming trailing zeros.
    static func round(_ digits: String, _ dp: Int, to n: Int) -> (String, Int) {
        guard digits.count > n else { return (digits, dp) }
        var d = Array(digits.utf8).map { Int($0) - 48 }
        let roundUp = d[n] >= 5
        d = Array(d[..<n])
        var dp = dp
        if roundUp {
            var i = n - 1
            while i >= 0 {
                d[i] += 1
                if d[i] < 10 { break }
                d[i] = 0
                i -= 1
            }
            if i < 0 {
                d.insert(1, at: 0)
                d.removeLast()
                dp += 1
            }
        }
        while d.count > 1 && d.last == 0 { d.removeLast() }
        return (String(d.map { Character(String($0)) }), dp)
    }
}
