public import PromModel

/// An opaque per-storage reference to a series, returned by ``Appender/append(ref:labels:t:v:)``.
public struct SeriesRef: Hashable, Sendable {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
}

/// Why a sample was not appended. Per-sample rejections never fail a whole batch: the caller
/// counts them and moves on.
public struct AppendError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// Older than the newest sample of the series and outside the out-of-order window.
        public static let outOfOrder = Code("out_of_order")
        /// Older than the storage accepts at all (before the head's minimum valid time).
        public static let outOfBounds = Code("out_of_bounds")
        /// Same timestamp as an existing sample but another value.
        public static let duplicateTimestamp = Code("duplicate_sample_for_timestamp")
        /// Labels are not a valid series identity.
        public static let invalidLabels = Code("invalid_labels")
        /// A limit (series count, labels per series, ...) would be exceeded.
        public static let limitExceeded = Code("limit_exceeded")
        /// The storage is closed or failing; retryable.
        public static let unavailable = Code("unavailable")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// Equality compares codes only, so tests can match on the kind of rejection.
    public static func == (lhs: AppendError, rhs: AppendError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Accumulates samples for one commit. Not thread-safe: use one appender per task.
///
/// Samples become visible to queriers only after ``commit()``; afterwards the appender must not be
/// reused. Implementations MUST keep per-series order and MAY reject samples older than their
/// minimum valid time. `labels` is borrowed: implementations copy what they keep.
public protocol Appender {
    /// Adds one float sample.
    /// - Parameter ref: a reference returned earlier for the same labels, to skip the label lookup;
    ///   implementations MUST fall back to `labels` when the reference is unknown.
    /// - Returns: a reference for the series.
    mutating func append(ref: SeriesRef?, labels: Labels, t: Timestamp, v: Double) throws(AppendError) -> SeriesRef
    /// Makes the samples durable (per the storage's policy) and visible.
    mutating func commit() async throws
    /// Discards the samples appended since the appender was created.
    mutating func rollback()
}

/// A storage that accepts samples.
public protocol Appendable: Sendable {
    func appender() -> any Appender
}
