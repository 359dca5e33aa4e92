import Metrics

/// The receiver's metrics, through swift-metrics (exported by the CLI's Prometheus backend).
struct ReceiverMetrics: Sendable {
    func rejected(_ reason: IngestSummary.Reason, tenant: String, count: Int) {
        Counter(label: "hearth_receive_rejected_total", dimensions: [("reason", reason.rawValue), ("tenant", tenant)])
            .increment(by: count)
    }

    func ingested(tenant: String, samples: Int) {
        Counter(label: "hearth_receive_samples_ingested_total", dimensions: [("tenant", tenant)]).increment(by: samples)
    }

    func rateLimited(tenant: String, samples: Int) {
        Counter(label: "hearth_receive_rate_limited_samples_total", dimensions: [("tenant", tenant)])
            .increment(by: samples)
    }

    func headSeries(tenant: String, count: Int) {
        Gauge(label: "hearth_receive_head_series", dimensions: [("tenant", tenant)]).record(count)
    }
}
