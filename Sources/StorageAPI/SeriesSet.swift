public import PromModel

/// A forward-only sequence of series. Not thread-safe.
public protocol SeriesSet {
    /// The next series, or nil at the end.
    /// - Throws: when the underlying data is unreadable (e.g. a corrupt chunk).
    mutating func next() throws -> (any Series)?
    /// Non-fatal problems met while reading (e.g. a remote source that was unreachable).
    var warnings: [String] { get }
}

/// One series: its labels and a way to iterate its samples.
public protocol Series {
    var labels: Labels { get }
    /// A fresh iterator over the samples, in strictly increasing timestamp order.
    func makeIterator() -> any SampleIterator
}

/// Iterates float samples in strictly increasing timestamp order. Not thread-safe.
public protocol SampleIterator {
    /// Advances to the next sample; false at the end.
    mutating func next() throws -> Bool
    /// Advances to the first sample with timestamp ≥ `t` (staying put if already there); false if none.
    mutating func seek(_ t: Timestamp) throws -> Bool
    /// The current sample; valid only after `next` or `seek` returned true.
    func at() -> Sample
}

/// A series set held in memory.
public struct ArraySeriesSet: SeriesSet {
    private var series: [any Series]
    private var index = 0
    public var warnings: [String]

    public init(_ series: [any Series], warnings: [String] = []) {
        self.series = series
        self.warnings = warnings
    }

    public mutating func next() throws -> (any Series)? {
        guard index < series.count else { return nil }
        defer { index += 1 }
        return series[index]
    }
}

/// A series whose samples are held in an array.
public struct ArraySeries: Series, Sendable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }

    public func makeIterator() -> any SampleIterator { ArraySampleIterator(samples) }
}

/// Iterates an array of samples sorted by timestamp.
public struct ArraySampleIterator: SampleIterator {
    private let samples: [Sample]
    private var index = -1

    public init(_ samples: [Sample]) { self.samples = samples }

    public mutating func next() throws -> Bool {
        if index < samples.count { index += 1 }
        return index < samples.count
    }

    public mutating func seek(_ t: Timestamp) throws -> Bool {
        if index < 0 { index = 0 }
        if index < samples.count && samples[index].t >= t { return true }
        // Binary search from the current position.
        var lo = index, hi = samples.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid].t < t { lo = mid + 1 } else { hi = mid }
        }
        index = lo
        return index < samples.count
    }

    public func at() -> Sample { samples[index] }
}
