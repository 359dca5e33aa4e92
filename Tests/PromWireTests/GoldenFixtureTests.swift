import Foundation
import PromModel
import PromWire
import Testing

/// Decodes payloads written by an independent encoder (Google protobuf for Python, cramjam snappy) and
/// checks our output with that decoder in turn.
@Suite struct GoldenFixtureTests {
    @Test(
        "remote write 1.0 fixtures decode to the expected values on both decoders",
        arguments: Fixtures.cases(message: "prometheus.WriteRequest"))
    func writeV1(_ c: Fixtures.Case) throws {
        let body = try Fixtures.bytes(c.name + ".pb")
        let reference = try WriteRequest(protobuf: body)
        #expect(reference.tree == Fixtures.expected(c.name))
        #expect(try WriteRequestDecoder.decode(body) == reference)
        #expect(try WriteRequest(snappyProtobuf: Fixtures.bytes(c.name + ".pb.snappy")) == reference)
    }

    @Test func writeV2() throws {
        let request = try WriteRequestV2(snappyProtobuf: Fixtures.bytes("write_v2_basic.pb.snappy"))
        #expect(request.tree == Fixtures.expected("write_v2_basic"))
        #expect(try request.labels(request.timeseries[0].labelsRefs).map(\.value) == ["http_requests_total", "api"])
        #expect(try request.symbol(request.timeseries[0].metadata!.helpRef) == "Total requests.")
    }

    @Test func remoteRead() throws {
        #expect(try ReadRequest(protobuf: Fixtures.bytes("read_request.pb")).tree == Fixtures.expected("read_request"))
        #expect(
            try ReadResponse(protobuf: Fixtures.bytes("read_response.pb")).tree == Fixtures.expected("read_response"))
        #expect(
            try ChunkedReadResponse(protobuf: Fixtures.bytes("chunked_read_response.pb")).tree
                == Fixtures.expected("chunked_read_response"))
    }

    @Test func chunkedStreamFromPython() throws {
        var reader = ChunkedReadReader()
        reader.append(try Fixtures.bytes("chunked_read_stream.bin"))
        var trees: [WireTree] = []
        while let frame = try reader.next() { trees.append(frame.tree) }
        try reader.finish()
        #expect(WireTree.array(trees) == Fixtures.expected("chunked_read_stream"))
    }

    /// Our encoder's output for each fixture's values, decoded by the Python script's own decoder.
    @Test(
        "our encoding decodes in Python to the expected values",
        .enabled(if: Fixtures.pythonReady, "needs python3 with google.protobuf and cramjam (deploy/prerequisites.sh)"),
        arguments: [
            "write_v1_basic", "write_v1_edge", "write_v1_histograms", "write_v2_basic", "read_request", "read_response",
            "chunked_read_response",
        ])
    func verifiedByPython(name: String) throws {
        let body = try Fixtures.bytes(name + ".pb")
        let encoded: [UInt8]
        switch name {
        case "write_v2_basic": encoded = try WriteRequestV2(protobuf: body).protobuf()
        case "read_request": encoded = try ReadRequest(protobuf: body).protobuf()
        case "read_response": encoded = try ReadResponse(protobuf: body).protobuf()
        case "chunked_read_response": encoded = try ChunkedReadResponse(protobuf: body).protobuf()
        default: encoded = try WriteRequest(protobuf: body).protobuf()
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-wire-\(name)-\(getpid()).pb")
        try Data(encoded).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = Fixtures.repositoryRoot.appendingPathComponent("proto/make-wire-fixtures.py").path
        let result = try Fixtures.run("python3", [script, "verify", name, file.path])
        #expect(result.status == 0, "\(result.output)")
    }

    /// The committed fixtures are what the script writes today (regenerate with
    /// `proto/make-wire-fixtures.py generate` and review the diff).
    @Test(.enabled(if: Fixtures.pythonReady, "needs python3 with google.protobuf and cramjam"))
    func committedFixturesAreCurrent() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-fixtures-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        let script = Fixtures.repositoryRoot.appendingPathComponent("proto/make-wire-fixtures.py").path
        let result = try Fixtures.run("python3", [script, "generate", out.path])
        try #require(result.status == 0, "\(result.output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names.count == 16)
        for name in names {
            let fresh = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(try Data(contentsOf: Fixtures.directory.appendingPathComponent(name)) == fresh, "\(name) is stale")
        }
    }
}
