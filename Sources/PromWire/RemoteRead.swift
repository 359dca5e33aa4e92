public import PromModel

/// A label matcher as sent in a remote-read query (kept as on the wire; see ``Matcher`` for evaluation).
public struct LabelMatcher: Hashable, Sendable {
    /// The operator (open enum: unknown values are kept).
    public struct Kind: RawRepresentable, Hashable, Sendable {
        /// The number on the wire.
        public var rawValue: Int32
        /// Creates a value from its fields.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// The value 0 on the wire.
        public static let equal = Kind(rawValue: 0)
        /// The value 1 on the wire.
        public static let notEqual = Kind(rawValue: 1)
        /// The value 2 on the wire.
        public static let regexMatch = Kind(rawValue: 2)
        /// The value 3 on the wire.
        public static let regexNoMatch = Kind(rawValue: 3)
    }

    /// The operator.
    public var type: Kind
    /// The label name.
    public var name: String
    /// The value or regular expression (fully anchored).
    public var value: String

    /// Creates a value from its fields.
    public init(type: Kind, name: String, value: String) {
        self.type = type
        self.name = name
        self.value = value
    }
}

/// Hints of a remote-read query: what the client will compute from the data.
public struct ReadHints: Hashable, Sendable {
    /// Query step in milliseconds; 0 for an instant query.
    public var stepMs: Int64 = 0
    /// The PromQL function around the selector (`func` on the wire).
    public var function: String = ""
    /// First timestamp the query needs, in milliseconds.
    public var startMs: Int64 = 0
    /// Last timestamp the query needs, in milliseconds.
    public var endMs: Int64 = 0
    /// Labels of an enclosing aggregation.
    public var grouping: [String] = []
    /// True for `by`, false for `without`.
    public var by: Bool = false
    /// Range of a range selector in milliseconds.
    public var rangeMs: Int64 = 0

    /// Creates a value from its fields.
    public init() {}
}

/// One query of a remote-read request.
public struct Query: Hashable, Sendable {
    /// Start of the queried range, inclusive, in milliseconds.
    public var startTimestampMs: Int64
    /// End of the queried range, inclusive, in milliseconds.
    public var endTimestampMs: Int64
    /// Matchers a series must all satisfy.
    public var matchers: [LabelMatcher]
    /// Nil when the client sent no hints.
    public var hints: ReadHints?

    /// Creates a value from its fields.
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
        /// The number on the wire.
        public var rawValue: Int32
        /// Creates a value from its fields.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// One snappy-compressed ``ReadResponse``.
        public static let samples = ResponseType(rawValue: 0)
        /// A stream of ``ChunkedReadResponse`` frames (see ``ChunkedReadWriter``).
        public static let streamedXORChunks = ResponseType(rawValue: 1)
    }

    /// The queries, answered in order.
    public var queries: [Query]
    /// In the client's order of preference; empty means ``ResponseType/samples``.
    public var acceptedResponseTypes: [ResponseType]

    /// Creates a value from its fields.
    public init(queries: [Query], acceptedResponseTypes: [ResponseType] = []) {
        self.queries = queries
        self.acceptedResponseTypes = acceptedResponseTypes
    }
}

/// The series answering one query in a SAMPLES response.
public struct QueryResult: Hashable, Sendable {
    /// Series matching the query, each with its samples.
    public var timeseries: [TimeSeries]
    /// Creates a value from its fields.
    public init(timeseries: [TimeSeries]) { self.timeseries = timeseries }
}

/// A SAMPLES remote-read response: one result per query, in request order.
public struct ReadResponse: Hashable, Sendable {
    /// One result per query, in request order.
    public var results: [QueryResult]
    /// Creates a value from its fields.
    public init(results: [QueryResult]) { self.results = results }
}

/// One chunk of a streamed remote-read response; `data` is the chunk exactly as the TSDB stores it.
public struct Chunk: Hashable, Sendable {
    /// The chunk encoding (open enum, numbers of the TSDB chunk format).
    public struct Encoding: RawRepresentable, Hashable, Sendable {
        /// The number on the wire.
        public var rawValue: Int32
        /// Creates a value from its fields.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// The value 0 on the wire.
        public static let unknown = Encoding(rawValue: 0)
        /// The value 1 on the wire.
        public static let xor = Encoding(rawValue: 1)
        /// The value 2 on the wire.
        public static let histogram = Encoding(rawValue: 2)
        /// The value 3 on the wire.
        public static let floatHistogram = Encoding(rawValue: 3)
    }

    /// Timestamp of the first sample in the chunk.
    public var minTimeMs: Int64
    /// Timestamp of the last sample in the chunk.
    public var maxTimeMs: Int64
    /// The chunk encoding.
    public var type: Encoding
    /// The chunk bytes exactly as the TSDB stores them.
    public var data: [UInt8]

    /// Creates a value from its fields.
    public init(minTimeMs: Int64, maxTimeMs: Int64, type: Encoding, data: [UInt8]) {
        self.minTimeMs = minTimeMs
        self.maxTimeMs = maxTimeMs
        self.type = type
        self.data = data
    }
}

/// A series as chunks in a streamed remote-read response.
public struct ChunkedSeries: Hashable, Sendable {
    /// The series' labels in wire order.
    public var labels: [Label]
    /// Chunks ordered by time, not overlapping.
    public var chunks: [Chunk]
    /// Creates a value from its fields.
    public init(labels: [Label], chunks: [Chunk]) {
        self.labels = labels
        self.chunks = chunks
    }
}

/// One frame's message of a STREAMED_XOR_CHUNKS remote-read response.
public struct ChunkedReadResponse: Hashable, Sendable {
    /// Series of this frame.
    public var chunkedSeries: [ChunkedSeries]
    /// Index of the query (in the ``ReadRequest``) this frame answers.
    public var queryIndex: Int64
    /// Creates a value from its fields.
    public init(chunkedSeries: [ChunkedSeries], queryIndex: Int64) {
        self.chunkedSeries = chunkedSeries
        self.queryIndex = queryIndex
    }
}

extension ReadRequest {
    /// Decodes a snappy-compressed remote-read request body.
    /// - Throws: ``WireError``.
    public init(snappyProtobuf body: [UInt8], maxDecodedBytes: Int = Snappy.defaultMaxDecodedBytes) throws(WireError) {
        self = try ReadRequest(protobuf: try Snappy.decompress(body, maxDecodedBytes: maxDecodedBytes))
    }
}

extension ReadResponse {
    /// The snappy-compressed body of a SAMPLES response.
    /// - Throws: `unencodable` when a string contains a NUL byte.
    public func snappyProtobuf() throws(WireError) -> [UInt8] { Snappy.compress(try protobuf()) }
}
