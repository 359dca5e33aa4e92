public import PromModel

/// A pull parser for Prometheus text 0.0.4 and OpenMetrics 1.0 expositions.
///
/// It validates each line without allocating and hands out ``TextExpositionEntry`` values whose
/// `series` range points into ``bytes``; call ``labels(of:)`` only for series not seen before.
/// Histograms and summaries come out as their classic series (`_bucket`, `_sum`, `_count`,
/// quantiles). OpenMetrics `_created` series of counters, histograms and summaries come out as
/// ordinary series, as Prometheus 2.x stores them; exemplars are parsed and attached to their sample.
public struct TextExpositionParser {
    /// The exposition being parsed.
    public let bytes: [UInt8]
    /// The format rules applied.
    public let format: TextExpositionFormat
    /// Families declared by `# TYPE` lines so far.
    public private(set) var types: [String: MetricFamilyType] = [:]
    /// `# HELP` texts so far, by family (escape sequences `\\` and `\n` resolved).
    public private(set) var helps: [String: String] = [:]
    /// `# UNIT` values so far, by family (OpenMetrics).
    public private(set) var units: [String: String] = [:]

    private let maxLineLength: Int
    private var pos = 0
    private var line = 0
    private var sawEOF = false

    /// Creates a parser over a complete body.
    /// - Parameter maxLineLength: longer lines are rejected, bounding the work per line.
    public init(bytes: [UInt8], format: TextExpositionFormat, maxLineLength: Int = 1 << 20) {
        self.bytes = bytes
        self.format = format
        self.maxLineLength = maxLineLength
    }

    /// The next sample, or nil at the end of the exposition.
    /// - Throws: ``TextExpositionError`` naming the line of the first syntax error.
    public mutating func next() throws(TextExpositionError) -> TextExpositionEntry? {
        while pos < bytes.count {
            if sawEOF { throw TextExpositionError(line: line + 1, "content after # EOF") }
            let start = pos
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            pos = end + 1
            line += 1
            guard end - start <= maxLineLength else {
                throw TextExpositionError(line: line, "line longer than \(maxLineLength) bytes")
            }
            var lineEnd = end
            if format == .prometheusText {
                while lineEnd > start
                    && (bytes[lineEnd - 1] == 0x20 || bytes[lineEnd - 1] == 0x09 || bytes[lineEnd - 1] == 0x0D)
                {
                    lineEnd -= 1
                }
            }
            var first = start
            if format == .prometheusText {
                while first < lineEnd && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
            }
            if first == lineEnd {
                if format == .openMetrics { throw TextExpositionError(line: line, "empty line") }
                continue
            }
            if bytes[first] == UInt8(ascii: "#") {
                try comment(first, lineEnd)
                continue
            }
            if let entry = try sample(first, lineEnd) { return entry }
        }
        if format == .openMetrics && !sawEOF { throw TextExpositionError(line: line, "missing # EOF") }
        return nil
    }

    /// Parses the label set of a series range returned in an entry, `__name__` included.
    /// - Throws: ``TextExpositionError`` for a duplicated label name.
    public func labels(of entry: TextExpositionEntry) throws(TextExpositionError) -> Labels {
        var scanner = ByteScanner(bytes: bytes, pos: entry.series.lowerBound, end: entry.series.upperBound)
        let name = scanner.name(allowColon: true)
        var items = [Label(name: LabelName.metricName, value: String(decoding: bytes[name], as: UTF8.self))]
        if scanner.peek == UInt8(ascii: "{") {
            // The range was validated by next(), so the label block is well formed.
            _ = try? scanner.labelBlock { n, v in items.append(Label(name: n, value: v)) }
        }
        items.sort { $0.name < $1.name }
        for i in items.indices.dropFirst() where items[i].name == items[i - 1].name {
            throw TextExpositionError(line: entry.line, "duplicate label name \"\(items[i].name)\"")
        }
        return Labels(items)
    }

    private mutating func comment(_ start: Int, _ end: Int) throws(TextExpositionError) {
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: format == .prometheusText)
        let keyword = parts.count > 1 ? parts[1] : ""
        if format == .openMetrics && text == "# EOF" {
            sawEOF = true
            return
        }
        switch keyword {
        case "TYPE":
            guard parts.count == 4, let type = MetricFamilyType(rawValue: String(parts[3]).trimmed) else {
                throw TextExpositionError(line: line, "invalid TYPE line \"\(text)\"")
            }
            if format == .openMetrics && type == .untyped {
                throw TextExpositionError(line: line, "invalid metric type \"untyped\"")
            }
            let name = String(parts[2])
            types[name] = type
        case "HELP", "UNIT":
            if parts.count < 3 { throw TextExpositionError(line: line, "invalid \(keyword) line \"\(text)\"") }
            let value = parts.count > 3 ? String(parts[3]) : ""
            if keyword == "HELP" {
                helps[String(parts[2])] = Self.unescapeHelp(value)
            } else {
                units[String(parts[2])] = value
            }
        default:
            if format == .openMetrics { throw TextExpositionError(line: line, "invalid comment \"\(text)\"") }
        }
    }

    /// HELP text escapes: `\\` is a backslash and `\n` a newline (other sequences stay as written).
    static func unescapeHelp(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                out += c == "n" ? "\n" : (c == "\\" ? "\\" : "\\" + String(c))
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return escaped ? out + "\\" : out
    }

    private mutating func sample(_ start: Int, _ end: Int) throws(TextExpositionError) -> TextExpositionEntry? {
        var s = ByteScanner(bytes: bytes, pos: start, end: end)
        let name = s.name(allowColon: true)
        guard !name.isEmpty else { throw error(s, "expected metric name") }
        if s.peek == UInt8(ascii: "{") {
            do throws(ByteScanner.Failure) { try s.labelBlock(nil) } catch { throw self.error(s, error.message) }
        }
        let seriesEnd = s.pos
        guard s.skipBlanks(openMetrics: format == .openMetrics) else { throw error(s, "expected value after series") }
        guard let value = s.float() else { throw error(s, "invalid value \"\(s.token())\"") }
        var timestamp: Timestamp?
        var exemplar: ExpositionExemplar?
        if s.skipBlanks(openMetrics: format == .openMetrics), s.peek != UInt8(ascii: "#") {
            timestamp = try parseTimestamp(&s)
            _ = s.skipBlanks(openMetrics: format == .openMetrics)
        }
        if s.peek == UInt8(ascii: "#") {
            guard format == .openMetrics else { throw error(s, "unexpected \"#\" after value") }
            exemplar = try parseExemplar(&s)
        }
        guard s.atEnd else { throw error(s, "unexpected text \"\(s.token())\" at end of line") }
        return TextExpositionEntry(
            series: start..<seriesEnd, value: value, timestamp: timestamp, exemplar: exemplar, line: line)
    }

    private func parseTimestamp(_ s: inout ByteScanner) throws(TextExpositionError) -> Timestamp {
        let token = s.token()
        if format == .prometheusText {
            guard let ms = Int64(token) else { throw error(s, "invalid timestamp \"\(token)\"") }
            s.pos += token.utf8.count
            return Timestamp(ms: ms)
        }
        guard let ms = millisecondsFromSeconds(token) else { throw error(s, "invalid timestamp \"\(token)\"") }
        s.pos += token.utf8.count
        return Timestamp(ms: ms)
    }

    private func parseExemplar(_ s: inout ByteScanner) throws(TextExpositionError) -> ExpositionExemplar {
        s.pos += 1
        guard s.peek == 0x20 else { throw error(s, "expected space after \"#\"") }
        s.pos += 1
        guard s.peek == UInt8(ascii: "{") else { throw error(s, "expected exemplar labels") }
        var items: [Label] = []
        do throws(ByteScanner.Failure) {
            try s.labelBlock { n, v in items.append(Label(name: n, value: v)) }
        } catch { throw self.error(s, error.message) }
        guard s.skipBlanks(openMetrics: true), let value = s.float() else { throw error(s, "invalid exemplar value") }
        var timestamp: Timestamp?
        if s.skipBlanks(openMetrics: true) { timestamp = try parseTimestamp(&s) }
        let labels = Labels(items)
        let runes = labels.reduce(0) { $0 + $1.name.unicodeScalars.count + $1.value.unicodeScalars.count }
        if runes > 128 { throw error(s, "exemplar labels have \(runes) UTF-8 characters, more than 128") }
        return ExpositionExemplar(labels: labels, value: value, timestamp: timestamp)
    }

    private func error(_ s: ByteScanner, _ message: String) -> TextExpositionError {
        TextExpositionError(line: line, message)
    }
}

/// Milliseconds for an OpenMetrics timestamp in decimal seconds, rounded to the nearest millisecond.
func millisecondsFromSeconds(_ text: String) -> Int64? {
    if let whole = Int64(text) { return whole.multipliedReportingOverflow(by: 1000).overflow ? nil : whole * 1000 }
    guard let seconds = Double(text), seconds.isFinite, abs(seconds) < 9.2e15 else { return nil }
    return Int64((seconds * 1000).rounded())
}

extension String {
    fileprivate var trimmed: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
