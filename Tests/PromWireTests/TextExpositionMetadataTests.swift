import PromWire
import Testing

/// `# TYPE`, `# HELP` and `# UNIT` lines are kept per family for remote-write metadata.
@Suite struct TextExpositionMetadataTests {
    @Test func textFormatKeepsTypeAndUnescapedHelp() throws {
        let text = """
            # HELP http_requests_total Requests served.\\nBy code, with a \\\\ backslash.
            # TYPE http_requests_total counter
            http_requests_total{code="200"} 3
            # HELP no_type Only help.
            no_type 1
            # TYPE no_help gauge
            no_help 2

            """
        var p = TextExpositionParser(bytes: Array(text.utf8), format: .prometheusText)
        while try p.next() != nil {}
        #expect(p.types == ["http_requests_total": .counter, "no_help": .gauge])
        #expect(p.helps == ["http_requests_total": "Requests served.\nBy code, with a \\ backslash.", "no_type": "Only help."])
        #expect(p.units.isEmpty)
    }

    @Test func openMetricsKeepsUnit() throws {
        let text = """
            # TYPE request_seconds histogram
            # UNIT request_seconds seconds
            # HELP request_seconds Latency.
            request_seconds_bucket{le="+Inf"} 1
            request_seconds_count 1
            request_seconds_sum 0.5
            # EOF

            """
        var p = TextExpositionParser(bytes: Array(text.utf8), format: .openMetrics)
        while try p.next() != nil {}
        #expect(p.types["request_seconds"] == .histogram)
        #expect(p.units == ["request_seconds": "seconds"])
        #expect(p.helps == ["request_seconds": "Latency."])
    }
}
