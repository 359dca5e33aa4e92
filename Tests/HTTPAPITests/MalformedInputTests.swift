import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromModel
import PromWire
import Receiver
import Testing

/// Malformed and hostile bodies get the right 4xx, and the receiver keeps serving.
@Suite struct MalformedInputTests {
    typealias H = ReceiverHTTPTests

    static func raw(_ client: any TestClientProtocol, _ body: [UInt8], headers: HTTPFields = H.v1Headers) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// A protobuf field header: tag then, for length-delimited fields, a length.
    static func varint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var x = v
        while x >= 0x80 {
            out.append(UInt8(x & 0x7f) | 0x80)
            x >>= 7
        }
        out.append(UInt8(x))
        return out
    }

    static let corpus: [(String, [UInt8], HTTPResponse.Status)] = [
        ("empty body", [], .badRequest),
        ("not snappy", Array("definitely not snappy".utf8), .badRequest),
        ("framed snappy", [0xff, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8) + [0x01, 0x05, 0, 0, 0, 0, 0, 0, 0, 0], .badRequest),
        ("snappy claiming 2 GiB", varint(2 << 30) + [0x00], .contentTooLarge),
        ("garbage protobuf", Snappy.compress([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), .badRequest),
        ("2 GB declared length", Snappy.compress([0x0a] + varint(2_000_000_000) + [0x0a, 0x00]), .badRequest),
        ("truncated message", Snappy.compress([0x0a, 0x10, 0x0a, 0x08]), .badRequest),
        ("wrong wire type", Snappy.compress([0x08, 0x01]), .badRequest),
        ("invalid UTF-8 label value", Snappy.compress(
            [0x0a, 0x13, 0x0a, 0x11, 0x0a, 0x08] + Array("__name__".utf8) + [0x12, 0x05, 0x61, 0xff, 0xfe, 0x62, 0x63]), .badRequest),
    ]

    @Test func corpusGetsClientErrorsAndServerKeepsServing() async throws {
        try await H.withReceiver { client, _ in
            for (name, body, want) in Self.corpus {
                let r = try await Self.raw(client, body)
                #expect(r.status == want, "\(name): got \(r.status) \(String(buffer: r.body))")
                #expect(!String(buffer: r.body).isEmpty, "\(name): error body is empty")
            }
            #expect(try await client.execute(uri: "/-/healthy", method: .get).status == .ok)
            #expect(try await H.write(client, [H.series("still_ok", samples: [(H.now, 1)])]).status == .noContent)
        }
    }

    @Test func invalidSeriesArePartiallyRejectedWith400() async throws {
        try await H.withReceiver { client, _ in
            let ok = H.series("good", samples: [(H.now - 2000, 1), (H.now, 2)])
            let noName = TimeSeries(labels: [Label(name: "job", value: "x")], samples: [Sample(t: Timestamp(ms: H.now), v: 1)])
            let dup = TimeSeries(
                labels: [Label(name: "__name__", value: "d"), Label(name: "a", value: "1"), Label(name: "a", value: "2")],
                samples: [Sample(t: Timestamp(ms: H.now), v: 1)])
            let emptyName = TimeSeries(labels: [Label(name: "__name__", value: "e"), Label(name: "", value: "v")], samples: [Sample(t: Timestamp(ms: H.now), v: 1)])
            let r = try await H.write(client, [ok, noName, dup, emptyName])
            #expect(r.status == .badRequest)
            let text = String(buffer: r.body)
            #expect(text.contains("no metric name") && text.contains("duplicate label name") && text.contains("empty label name"))
            // Out of order relative to what was acknowledged; the valid series was kept.
            let late = try await H.write(client, [H.series("good", samples: [(H.now - 1000, 9)])])
            #expect(late.status == .badRequest)
            #expect(String(buffer: late.body).contains("out_of_order") || String(buffer: late.body).contains("out of order"), "\(String(buffer: late.body))")
            let read = try await H.read(client, [LabelMatcher(type: .equal, name: "__name__", value: "good")], streamed: false)
            let got = try ReadResponse(protobuf: try Snappy.decompress(Array(buffer: read.body))).results[0].timeseries
            #expect(got.count == 1 && got[0].samples.count == 2)
        }
    }

    @Test func unsupportedEncodingsAndProtocolsGet415() async throws {
        try await H.withReceiver { client, _ in
            let body = try WriteRequest(timeseries: [H.series("m", samples: [(H.now, 1)])]).snappyProtobuf()
            var gzip = H.v1Headers
            gzip[.contentEncoding] = "gzip"
            #expect(try await Self.raw(client, body, headers: gzip).status == .unsupportedMediaType)
            var proto = H.v1Headers
            proto[.contentType] = "application/x-protobuf;proto=io.prometheus.write.v3.Request"
            #expect(try await Self.raw(client, body, headers: proto).status == .unsupportedMediaType)
            var json = H.v1Headers
            json[.contentType] = "application/json"
            #expect(try await Self.raw(client, body, headers: json).status == .unsupportedMediaType)
        }
    }

    @Test func oversizedBodyGets413AndRateLimitGets429WithRetryAfter() async throws {
        try await H.withReceiver(configure: {
            $0.defaultLimits.maxRequestBytes = 1024
            $0.defaultLimits.samplesPerSecond = 5
            $0.defaultLimits.samplesBurst = 5
        }) { client, _ in
            let big = (0..<200).map { H.series("m\($0)", ["pad": String(repeating: "x", count: 50)], samples: [(H.now, 1)]) }
            #expect(try await H.write(client, big).status == .contentTooLarge)
            let five = (0..<5).map { H.series("r\($0)", samples: [(H.now, 1)]) }
            #expect(try await H.write(client, five).status == .noContent)
            let r = try await H.write(client, [H.series("r9", samples: [(H.now, 1)])])
            #expect(r.status == .tooManyRequests)
            #expect(Int(r.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }
}
