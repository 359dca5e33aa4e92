import PromModel
import PromWire
import Testing

/// The hand-written 2.0 decoder must agree with protobuf-c: equal values, or both reject.
@Suite struct WriteRequestV2DecoderDifferentialTests {
    enum Outcome: Equatable { case agreeAccept, agreeReject, nulDivergence }

    static func compare(_ input: [UInt8], context: @autoclosure () -> String) -> Outcome {
        let reference = Result { () throws(WireError) in try WriteRequestV2(protobuf: input) }
        let hand = Result { () throws(WireError) in try WriteRequestV2Decoder.decode(input) }
        switch (reference, hand) {
        case (.success(let r), .success(let h)):
            var cut = h
            cut.symbols = h.symbols.map { String(decoding: $0.utf8.prefix { $0 != 0 }, as: UTF8.self) }
            #expect(cut == r, "decoders disagree on \(context())")
            return h == r ? .agreeAccept : .nulDivergence
        case (.failure, .failure):
            return .agreeReject
        case (.success, .failure(let e)) where e.code == .invalidUTF8 && input.contains(0):
            return .nulDivergence
        default:
            Issue.record("decoders disagree on \(context()): reference \(reference), hand \(hand)")
            return .agreeReject
        }
    }

    @Test func fixture() throws {
        let body = try Fixtures.bytes("write_v2_basic.pb")
        #expect(Self.compare(body, context: "fixture") == .agreeAccept)
        #expect(try WriteRequestV2Decoder.decode(body).tree == Fixtures.expected("write_v2_basic"))
    }

    @Test("random 2.0 requests round-trip", arguments: 0..<4)
    func random(seed: UInt64) throws {
        var gen = RandomWire(rng: SplitMix64(seed: 7000 + seed))
        for i in 0..<100 {
            let request = gen.writeRequestV2()
            let bytes = try request.protobuf()
            #expect(try WriteRequestV2Decoder.decode(bytes) == request)
            #expect(Self.compare(bytes, context: "seed \(7000 + seed) request \(i)") == .agreeAccept)
        }
    }

    @Test("mutated 2.0 requests: both accept equal values or both reject", arguments: 0..<6)
    func mutated(seed: UInt64) throws {
        var gen = RandomWire(rng: SplitMix64(seed: 8000 + seed))
        var outcomes: [Outcome: Int] = [:]
        for i in 0..<400 {
            let input = gen.mutate(try gen.writeRequestV2().protobuf())
            outcomes[Self.compare(input, context: "seed \(8000 + seed) input \(i): \(input)"), default: 0] += 1
        }
        #expect(outcomes[.agreeAccept, default: 0] > 20)
        #expect(outcomes[.agreeReject, default: 0] > 20)
    }

    @Test func repeatedMetadataFieldReplacesTheEarlierOneLikeProtobufC() throws {
        // Series: labels_refs [1, 2]; metadata {type 1, help_ref 3}; metadata {unit_ref 4}.
        let series: [UInt8] = [0x0a, 0x02, 0x01, 0x02, 0x2a, 0x04, 0x08, 0x01, 0x18, 0x03, 0x2a, 0x02, 0x20, 0x04]
        let body: [UInt8] = [0x2a, UInt8(series.count)] + series
        let reference = try WriteRequestV2(protobuf: body)
        #expect(reference.timeseries[0].metadata == .init(type: .unknown, helpRef: 0, unitRef: 4))
        #expect(try WriteRequestV2Decoder.decode(body) == reference)
    }

    @Test func invalidSymbolNamesItsIndex() {
        let body: [UInt8] = [0x22, 0x00, 0x22, 0x01, 0x61, 0x22, 0x01, 0xff]
        let error = #expect(throws: WireError.self) { try WriteRequestV2Decoder.decode(body) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.message.hasPrefix("symbols[2]") == true)
        #expect(throws: WireError(.invalidUTF8, "")) { try WriteRequestV2(protobuf: body) }
    }
}
