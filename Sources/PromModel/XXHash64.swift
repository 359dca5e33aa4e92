/// Streaming xxHash64 (seed 0), the hash Prometheus uses for label sets.
///
/// Written from the published xxHash specification. Used where a hash must be stable across
/// processes: series sharding, hash rings, persisted references.
public struct XXHash64: Sendable {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64 = 0 &+ p1 &+ p2
    private var v2: UInt64 = p2
    private var v3: UInt64 = 0
    private var v4: UInt64 = 0 &- p1
    private var total: UInt64 = 0
    // Pending input shorter than a 32-byte stripe.
    private var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var buffered = 0

    public init() {}

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    /// Feeds one byte.
    public mutating func update(byte: UInt8) {
        withUnsafeMutableBytes(of: &buffer) { raw in raw[buffered] = byte }
        buffered += 1
        total &+= 1
        if buffered == 32 { consumeStripe() }
    }

    /// Feeds the UTF-8 bytes of a string.
    public mutating func update(_ s: String) {
        var s = s
        s.withUTF8 { update(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Feeds raw bytes.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        // Fill a partial stripe first, then process whole stripes straight from the input.
        while buffered != 0 && i < n {
            update(byte: bytes[i])
            i += 1
        }
        while n - i >= 32 {
            v1 = Self.round(v1, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
            v2 = Self.round(v2, bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self).littleEndian)
            v3 = Self.round(v3, bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self).littleEndian)
            v4 = Self.round(v4, bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self).littleEndian)
            total &+= 32
            i += 32
        }
        while i < n {
            update(byte: bytes[i])
            i += 1
        }
    }

    private mutating func consumeStripe() {
        v1 = Self.round(v1, buffer.0.littleEndian)
        v2 = Self.round(v2, buffer.1.littleEndian)
        v3 = Self.round(v3, buffer.2.littleEndian)
        v4 = Self.round(v4, buffer.3.littleEndian)
        buffered = 0
    }

    /// The hash of everything fed so far.
    public func finalize() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
            h = Self.merge(h, v1)
            h = Self.merge(h, v2)
            h = Self.merge(h, v3)
            h = Self.merge(h, v4)
        } else {
            h = Self.p5
        }
        h &+= total
        var tail = buffer
        let count = buffered
        withUnsafeBytes(of: &tail) { raw in
            var i = 0
            while count - i >= 8 {
                h ^= Self.round(0, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
                h = Self.rotl(h, 27) &* Self.p1 &+ Self.p4
                i += 8
            }
            if count - i >= 4 {
                h ^= UInt64(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian) &* Self.p1
                h = Self.rotl(h, 23) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < count {
                h ^= UInt64(raw[i]) &* Self.p5
                h = Self.rotl(h, 11) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= Self.p2
        h ^= h >> 29
        h &*= Self.p3
        h ^= h >> 32
        return h
    }

    /// One-shot hash of a byte buffer.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = XXHash64()
        h.update(bytes: bytes)
        return h.finalize()
    }
}
