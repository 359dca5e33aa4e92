import PromModel
import Testing

@testable import Scrape

@Suite struct RelabelerTests {
    let input: Labels = ["__name__": "http_requests_total", "a": "foo", "b": "bar", "c": "baz", "Mixed": "AbC"]

    func run(_ configs: [RelabelConfiguration], _ labels: Labels? = nil) throws -> Labels? {
        for (i, c) in configs.enumerated() { try c.validate(path: "relabel_configs[\(i)]") }
        return try Relabeler(configs).process(labels ?? input)
    }

    @Test func replaceWithGroupsAndTemplatedTarget() throws {
        let out = try run([
            RelabelConfiguration(
                sourceLabels: ["a", "b"], targetLabel: "ab", regex: "f(.*);(?<second>.*)", replacement: "${1}-$second"),
            RelabelConfiguration(sourceLabels: ["c"], targetLabel: "x_$1", regex: "(b)az"),
        ])
        #expect(out?["ab"] == "oo-bar")
        #expect(out?["x_b"] == "b")
    }

    @Test func replaceIsAnchored() throws {
        // "oo" occurs inside "foo" but the anchored regex does not match the whole value.
        let out = try run([RelabelConfiguration(sourceLabels: ["a"], targetLabel: "d", regex: "oo", replacement: "hit")]
        )
        #expect(out?.get("d") == nil)
        let alternation = try run([
            RelabelConfiguration(sourceLabels: ["a"], targetLabel: "d", regex: "f|foo", replacement: "hit")
        ])
        #expect(alternation?["d"] == "hit")
    }

    @Test func replaceWithEmptyResultDeletesTarget() throws {
        let out = try run([RelabelConfiguration(sourceLabels: ["a"], targetLabel: "b", regex: "foo", replacement: "")])
        #expect(out?.get("b") == nil)
    }

    @Test func goExpandQuirks() throws {
        // `$1x` names a group "1x", which does not exist, so it expands to nothing; `$$` is a dollar.
        let out = try run([
            RelabelConfiguration(sourceLabels: ["a"], targetLabel: "d", regex: "(f)oo", replacement: "$1x|$$|${1}x|$")
        ])
        #expect(out?["d"] == "|$|fx|$")
    }

    @Test func keepAndDrop() throws {
        #expect(try run([RelabelConfiguration(sourceLabels: ["a"], regex: "fo+", action: .keep)]) == input)
        #expect(try run([RelabelConfiguration(sourceLabels: ["a"], regex: "fo", action: .keep)]) == nil)
        #expect(try run([RelabelConfiguration(sourceLabels: ["a"], regex: "fo+", action: .drop)]) == nil)
        #expect(try run([RelabelConfiguration(sourceLabels: ["a"], regex: "o+", action: .drop)]) == input)
        // A missing label is the empty string.
        #expect(try run([RelabelConfiguration(sourceLabels: ["missing"], regex: "", action: .drop)]) == nil)
    }

    @Test func keepEqualAndDropEqual() throws {
        let labels: Labels = ["a": "1", "b": "1", "c": "2"]
        #expect(
            try run([RelabelConfiguration(sourceLabels: ["a"], targetLabel: "b", action: .keepequal)], labels) == labels
        )
        #expect(
            try run([RelabelConfiguration(sourceLabels: ["a"], targetLabel: "c", action: .keepequal)], labels) == nil)
        #expect(
            try run([RelabelConfiguration(sourceLabels: ["a"], targetLabel: "b", action: .dropequal)], labels) == nil)
        #expect(
            try run([RelabelConfiguration(sourceLabels: ["a"], targetLabel: "c", action: .dropequal)], labels) == labels
        )
    }

    @Test(
        "hashmod matches Prometheus (MD5, last 8 bytes big-endian)",
        arguments: [
            ("baz", UInt64(1000), "976"), ("foo", 1000, "696"), ("foo;bar", 10, "0"),
        ])
    func hashmod(value: String, modulus: UInt64, expected: String) throws {
        let parts = value.split(separator: ";").map(String.init)
        var labels = Labels()
        for (i, p) in parts.enumerated() { labels = labels.setting("s\(i)", to: p) }
        let out = try run(
            [
                RelabelConfiguration(
                    sourceLabels: parts.indices.map { "s\($0)" }, targetLabel: "h", modulus: modulus, action: .hashmod)
            ], labels)
        #expect(out?["h"] == expected)
    }

    @Test func labelmap() throws {
        let labels: Labels = [
            "__meta_kubernetes_pod_label_app": "web", "__meta_kubernetes_pod_label_tier": "fe", "x": "y",
        ]
        let out = try run([RelabelConfiguration(regex: "__meta_kubernetes_pod_label_(.+)", action: .labelmap)], labels)
        #expect(
            out == [
                "__meta_kubernetes_pod_label_app": "web", "__meta_kubernetes_pod_label_tier": "fe", "app": "web",
                "tier": "fe", "x": "y",
            ])
    }

    @Test func labeldropAndLabelkeep() throws {
        #expect(
            try run([RelabelConfiguration(regex: "[ab]", action: .labeldrop)]) == [
                "__name__": "http_requests_total", "c": "baz", "Mixed": "AbC",
            ])
        #expect(
            try run([RelabelConfiguration(regex: "__name__|a", action: .labelkeep)]) == [
                "__name__": "http_requests_total", "a": "foo",
            ])
        // Anchored: "a" does not match "Mixed" even though "Mixed" contains no a, and "b" must be whole.
        #expect(try run([RelabelConfiguration(regex: "M", action: .labeldrop)]) == input)
    }

    @Test func lowercaseAndUppercase() throws {
        let out = try run([
            RelabelConfiguration(sourceLabels: ["Mixed"], targetLabel: "lower", action: .lowercase),
            RelabelConfiguration(sourceLabels: ["Mixed", "a"], targetLabel: "upper", action: .uppercase),
        ])
        #expect(out?["lower"] == "abc")
        #expect(out?["upper"] == "ABC;FOO")
    }

    @Test func stepsApplyInOrder() throws {
        let out = try run([
            RelabelConfiguration(sourceLabels: ["a"], targetLabel: "a", replacement: "changed"),
            RelabelConfiguration(sourceLabels: ["a"], regex: "changed", action: .keep),
        ])
        #expect(out?["a"] == "changed")
    }

    @Test func dotMatchesNewline() throws {
        let out = try run([RelabelConfiguration(sourceLabels: ["a"], regex: "a.b", action: .keep)], ["a": "a\nb"])
        #expect(out == ["a": "a\nb"])
    }

    @Test(
        "invalid combinations are rejected",
        arguments: [
            (RelabelConfiguration(action: .hashmod), "relabel_configs[0].target_label: required for action hashmod"),
            (
                RelabelConfiguration(targetLabel: "x", action: .hashmod),
                "relabel_configs[0].modulus: required and non-zero for action hashmod"
            ),
            (
                RelabelConfiguration(sourceLabels: ["a"], action: .labeldrop),
                "relabel_configs[0]: action labeldrop takes only regex"
            ),
            (
                RelabelConfiguration(targetLabel: "x", regex: "a", action: .keepequal),
                "relabel_configs[0]: action keepequal takes only source_labels and target_label"
            ),
            (RelabelConfiguration(targetLabel: "1x"), "relabel_configs[0].target_label: invalid label name \"1x\""),
            (
                RelabelConfiguration(targetLabel: "x", regex: "(unclosed"),
                "relabel_configs[0].regex: invalid regular expression \"(unclosed\""
            ),
        ])
    func invalid(config: RelabelConfiguration, message: String) {
        do { try config.validate(path: "relabel_configs[0]") } catch { #expect("\(error)" == message) }
    }
}
