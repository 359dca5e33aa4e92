// Building blocks of the hand-written protobuf encoder: field sizes and appends into a byte array
// reserved up front. Follows proto3's canonical form: a scalar equal to its default is left out
// (a double only when all its bits are zero, so -0.0 survives), repeated scalars are packed, and a
// set oneof member is always written.

enum ProtoSize {
    @inline(__always) static func varint(_ v: UInt64) -> Int {
        // 1 byte per started 7 bits; 0 takes one byte.
        (63 - (v | 1).leadingZeroBitCount) / 7 + 1
    }

    @inline(__always) static func tag(_ field: UInt32) -> Int { varint(UInt64(field) << 3) }

    /// A length-delimited field of `length` payload bytes, including tag and prefix.
    @inline(__always) static func delimited(_ field: UInt32, _ length: Int) -> Int {
        tag(field) + varint(UInt64(length)) + length
    }

    /// An optional double (absent when its bits are zero).
    @inline(__always) static func double(_ field: UInt32, _ v: Double) -> Int {
        v.bitPattern == 0 ? 0 : tag(field) + 8
    }

    /// An optional varint field (absent when zero).
    @inline(__always) static func varintField(_ field: UInt32, _ v: UInt64) -> Int {
        v == 0 ? 0 : tag(field) + varint(v)
    }

    /// An optional string or bytes field (absent when empty).
    @inline(__always) static func bytesField(_ field: UInt32, _ count: Int) -> Int {
        count == 0 ? 0 : delimited(field, count)
    }
}

struct ProtoWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always) mutating func tag(_ field: UInt32, _ wireType: UInt8) {
        varint(UInt64(field) << 3 | UInt64(wireType))
    }

    @inline(__always) mutating func fixed64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Starts a length-delimited field whose payload is `length` bytes; the caller appends the payload.
    @inline(__always) mutating func delimited(_ field: UInt32, length: Int) {
        tag(field, WireType.lengthDelimited)
        varint(UInt64(length))
    }

    @inline(__always) mutating func double(_ field: UInt32, _ v: Double) {
        if v.bitPattern != 0 {
            tag(field, WireType.fixed64)
            fixed64(v.bitPattern)
        }
    }

    @inline(__always) mutating func varintField(_ field: UInt32, _ v: UInt64) {
        if v != 0 {
            tag(field, WireType.varint)
            varint(v)
        }
    }

    @inline(__always) mutating func string(_ field: UInt32, _ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            if !utf8.isEmpty {
                delimited(field, length: utf8.count)
                bytes.append(contentsOf: utf8)
            }
        }
    }
}

/// zigzag for sint32/sint64.
@inline(__always) func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
