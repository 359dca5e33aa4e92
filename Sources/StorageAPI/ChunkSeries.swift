public import PromModel

/// The encoding byte of a chunk, as in the Prometheus chunk format and remote-read protocol.
public enum ChunkEncoding: UInt8, Sendable, Hashable {
    case xor = 1
    case histogram = 2
    case floatHistogram = 3
    /// Thanos' aggregate chunk of a downsampled block: count, sum, min, max and counter sub-chunks.
    case aggregate = 0xff
}

/// One encoded chunk, with bytes exactly as stored (so they can be streamed without re-encoding).
public struct EncodedChunk: Sendable, Hashable {
    public var minTime: Timestamp
    public var maxTime: Timestamp
    public var encoding: ChunkEncoding
    public var bytes: [UInt8]

    public init(minTime: Timestamp, maxTime: Timestamp, encoding: ChunkEncoding, bytes: [UInt8]) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.encoding = encoding
        self.bytes = bytes
    }
}

/// A series as its encoded chunks, ordered by `minTime` and not overlapping.
public struct ChunkSeries: Sendable {
    public var labels: Labels
    public var chunks: [EncodedChunk]

    public init(labels: Labels, chunks: [EncodedChunk]) {
        self.labels = labels
        self.chunks = chunks
    }
}

/// A forward-only sequence of chunk series. Not thread-safe.
public protocol ChunkSeriesSet {
    mutating func next() throws -> ChunkSeries?
    var warnings: [String] { get }
}

/// Reads series at chunk level, for streamed remote read.
public protocol ChunkQuerier: Sendable {
    /// Chunk series matching all matchers, with chunks overlapping the querier's time range.
    func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet
    func close()
}

/// A source of chunk queriers.
public protocol ChunkQueryable: Sendable {
    func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier
}
