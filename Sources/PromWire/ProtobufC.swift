import CHearthProto
import CProtobufC

// Helpers shared by the protobuf-c bridges (`*+ProtobufC.swift`): reading C strings and arrays out
// of unpacked messages, and an arena that owns the C graph built for packing.

/// Owns every C allocation made while building a message graph for `protobuf_c_message_pack`;
/// frees them all on deinit. Not thread-safe: one arena per encode call.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for b in blocks { b.deallocate() }
    }

    /// Memory for `count` values of `T`, initialized by `fill`; nil when `count` is 0 (protobuf-c's
    /// convention for empty repeated fields).
    func array<T>(_ count: Int, of _: T.Type, _ fill: (Int) throws(WireError) -> T) throws(WireError)
        -> UnsafeMutablePointer<T>?
    {
        if count == 0 { return nil }
        let p = UnsafeMutablePointer<T>.allocate(capacity: count)
        blocks.append(UnsafeMutableRawPointer(p))
        for i in 0..<count { (p + i).initialize(to: try fill(i)) }
        return p
    }

    /// One heap message initialized by `value`.
    func message<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
        blocks.append(UnsafeMutableRawPointer(p))
        p.initialize(to: value)
        return p
    }

    /// A NUL-terminated copy of `s`.
    /// - Throws: `unencodable` when `s` contains a NUL byte, which a C string cannot carry.
    func cString(_ s: String, field: @autoclosure () -> String) throws(WireError) -> UnsafeMutablePointer<CChar> {
        let utf8 = s.utf8
        if utf8.contains(0) {
            throw WireError(.unencodable, "\(field()) contains a NUL byte, which protobuf-c strings cannot carry")
        }
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        blocks.append(UnsafeMutableRawPointer(p))
        var i = 0
        for b in utf8 {
            p[i] = CChar(bitPattern: b)
            i += 1
        }
        p[i] = 0
        return p
    }

    /// Binary data for a `bytes` field.
    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard let p = try? array(bytes.count, of: UInt8.self, { bytes[$0] }) else {
            return ProtobufCBinaryData(len: 0, data: nil)
        }
        return ProtobufCBinaryData(len: bytes.count, data: p)
    }
}

/// A Swift string from a protobuf-c string field, validating UTF-8.
///
/// protobuf-c keeps strings NUL-terminated without a length, so a string with an embedded NUL
/// byte arrives truncated there; the hand-written decoder keeps the whole string.
func swiftString(_ p: UnsafePointer<CChar>?, field: @autoclosure () -> String) throws(WireError) -> String {
    guard let p else { return "" }
    var length = 0
    while p[length] != 0 { length += 1 }
    let bytes = UnsafeRawBufferPointer(start: p, count: length)
    guard let s = String(validating: bytes, as: UTF8.self) else {
        throw WireError(.invalidUTF8, "\(field()) is not valid UTF-8")
    }
    return s
}

/// The elements of a protobuf-c repeated scalar field.
func scalars<T>(_ p: UnsafeMutablePointer<T>?, _ n: Int) -> [T] {
    guard let p, n > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: p, count: n))
}

/// Maps the non-nil message pointers of a protobuf-c repeated message field.
func messages<T, R>(
    _ p: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ n: Int,
    _ transform: (Int, UnsafeMutablePointer<T>) throws(WireError) -> R
) throws(WireError) -> [R] {
    guard let p, n > 0 else { return [] }
    var out: [R] = []
    out.reserveCapacity(n)  // n counts elements protobuf-c already allocated, so it is bounded by the input.
    for i in 0..<n {
        if let m = p[i] { out.append(try transform(i, m)) }
    }
    return out
}

/// Int32 value of a C enum imported as a RawRepresentable struct.
func enumValue<E: RawRepresentable>(_ e: E) -> Int32 where E.RawValue: BinaryInteger {
    Int32(truncatingIfNeeded: e.rawValue)
}

/// A C enum from its Int32 wire value.
func cEnum<E: RawRepresentable>(_ v: Int32, as _: E.Type = E.self) -> E where E.RawValue: BinaryInteger {
    E(rawValue: E.RawValue(truncatingIfNeeded: v))!
}

/// Runs protobuf-c's `pack` for a message whose packed size is `size`.
func packed(size: Int, _ pack: (UnsafeMutablePointer<UInt8>) -> Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buffer, initialized in
        let written = pack(buffer.baseAddress!)
        precondition(written == size, "protobuf-c packed \(written) bytes, expected \(size)")
        initialized = written
    }
}

/// Calls `body` with a pointer and length for protobuf-c's `unpack`.
func withInput<R>(_ bytes: [UInt8], _ body: (Int, UnsafePointer<UInt8>?) throws(WireError) -> R) throws(WireError)
    -> R
{
    try bytes.withUnsafeBufferPointer { (b) throws(WireError) in try body(b.count, b.baseAddress) }
}
