public import PromModel

/// Where an alert is in its lifecycle.
public enum AlertState: String, Sendable, Hashable {
    /// Resolved; kept for a while so Alertmanager hears about the resolution.
    case inactive
    /// Active for less than the rule's `for` duration.
    case pending
    /// Active for at least `for`, and sent to Alertmanager.
    case firing
}

/// One alert instance of an alerting rule: one result series after applying the rule's labels.
public struct Alert: Sendable, Hashable {
    /// The result labels without `__name__`, plus the rule's labels and `alertname`.
    public var labels: Labels
    /// Templated annotations.
    public var annotations: Labels
    /// The value of the result series at the last evaluation that returned it.
    public var value: Double
    /// The current state.
    public var state: AlertState
    /// When the alert first became active; drives `for` and `ALERTS_FOR_STATE`.
    public var activeAt: Timestamp
    /// When it last became firing.
    public var firedAt: Timestamp?
    /// When it became inactive.
    public var resolvedAt: Timestamp?
    /// When it was last handed to the notifier.
    public var lastSentAt: Timestamp?
    /// The `endsAt` promised to Alertmanager while firing; Alertmanager resolves it then unless resent.
    public var validUntil: Timestamp?
    /// When the condition first cleared while `keep_firing_for` held the alert firing.
    public var keepFiringSince: Timestamp?

    /// Creates a pending alert that became active at `activeAt`.
    public init(labels: Labels, annotations: Labels, value: Double, activeAt: Timestamp) {
        self.labels = labels
        self.annotations = annotations
        self.value = value
        self.state = .pending
        self.activeAt = activeAt
    }

    /// Whether the notifier should get this alert now (Prometheus' `needsSending`): firing alerts
    /// every `resendDelayMs`, and a resolution once.
    func needsSending(at ts: Timestamp, resendDelayMs: Int64) -> Bool {
        if state == .pending { return false }
        if let resolvedAt, resolvedAt > (lastSentAt ?? .min) { return true }
        guard let lastSentAt else { return true }
        return lastSentAt.adding(ms: resendDelayMs) < ts
    }
}

/// An alert as sent to Alertmanager (`POST /api/v2/alerts` body element).
public struct OutgoingAlert: Sendable, Hashable {
    /// Alert labels; the notifier adds external labels that are not already set.
    public var labels: Labels
    /// Templated annotations.
    public var annotations: Labels
    /// When the alert started firing.
    public var startsAt: Timestamp
    /// When it resolved, or until when it is valid unless resent.
    public var endsAt: Timestamp?
    /// A link to the expression in the generating server's UI.
    public var generatorURL: String

    /// Creates an outgoing alert.
    public init(labels: Labels, annotations: Labels, startsAt: Timestamp, endsAt: Timestamp?, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}

/// Receives alerts from rule evaluation, e.g. a ``Notifier``.
///
/// Implementations MUST NOT block: queue and return. Called from each group's evaluation task.
public protocol AlertSender: Sendable {
    /// Queues alerts for delivery.
    func send(_ alerts: [OutgoingAlert])
}

/// One series and value: an element of a rule's query result, or a sample a rule writes.
public struct RuleSample: Sendable, Hashable {
    /// The series.
    public var labels: Labels
    /// The value; ``StaleNaN`` marks a series that disappeared.
    public var v: Double

    /// Creates a sample.
    public init(labels: Labels, v: Double) {
        self.labels = labels
        self.v = v
    }
}
