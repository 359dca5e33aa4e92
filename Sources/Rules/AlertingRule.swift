public import PromModel
public import PromQL

/// An alerting rule and the state of its alerts: a pure state machine that the owning
/// ``RuleGroup`` feeds query results and timestamps, and whose outputs the group writes and sends.
public struct AlertingRule: Sendable {
    /// The alert name (`alertname` label).
    public let name: String
    /// The expression text, for links and APIs.
    public let exprText: String
    /// The parsed expression.
    public let expr: Expr
    /// The `for` duration in milliseconds.
    public let holdMs: Int64
    /// The `keep_firing_for` duration in milliseconds.
    public let keepFiringForMs: Int64
    /// The rule's `labels` as written (templates unexpanded), for the rules API.
    public let labels: [String: String]
    /// The rule's `annotations` as written (templates unexpanded), for the rules API.
    public let annotations: [String: String]
    /// Label templates, by label name.
    let labelTemplates: [(String, Template)]
    /// Annotation templates, by annotation name.
    let annotationTemplates: [(String, Template)]
    /// Active and recently resolved alerts, by their labels.
    public private(set) var active: [Labels: Alert] = [:]
    /// False until for-state was restored after a restart; until then no `ALERTS` series are written.
    public internal(set) var restored: Bool

    /// How long a resolved alert is kept so the resolution is resent (Prometheus: 15 minutes).
    static let resolvedRetentionMs: Int64 = 15 * 60_000

    /// Creates a rule.
    /// - Throws: ``RulesError`` when the expression or a template does not parse.
    public init(
        name: String, expr: String, holdMs: Int64 = 0, keepFiringForMs: Int64 = 0, labels: [String: String] = [:],
        annotations: [String: String] = [:], restored: Bool = true
    ) throws {
        self.name = name
        self.exprText = expr
        do { self.expr = try PromQLParser.parse(expr) } catch {
            throw RulesError(.invalidRuleFile, "alert \"\(name)\": could not parse expression: \(error)")
        }
        self.holdMs = holdMs
        self.keepFiringForMs = keepFiringForMs
        self.labels = labels
        self.annotations = annotations
        labelTemplates = try labels.sorted { $0.key < $1.key }.map { ($0.key, try Template($0.value, name: "__alert_\(name)")) }
        annotationTemplates = try annotations.sorted { $0.key < $1.key }.map {
            ($0.key, try Template($0.value, name: "__alert_\(name)"))
        }
        self.restored = restored
    }

    /// Applies one evaluation's query result, advancing every alert's state.
    ///
    /// - Parameters:
    ///   - vector: the query result at `ts`.
    ///   - ts: the evaluation time.
    ///   - limit: most active alerts allowed; 0 for no limit.
    /// - Returns: the `ALERTS` and `ALERTS_FOR_STATE` samples to write (none until ``restored``).
    /// - Throws: ``RulesError`` for duplicate label sets or an exceeded limit; all alerts are then dropped
    ///   on a limit error, as in Prometheus.
    public mutating func apply(
        _ vector: [RuleSample], at ts: Timestamp, limit: Int = 0, context: TemplateContext = TemplateContext()
    ) throws -> [RuleSample] {
        var current: [Labels: Alert] = [:]
        for element in vector {
            let data = TemplateData(
                labels: Dictionary(element.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                value: element.v, externalLabels: context.externalLabels, externalURL: context.externalURL)
            var labels = element.labels.removing([LabelName.metricName])
            for (name, template) in labelTemplates { labels = labels.setting(name, to: Self.expand(template, data)) }
            labels = labels.setting("alertname", to: name)
            var annotations = Labels()
            for (name, template) in annotationTemplates {
                annotations = annotations.setting(name, to: Self.expand(template, data))
            }
            guard current[labels] == nil else {
                throw RulesError(
                    .evaluation, "alert \"\(name)\": vector contains metrics with the same labelset after applying alert labels")
            }
            current[labels] = Alert(labels: labels, annotations: annotations, value: element.v, activeAt: ts)
        }
        for (key, alert) in current {
            if var existing = active[key], existing.state != .inactive {
                existing.value = alert.value
                existing.annotations = alert.annotations
                active[key] = existing
            } else {
                active[key] = alert
            }
        }
        var samples: [RuleSample] = []
        var activeCount = 0
        for key in active.keys.sorted() {
            var alert = active[key]!
            if current[key] == nil {
                var keepFiring = false
                if alert.state == .firing && keepFiringForMs > 0 {
                    let since = alert.keepFiringSince ?? ts
                    alert.keepFiringSince = since
                    keepFiring = ts.ms - since.ms < keepFiringForMs
                }
                if !keepFiring {
                    if alert.state == .pending
                        || (alert.resolvedAt.map { ts.ms - $0.ms > Self.resolvedRetentionMs } ?? false)
                    {
                        active[key] = nil
                        continue
                    }
                    if alert.state != .inactive {
                        alert.state = .inactive
                        alert.resolvedAt = ts
                    }
                    active[key] = alert
                    continue
                }
            } else if alert.state != .inactive {
                alert.keepFiringSince = nil
            }
            activeCount += 1
            if alert.state == .pending && ts.ms - alert.activeAt.ms >= holdMs {
                alert.state = .firing
                alert.firedAt = ts
            }
            active[key] = alert
            if restored {
                samples.append(RuleSample(labels: Self.alertsSeries(alert), v: 1))
                samples.append(RuleSample(labels: Self.forStateSeries(alert.labels), v: Double(alert.activeAt.ms / 1000)))
            }
        }
        if limit > 0 && activeCount > limit {
            active = [:]
            throw RulesError(.limit, "alert \"\(name)\": exceeded limit of \(limit) with \(activeCount) alerts")
        }
        return samples
    }

    /// Alerts due to be sent at `ts`, marking them sent.
    ///
    /// - Parameters:
    ///   - resendDelayMs: how often a firing alert is resent.
    ///   - intervalMs: the group's interval; `endsAt` of firing alerts allows for a few missed evaluations.
    public mutating func alertsToSend(
        at ts: Timestamp, resendDelayMs: Int64, intervalMs: Int64, generatorURL: String
    ) -> [OutgoingAlert] {
        var out: [OutgoingAlert] = []
        for key in active.keys.sorted() {
            guard var alert = active[key], alert.needsSending(at: ts, resendDelayMs: resendDelayMs) else { continue }
            alert.lastSentAt = ts
            // Survives two missed evaluations or failed sends before Alertmanager resolves it by itself.
            alert.validUntil = ts.adding(ms: 4 * max(resendDelayMs, intervalMs))
            active[key] = alert
            out.append(
                OutgoingAlert(
                    labels: alert.labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                    endsAt: alert.resolvedAt ?? alert.validUntil, generatorURL: generatorURL))
        }
        return out
    }

    /// Takes the alerts of the rule this one replaces on reload; they count as restored.
    mutating func inherit(from old: AlertingRule) {
        active = old.active
        restored = true
    }

    /// Moves `activeAt` of a restored alert; used by for-state restoration.
    mutating func setActiveAt(_ key: Labels, _ ts: Timestamp) { active[key]?.activeAt = ts }

    static func expand(_ template: Template, _ data: TemplateData) -> String {
        do { return try template.render(data) } catch { return "<error expanding template: \(error)>" }
    }

    /// `ALERTS{alertname=…, alertstate=…, …}`.
    static func alertsSeries(_ alert: Alert) -> Labels {
        alert.labels.setting(LabelName.metricName, to: "ALERTS").setting("alertstate", to: alert.state.rawValue)
    }

    /// `ALERTS_FOR_STATE{alertname=…, …}`, whose value is `activeAt` in Unix seconds.
    static func forStateSeries(_ labels: Labels) -> Labels { labels.setting(LabelName.metricName, to: "ALERTS_FOR_STATE") }
}

/// Server-wide values alert templates can read.
public struct TemplateContext: Sendable {
    /// `$externalLabels`.
    public var externalLabels: [String: String]
    /// `$externalURL`, also the base of generator URLs.
    public var externalURL: String

    /// Creates a context.
    public init(externalLabels: [String: String] = [:], externalURL: String = "") {
        self.externalLabels = externalLabels
        self.externalURL = externalURL
    }
}
