import PromModel
public import PromQL

/// A recording rule: stores an expression's result under a new metric name.
public struct RecordingRule: Sendable {
    /// The metric name results are written as.
    public let name: String
    /// The expression text.
    public let exprText: String
    /// The parsed expression.
    public let expr: Expr
    /// Labels set on every result, overriding the result's own.
    public let labels: [String: String]

    /// Creates a rule.
    /// - Throws: ``RulesError`` when the expression does not parse.
    public init(name: String, expr: String, labels: [String: String] = [:]) throws {
        self.name = name
        self.exprText = expr
        do { self.expr = try PromQLParser.parse(expr) } catch {
            throw RulesError(.invalidRuleFile, "record \"\(name)\": could not parse expression: \(error)")
        }
        self.labels = labels
    }

    /// The samples to write for one evaluation's result.
    /// - Throws: ``RulesError`` for duplicate label sets after relabelling or an exceeded `limit` (0: none).
    public func apply(_ vector: [RuleSample], limit: Int = 0) throws -> [RuleSample] {
        var seen = Set<Labels>()
        var out: [RuleSample] = []
        out.reserveCapacity(vector.count)
        for element in vector {
            var l = element.labels.setting(LabelName.metricName, to: name)
            for (k, v) in labels { l = l.setting(k, to: v) }
            guard seen.insert(l).inserted else {
                throw RulesError(
                    .evaluation, "record \"\(name)\": vector contains metrics with the same labelset after applying rule labels")
            }
            out.append(RuleSample(labels: l, v: element.v))
        }
        if limit > 0 && out.count > limit {
            throw RulesError(.limit, "record \"\(name)\": exceeded limit of \(limit) with \(out.count) series")
        }
        return out
    }
}

/// A rule of a group.
public enum Rule: Sendable {
    case recording(RecordingRule)
    case alerting(AlertingRule)

    /// The record or alert name.
    public var name: String {
        switch self {
        case .recording(let r): return r.name
        case .alerting(let a): return a.name
        }
    }

    /// The parsed expression.
    public var expr: Expr {
        switch self {
        case .recording(let r): return r.expr
        case .alerting(let a): return a.expr
        }
    }

    /// The expression text.
    public var exprText: String {
        switch self {
        case .recording(let r): return r.exprText
        case .alerting(let a): return a.exprText
        }
    }

    /// Builds a rule from a validated spec; group labels apply unless the rule sets the same label.
    /// - Throws: ``RulesError`` when the spec is invalid.
    public init(spec: RuleSpec, groupLabels: [String: String] = [:], restored: Bool = true) throws {
        let labels = groupLabels.merging(spec.labels) { _, rule in rule }
        if let record = spec.record, !record.isEmpty {
            self = .recording(try RecordingRule(name: record, expr: spec.expr, labels: labels))
            return
        }
        let hold = try spec.forDuration.map(PrometheusDuration.parseMilliseconds) ?? 0
        let keep = try spec.keepFiringFor.map(PrometheusDuration.parseMilliseconds) ?? 0
        self = .alerting(
            try AlertingRule(
                name: spec.alert ?? "", expr: spec.expr, holdMs: hold, keepFiringForMs: keep, labels: labels,
                annotations: spec.annotations, restored: restored))
    }
}
