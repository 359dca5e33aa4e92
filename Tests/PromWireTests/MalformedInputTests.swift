import PromModel
import PromWire
import Testing

/// Hostile and broken bodies: each gives a typed error naming where, and never a crash.
@Suite struct MalformedInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let code: WireError.Code
        var testDescription: String { name }
    }

    /// A valid first series, so errors in the second one must name index 1.
    static let goodSeries: [UInt8] = [0x0a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 0x61, 0x12, 0x03, 0x62, 0x63, 0x64]

    static func series(_ payload: [UInt8]) -> [UInt8] { goodSeries + [0x0a, UInt8(payload.count)] + payload }
    static func label(name: [UInt8], value: [UInt8]) -> [UInt8] {
        let l = [0x0a, UInt8(name.count)] + name + [0x12, UInt8(value.count)] + value
        return [0x0a, UInt8(l.count)] + l
    }

    static let protobufCases: [Case] = [
        Case(name: "truncated length varint", bytes: [0x0a, 0x80], code: .malformedVarint),
        Case(name: "truncated series message", bytes: [0x0a, 0x05, 0x0a], code: .lengthOutOfBounds),
        Case(name: "truncated tag varint", bytes: [0x8a], code: .malformedVarint),
        Case(
            name: "six-byte length prefix", bytes: [0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], code: .malformedVarint),
        Case(name: "wrong wire type for timeseries", bytes: [0x08, 0x01], code: .wrongWireType),
        Case(name: "wrong wire type for sample value", bytes: series([0x12, 0x02, 0x08, 0x01]), code: .wrongWireType),
        Case(name: "group wire type", bytes: [0x0b, 0x0c], code: .unsupportedWireType),
        Case(name: "wire type 7", bytes: [0x0f], code: .unsupportedWireType),
        Case(name: "field number zero", bytes: [0x02, 0x00], code: .invalidTag),
        Case(name: "label length past the end", bytes: series([0x0a, 0x02, 0x0a, 0x7f]), code: .lengthOutOfBounds),
        Case(
            name: "2 GiB declared length", bytes: [0x0a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00], code: .lengthOutOfBounds),
        Case(name: "4 GiB declared length", bytes: [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], code: .lengthOutOfBounds),
        Case(
            name: "2 GiB - 1 declared, 1 present", bytes: [0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00],
            code: .lengthOutOfBounds),
        Case(
            name: "11-byte timestamp varint",
            bytes: series([0x12, 0x0c, 0x10] + [UInt8](repeating: 0xff, count: 10) + [0x01]), code: .malformedVarint),
        Case(name: "truncated sample double", bytes: series([0x12, 0x05, 0x09, 1, 2, 3, 4]), code: .truncated),
        Case(
            name: "invalid UTF-8 in label name", bytes: series(label(name: [0xff], value: [0x61])), code: .invalidUTF8),
        Case(
            name: "overlong UTF-8 in label value", bytes: series(label(name: [0x61], value: [0xc0, 0xaf])),
            code: .invalidUTF8),
        Case(
            name: "surrogate in label value", bytes: series(label(name: [0x61], value: [0xed, 0xa0, 0x80])),
            code: .invalidUTF8),
        Case(
            name: "truncated UTF-8 sequence", bytes: series(label(name: [0x61], value: [0xe6, 0x97])),
            code: .invalidUTF8),
        Case(
            name: "code point past U+10FFFF", bytes: series(label(name: [0xf4, 0x90, 0x80, 0x80], value: [0x61])),
            code: .invalidUTF8),
        Case(
            name: "packed doubles not a multiple of 8",
            bytes: series([0x22, 0x05, 0x52, 0x03, 1, 2, 3]), code: .lengthOutOfBounds),
        Case(
            name: "unterminated packed sint64", bytes: series([0x22, 0x04, 0x4a, 0x02, 0x01, 0x80]),
            code: .malformedVarint),
    ]

    @Test("malformed protobuf is rejected by both decoders", arguments: protobufCases)
    func malformedProtobuf(_ c: Case) throws {
        let error = try #require(throws: WireError.self) { try WriteRequestDecoder.decode(c.bytes) }
        #expect(error.code == c.code, "\(error)")
        #expect(error.message.contains("offset") || error.code == .invalidUTF8, "\(error.message)")
        #expect(throws: WireError.self) { try WriteRequest(protobuf: c.bytes) }
        #expect(throws: WireError.self) {
            try c.bytes.withUnsafeBytes { raw in try WriteRequestDecoder.visit(raw) { _ in Issue.record("visited") } }
        }
    }

    @Test func utf8ErrorNamesTheSeriesIndex() throws {
        let bytes = Self.series(Self.label(name: [0x61], value: [0xff]))
        let hand = try #require(throws: WireError.self) { try WriteRequestDecoder.decode(bytes) }
        #expect(hand.message.hasPrefix("timeseries[1]: label value at offset"), "\(hand.message)")
        let reference = try #require(throws: WireError.self) { try WriteRequest(protobuf: bytes) }
        #expect(reference.code == .invalidUTF8)
        #expect(reference.message == "timeseries[1].labels[0].value is not valid UTF-8")
    }

    @Test func emptyBodiesAreValidEmptyMessagesButNotValidSnappy() throws {
        #expect(try WriteRequestDecoder.decode([]) == WriteRequest())
        #expect(try WriteRequest(protobuf: []) == WriteRequest())
        #expect(try WriteRequestV2(protobuf: []) == WriteRequestV2(symbols: [], timeseries: []))
        #expect(try ReadRequest(protobuf: []) == ReadRequest(queries: []))
        #expect(throws: WireError(.emptyBody, "")) { try WriteRequest(snappyProtobuf: []) }
    }

    static let snappyCases: [Case] = [
        Case(name: "empty", bytes: [], code: .emptyBody),
        Case(name: "claims 4 GiB decoded", bytes: [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61], code: .decodedTooLarge),
        Case(name: "claims 32 MiB + 1 decoded", bytes: [0x81, 0x80, 0x80, 0x10, 0x00], code: .decodedTooLarge),
        Case(
            name: "framed snappy stream",
            bytes: [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59, 0x01, 0x05],
            code: .snappyFramed),
        Case(name: "malformed preamble", bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], code: .snappyCorrupt),
        Case(name: "claims 1 MiB from 5 bytes", bytes: [0x80, 0x80, 0x40, 0x00, 0x61], code: .snappyCorrupt),
        Case(name: "literal past the end", bytes: [0x0a, 0x24, 0x61], code: .snappyCorrupt),
        Case(name: "copy before the start", bytes: [0x05, 0x01, 0x05], code: .snappyCorrupt),
    ]

    @Test("malformed snappy is rejected before any large allocation", arguments: snappyCases)
    func malformedSnappy(_ c: Case) {
        let error = #expect(throws: WireError.self) { try WriteRequest(snappyProtobuf: c.bytes) }
        #expect(error?.code == c.code, "\(String(describing: error))")
        let v2 = #expect(throws: WireError.self) { try WriteRequestV2(snappyProtobuf: c.bytes) }
        #expect(v2?.code == c.code)
    }

    @Test func decodedSizeCapIsInclusive() throws {
        let body = Snappy.compress([UInt8](repeating: 7, count: 1000))
        #expect(try Snappy.decompress(body, maxDecodedBytes: 1000).count == 1000)
        #expect(throws: WireError(.decodedTooLarge, "")) { try Snappy.decompress(body, maxDecodedBytes: 999) }
    }

    @Test func v2SymbolReferencesAreChecked() throws {
        let request = WriteRequestV2(
            symbols: ["", "a"], timeseries: [.init(labelsRefs: [1, 2]), .init(labelsRefs: [1])])
        let decoded = try WriteRequestV2(protobuf: request.protobuf())
        let outOfRange = #expect(throws: WireError.self) { try decoded.labels(decoded.timeseries[0].labelsRefs) }
        #expect(outOfRange?.code == .invalidSymbolReference)
        #expect(outOfRange?.message.contains("symbol 2") == true)
        #expect(throws: WireError(.invalidSymbolReference, "")) { try decoded.labels(decoded.timeseries[1].labelsRefs) }
    }

    @Test(
        "other messages reject garbage with a typed error",
        arguments: [
            [0x0a, 0x05] as [UInt8], [0x0b], [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x08],
        ])
    func otherMessages(bytes: [UInt8]) {
        #expect(throws: WireError(.invalidMessage, "")) { try WriteRequestV2(protobuf: bytes) }
        #expect(throws: WireError(.invalidMessage, "")) { try ReadRequest(protobuf: bytes) }
        #expect(throws: WireError(.invalidMessage, "")) { try ReadResponse(protobuf: bytes) }
        #expect(throws: WireError(.invalidMessage, "")) { try ChunkedReadResponse(protobuf: bytes) }
    }
}
