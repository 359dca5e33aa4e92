import PromModel
import PromWire
import Testing

@Suite struct OpenMetricsParserTests {
    @Test func counterWithCreatedAndExemplar() throws {
        let text = """
            # TYPE foo counter
            # HELP foo Number of foos.
            # UNIT foo seconds
            foo_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879607.123
            foo_created{a="b"} 1520430000.123
            # TYPE g gauge
            g 1.5e3
            g_created 7
            # TYPE h histogram
            h_bucket{le="1"} 2
            h_bucket{le="+Inf"} 3 # {id="x"} 4
            h_count 3
            h_sum 4.5
            h_created 1520430000
            # EOF

            """
        var p = TextExpositionParser(bytes: Array(text.utf8), format: .openMetrics)
        var lines: [ParsedLine] = []
        var exemplars: [ExpositionExemplar?] = []
        while let e = try p.next() {
            lines.append(ParsedLine(series: try p.labels(of: e).description, value: e.value, t: e.timestamp?.ms))
            exemplars.append(e.exemplar)
        }
        #expect(
            lines == [
                ParsedLine(series: #"foo_total{a="b"}"#, value: 17, t: 1_520_879_607_789),
                ParsedLine(series: #"foo_created{a="b"}"#, value: 1_520_430_000.123, t: nil),
                ParsedLine(series: "g", value: 1500, t: nil),
                ParsedLine(series: "g_created", value: 7, t: nil),
                ParsedLine(series: #"h_bucket{le="1"}"#, value: 2, t: nil),
                ParsedLine(series: #"h_bucket{le="+Inf"}"#, value: 3, t: nil),
                ParsedLine(series: "h_count", value: 3, t: nil),
                ParsedLine(series: "h_sum", value: 4.5, t: nil),
                ParsedLine(series: "h_created", value: 1_520_430_000, t: nil),
            ])
        #expect(
            exemplars[0]
                == ExpositionExemplar(
                    labels: ["trace_id": "KOO5S4vxi0o"], value: 0.67, timestamp: Timestamp(ms: 1_520_879_607_123)))
        #expect(exemplars[5] == ExpositionExemplar(labels: ["id": "x"], value: 4, timestamp: nil))
        #expect(p.types["foo"] == .counter)
    }

    @Test func specialValuesAndIntegerTimestamps() throws {
        let text = "# TYPE a unknown\na NaN 1\na +Inf 2\na -Inf 3\n# EOF\n"
        let lines = try parseAll(text, .openMetrics)
        #expect(lines.map(\.t) == [1000, 2000, 3000])
        #expect(lines[0].value.isNaN && lines[1].value == .infinity && lines[2].value == -.infinity)
    }

    @Test(
        "errors name the line",
        arguments: [
            ("a 1\n", "line 1: missing # EOF"),
            ("a 1\n# EOF\nb 2\n", "line 3: content after # EOF"),
            ("a 1\n\n# EOF\n", "line 2: empty line"),
            ("# random comment\n# EOF\n", "line 1: invalid comment \"# random comment\""),
            ("a  1\n# EOF\n", "line 1: invalid value \"\""),
            ("# TYPE a untyped\n# EOF\n", "line 1: invalid metric type \"untyped\""),
            ("a 1 # {x=\"y\"}\n# EOF\n", "line 1: invalid exemplar value"),
            ("a 1 x\n# EOF\n", "line 1: invalid timestamp \"x\""),
        ])
    func errors(text: String, message: String) {
        #expect(parseError(text, .openMetrics) == message)
    }

    @Test func exemplarLabelLengthIsLimited() {
        let long = String(repeating: "x", count: 130)
        #expect(
            parseError("a 1 # {id=\"\(long)\"} 1\n# EOF\n", .openMetrics)
                == "line 1: exemplar labels have 132 UTF-8 characters, more than 128")
    }
}
