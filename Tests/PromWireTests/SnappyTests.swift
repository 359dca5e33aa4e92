import PromWire
import Testing

@Suite struct SnappyTests {
    @Test("block snappy round-trips", arguments: [0, 1, 2, 63, 64, 65_536, 1 << 20])
    func roundTrip(size: Int) throws {
        var rng = SplitMix64(seed: UInt64(size))
        let input = (0..<size).map { i in i % 7 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8(i % 13) }
        let compressed = Snappy.compress(input)
        #expect(try compressed.withUnsafeBytes { try Snappy.decodedLength(of: $0) } == size)
        #expect(try Snappy.decompress(compressed) == input)
    }

    @Test func matchesAnIndependentEncoder() throws {
        // cramjam (Python) wrote this block; our decoder must read it and decode to the protobuf beside it.
        #expect(
            try Snappy.decompress(Fixtures.bytes("write_v1_basic.pb.snappy")) == Fixtures.bytes("write_v1_basic.pb"))
    }

    @Test func framedStreamIsNamedInTheError() {
        let framed: [UInt8] = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]
        let error = #expect(throws: WireError.self) { try Snappy.decompress(framed) }
        #expect(error?.code == .snappyFramed)
        #expect(error?.message.contains("framed snappy") == true)
    }

    @Test func oversizeIsRefusedWithNumbers() {
        let error = #expect(throws: WireError.self) {
            try Snappy.decompress([0x80, 0x80, 0x80, 0x80, 0x08], maxDecodedBytes: 100)
        }
        #expect(error?.message == "snappy block declares 2147483648 decoded bytes, above the limit of 100")
    }

    @Test func mostCompressibleInputStaysWithinTheExpansionBound() throws {
        // Runs of one byte compress to 64-byte copies, the densest snappy can get.
        for size in [64, 4096, 1 << 20] {
            let input = [UInt8](repeating: 0x2a, count: size)
            let compressed = Snappy.compress(input)
            #expect(size / 22 <= compressed.count)
            #expect(try Snappy.decompress(compressed) == input)
        }
    }
}
