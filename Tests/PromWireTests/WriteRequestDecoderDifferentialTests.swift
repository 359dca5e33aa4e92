import PromModel
import PromWire
import Testing

/// The hand-written decoder must agree with protobuf-c: both accept with equal values, or both reject.
///
/// One divergence is expected and checked precisely: protobuf-c strings are NUL-terminated, so it
/// truncates a string at an embedded NUL (and so cannot see invalid UTF-8 after it).
@Suite struct WriteRequestDecoderDifferentialTests {
    /// What the reference decoder must return for what the hand decoder returned.
    static func truncatedAtNUL(_ r: WriteRequest) -> WriteRequest {
        func cut(_ s: String) -> String { String(decoding: s.utf8.prefix { $0 != 0 }, as: UTF8.self) }
        func cut(_ ls: [Label]) -> [Label] { ls.map { Label(name: cut($0.name), value: cut($0.value)) } }
        var r = r
        for i in r.timeseries.indices {
            r.timeseries[i].labels = cut(r.timeseries[i].labels)
            for j in r.timeseries[i].exemplars.indices {
                r.timeseries[i].exemplars[j].labels = cut(r.timeseries[i].exemplars[j].labels)
            }
        }
        for i in r.metadata.indices {
            r.metadata[i].metricFamilyName = cut(r.metadata[i].metricFamilyName)
            r.metadata[i].help = cut(r.metadata[i].help)
            r.metadata[i].unit = cut(r.metadata[i].unit)
        }
        return r
    }

    enum Outcome: Equatable { case agreeAccept, agreeReject, nulDivergence }

    /// Compares both decoders (and the visitor) on `input`; records an issue on disagreement.
    static func compare(_ input: [UInt8], context: @autoclosure () -> String) -> Outcome {
        let reference = Result { () throws(WireError) in try WriteRequest(protobuf: input) }
        let hand = Result { () throws(WireError) in try WriteRequestDecoder.decode(input) }
        let visited = Result { () throws -> [TimeSeries] in
            var out: [TimeSeries] = []
            try input.withUnsafeBytes { raw in
                try WriteRequestDecoder.visit(raw) { series in
                    var labels: [Label] = []
                    series.forEachLabel { n, v in
                        labels.append(
                            Label(name: String(decoding: n, as: UTF8.self), value: String(decoding: v, as: UTF8.self)))
                    }
                    var samples: [Sample] = []
                    series.forEachSample { samples.append($0) }
                    var whole = series.decoded()
                    #expect(whole.labels == labels && whole.samples == samples)
                    whole.labels = labels
                    out.append(whole)
                }
            }
            return out
        }
        switch (reference, hand) {
        case (.success(let r), .success(let h)):
            #expect(truncatedAtNUL(h) == r, "decoders disagree on \(context())")
            #expect((try? visited.get()) == h.timeseries, "visitor disagrees on \(context())")
            return h == r ? .agreeAccept : .nulDivergence
        case (.failure, .failure):
            #expect((try? visited.get()) == nil, "visitor accepted what decode rejected: \(context())")
            return .agreeReject
        case (.success, .failure(let e)) where e.code == .invalidUTF8 && input.contains(0):
            return .nulDivergence
        default:
            Issue.record("decoders disagree on \(context()): reference \(reference), hand \(hand)")
            return .agreeReject
        }
    }

    @Test("fixtures decode identically", arguments: ["write_v1_basic", "write_v1_edge", "write_v1_histograms"])
    func fixtures(name: String) throws {
        #expect(Self.compare(try Fixtures.bytes(name + ".pb"), context: name) == .agreeAccept)
    }

    @Test("random requests round-trip through both encoders and both decoders", arguments: 0..<8)
    func randomRequests(seed: UInt64) throws {
        var gen = RandomWire(rng: SplitMix64(seed: seed))
        for i in 0..<100 {
            let request = gen.writeRequest()
            let hand = request.protobuf()
            #expect(try WriteRequestDecoder.decode(hand) == request)
            #expect(try WriteRequest(protobuf: hand) == request)
            #expect(Self.compare(hand, context: "seed \(seed) request \(i)") == .agreeAccept)
            // protobuf-c drops doubles equal to zero, so -0.0 comes back as +0.0; none are generated here.
            #expect(try WriteRequestDecoder.decode(request.protobufC()) == request)
        }
    }

    @Test("mutated requests: both decoders accept equal values or both reject", arguments: 0..<8)
    func mutatedRequests(seed: UInt64) {
        var gen = RandomWire(rng: SplitMix64(seed: 1000 + seed))
        var outcomes: [Outcome: Int] = [:]
        for i in 0..<400 {
            let input = gen.mutate(gen.writeRequest().protobuf())
            outcomes[Self.compare(input, context: "seed \(1000 + seed) input \(i): \(input)"), default: 0] += 1
        }
        // The corpus must exercise both sides, or it proves nothing.
        #expect(outcomes[.agreeAccept, default: 0] > 20)
        #expect(outcomes[.agreeReject, default: 0] > 20)
    }

    @Test("random noise: both decoders agree", arguments: 0..<4)
    func noise(seed: UInt64) {
        var rng = SplitMix64(seed: 5000 + seed)
        for i in 0..<500 {
            let input = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = Self.compare(input, context: "noise seed \(5000 + seed) input \(i): \(input)")
        }
    }

    @Test func nulInLabelIsKeptByHandDecoderAndTruncatedByReference() throws {
        let request = WriteRequest(timeseries: [TimeSeries(labels: [Label(name: "a", value: "x\u{0}y")])])
        let bytes = request.protobuf()
        #expect(try WriteRequestDecoder.decode(bytes) == request)
        #expect(try WriteRequest(protobuf: bytes).timeseries[0].labels == [Label(name: "a", value: "x")])
        #expect(Self.compare(bytes, context: "NUL") == .nulDivergence)
        #expect(throws: WireError(.unencodable, "")) { try request.protobufC() }
    }
}
