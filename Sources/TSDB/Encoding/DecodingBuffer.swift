/// A bounds-checked cursor over mapped file bytes.
///
/// Every read checks the remaining length first and throws ``TSDBError`` (code `corruption`) naming
/// the file and the absolute offset, so a corrupt length can never read past the mapping.
/// The bytes are borrowed: the owner of the mapping must outlive the buffer.
package struct DecodingBuffer {
    /// The bytes being decoded (a window of the file).
    package let bytes: UnsafeRawBufferPointer
    /// File name used in error messages, e.g. `01H…/index`.
    package let file: String
    /// File offset of `bytes[0]`, so errors report positions in the file.
    package let base: Int
    /// Position of the next read within `bytes`.
    package var position: Int = 0

    /// - Parameters:
    ///   - bytes: the window to decode.
    ///   - file: name for error messages.
    ///   - base: the file offset of the window's first byte.
    package init(_ bytes: UnsafeRawBufferPointer, file: String, base: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.base = base
    }

    /// Bytes left after the position.
    package var remaining: Int { bytes.count - position }
    /// The file offset of the next read.
    package var fileOffset: Int { base + position }

    /// A corruption error at the current position.
    package func corruption(_ what: String, at offset: Int? = nil) -> TSDBError {
        TSDBError(.corruption, "\(file): \(what) at offset \(offset ?? fileOffset)")
    }

    private func need(_ n: Int, _ what: String) throws(TSDBError) {
        guard n >= 0, n <= remaining else {
            throw corruption("\(what) needs \(n) bytes but only \(remaining) remain")
        }
    }

    /// Reads one byte; `what` names the field in errors.
    package mutating func byte(_ what: String = "byte") throws(TSDBError) -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a big-endian `UInt32`.
    package mutating func be32(_ what: String = "uint32") throws(TSDBError) -> UInt32 {
        try need(4, what)
        defer { position += 4 }
        return Self.be32(bytes, at: position)
    }

    /// Reads a big-endian `UInt64`.
    package mutating func be64(_ what: String = "uint64") throws(TSDBError) -> UInt64 {
        let hi = try be32(what)
        let lo = try be32(what)
        return UInt64(hi) << 32 | UInt64(lo)
    }

    /// Reads an unsigned LEB128 value (Go's `binary.Uvarint`), refusing more than 64 bits.
    package mutating func uvarint(_ what: String = "uvarint") throws(TSDBError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < bytes.count else {
                position = start
                throw corruption("truncated \(what)")
            }
            let b = bytes[position]
            position += 1
            if shift == 63 && b > 1 {
                position = start
                throw corruption("\(what) overflows 64 bits")
            }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 {
                position = start
                throw corruption("\(what) overflows 64 bits")
            }
        }
    }

    /// Reads a zig-zag signed LEB128 value (Go's `binary.Varint`).
    package mutating func varint(_ what: String = "varint") throws(TSDBError) -> Int64 {
        let u = try uvarint(what)
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// A uvarint that must fit an `Int` no larger than `limit` (used for counts and lengths).
    package mutating func uvarintInt(_ what: String, limit: Int) throws(TSDBError) -> Int {
        let at = fileOffset
        let v = try uvarint(what)
        guard v <= UInt64(limit) else { throw corruption("\(what) \(v) exceeds the limit \(limit)", at: at) }
        return Int(v)
    }

    /// The next `n` bytes as a window, without copying.
    package mutating func slice(_ n: Int, _ what: String = "bytes") throws(TSDBError) -> UnsafeRawBufferPointer {
        try need(n, what)
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + n])
    }

    /// A uvarint-length-prefixed UTF-8 string.
    package mutating func uvarintString(_ what: String = "string") throws(TSDBError) -> String {
        let n = try uvarintInt("\(what) length", limit: remaining)
        return String(decoding: try slice(n, what), as: UTF8.self)
    }

    /// A uvarint-length-prefixed byte window.
    package mutating func uvarintBytes(_ what: String = "string") throws(TSDBError) -> UnsafeRawBufferPointer {
        let n = try uvarintInt("\(what) length", limit: remaining)
        return try slice(n, what)
    }

    /// Advances `n` bytes.
    package mutating func skip(_ n: Int, _ what: String = "bytes") throws(TSDBError) {
        try need(n, what)
        position += n
    }

    /// Reads a big-endian `UInt32` at `offset` of `bytes`; the caller has checked the bounds.
    @inline(__always) package static func be32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
