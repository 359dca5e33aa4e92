import Rules
import Testing

@Suite struct TemplateTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var template: String
        var expected: String
        var value: Double = 0.5
        var testDescription: String { template }
    }

    static let data: @Sendable (Double) -> TemplateData = { v in
        TemplateData(
            labels: ["__name__": "up", "instance": "host:9100", "job": "node", "severity": "page"], value: v,
            externalLabels: ["cluster": "eu1"], externalURL: "http://prom.example")
    }

    static let cases: [Case] = [
        Case(template: "plain text", expected: "plain text"),
        Case(template: "{{ $labels.instance }} of {{ $labels.job }}", expected: "host:9100 of node"),
        Case(template: "{{ .Labels.job }}/{{ .Value }}", expected: "node/0.5"),
        Case(template: "missing: [{{ $labels.nope }}]", expected: "missing: []"),
        Case(template: "{{ $value }}", expected: "1.234567e+06", value: 1_234_567),
        Case(template: "{{ $value }}", expected: "100000", value: 100_000),
        Case(template: "{{ $value }}", expected: "1e-05", value: 0.00001),
        Case(template: "{{ $value }}", expected: "NaN", value: .nan),
        Case(template: "{{ $value }}", expected: "+Inf", value: .infinity),
        Case(template: "{{ humanize $value }}", expected: "1.235M", value: 1_234_567),
        Case(template: "{{ humanize $value }}", expected: "12.5m", value: 0.0125),
        Case(template: "{{ humanize $value }}", expected: "0", value: 0),
        Case(template: "{{ $value | humanize }}", expected: "1k", value: 1000),
        Case(template: "{{ humanize1024 $value }}", expected: "1ki", value: 1024),
        Case(template: "{{ humanizePercentage $value }}", expected: "25.6%", value: 0.256),
        Case(template: "{{ humanizeDuration $value }}", expected: "1d 1h 1m 1s", value: 90061),
        Case(template: "{{ humanizeDuration $value }}", expected: "1.5s", value: 1.5),
        Case(template: "{{ humanizeDuration $value }}", expected: "250ms", value: 0.25),
        Case(template: "{{ humanizeTimestamp $value }}", expected: "2023-11-14 22:13:20 +0000 UTC", value: 1_700_000_000),
        Case(template: "{{ printf \"%.2f\" $value }}", expected: "3.14", value: 3.14159),
        Case(template: "{{ printf \"%d items\" 3 }}", expected: "3 items"),
        Case(template: "{{ printf \"%s=%v\" \"a\" 1.5 }}", expected: "a=1.5"),
        Case(template: "{{ printf \"%5.1f|%-4s|\" $value \"ab\" }}", expected: "  2.5|ab  |", value: 2.5),
        Case(template: "{{ printf \"%q\" $labels.job }}", expected: "\"node\""),
        Case(template: "{{ if gt $value 1.0 }}high{{ else }}low{{ end }}", expected: "high", value: 2),
        Case(template: "{{ if gt $value 1.0 }}high{{ else }}low{{ end }}", expected: "low", value: 0.5),
        Case(template: "{{ if eq $labels.severity \"page\" }}P{{ else if eq $labels.severity \"x\" }}X{{ else }}-{{ end }}", expected: "P"),
        Case(template: "{{ if eq $labels.job \"x\" }}X{{ else if eq $labels.job \"node\" }}N{{ end }}", expected: "N"),
        Case(template: "{{ if and (gt $value 1.0) (lt $value 3.0) }}in{{ end }}", expected: "in", value: 2),
        Case(template: "{{ if not $labels.nope }}unset{{ end }}", expected: "unset"),
        Case(template: "{{ $externalLabels.cluster }} {{ $externalURL }}", expected: "eu1 http://prom.example"),
        Case(template: "{{ with $labels.instance }}on {{ . }}{{ end }}", expected: "on host:9100"),
        Case(template: "{{ range $k, $v := $externalLabels }}{{ $k }}={{ $v }};{{ end }}", expected: "cluster=eu1;"),
        Case(template: "{{ $x := \"y\" }}{{ $x }}", expected: "y"),
        Case(template: "a  {{- \" b \" -}}  c", expected: "a b c"),
        Case(template: "{{/* a comment */}}x", expected: "x"),
        Case(template: "{{ toUpper $labels.job }} {{ title \"hello world\" }}", expected: "NODE Hello World"),
        Case(template: "{{ $labels.instance | stripPort }}", expected: "host"),
        Case(template: "{{ reReplaceAll \":.*\" \"\" $labels.instance }}", expected: "host"),
        Case(template: "{{ if match \"^host\" $labels.instance }}m{{ end }}", expected: "m"),
        Case(template: "{{ len $labels }}", expected: "4"),
        Case(template: "{{ index $labels \"job\" }}", expected: "node"),
        Case(template: "{{ `raw {{` }}", expected: "raw {{"),
    ]

    @Test("renders like Prometheus", arguments: cases)
    func render(c: Case) throws {
        let t = try Template(c.template, name: "t")
        #expect(try t.render(Self.data(c.value)) == c.expected)
    }

    @Test(
        "parse errors name the template and line",
        arguments: [
            ("{{ $labels.instance }", "template: t:1: unclosed action"),
            ("{{ if $value }}x", "template: t:1: unexpected EOF in {{if}}"),
            ("x\n{{ end }}", "template: t:2: unexpected {{end}}"),
            ("{{ nosuch 1 }}", "template: t:1: function \"nosuch\" not defined"),
            ("{{ \"open }}", "template: t:1: unclosed action"),
        ])
    func parseErrors(text: String, message: String) {
        #expect {
            _ = try Template(text, name: "t")
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test("execution errors are reported, and unsupported functions fail only when run")
    func executionErrors() throws {
        let t = try Template("{{ query \"up\" }}", name: "t")
        #expect(throws: RulesError.self) { try t.render(Self.data(1)) }
        let undefined = try Template("{{ $nope }}", name: "t")
        #expect(throws: RulesError.self) { try undefined.render(Self.data(1)) }
    }
}
