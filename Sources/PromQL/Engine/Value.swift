public import PromModel

/// One element of an instant-vector result.
public struct VectorElement: Sendable, Hashable {
    /// The series identity.
    public var labels: Labels
    /// The evaluation time.
    public var t: Timestamp
    /// The value.
    public var v: Double
}

/// One series of a range-vector or range-query result.
public struct ResultSeries: Sendable, Hashable {
    /// The series identity.
    public var labels: Labels
    /// Points in increasing time order.
    public var samples: [Sample]
}

/// The result of a query.
public enum QueryValue: Sendable {
    /// A scalar at the evaluation time.
    case scalar(Sample)
    /// A string literal's value at the evaluation time.
    case string(String, Timestamp)
    /// Instant-query vector result, in the engine's output order (meaningful after `sort`, `topk`, ...).
    case vector([VectorElement])
    /// Range-query results and instant queries of range vectors, sorted by labels.
    case matrix([ResultSeries])
}

/// A query's value with the warnings and infos raised while computing it.
public struct QueryResult: Sendable {
    /// The value.
    public var value: QueryValue
    /// Warnings and infos, deduplicated.
    public var annotations: Annotations
}

/// The evaluation steps of a query: `start, start+step, ..., end`.
struct Steps {
    var start: Int64
    var step: Int64
    var count: Int

    var end: Int64 { start + step * Int64(count - 1) }
    @inline(__always) func time(_ i: Int) -> Int64 { start + step * Int64(i) }

    init(start: Int64, end: Int64, step: Int64) {
        self.start = start
        self.step = step
        count = step > 0 ? Int((end - start) / step) + 1 : 1
    }
}

/// Marks "no value at this step" in dense per-step arrays. A NaN payload that computations never produce.
enum Absent {
    static let bits: UInt64 = 0x7ff8_dead_beef_1234
    static let value = Double(bitPattern: bits)
    @inline(__always) static func isAbsent(_ v: Double) -> Bool { v.bitPattern == bits }
}

/// An instant vector over all steps: one value (or ``Absent``) per step.
struct StepSeries {
    var labels: Labels
    var values: [Double]
    /// Delayed `__name__` removal: drop the name when the query finishes.
    var dropName = false

    init(labels: Labels, values: [Double], dropName: Bool = false) {
        self.labels = labels
        self.values = values
        self.dropName = dropName
    }

    init(labels: Labels, count: Int, dropName: Bool = false) {
        self.init(labels: labels, values: [Double](repeating: Absent.value, count: count), dropName: dropName)
    }

    var isEmpty: Bool { !values.contains { !Absent.isAbsent($0) } }
}

/// Raw samples of one series, for range-vector functions.
struct RawSeries {
    var labels: Labels
    var ts: [Int64]
    var vs: [Double]
    var dropName = false
}

/// A range vector over all steps: raw samples plus how to find each step's window `(end - range, end]`.
struct RangeData {
    var series: [RawSeries]
    var rangeMs: Int64
    /// The window end for each step (evaluation time minus offset, or the `@` time).
    var windowEnds: [Int64]
}

/// An evaluated expression.
enum EvalValue {
    case scalar([Double])
    case string(String)
    case vector([StepSeries])
    case range(RangeData)
}
