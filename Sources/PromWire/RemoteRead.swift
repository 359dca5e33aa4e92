public import PromModel

/// A label matcher as sent in a remote-read query (kept as on the wire; see ``Matcher`` for evaluation).
public struct LabelMatcher: Hashable, Sendable {
    /// The operator (open enum: unknown values are kept).
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let equal = Kind(rawValue: 0)
        public static let notEqual = Kind(rawValue: 1)
        public static let regexMatch = Kind(rawValue: 2)
        public static let regexNoMatch = Kind(rawValue: 3)
    }

    public var type: Kind
    public var name: String
    public var value: String

    public init(type: Kind, name: String, value: String) {
        self.type = type
        self.name = name
        self.value = value
    }
}

/// Hints of a remote-read query: what the client will compute from the data.
public struct ReadHints: Hashable, Sendable {
    public var stepMs: Int64 = 0
    public var function: String = ""
    public var startMs: Int64 = 0
    public var endMs: Int64 = 0
    public var grouping: [String] = []
    public var by: Bool = false
    public var rangeMs: Int64 = 0

    public init() {}
}

/// One query of a remote-read request.
public struct Query: Hashable, Sendable {
    public var startTimestampMs: Int64
    public var endTimestampMs: Int64
    public var matchers: [LabelMatcher]
    /// Nil when the client sent no hints.
    public var hints: ReadHints?

    public init(startTimestampMs: Int64, endTimestampMs: Int64, matchers: [LabelMatcher], hints: ReadHints? = nil) {
        self.startTimestampMs = startTimestampMs
        self.endTimestampMs = endTimestampMs
        self.matchers = matchers
        self.hints = hints
    }
}

/// The body of a remote-read request (`prometheus.ReadRequest`), before snappy.
public struct ReadRequest: Hashable, Sendable {
    /// A response type the client accepts (open enum).
    public struct ResponseType: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// One snappy-compressed ``ReadResponse``.
        public static let samples = ResponseType(rawValue: 0)
        /// A stream of ``ChunkedReadResponse`` frames (see ``ChunkedReadWriter``).
        public static let streamedXORChunks = ResponseType(rawValue: 1)
    }

    public var queries: [Query]
    /// In the client's order of preference; empty means ``ResponseType/samples``.
    public var acceptedResponseTypes: [ResponseType]

    public init(queries: [Query], acceptedResponseTypes: [ResponseType] = []) {
        self.queries = queries
        self.acceptedResponseTypes = acceptedResponseTypes
    }
}

/// The series answering one query in a SAMPLES response.
public struct QueryResult: Hashable, Sendable {
    public var timeseries: [TimeSeries]
    public init(timeseries: [TimeSeries]) { self.timeseries = timeseries }
}

/// A SAMPLES remote-read response: one result per query, in request order.
public struct ReadResponse: Hashable, Sendable {
    public var results: [QueryResult]
    public init(results: [QueryResult]) { self.results = results }
}

/// One chunk of a streamed remote-read response; `data` is the chunk exactly as the TSDB stores it.
public struct Chunk: Hashable, Sendable {
    /// The chunk encoding (open enum, numbers of the TSDB chunk format).
    public struct Encoding: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let unknown = Encoding(rawValue: 0)
        public static let xor = Encoding(rawValue: 1)
        public static let histogram = Encoding(rawValue: 2)
        public static let floatHistogram = Encoding(rawValue: 3)
    }

    public var minTimeMs: Int64
    public var maxTimeMs: Int64
    public var type: Encoding
    public var data: [UInt8]

    public init(minTimeMs: Int64, maxTimeMs: Int64, type: Encoding, data: [UInt8]) {
        self.minTimeMs = minTimeMs
        self.maxTimeMs = maxTimeMs
        self.type = type
        self.data = data
    }
}

/// A series as chunks in a streamed remote-read response.
public struct ChunkedSeries: Hashable, Sendable {
    public var labels: [Label]
    public var chunks: [Chunk]
    public init(labels: [Label], chunks: [Chunk]) {
        self.labels = labels
        self.chunks = chunks
    }
}

/// One frame's message of a STREAMED_XOR_CHUNKS remote-read response.
public struct ChunkedReadResponse: Hashable, Sendable {
    public var chunkedSeries: [ChunkedSeries]
    /// Index of the query (in the ``ReadRequest``) this frame answers.
    public var queryIndex: Int64
    public init(chunkedSeries: [ChunkedSeries], queryIndex: Int64) {
        self.chunkedSeries = chunkedSeries
        self.queryIndex = queryIndex
    }
}
