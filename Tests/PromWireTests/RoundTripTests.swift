import PromModel
import Testing

@testable import PromWire

/// Every message type survives encode → decode; boundary values are kept bit for bit.
@Suite struct RoundTripTests {
    static func series(_ samples: [Sample]) -> TimeSeries {
        TimeSeries(labels: [Label(name: "__name__", value: "up"), Label(name: "job", value: "ñode")], samples: samples)
    }

    static let writeRequests: [(String, WriteRequest)] = [
        ("empty", WriteRequest()),
        ("one empty series", WriteRequest(timeseries: [TimeSeries(labels: [])])),
        ("samples", WriteRequest(timeseries: [series([Sample(t: Timestamp(ms: 1), v: 2)])])),
        (
            "metadata only",
            WriteRequest(metadata: [MetricMetadata(type: .summary, metricFamilyName: "rpc", help: "h", unit: "s")])
        ),
        (
            "unknown metric type",
            WriteRequest(metadata: [MetricMetadata(type: .init(rawValue: -5), metricFamilyName: "x")])
        ),
        (
            "exemplar",
            WriteRequest(timeseries: [
                TimeSeries(
                    labels: [],
                    exemplars: [Exemplar(labels: [Label(name: "trace_id", value: "t")], value: .nan, timestamp: .max)])
            ])
        ),
    ]

    @Test("WriteRequest round-trips through every encoder/decoder pair", arguments: writeRequests)
    func writeRequest(name: String, request: WriteRequest) throws {
        for bytes in [request.protobuf(), try request.protobufC()] {
            #expect(try WriteRequestDecoder.decode(bytes) == request)
            #expect(try WriteRequest(protobuf: bytes) == request)
        }
        #expect(try WriteRequest(snappyProtobuf: request.snappyProtobuf()) == request)
        #expect(request.protobuf() == (try request.protobufC()), "both encoders write the canonical form")
    }

    @Test(
        "timestamps at varint edges",
        arguments: [
            Int64.min, Int64.min + 1, -1, 0, 1, 127, 128, 16383, 16384, 2_097_151, 2_097_152, Int64(Int32.max), 1 << 32,
            1 << 56 - 1, 1 << 56, Int64.max,
        ] as [Int64])
    func timestampEdges(ms: Int64) throws {
        let request = WriteRequest(timeseries: [Self.series([Sample(t: Timestamp(ms: ms), v: 1)])])
        #expect(try WriteRequestDecoder.decode(request.protobuf()) == request)
        #expect(try WriteRequest(protobuf: request.protobufC()) == request)
        var w = ProtoWriter(capacity: 10)
        w.varint(UInt64(bitPattern: ms))
        #expect(w.bytes.count == ProtoSize.varint(UInt64(bitPattern: ms)))
        #expect(w.bytes.count == (ms < 0 ? 10 : max(1, (64 - ms.leadingZeroBitCount + 6) / 7)))
    }

    @Test(
        "values keep their bit pattern",
        arguments: [
            StaleNaN.bitPattern, Double.nan.bitPattern, 0x7ff8_0000_0000_0001, 0xfff8_0000_0000_0000,
            Double.infinity.bitPattern, (-Double.infinity).bitPattern, 1, 0x3ff0_0000_0000_0000, 0x8000_0000_0000_0000,
        ] as [UInt64])
    func valueBits(bits: UInt64) throws {
        let request = WriteRequest(timeseries: [Self.series([Sample(t: Timestamp(ms: 5), v: Double(bitPattern: bits))])]
        )
        let decoded = try WriteRequestDecoder.decode(request.protobuf())
        #expect(decoded.timeseries[0].samples[0].v.bitPattern == bits)
        #expect(StaleNaN.isStale(decoded.timeseries[0].samples[0].v) == (bits == StaleNaN.bitPattern))
        // proto3 encoders drop a double that compares equal to zero, so protobuf-c writes -0.0 as nothing.
        let viaC = try WriteRequest(protobuf: request.protobufC()).timeseries[0].samples[0].v.bitPattern
        #expect(viaC == (bits == 0x8000_0000_0000_0000 ? 0 : bits))
    }

    @Test func histogramsRoundTripIncludingOneofsAndNegativeSchema() throws {
        var h = Histogram()
        h.count = .int(.max)
        h.zeroCount = .float(-0.5)
        h.schema = -53
        h.negativeSpans = [BucketSpan(offset: .min, length: .max), BucketSpan(offset: 0, length: 0)]
        h.negativeDeltas = [.min, .max, 0, -1]
        h.positiveCounts = [.nan, StaleNaN.value]
        h.resetHint = .gauge
        h.timestamp = .min
        h.customValues = [.infinity]
        var zero = Histogram()
        zero.count = .int(0)  // a set oneof member is written even when zero
        let request = WriteRequest(timeseries: [TimeSeries(labels: [], histograms: [h, zero, Histogram()])])
        #expect(try WriteRequestDecoder.decode(request.protobuf()) == request)
        #expect(try WriteRequest(protobuf: request.protobufC()) == request)
        let v2 = WriteRequestV2(symbols: [""], timeseries: [.init(labelsRefs: [], histograms: [h, zero])])
        #expect(try WriteRequestV2(protobuf: v2.protobuf()) == v2)
    }

    static let v2Requests: [(String, WriteRequestV2)] = [
        ("empty", WriteRequestV2(symbols: [], timeseries: [])),
        (
            "full",
            WriteRequestV2(
                symbols: ["", "__name__", "up", "名前"],
                timeseries: [
                    .init(
                        labelsRefs: [1, 2], samples: [Sample(t: .min, v: StaleNaN.value)],
                        exemplars: [.init(labelsRefs: [3, 3], value: 1, timestamp: .max)],
                        metadata: .init(type: .gauge, helpRef: 3, unitRef: 0), createdTimestamp: -1),
                    .init(labelsRefs: [], metadata: .init(type: .unknown)),
                    .init(labelsRefs: [.max, 0], createdTimestamp: .max),
                ])
        ),
    ]

    @Test("remote write 2.0 round-trips", arguments: v2Requests)
    func writeV2(name: String, request: WriteRequestV2) throws {
        #expect(try WriteRequestV2(protobuf: request.protobuf()) == request)
        #expect(try WriteRequestV2(snappyProtobuf: request.snappyProtobuf()) == request)
    }

    @Test func remoteReadMessagesRoundTrip() throws {
        var hints = ReadHints()
        (hints.stepMs, hints.function, hints.startMs, hints.endMs) = (15_000, "rate", .min, .max)
        (hints.grouping, hints.by, hints.rangeMs) = (["job", ""], true, -1)
        let read = ReadRequest(
            queries: [
                Query(
                    startTimestampMs: .min, endTimestampMs: .max,
                    matchers: [
                        LabelMatcher(type: .regexNoMatch, name: "job", value: "a|b"),
                        LabelMatcher(type: .init(rawValue: 9), name: "", value: ""),
                    ], hints: hints),
                Query(startTimestampMs: 0, endTimestampMs: 0, matchers: []),
            ], acceptedResponseTypes: [.streamedXORChunks, .samples, .init(rawValue: 7)])
        #expect(try ReadRequest(protobuf: read.protobuf()) == read)
        #expect(try ReadRequest(snappyProtobuf: Snappy.compress(read.protobuf())) == read)

        let response = ReadResponse(results: [
            QueryResult(timeseries: [Self.series([Sample(t: .max, v: .nan)])]), QueryResult(timeseries: []),
        ])
        #expect(try ReadResponse(protobuf: response.protobuf()) == response)
        #expect(try ReadResponse(protobuf: Snappy.decompress(response.snappyProtobuf())) == response)

        let chunks = ChunkedReadResponse(
            chunkedSeries: [
                ChunkedSeries(
                    labels: [Label(name: "a", value: "b")],
                    chunks: [
                        Chunk(minTimeMs: .min, maxTimeMs: .max, type: .xor, data: Array(0...255)),
                        Chunk(minTimeMs: 0, maxTimeMs: 0, type: .floatHistogram, data: []),
                        Chunk(minTimeMs: 1, maxTimeMs: 2, type: .histogram, data: [0]),
                    ])
            ], queryIndex: .max)
        #expect(try ChunkedReadResponse(protobuf: chunks.protobuf()) == chunks)
    }

    @Test func protobufCRefusesNULInStrings() {
        let bad = ReadRequest(queries: [
            Query(
                startTimestampMs: 0, endTimestampMs: 1,
                matchers: [
                    LabelMatcher(type: .equal, name: "a\u{0}", value: "b")
                ])
        ])
        let error = #expect(throws: WireError.self) { try bad.protobuf() }
        #expect(error?.code == .unencodable)
        #expect(
            error?.message == "queries[0].matchers[0].name contains a NUL byte, which protobuf-c strings cannot carry")
    }
}
