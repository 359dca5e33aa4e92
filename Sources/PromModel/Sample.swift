/// One float sample of a series.
public struct Sample: Hashable, Sendable, CustomStringConvertible {
    public var t: Timestamp
    public var v: Double

    @inlinable public init(t: Timestamp, v: Double) {
        self.t = t
        self.v = v
    }

    /// Bitwise equality, so that NaN and the stale marker compare equal to themselves in tests.
    @inlinable public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.t == rhs.t && lhs.v.bitPattern == rhs.v.bitPattern
    }

    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(t)
        hasher.combine(v.bitPattern)
    }

    public var description: String { "\(v) @\(t.ms)" }
}

/// The staleness marker: a specific NaN that Prometheus writes when a series disappears.
///
/// Any other NaN is an ordinary value; only this bit pattern means "stale".
public enum StaleNaN {
    /// The IEEE 754 bit pattern Prometheus uses (`value.StaleNaN`).
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002
    /// The marker as a `Double`.
    public static let value = Double(bitPattern: bitPattern)

    /// Whether `v` is exactly the staleness marker.
    @inlinable public static func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7ff0_0000_0000_0002 }
}
