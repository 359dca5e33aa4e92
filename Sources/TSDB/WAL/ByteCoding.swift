/// Appends the integer encodings used by WAL records and Prometheus' on-disk formats.
///
/// Varints follow Go's `encoding/binary`: unsigned LEB128, and signed values zig-zag encoded first.
struct ByteEncoder {
    var bytes: [UInt8]

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) mutating func putByte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) mutating func putBE64(_ x: UInt64) {
        withUnsafeBytes(of: x.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func putUvarint(_ x: UInt64) {
        var x = x
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    @inline(__always) mutating func putVarint(_ x: Int64) {
        putUvarint(UInt64(bitPattern: (x << 1) ^ (x >> 63)))
    }

    /// A uvarint length followed by the UTF-8 bytes.
    mutating func putUvarintString(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            putUvarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

/// Reads the encodings written by ``ByteEncoder`` from borrowed bytes; every read is bounds-checked
/// and returns nil when the input is too short or malformed.
struct ByteDecoder {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func be64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func uvarint() -> UInt64? {
        var x: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            if shift == 63 && b > 1 { return nil }
            x |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return x }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    mutating func varint() -> Int64? {
        guard let u = uvarint() else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func uvarintString() -> String? {
        guard let n = uvarint(), n <= UInt64(remaining) else { return nil }
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(n)]), as: UTF8.self)
        offset += Int(n)
        return s
    }
}
