/// Configuration of a ``DB``.
public struct DBOptions: Sendable {
    /// Range of blocks cut from the head; also the head's chunk range. Default 2 hours.
    public var blockRange: Duration = .seconds(2 * 3600)
    /// Larger ranges adjacent blocks are merged into, ascending, each a multiple of the previous.
    /// Default: 3×, 9×, 27× and 81× `blockRange` (6h, 18h, 54h, 162h).
    public var compactionRanges: [Duration]?
    /// Out-of-order window of the head; zero rejects out-of-order samples. Default zero.
    public var outOfOrderWindow: Duration = .zero
    /// Delete blocks whose newest sample is older than this, measured from the newest block. nil keeps all.
    public var retention: Duration?
    /// Delete oldest blocks while blocks plus WAL exceed this many bytes. nil means no limit.
    public var maxBytes: Int?
    /// Keep closed head chunks in memory-mapped files under `chunks_head/` (16 MiB each, space reserved
    /// up front, freed when no chunk in it is left) rather than on the heap.
    /// Default true.
    public var mapHeadChunks = true
    /// Segment size and sync policy of the WAL. Default 128 MiB segments, group commit.
    public var wal = WALOptions()

    /// - Parameters:
    ///   - blockRange: see ``blockRange``.
    ///   - outOfOrderWindow: see ``outOfOrderWindow``.
    public init(blockRange: Duration = .seconds(2 * 3600), outOfOrderWindow: Duration = .zero) {
        self.blockRange = blockRange
        self.outOfOrderWindow = outOfOrderWindow
    }

    /// The merge ranges in milliseconds, the first being the block range.
    var rangesMs: [Int64] {
        let base = blockRange.milliseconds
        let extra = compactionRanges?.map(\.milliseconds) ?? [3, 9, 27, 81].map { base * $0 }
        return [base] + extra
    }

    /// - Throws: ``TSDBError`` `.invalidArgument` naming the field.
    public func validate() throws {
        if blockRange.milliseconds <= 0 { throw TSDBError(.invalidArgument, "blockRange \(blockRange) must be positive") }
        var previous = blockRange.milliseconds
        for r in compactionRanges?.map(\.milliseconds) ?? [] {
            if r <= previous || r % previous != 0 {
                throw TSDBError(.invalidArgument, "compactionRanges must ascend, each a multiple of the previous; \(r) ms after \(previous) ms")
            }
            previous = r
        }
        if let r = retention, r <= .zero { throw TSDBError(.invalidArgument, "retention \(r) must be positive") }
        if let b = maxBytes, b <= 0 { throw TSDBError(.invalidArgument, "maxBytes \(b) must be positive") }
        try wal.validate()
    }
}
