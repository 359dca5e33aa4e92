public import PromModel

/// What the caller of ``Querier/select(sorted:hints:matchers:)`` is going to do with the data.
///
/// Storages MAY use hints to read less (a downsampled resolution for a large step, a pushdown of
/// the function) but MUST still return every sample in `[start, end]` that the hints need.
public struct SelectHints: Sendable, Hashable {
    /// First timestamp needed, inclusive.
    public var start: Timestamp
    /// Last timestamp needed, inclusive.
    public var end: Timestamp
    /// Query resolution step in milliseconds; 0 for an instant query.
    public var stepMs: Int64
    /// The PromQL function wrapping the selector, e.g. `rate`; nil for a raw selector.
    public var function: String?
    /// The range of a range selector in milliseconds; 0 for an instant selector.
    public var rangeMs: Int64
    /// Labels of an enclosing `by`/`without` aggregation.
    public var grouping: [String]
    /// True for `by`, false for `without`.
    public var by: Bool

    public init(
        start: Timestamp, end: Timestamp, stepMs: Int64 = 0, function: String? = nil, rangeMs: Int64 = 0,
        grouping: [String] = [], by: Bool = false
    ) {
        self.start = start
        self.end = end
        self.stepMs = stepMs
        self.function = function
        self.rangeMs = rangeMs
        self.grouping = grouping
        self.by = by
    }
}

/// Reads series over a fixed time range. Obtained from a ``Queryable``.
///
/// Thread-safety: a querier MAY be used from several tasks at once. Series sets and iterators it
/// returns are not thread-safe and are valid until ``close()``.
public protocol Querier: Sendable {
    /// Series matching all `matchers`, restricted to the querier's time range.
    ///
    /// - Parameters:
    ///   - sorted: when true the set MUST yield series in ascending label order.
    ///   - hints: what the caller needs; nil means everything in the querier's range.
    ///   - matchers: at least one matcher that does not match the empty string is expected.
    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet

    /// Sorted, unique values of label `name` among series matching `matchers` (all series when empty).
    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String]

    /// Sorted, unique label names among series matching `matchers` (all series when empty).
    func labelNames(matchers: [Matcher]) async throws -> [String]

    /// Releases resources; series and iterators from this querier must not be used afterwards.
    func close()
}

/// A source of queriers, e.g. a TSDB or a remote-read endpoint.
public protocol Queryable: Sendable {
    /// A querier over samples with timestamps in `[mint, maxt]`.
    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier
}
