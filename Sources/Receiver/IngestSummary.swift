/// What happened to one write request: counts of accepted data and of rejections by reason.
///
/// One bad sample never fails a batch: the rest is appended and the summary says what was refused,
/// so the HTTP layer can answer 400 with the first problems while keeping the valid data.
public struct IngestSummary: Sendable, Equatable {
    /// Why data was refused; the raw value is the `reason` label of the rejection metric.
    public enum Reason: String, Sendable, CaseIterable {
        case outOfOrder = "out_of_order"
        case tooOld = "too_old"
        case tooFarInFuture = "too_far_in_future"
        case duplicateTimestamp = "duplicate_timestamp"
        case invalidLabels = "invalid_labels"
        case missingMetricName = "missing_metric_name"
        case labelLimit = "label_limit"
        case seriesLimit = "series_limit"
        case unsupported = "unsupported"
    }

    /// Problems kept verbatim for the response body; the rest are only counted.
    public static let maxProblems = 10

    public var acceptedSamples = 0
    public var acceptedHistograms = 0
    public var acceptedExemplars = 0
    public var acceptedSeries = 0
    public private(set) var rejected: [Reason: Int] = [:]
    public private(set) var problems: [String] = []

    public init() {}

    /// Total refused samples and series.
    public var rejectedCount: Int { rejected.values.reduce(0, +) }

    /// Records `count` refused items for `reason`, keeping `message` if there is room.
    public mutating func reject(_ reason: Reason, count: Int = 1, _ message: @autoclosure () -> String) {
        rejected[reason, default: 0] += count
        if problems.count < Self.maxProblems { problems.append("\(reason.rawValue): \(message())") }
    }

    /// The 400 response body: the first problems, one per line, and a count of the rest.
    public var errorBody: String {
        var lines = problems
        let hidden = rejectedCount - problems.count
        if hidden > 0 { lines.append("… and \(hidden) more rejected") }
        return lines.joined(separator: "\n")
    }
}
