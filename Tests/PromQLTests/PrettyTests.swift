import PromQL
import Testing

/// `format_query`'s layout: one line up to 100 characters, else split with two-space indents per level.
@Suite struct PrettyTests {
    @Test(arguments: [
        ("sum(rate(x[5m]))by(job)", "sum by (job) (rate(x[5m]))"),
        (
            #"sum by (job) (rate(http_requests_total{job="api-server"}[5m])) / on(job) group_left sum by (job) (rate(http_requests_total[5m] offset 1h)) > 0.5"#,
            """
                sum by (job) (rate(http_requests_total{job="api-server"}[5m]))
              / on (job) group_left ()
                sum by (job) (rate(http_requests_total[5m] offset 1h))
            >
              0.5
            """
        ),
        (
            #"label_replace(sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m])), "dst", "$1", "instance", "(.*):.*")"#,
            """
            label_replace(
              sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m])),
              "dst",
              "$1",
              "instance",
              "(.*):.*"
            )
            """
        ),
        (
            #"topk(5, sum without (instance, pod, container) (rate(container_cpu_usage_seconds_total{namespace="production"}[5m])))"#,
            """
            topk(
              5,
              sum without (instance, pod, container) (
                rate(container_cpu_usage_seconds_total{namespace="production"}[5m])
              )
            )
            """
        ),
    ])
    func layout(query: String, want: String) throws {
        let expr = try PromQLParser.parse(query)
        #expect(expr.pretty == want)
        // The layout parses back to the same expression.
        #expect(try PromQLParser.parse(expr.pretty).description == expr.description)
    }
}
