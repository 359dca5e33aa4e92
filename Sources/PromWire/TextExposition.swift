public import PromModel

/// The two text exposition formats a scrape may return.
public enum TextExpositionFormat: Sendable, Hashable {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheusText
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
    case openMetrics

    /// The format announced by a `Content-Type` header; anything unknown is parsed as Prometheus text,
    /// which is what Prometheus does for a missing or odd header.
    public init(contentType: String?) {
        let media = contentType?.split(separator: ";").first?.trimmingSpaces.lowercased() ?? ""
        self = media == "application/openmetrics-text" ? .openMetrics : .prometheusText
    }
}

/// A metric family type from a `# TYPE` line.
public enum MetricFamilyType: String, Sendable, Hashable {
    case counter, gauge, histogram, gaugehistogram, summary, info, stateset, untyped, unknown
}

/// An OpenMetrics exemplar as exposed (its timestamp is optional, unlike the remote-write ``Exemplar``)
/// attached to a sample (`# {trace_id="x"} 1.0 1520879607.789`).
public struct ExpositionExemplar: Sendable, Hashable {
    /// The exemplar's own labels.
    public var labels: Labels
    /// The exemplar value.
    public var value: Double
    /// The exemplar timestamp, if present.
    public var timestamp: Timestamp?

    public init(labels: Labels, value: Double, timestamp: Timestamp?) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (a: ExpositionExemplar, b: ExpositionExemplar) -> Bool {
        a.labels == b.labels && a.value.bitPattern == b.value.bitPattern && a.timestamp == b.timestamp
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(value.bitPattern)
        hasher.combine(timestamp)
    }
}

/// One sample line of an exposition.
///
/// `series` is the byte range of `name{labels}` in the parser's buffer, exactly as exposed. Scrape
/// loops use those bytes as a cache key, so a series seen before never needs ``TextExpositionParser/labels(of:)``.
public struct TextExpositionEntry: Sendable {
    /// Byte range of the metric name and label block in the parsed buffer.
    public var series: Range<Int>
    /// The sample value.
    public var value: Double
    /// The sample's own timestamp, when the exposition has one.
    public var timestamp: Timestamp?
    /// The exemplar (OpenMetrics only).
    public var exemplar: ExpositionExemplar?
    /// The 1-based line number, for error messages.
    public var line: Int
}

/// A malformed exposition, with the 1-based line where parsing stopped.
public struct TextExpositionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number (0 when the problem is the body as a whole).
    public var line: Int
    /// What was wrong, with the offending text.
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
