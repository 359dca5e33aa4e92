import PromModel
import Testing

@Suite struct LabelsTests {
    @Test func sortsDropsEmptyAndKeepsLastDuplicate() {
        let l = Labels([
            Label(name: "job", value: "a"), Label(name: "__name__", value: "up"),
            Label(name: "empty", value: ""), Label(name: "job", value: "b"),
        ])
        #expect(l.items == [Label(name: "__name__", value: "up"), Label(name: "job", value: "b")])
        #expect(l["job"] == "b")
        #expect(l["missing"] == "")
        #expect(l.get("missing") == nil)
    }

    @Test func setRemoveKeep() {
        let l: Labels = ["__name__": "up", "job": "x", "instance": "i"]
        #expect(l.setting("zone", to: "z").items.map(\.name) == ["__name__", "instance", "job", "zone"])
        #expect(l.setting("job", to: "").items.map(\.name) == ["__name__", "instance"])
        #expect(l.removing(["job"]).count == 2)
        #expect(l.keeping(["job"]).items == [Label(name: "job", value: "x")])
    }

    @Test func printsLikePrometheus() {
        let l: Labels = ["__name__": "up", "job": "a\"b\n"]
        #expect(l.description == #"up{job="a\"b\n"}"#)
        #expect(Labels(["a": "1"]).description == #"{a="1"}"#)
    }

    @Test func ordersLexicographically() {
        let a: Labels = ["a": "1"]
        let b: Labels = ["a": "1", "b": "1"]
        let c: Labels = ["a": "2"]
        #expect(a < b && b < c && !(c < a))
    }

    @Test("xxHash64 matches the reference vectors", arguments: [
        ("", UInt64(0xEF46_DB37_51D8_E999)),
        ("a", UInt64(0xD24E_C4F1_A98C_6E5B)),
        ("abc", UInt64(0x44BC_2CF5_AD77_0999)),
        ("Nobody inspects the spammish repetition", UInt64(0xFBCE_A83C_8A37_8BF1)),
    ])
    func xxhashVectors(input: String, expected: UInt64) {
        var h = XXHash64()
        h.update(input)
        #expect(h.finalize() == expected)
    }

    @Test func stableHashIgnoresInsertionOrder() {
        let a = Labels([Label(name: "b", value: "2"), Label(name: "a", value: "1")])
        let b = Labels([Label(name: "a", value: "1"), Label(name: "b", value: "2")])
        #expect(a.stableHash == b.stableHash)
        #expect(a.stableHash != Labels(["a": "1", "b": "3"]).stableHash)
    }

    @Test func staleMarkerIsOnlyOneNaN() {
        #expect(StaleNaN.isStale(StaleNaN.value))
        #expect(!StaleNaN.isStale(Double.nan))
        #expect(Sample(t: Timestamp(ms: 1), v: .nan) == Sample(t: Timestamp(ms: 1), v: .nan))
    }
}

@Suite struct PrometheusDurationTests {
    @Test("parses Prometheus durations", arguments: [
        ("0", Int64(0)), ("10m", 600_000), ("1h30m", 5_400_000), ("2d", 172_800_000), ("1w", 604_800_000),
        ("500ms", 500), ("1m30s250ms", 90_250), ("1y", 31_536_000_000),
    ])
    func parses(text: String, ms: Int64) throws {
        #expect(try PrometheusDuration.parseMilliseconds(text) == ms)
        if ms > 0 { #expect(try PrometheusDuration.parseMilliseconds(PrometheusDuration.format(milliseconds: ms)) == ms) }
    }

    @Test("rejects malformed durations", arguments: ["", "h", "10", "1x", "30m1h", "-5m", "1.5h"])
    func rejects(text: String) {
        #expect(throws: PrometheusDurationError.self) { try PrometheusDuration.parseMilliseconds(text) }
    }
}
