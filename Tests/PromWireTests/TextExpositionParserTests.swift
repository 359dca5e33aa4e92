import PromModel
import PromWire
import Testing

/// A parsed sample in a comparable form: the labels as Prometheus prints them.
struct ParsedLine: Equatable, CustomStringConvertible {
    var series: String
    var value: Double
    var t: Int64?
    static func == (a: ParsedLine, b: ParsedLine) -> Bool {
        a.series == b.series && a.t == b.t && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
    var description: String { "\(series) \(value) \(t.map(String.init) ?? "-")" }
}

func parseAll(_ text: String, _ format: TextExpositionFormat) throws -> [ParsedLine] {
    var p = TextExpositionParser(bytes: Array(text.utf8), format: format)
    var out: [ParsedLine] = []
    while let e = try p.next() {
        out.append(ParsedLine(series: try p.labels(of: e).description, value: e.value, t: e.timestamp?.ms))
    }
    return out
}

func parseError(_ text: String, _ format: TextExpositionFormat) -> String? {
    do {
        _ = try parseAll(text, format)
        return nil
    } catch { return "\(error)" }
}

@Suite struct TextFormatParserTests {
    @Test func basicLinesCommentsAndTimestamps() throws {
        let text = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # A plain comment
            metric_without_timestamp_and_labels 12.47
            \tindented_metric{a="b",} 1
            something_weird{problem="division by zero"} +Inf -3982045
            neg -Inf
            nan_metric NaN
            sci 1.5e-3
            """
        #expect(
            try parseAll(text, .prometheusText) == [
                ParsedLine(
                    series: #"http_requests_total{code="200", method="post"}"#, value: 1027, t: 1_395_066_363_000),
                ParsedLine(series: #"http_requests_total{code="400", method="post"}"#, value: 3, t: 1_395_066_363_000),
                ParsedLine(series: "metric_without_timestamp_and_labels", value: 12.47, t: nil),
                ParsedLine(series: #"indented_metric{a="b"}"#, value: 1, t: nil),
                ParsedLine(series: #"something_weird{problem="division by zero"}"#, value: .infinity, t: -3_982_045),
                ParsedLine(series: "neg", value: -.infinity, t: nil),
                ParsedLine(series: "nan_metric", value: .nan, t: nil),
                ParsedLine(series: "sci", value: 0.0015, t: nil),
            ])
    }

    @Test func escapesInLabelValues() throws {
        let text =
            #"msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\"",odd="a\qb"} 1.458255915e9"#
        let lines = try parseAll(text, .prometheusText)
        var p = TextExpositionParser(bytes: Array(text.utf8), format: .prometheusText)
        let labels = try p.labels(of: try #require(try p.next()))
        #expect(labels["path"] == #"C:\DIR\FILE.TXT"#)
        #expect(labels["error"] == "Cannot find file:\n\"FILE.TXT\"")
        #expect(labels["odd"] == #"a\qb"#)
        #expect(lines.first?.value == 1.458255915e9)
    }

    @Test func histogramAndSummaryAreClassicSeries() throws {
        let text = """
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="+Inf"} 3
            h_sum 1.5
            h_count 3
            # TYPE s summary
            s{quantile="0.5"} 0.2
            s_sum 4
            s_count 10
            """
        let lines = try parseAll(text, .prometheusText).map(\.series)
        #expect(
            lines == [
                #"h_bucket{le="0.1"}"#, #"h_bucket{le="+Inf"}"#, "h_sum", "h_count", #"s{quantile="0.5"}"#, "s_sum",
                "s_count",
            ])
    }

    @Test func recordsTypes() throws {
        var p = TextExpositionParser(
            bytes: Array("# TYPE a gauge\n# TYPE b untyped\na 1\n".utf8), format: .prometheusText)
        while try p.next() != nil {}
        #expect(p.types == ["a": .gauge, "b": .untyped])
    }

    @Test(
        "errors name the line",
        arguments: [
            ("a 1\nb{x=\"1\" 2\n", "line 2: expected \",\" or \"}\" after label value"),
            ("a 1\n\nb\n", "line 3: expected value after series"),
            ("a abc\n", "line 1: invalid value \"abc\""),
            ("a 1 12.5\n", "line 1: invalid timestamp \"12.5\""),
            ("a{1x=\"y\"} 1\n", "line 1: invalid label name at \"1x=\"y\"}\""),
            ("a{x=\"y} 1\n", "line 1: unterminated label value"),
            ("a 1 2 3\n", "line 1: unexpected text \"3\" at end of line"),
            ("# TYPE a nonsense\n", "line 1: invalid TYPE line \"# TYPE a nonsense\""),
            ("{x=\"1\"} 1\n", "line 1: expected metric name"),
            ("a{x=\"1\",x=\"2\"} 1\n", "line 1: duplicate label name \"x\""),
            ("a nan\n", "line 1: invalid value \"nan\""),
        ])
    func errors(text: String, message: String) {
        #expect(parseError(text, .prometheusText) == message)
    }

    @Test func lineLengthIsBounded() {
        var p = TextExpositionParser(
            bytes: Array("a 1\nlong_name_here 2\n".utf8), format: .prometheusText, maxLineLength: 10)
        #expect(throws: TextExpositionError(line: 2, "line longer than 10 bytes")) { while try p.next() != nil {} }
    }

    @Test func contentTypeNegotiation() {
        #expect(
            TextExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8")
                == .openMetrics)
        #expect(TextExpositionFormat(contentType: "text/plain; version=0.0.4") == .prometheusText)
        #expect(TextExpositionFormat(contentType: nil) == .prometheusText)
    }
}
