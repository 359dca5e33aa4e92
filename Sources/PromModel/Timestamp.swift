/// A point in time as milliseconds since the Unix epoch, the unit of every Prometheus timestamp.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z; may be negative.
    public var ms: Int64

    /// Creates a timestamp from milliseconds since the epoch.
    @inlinable public init(ms: Int64) { self.ms = ms }

    /// The smallest representable timestamp, used as an open lower bound.
    public static let min = Timestamp(ms: Int64.min)
    /// The largest representable timestamp, used as an open upper bound.
    public static let max = Timestamp(ms: Int64.max)

    @inlinable public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.ms < rhs.ms }

    /// Adds a span in milliseconds, saturating at the representable range.
    @inlinable public func adding(ms delta: Int64) -> Timestamp {
        let (r, overflow) = ms.addingReportingOverflow(delta)
        if overflow { return delta > 0 ? .max : .min }
        return Timestamp(ms: r)
    }

    public var description: String { String(ms) }
}
