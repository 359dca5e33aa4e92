public import PromModel

/// A run of consecutive native-histogram buckets: `offset` buckets skipped since the previous span
/// (or from the schema's index 0 for the first), then `length` buckets present.
public struct BucketSpan: Hashable, Sendable {
    /// Buckets skipped before this span (from index 0 for the first span).
    public var offset: Int32
    /// Buckets in this span.
    public var length: UInt32

    /// Creates a value from its fields.
    public init(offset: Int32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}

/// A native histogram sample as carried by remote write 1.0 and 2.0 (identical layouts).
///
/// Integer histograms use `count = .int`, delta-encoded `*Deltas` bucket counts and an integer zero
/// count; float histograms use `.float` and absolute `*Counts`. Doubles compare bit for bit, so a
/// value holding NaN equals itself.
public struct Histogram: Hashable, Sendable {
    /// The `count` oneof: unset, an integer or a float observation count.
    public enum Count: Hashable, Sendable {
        case int(UInt64)
        case float(Double)

        public static func == (lhs: Count, rhs: Count) -> Bool {
            switch (lhs, rhs) {
            case (.int(let a), .int(let b)): return a == b
            case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
            default: return false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .int(let v): hasher.combine(0); hasher.combine(v)
            case .float(let v): hasher.combine(1); hasher.combine(v.bitPattern)
            }
        }
    }

    /// Whether the histogram follows a counter reset, as the sender knows it (open enum).
    public struct ResetHint: RawRepresentable, Hashable, Sendable {
        /// The number on the wire.
        public var rawValue: Int32
        /// Creates a value from its fields.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// The value 0 on the wire.
        public static let unknown = ResetHint(rawValue: 0)
        /// The value 1 on the wire.
        public static let yes = ResetHint(rawValue: 1)
        /// The value 2 on the wire.
        public static let no = ResetHint(rawValue: 2)
        /// The value 3 on the wire.
        public static let gauge = ResetHint(rawValue: 3)
    }

    /// The observation count; nil when the sender left the oneof unset.
    public var count: Count?
    /// The sum of observations.
    public var sum: Double = 0
    /// Bucket resolution: -4…8 exponential, -53 custom buckets.
    public var schema: Int32 = 0
    /// Width of the zero bucket.
    public var zeroThreshold: Double = 0
    /// Observations in the zero bucket; nil when unset.
    public var zeroCount: Count?
    /// Spans of the negative buckets.
    public var negativeSpans: [BucketSpan] = []
    /// Integer histograms: negative bucket counts, each a delta to the previous.
    public var negativeDeltas: [Int64] = []
    /// Float histograms: absolute negative bucket counts.
    public var negativeCounts: [Double] = []
    /// Spans of the positive buckets.
    public var positiveSpans: [BucketSpan] = []
    /// Integer histograms: positive bucket counts, each a delta to the previous.
    public var positiveDeltas: [Int64] = []
    /// Float histograms: absolute positive bucket counts.
    public var positiveCounts: [Double] = []
    /// The sender's knowledge of a counter reset.
    public var resetHint: ResetHint = .unknown
    /// The sample's timestamp.
    public var timestamp: Timestamp = Timestamp(ms: 0)
    /// Upper bounds of custom buckets (schema -53); empty otherwise.
    public var customValues: [Double] = []

    /// Creates an empty histogram; set the fields you need.
    public init() {}

    public static func == (lhs: Histogram, rhs: Histogram) -> Bool {
        lhs.count == rhs.count && lhs.sum.bitPattern == rhs.sum.bitPattern && lhs.schema == rhs.schema
            && lhs.zeroThreshold.bitPattern == rhs.zeroThreshold.bitPattern && lhs.zeroCount == rhs.zeroCount
            && lhs.negativeSpans == rhs.negativeSpans && lhs.negativeDeltas == rhs.negativeDeltas
            && bitwiseEqual(lhs.negativeCounts, rhs.negativeCounts) && lhs.positiveSpans == rhs.positiveSpans
            && lhs.positiveDeltas == rhs.positiveDeltas && bitwiseEqual(lhs.positiveCounts, rhs.positiveCounts)
            && lhs.resetHint == rhs.resetHint && lhs.timestamp == rhs.timestamp
            && bitwiseEqual(lhs.customValues, rhs.customValues)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(sum.bitPattern)
        hasher.combine(schema)
        hasher.combine(timestamp)
        hasher.combine(positiveDeltas)
    }
}

/// Compares doubles by bit pattern, so NaN payloads (and the stale marker) are equal to themselves.
func bitwiseEqual(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}
