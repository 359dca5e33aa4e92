import PromModel
import Testing

@testable import PromWire

@Suite struct ChunkedReadFramingTests {
    static let responses = (0..<5).map { i in
        ChunkedReadResponse(
            chunkedSeries: [
                ChunkedSeries(
                    labels: [Label(name: "__name__", value: "m\(i)")],
                    chunks: [
                        Chunk(
                            minTimeMs: Int64(i), maxTimeMs: Int64(i) + 119, type: .xor,
                            data: [UInt8](repeating: UInt8(i), count: i * 100))
                    ])
            ], queryIndex: Int64(i % 2))
    }

    @Test func crc32cKnownVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test("frames survive any split of the stream", arguments: [1, 3, 7, 1000])
    func streamedInPieces(piece: Int) throws {
        let writer = ChunkedReadWriter()
        let stream = try Self.responses.flatMap { try writer.frame($0) }
        var reader = ChunkedReadReader()
        var got: [ChunkedReadResponse] = []
        var i = 0
        while i < stream.count {
            reader.append(stream[i..<min(stream.count, i + piece)])
            i += piece
            while let r = try reader.next() { got.append(r) }
        }
        try reader.finish()
        #expect(got == Self.responses)
    }

    @Test func headerLayoutIsUvarintThenBigEndianCRC() throws {
        let message = [UInt8](repeating: 0x11, count: 200)
        let frame = try ChunkedReadWriter().frame(message: message)
        #expect(Array(frame.prefix(2)) == [0xc8, 0x01])
        let crc = CRC32C.checksum(message)
        #expect(
            Array(frame[2..<6]) == [
                UInt8(crc >> 24), UInt8(crc >> 16 & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc & 0xff),
            ])
        #expect(Array(frame[6...]) == message)
    }

    @Test func corruptedMessageFailsTheChecksum() throws {
        var frame = try ChunkedReadWriter().frame(Self.responses[1])
        frame[frame.count - 1] ^= 0x01
        var reader = ChunkedReadReader()
        reader.append(frame)
        let error = #expect(throws: WireError.self) { try reader.next() }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.message.contains("crc32c mismatch (got 0x") == true)
    }

    @Test func oversizeFrameIsRefusedFromItsHeaderAlone() {
        var reader = ChunkedReadReader(maxFrameBytes: 1024)
        reader.append([0x80, 0x80, 0x80, 0x80, 0x08])  // declares 2 GiB, sends nothing more
        let error = #expect(throws: WireError.self) { try reader.next() }
        #expect(error?.code == .frameTooLarge)
        #expect(throws: WireError(.frameTooLarge, "")) {
            try ChunkedReadWriter(maxFrameBytes: 10).frame(message: [UInt8](repeating: 0, count: 11))
        }
    }

    @Test func malformedLengthAndTruncatedStream() throws {
        var bad = ChunkedReadReader()
        bad.append([UInt8](repeating: 0xff, count: 11))
        #expect(throws: WireError(.malformedVarint, "")) { try bad.next() }

        var reader = ChunkedReadReader()
        reader.append(Array(try ChunkedReadWriter().frame(Self.responses[2]).dropLast()))
        #expect(try reader.next() == nil)
        #expect(throws: WireError(.truncated, "")) { try reader.finish() }
    }
}
