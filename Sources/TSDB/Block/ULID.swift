public import PromModel

/// A ULID: 48 bits of milliseconds since the epoch, then 80 random bits, written as 26 characters
/// of Crockford base32. Block directories are named by one, so names sort by creation time.
public struct ULID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The upper 64 bits: the timestamp and the first 16 random bits.
    public var high: UInt64
    /// The lower 64 random bits.
    public var low: UInt64

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Builds a ULID from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A ULID for `time` with random bits from `rng`.
    public init(time: Timestamp, using rng: inout some RandomNumberGenerator) {
        let ms = UInt64(clamping: max(0, time.ms)) & 0xffff_ffff_ffff
        high = ms << 16 | UInt64.random(in: 0...0xffff, using: &rng)
        low = rng.next()
    }

    /// A ULID for `time` with system randomness.
    public init(time: Timestamp) {
        var rng = SystemRandomNumberGenerator()
        self.init(time: time, using: &rng)
    }

    /// Parses the 26-character form (case-insensitive); nil when malformed.
    public init?(_ string: String) {
        let chars = Array(string.utf8)
        guard chars.count == 26 else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for (i, c) in chars.enumerated() {
            guard let v = Self.value(of: c) else { return nil }
            // The first character carries only 3 bits: 26 × 5 = 130 bits for 128.
            if i == 0 && v > 7 { return nil }
            hi = hi << 5 | lo >> 59
            lo = lo << 5 | UInt64(v)
        }
        high = hi
        low = lo
    }

    /// The embedded creation time.
    public var time: Timestamp { Timestamp(ms: Int64(high >> 16)) }

    /// The canonical 26-character upper-case form.
    public var description: String {
        var out = [UInt8](repeating: 0, count: 26)
        var hi = high
        var lo = low
        for i in stride(from: 25, through: 0, by: -1) {
            out[i] = Self.alphabet[Int(lo & 31)]
            lo = lo >> 5 | hi << 59
            hi >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The next ULID in sort order (random part + 1), used to stay monotonic within a millisecond.
    public var successor: ULID {
        let (l, carry) = low.addingReportingOverflow(1)
        return ULID(high: carry ? high &+ 1 : high, low: l)
    }

    public static func < (a: ULID, b: ULID) -> Bool { (a.high, a.low) < (b.high, b.low) }

    private static func value(of c: UInt8) -> UInt8? {
        let upper = c >= 97 && c <= 122 ? c - 32 : c
        guard let i = alphabet.firstIndex(of: upper) else { return nil }
        return UInt8(i)
    }
}

extension ULID: Codable {
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let u = ULID(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid ULID \(s)"))
        }
        self = u
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Hands out strictly increasing ULIDs, even for several in the same millisecond.
///
/// Not thread-safe: keep one per writer, or guard it with a lock.
public struct ULIDGenerator: Sendable {
    private var last: ULID?

    /// A generator that has handed out nothing yet.
    public init() {}

    /// A ULID for `now`, greater than every ULID this generator returned before.
    public mutating func next(now: Timestamp) -> ULID {
        var u = ULID(time: now)
        if let last, u <= last { u = last.successor }
        last = u
        return u
    }
}
