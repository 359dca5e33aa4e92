import Metrics

/// Rule and notifier metrics under Prometheus' own names, so existing dashboards work.
enum RulesMetrics {
    /// After one group evaluation: rules evaluated, rules that failed, and how long it took.
    static func groupEvaluated(group: String, rules: Int, failures: Int, seconds: Double, at ts: Int64) {
        let dims = [("rule_group", group)]
        Counter(label: "prometheus_rule_evaluations_total", dimensions: dims).increment(by: rules)
        if failures > 0 {
            Counter(label: "prometheus_rule_evaluation_failures_total", dimensions: dims).increment(by: failures)
        }
        Gauge(label: "prometheus_rule_group_last_duration_seconds", dimensions: dims).record(seconds)
        Gauge(label: "prometheus_rule_group_last_evaluation_timestamp_seconds", dimensions: dims)
            .record(Double(ts) / 1000)
    }

    /// Evaluation slots skipped because an evaluation overran.
    static func missedIterations(group: String, count: Int) {
        Counter(label: "prometheus_rule_group_iterations_missed_total", dimensions: [("rule_group", group)])
            .increment(by: count)
    }

    static func sent(alertmanager: String, count: Int) {
        Counter(label: "prometheus_notifications_sent_total", dimensions: [("alertmanager", alertmanager)])
            .increment(by: count)
    }

    static func failed(alertmanager: String, count: Int) {
        Counter(label: "prometheus_notifications_errors_total", dimensions: [("alertmanager", alertmanager)])
            .increment(by: count)
    }

    static func dropped(count: Int) {
        Counter(label: "prometheus_notifications_dropped_total").increment(by: count)
    }

    static func queueLength(_ n: Int) {
        Gauge(label: "prometheus_notifications_queue_length").record(n)
    }
}
