import PromModel
import Testing

@testable import TSDB

@Suite struct TombstonesTests {
    static func iv(_ a: Int64, _ b: Int64) -> TombstoneInterval {
        TombstoneInterval(minTime: Timestamp(ms: a), maxTime: Timestamp(ms: b))
    }

    @Test func emptyFileIsHeaderAndCRCOfNothing() {
        #expect(Tombstones().encoded() == [0x01, 0x30, 0xBA, 0x30, 0x01, 0, 0, 0, 0])
    }

    @Test func intervalsMergeAndRoundTrip() throws {
        var t = Tombstones()
        t.add(7, Self.iv(10, 20))
        t.add(7, Self.iv(21, 30))  // adjacent: merged
        t.add(7, Self.iv(100, 200))
        t.add(7, Self.iv(150, 250))  // overlapping: merged
        t.add(3, Self.iv(.min, .max))
        #expect(t.intervals[7] == [Self.iv(10, 30), Self.iv(100, 250)])
        #expect(t.count == 3)
        let bytes = t.encoded()
        let back = try bytes.withUnsafeBytes { try Tombstones(decoding: $0, file: "tombstones") }
        #expect(back == t)
    }

    @Test func badChecksumNamesFileAndOffset() throws {
        var t = Tombstones()
        t.add(1, Self.iv(1, 2))
        var bytes = t.encoded()
        bytes[6] ^= 1
        let error = #expect(throws: TSDBError.self) {
            try bytes.withUnsafeBytes { try Tombstones(decoding: $0, file: "b/tombstones") }
        }
        #expect(error?.message.hasPrefix("b/tombstones: checksum mismatch") == true)
        #expect(error?.message.hasSuffix("at offset \(bytes.count - 4)") == true)
    }
}
