/// Appends bits most-significant first, the bit order of Prometheus' chunk encodings.
struct BitWriter: Sendable {
    private(set) var bytes: [UInt8]
    /// Free bits left in the last byte (0 means the next bit starts a new byte).
    private var free: Int = 0

    init(bytes: [UInt8] = []) { self.bytes = bytes }

    @inline(__always) mutating func writeBit(_ bit: Bool) {
        if free == 0 {
            bytes.append(0)
            free = 8
        }
        if bit { bytes[bytes.count - 1] |= UInt8(1) << UInt8(free - 1) }
        free -= 1
    }

    /// Writes the low `count` bits of `value`, highest first.
    @inline(__always) mutating func writeBits(_ value: UInt64, count: Int) {
        // Prometheus' bit stream writes whole bytes with a `writeByte` that always appends the next
        // (empty) byte. So when a write of whole bytes starts byte-aligned, its stream ends with a
        // zero byte that the next bit write fills. Chunks keep that byte, so we must too to be
        // byte-identical (proven against promtool in PromtoolCompatibilityTests).
        let leavesEmptyByte = count >= 8 && count % 8 == 0 && (free == 0 || free == 8)
        var remaining = count
        while remaining > 0 {
            if free == 0 {
                bytes.append(0)
                free = 8
            }
            let take = Swift.min(free, remaining)
            let shift = remaining - take
            let chunk = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & ((1 << UInt64(take)) - 1))
            bytes[bytes.count - 1] |= chunk << UInt8(free - take)
            free -= take
            remaining -= take
        }
        if leavesEmptyByte {
            bytes.append(0)
            free = 8
        }
    }

    /// Lets the owner patch bytes already written (e.g. a count header).
    mutating func withHeader(_ body: (inout [UInt8]) -> Void) { body(&bytes) }

    /// Writes a whole byte-aligned-or-not byte.
    mutating func writeByte(_ b: UInt8) { writeBits(UInt64(b), count: 8) }
}

/// Reads bits most-significant first from a byte buffer.
struct BitReader {
    private let bytes: UnsafeRawBufferPointer
    /// Absolute bit position of the next bit.
    private(set) var position: Int
    private let limit: Int

    init(_ bytes: UnsafeRawBufferPointer, startByte: Int) {
        self.bytes = bytes
        self.position = startByte * 8
        self.limit = bytes.count * 8
    }

    @inline(__always) mutating func readBit() -> Bool? {
        guard position < limit else { return nil }
        let b = bytes[position >> 3]
        let bit = (b >> UInt8(7 - (position & 7))) & 1
        position += 1
        return bit == 1
    }

    @inline(__always) mutating func readBits(_ count: Int) -> UInt64? {
        guard count <= limit - position else { return nil }
        // Fast path: one unaligned big-endian 8-byte load holds at least 57 bits from `position`.
        let byteIndex = position >> 3
        if count > 0 && count <= 56 && byteIndex + 8 <= bytes.count {
            let word = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
            let offset = UInt64(position & 7)
            position += count
            return (word << offset) >> UInt64(64 - count)
        }
        var value: UInt64 = 0
        var remaining = count
        while remaining > 0 {
            let byteIndex = position >> 3
            let offset = position & 7
            let avail = 8 - offset
            let take = Swift.min(avail, remaining)
            let b = UInt64(bytes[byteIndex])
            let chunk = (b >> UInt64(avail - take)) & ((1 << UInt64(take)) - 1)
            value = (value << UInt64(take)) | chunk
            position += take
            remaining -= take
        }
        return value
    }

    mutating func readByte() -> UInt8? { readBits(8).map { UInt8($0) } }

    /// Reads a Go-style unsigned varint from the bit stream (not necessarily byte-aligned).
    mutating func readUvarint() -> UInt64? {
        var x: UInt64 = 0
        var s: UInt64 = 0
        for i in 0..<10 {
            guard let b = readByte() else { return nil }
            if b < 0x80 {
                if i == 9 && b > 1 { return nil }
                return x | UInt64(b) << s
            }
            x |= UInt64(b & 0x7f) << s
            s += 7
        }
        return nil
    }

    /// Reads a Go-style zigzag signed varint.
    mutating func readVarint() -> Int64? {
        guard let ux = readUvarint() else { return nil }
        var x = Int64(bitPattern: ux >> 1)
        if ux & 1 != 0 { x = ~x }
        return x
    }
}

extension BitWriter {
    /// Writes a Go-style unsigned varint.
    mutating func writeUvarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        writeByte(UInt8(x))
    }

    /// Writes a Go-style zigzag signed varint.
    mutating func writeVarint(_ v: Int64) {
        var ux = UInt64(bitPattern: v) << 1
        if v < 0 { ux = ~ux }
        writeUvarint(ux)
    }
}
