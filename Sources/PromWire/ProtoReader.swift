// A bounds-checked protobuf cursor for the hand-written decoders. Its acceptance rules copy those of
// protobuf-c 1.4 (the reference decoder) so both accept and reject the same bytes:
// - a tag is at most 5 bytes, its first byte must carry a non-zero field number, and wire types
//   3, 4, 6, 7 are refused;
// - a varint is at most 10 bytes; 32-bit fields keep the low 32 bits of a longer varint;
// - a length prefix is at most 5 bytes, at most Int32.max, and must fit in the enclosing message.
// Every length is checked against the bytes that remain before it is used, and nothing is ever
// allocated from a declared length.

/// Protobuf wire types.
enum WireType {
    static let varint: UInt8 = 0
    static let fixed64: UInt8 = 1
    static let lengthDelimited: UInt8 = 2
    static let fixed32: UInt8 = 5
}

/// A cursor over `buffer[position..<end]`; offsets in errors are absolute within `buffer`.
struct ProtoReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int

    init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>) {
        self.buffer = buffer
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// Reads a field key: (field number, wire type).
    @inline(__always)
    mutating func readTag() throws(WireError) -> (field: UInt32, wireType: UInt8) {
        let first = buffer[position]
        if first & 0xf8 == 0 {
            throw WireError(.invalidTag, "field number 0 in tag at offset \(position)")
        }
        let wireType = first & 7
        // protobuf-c refuses these wire types while scanning, before it looks at the field number.
        if wireType == 3 || wireType == 4 || wireType > 5 {
            throw WireError(.unsupportedWireType, "wire type \(wireType) at offset \(position) is not supported")
        }
        var field = UInt32(first & 0x7f) >> 3
        if first & 0x80 == 0 {
            position += 1
            return (field, wireType)
        }
        let limit = min(end - position, 5)
        var shift: UInt32 = 4
        var i = 1
        while i < limit {
            let b = buffer[position + i]
            field |= UInt32(b & 0x7f) &<< shift
            if b & 0x80 == 0 {
                position += i + 1
                return (field, wireType)
            }
            shift += 7
            i += 1
        }
        throw WireError(.malformedVarint, "tag at offset \(position) does not end within \(limit) bytes")
    }

    /// Reads a varint of at most 10 bytes; bits past 64 are dropped.
    @inline(__always)
    mutating func readVarint() throws(WireError) -> UInt64 {
        guard position < end else {
            throw WireError(.truncated, "varint expected at offset \(position), at end of message")
        }
        let b0 = buffer[position]
        if b0 < 0x80 {
            position += 1
            return UInt64(b0)
        }
        let limit = min(end - position, 10)
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = 0
        while i < limit {
            let b = buffer[position + i]
            value |= UInt64(b & 0x7f) &<< shift
            if b & 0x80 == 0 {
                position += i + 1
                return value
            }
            shift += 7
            i += 1
        }
        throw WireError(.malformedVarint, "varint at offset \(position) does not end within \(limit) bytes")
    }

    /// Reads 8 little-endian bytes.
    @inline(__always)
    mutating func readFixed64() throws(WireError) -> UInt64 {
        guard end - position >= 8 else {
            throw WireError(.truncated, "64-bit field at offset \(position) needs 8 bytes, \(end - position) remain")
        }
        let v = buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: v)
    }

    /// Skips 4 bytes of a 32-bit field.
    mutating func skipFixed32() throws(WireError) {
        guard end - position >= 4 else {
            throw WireError(.truncated, "32-bit field at offset \(position) needs 4 bytes, \(end - position) remain")
        }
        position += 4
    }

    /// Reads a length prefix and returns the range of the payload that follows, checked against the end.
    @inline(__always)
    mutating func readLengthDelimited() throws(WireError) -> Range<Int> {
        let start = position
        let limit = min(end - position, 5)
        var length = 0
        var shift = 0
        var i = 0
        while true {
            guard i < limit else {
                throw WireError(.malformedVarint, "length prefix at offset \(start) does not end within \(limit) bytes")
            }
            let b = buffer[position + i]
            length |= Int(b & 0x7f) << shift
            i += 1
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= Int(Int32.max) else {
            throw WireError(.lengthOutOfBounds, "length \(length) at offset \(start) exceeds 2 GiB")
        }
        let payloadStart = position + i
        guard length <= end - payloadStart else {
            throw WireError(
                .lengthOutOfBounds,
                "length \(length) at offset \(start) runs past the end of its message (\(end - payloadStart) bytes remain)"
            )
        }
        position = payloadStart + length
        return payloadStart..<position
    }

    /// Skips a field of an unknown number.
    mutating func skip(wireType: UInt8) throws(WireError) {
        switch wireType {
        case WireType.varint: _ = try readVarint()
        case WireType.fixed64: _ = try readFixed64()
        case WireType.lengthDelimited: _ = try readLengthDelimited()
        case WireType.fixed32: try skipFixed32()
        default:
            throw WireError(.unsupportedWireType, "wire type \(wireType) before offset \(position) is not supported")
        }
    }

    /// Throws unless `wireType` is the one a known field requires.
    @inline(__always)
    func expect(_ wireType: UInt8, _ want: UInt8, field: UInt32, in message: StaticString) throws(WireError) {
        if wireType != want {
            throw WireError(
                .wrongWireType,
                "\(message) field \(field) has wire type \(wireType), want \(want) (before offset \(position))")
        }
    }

    /// The bytes of `range` in the buffer.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[range]) }
}
