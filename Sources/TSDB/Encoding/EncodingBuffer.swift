import PromModel
/// An append-only byte buffer with the integer encodings of the Prometheus file formats.
package struct EncodingBuffer: Sendable {
    /// The bytes written so far.
    package var bytes: [UInt8] = []

    /// An empty buffer.
    package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Number of bytes written.
    package var count: Int { bytes.count }

    /// Empties the buffer, keeping its capacity.
    package mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// Appends one byte.
    package mutating func putByte(_ b: UInt8) { bytes.append(b) }

    /// Appends bytes as they are.
    package mutating func putBytes(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }

    /// Big-endian 32-bit integer.
    package mutating func putBE32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Big-endian 64-bit integer.
    package mutating func putBE64(_ v: UInt64) {
        putBE32(UInt32(truncatingIfNeeded: v >> 32))
        putBE32(UInt32(truncatingIfNeeded: v))
    }

    /// Overwrites 4 bytes at `offset` with a big-endian integer (for lengths known only afterwards).
    package mutating func patchBE32(_ v: UInt32, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: v >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// Unsigned LEB128, as Go's `binary.PutUvarint`.
    package mutating func putUvarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    /// Zig-zag signed LEB128, as Go's `binary.PutVarint`.
    package mutating func putVarint(_ v: Int64) {
        putUvarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    /// A uvarint length prefix followed by the UTF-8 bytes.
    package mutating func putUvarintString(_ s: String) {
        var s = s
        s.withUTF8 { u in
            putUvarint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    /// The CRC-32C of `bytes[from...]`, appended big-endian.
    package mutating func putCRC(from start: Int) {
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        putBE32(crc)
    }

    /// Appends zero bytes until `base + count` is a multiple of `alignment`.
    package mutating func pad(to alignment: Int, base: Int = 0) {
        let r = (base + bytes.count) % alignment
        if r != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - r)) }
    }

    /// Number of bytes `putUvarint(v)` writes.
    package static func uvarintSize(_ v: UInt64) -> Int {
        var n = 1
        var x = v
        while x >= 0x80 {
            x >>= 7
            n += 1
        }
        return n
    }
}
