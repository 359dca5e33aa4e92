/// The aggregates a downsampled (Thanos-compatible) chunk holds, in the chunk's order: the raw
/// value is the position of the sub-chunk.
public enum AggregateType: Int, CaseIterable, Sendable, Hashable {
    case count = 0, sum, min, max, counter

    /// The aggregate a PromQL function reads from downsampled data; nil means the per-window
    /// average (sum / count), the default for raw selectors and every other function.
    ///
    /// As Thanos: `min*` → min, `max*` → max, `sum_*` → sum, `count_*` → count, and
    /// `rate`/`increase`/`irate`/`resets` → counter (which keeps resets folded in, so those stay
    /// correct). `avg_over_time` and `count_over_time` need sum and count per window: engines
    /// read them through ``DownsampledSeries/makeIterator(aggregate:)``.
    public static func forFunction(_ name: String?) -> AggregateType? {
        guard let name else { return nil }
        if name == "rate" || name == "increase" || name == "irate" || name == "resets" { return .counter }
        if name == "min" || name.hasPrefix("min_") { return .min }
        if name == "max" || name.hasPrefix("max_") { return .max }
        if name == "count" || name.hasPrefix("count_") { return .count }
        if name.hasPrefix("sum_") { return .sum }
        return nil
    }
}

/// A series whose samples come, at least in part, from downsampled blocks.
///
/// `makeIterator()` yields the aggregate that the select hints' function asked for
/// (``AggregateType/forFunction(_:)``), or per-window averages. Raw stretches of the series
/// behave as windows of one sample: count 1, and the sample's value for every other aggregate.
/// Each downsampled point is stamped with the last millisecond of its window (or the window's
/// last raw sample), so a range `(t - k·res, t]` with `t` a multiple of the resolution sees
/// exactly the windows of that range.
public protocol DownsampledSeries: Series {
    /// What `makeIterator()` yields; nil for per-window averages.
    var aggregate: AggregateType? { get }
    /// A fresh iterator over one aggregate (the counter one with resets folded in).
    func makeIterator(aggregate: AggregateType) -> any SampleIterator
}

/// Which resolution a query may read from a storage holding raw and downsampled data.
public enum SourceResolution: Sendable, Hashable, CustomStringConvertible {
    /// For each sub-range, the finest resolution that exists there (raw where kept, else 5m, else 1h).
    case finest
    /// Like Thanos' `max_source_resolution`: prefer the coarsest resolution not above `ms`
    /// milliseconds where it exists, finer ones in its gaps, never coarser ones; 0 means raw only.
    case atMost(Int64)

    public var description: String {
        switch self {
        case .finest: "finest"
        case .atMost(let ms): ms == 0 ? "raw" : "\(ms)ms"
        }
    }
}

/// A storage that holds data at several resolutions and can be told which ones a query reads.
public protocol MultiResolutionQueryable: Queryable {
    /// The same data, read at `resolution`.
    func reading(_ resolution: SourceResolution) -> any Queryable
}
