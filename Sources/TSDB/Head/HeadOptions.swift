/// Configuration of the in-memory ``Head``.
public struct HeadOptions: Sendable {
    /// Width of the aligned ranges chunks are cut at, the same as the block range. Default 2 hours.
    public var chunkRange: Duration = .seconds(2 * 3600)
    /// How far behind the head's newest sample a sample may be and still be accepted out of order.
    /// Zero (the default) rejects every out-of-order sample.
    public var outOfOrderWindow: Duration = .zero
    /// Samples per chunk before it is cut. Default 120, as Prometheus.
    public var samplesPerChunk = 120
    /// Lock stripes of the series maps. Default 4096.
    public var stripes = 4096

    /// - Parameters:
    ///   - chunkRange: see ``chunkRange``.
    ///   - outOfOrderWindow: see ``outOfOrderWindow``.
    public init(chunkRange: Duration = .seconds(2 * 3600), outOfOrderWindow: Duration = .zero) {
        self.chunkRange = chunkRange
        self.outOfOrderWindow = outOfOrderWindow
    }

    /// - Throws: ``TSDBError`` `.invalidArgument` naming the field.
    public func validate() throws {
        if chunkRange.milliseconds <= 0 { throw TSDBError(.invalidArgument, "chunkRange \(chunkRange) must be positive") }
        if outOfOrderWindow < .zero { throw TSDBError(.invalidArgument, "outOfOrderWindow \(outOfOrderWindow) must not be negative") }
        if !(1...Int(UInt16.max)).contains(samplesPerChunk) {
            throw TSDBError(.invalidArgument, "samplesPerChunk \(samplesPerChunk) must be in 1...65535")
        }
        if stripes < 1 { throw TSDBError(.invalidArgument, "stripes \(stripes) must be positive") }
    }
}

extension Duration {
    /// Whole milliseconds, saturating.
    var milliseconds: Int64 {
        let (s, a) = components
        let (ms, overflow) = s.multipliedReportingOverflow(by: 1000)
        return overflow ? (s < 0 ? .min : .max) : ms &+ a / 1_000_000_000_000_000
    }
}
