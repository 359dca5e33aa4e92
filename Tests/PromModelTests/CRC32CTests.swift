import Testing

import PromModel

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test func incrementalMatchesOneShotAtEveryLength() {
        // A fixed pseudo-random pattern (Knuth's multiplicative hash of the index).
        let data = (0..<300).map { UInt8(truncatingIfNeeded: (UInt32($0) &* 2_654_435_761) >> 13) }
        for split in [0, 1, 7, 8, 9, 150, 299, 300] {
            var c = CRC32C()
            data.withUnsafeBytes {
                c.update(UnsafeRawBufferPointer(rebasing: $0[..<split]))
                c.update(UnsafeRawBufferPointer(rebasing: $0[split...]))
            }
            #expect(c.value == CRC32C.checksum(data))
        }
        // A bitwise reference implementation for the slicing-by-8 tables.
        var crc: UInt32 = 0xffff_ffff
        for b in data {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        #expect(~crc == CRC32C.checksum(data))
    }
}
