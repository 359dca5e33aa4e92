public import PromModel

/// Checks one incoming series' labels against the Prometheus data model and a tenant's limits.
///
/// Returns the normalized ``Labels`` or the reason and message of a rejection; it never throws,
/// because a bad series is counted, not fatal.
public struct SeriesValidator: Sendable {
    public let limits: TenantLimits

    public init(limits: TenantLimits) { self.limits = limits }

    public enum Outcome: Sendable {
        case valid(Labels)
        case invalid(IngestSummary.Reason, String)
    }

    /// Validates labels in wire order (duplicates are detected before normalization).
    public func validate(_ wire: [Label]) -> Outcome {
        if wire.isEmpty { return .invalid(.invalidLabels, "series with no labels") }
        if limits.maxLabelsPerSeries > 0 && wire.count > limits.maxLabelsPerSeries {
            return .invalid(
                .labelLimit,
                "series \(describe(wire)) has \(wire.count) labels, more than the limit max_labels_per_series=\(limits.maxLabelsPerSeries)")
        }
        var sortedNames = true
        for (i, l) in wire.enumerated() {
            if l.name.isEmpty { return .invalid(.invalidLabels, "series \(describe(wire)) has an empty label name") }
            if limits.maxLabelNameLength > 0 && l.name.utf8.count > limits.maxLabelNameLength {
                return .invalid(
                    .labelLimit,
                    "label name \"\(l.name.prefix(64))…\" of series \(describe(wire)) is \(l.name.utf8.count) bytes, more than max_label_name_length=\(limits.maxLabelNameLength)")
            }
            if limits.maxLabelValueLength > 0 && l.value.utf8.count > limits.maxLabelValueLength {
                return .invalid(
                    .labelLimit,
                    "value of label \"\(l.name)\" of series \(describe(wire)) is \(l.value.utf8.count) bytes, more than max_label_value_length=\(limits.maxLabelValueLength)")
            }
            if i > 0 && !(wire[i - 1].name < l.name) { sortedNames = false }
        }
        // Senders sort labels by name; only unsorted input needs the duplicate check by set.
        if !sortedNames {
            var seen = Set<String>()
            for l in wire where !seen.insert(l.name).inserted {
                return .invalid(.invalidLabels, "series \(describe(wire)) has duplicate label name \"\(l.name)\"")
            }
        }
        let labels = sortedNames ? Labels(sortedUnchecked: wire.filter { !$0.value.isEmpty }) : Labels(wire)
        if labels.get(LabelName.metricName) == nil {
            return .invalid(.missingMetricName, "series \(describe(wire)) has no metric name (__name__)")
        }
        return .valid(labels)
    }

    private func describe(_ wire: [Label]) -> String {
        let text = "{" + wire.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
        return text.count > 256 ? String(text.prefix(256)) + "…}" : text
    }
}
