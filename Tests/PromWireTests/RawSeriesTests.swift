import PromModel
import PromWire
import Testing

/// The visitor API the receiver uses to hash label bytes of known series without building Labels.
@Suite struct RawSeriesTests {
    static let request = WriteRequest(timeseries: [
        TimeSeries(
            labels: [Label(name: "__name__", value: "up"), Label(name: "job", value: "名前")],
            samples: [Sample(t: Timestamp(ms: 1), v: 1), Sample(t: Timestamp(ms: 2), v: StaleNaN.value)]),
        TimeSeries(labels: [], samples: []),
        TimeSeries(
            labels: [Label(name: "b", value: "2"), Label(name: "a", value: "1")],
            exemplars: [Exemplar(labels: [], value: 3, timestamp: Timestamp(ms: 3))]),
    ])

    @Test func visitsEverySeriesInOrderWithItsBytes() throws {
        let body = Self.request.protobuf()
        var seen: [(Int, [String], [Sample], Int, TimeSeries)] = []
        try body.withUnsafeBytes { raw in
            try WriteRequestDecoder.visit(raw) { series in
                var names: [String] = []
                series.forEachLabel { name, value in
                    names.append(String(decoding: name, as: UTF8.self) + "=" + String(decoding: value, as: UTF8.self))
                }
                var samples: [Sample] = []
                series.forEachSample { samples.append($0) }
                seen.append((series.index, names, samples, series.bytes.count, series.decoded()))
            }
        }
        #expect(seen.map(\.0) == [0, 1, 2])
        #expect(seen[0].1 == ["__name__=up", "job=名前"])
        #expect(seen[0].2 == Self.request.timeseries[0].samples)
        #expect(seen[2].1 == ["b=2", "a=1"], "wire order, not sorted")
        #expect(seen.map(\.4) == Self.request.timeseries)
        #expect(seen[1].3 == 0)
    }

    struct Stop: Error, Equatable {}

    @Test func bodyErrorsPropagateAndStopTheWalk() throws {
        let body = Self.request.protobuf()
        var calls = 0
        #expect(throws: Stop()) {
            try body.withUnsafeBytes { raw in
                try WriteRequestDecoder.visit(raw) { _ throws(Stop) in
                    calls += 1
                    throw Stop()
                }
            }
        }
        #expect(calls == 1)
    }

    @Test func invalidLaterSeriesMeansNoSeriesIsVisited() {
        var body = Self.request.protobuf()
        body += [0x0a, 0x03, 0x0a, 0x05, 0x0a]  // a fourth series whose label claims 5 bytes, 1 present
        var calls = 0
        #expect(throws: WireError(.lengthOutOfBounds, "")) {
            try body.withUnsafeBytes { raw in try WriteRequestDecoder.visit(raw) { _ in calls += 1 } }
        }
        #expect(calls == 0)
    }

    @Test func labelSetNormalizesLikePrometheus() {
        let ts = TimeSeries(labels: [
            Label(name: "b", value: "2"), Label(name: "a", value: ""), Label(name: "a", value: "1"),
        ])
        #expect(ts.labelSet == Labels(["a": "1", "b": "2"]))
    }
}
