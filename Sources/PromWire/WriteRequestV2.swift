public import PromModel

/// The body of a remote write 2.0 request (`io.prometheus.write.v2.Request`), before snappy.
///
/// Every string is interned in ``symbols``; series, exemplars and metadata refer to it by index.
/// Decoding checks structure and UTF-8; ``labels(_:)`` resolves and checks references. See <doc:WireFormats>.
public struct WriteRequestV2: Hashable, Sendable {
    /// A series of a 2.0 request.
    public struct TimeSeries: Hashable, Sendable {
        /// Pairs of (name, value) symbol indexes.
        public var labelsRefs: [UInt32]
        /// Float samples, oldest first.
        public var samples: [Sample]
        /// Native histogram samples, oldest first.
        public var histograms: [Histogram]
        /// Exemplars attached to the series' samples.
        public var exemplars: [Exemplar]
        /// Nil when the sender left the field out.
        public var metadata: Metadata?
        /// When the counter started, in ms since the epoch; 0 means unset.
        public var createdTimestamp: Int64

        /// Creates a value from its fields.
        public init(
            labelsRefs: [UInt32], samples: [Sample] = [], histograms: [Histogram] = [], exemplars: [Exemplar] = [],
            metadata: Metadata? = nil, createdTimestamp: Int64 = 0
        ) {
            self.labelsRefs = labelsRefs
            self.samples = samples
            self.histograms = histograms
            self.exemplars = exemplars
            self.metadata = metadata
            self.createdTimestamp = createdTimestamp
        }
    }

    /// An exemplar of a 2.0 request; labels are symbol references.
    public struct Exemplar: Hashable, Sendable {
        /// Pairs of (name, value) indexes into the request's symbols.
        public var labelsRefs: [UInt32]
        /// The observed value (bit-exact).
        public var value: Double
        /// When the value was observed, in ms since the epoch; 0 means unset.
        public var timestamp: Int64

        /// Creates a value from its fields.
        public init(labelsRefs: [UInt32], value: Double, timestamp: Int64) {
            self.labelsRefs = labelsRefs
            self.value = value
            self.timestamp = timestamp
        }

        public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
            lhs.labelsRefs == rhs.labelsRefs && lhs.value.bitPattern == rhs.value.bitPattern
                && lhs.timestamp == rhs.timestamp
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(labelsRefs)
            hasher.combine(value.bitPattern)
        }
    }

    /// Metadata of a 2.0 series; help and unit are symbol references (0 = empty).
    public struct Metadata: Hashable, Sendable {
        /// The metric type.
        public var type: MetricType
        /// Symbol index of the help text (0 = empty).
        public var helpRef: UInt32
        /// Symbol index of the unit (0 = empty).
        public var unitRef: UInt32

        /// Creates a value from its fields.
        public init(type: MetricType, helpRef: UInt32 = 0, unitRef: UInt32 = 0) {
            self.type = type
            self.helpRef = helpRef
            self.unitRef = unitRef
        }
    }

    /// The string table; `symbols[0]` is the empty string.
    public var symbols: [String]
    /// The series.
    public var timeseries: [TimeSeries]

    /// Creates a value from its fields.
    public init(symbols: [String], timeseries: [TimeSeries]) {
        self.symbols = symbols
        self.timeseries = timeseries
    }

    /// Resolves a reference list into labels in wire order.
    /// - Throws: `invalidSymbolReference` for an odd-length list or an index past ``symbols``.
    public func labels(_ refs: [UInt32], at path: @autoclosure () -> String = "labels_refs") throws(WireError)
        -> [Label]
    {
        guard refs.count % 2 == 0 else {
            throw WireError(.invalidSymbolReference, "\(path()) has odd length \(refs.count)")
        }
        var out: [Label] = []
        out.reserveCapacity(refs.count / 2)
        var i = 0
        while i < refs.count {
            out.append(
                Label(
                    name: try symbol(refs[i], at: "\(path())[\(i)]"),
                    value: try symbol(refs[i + 1], at: "\(path())[\(i + 1)]")))
            i += 2
        }
        return out
    }

    /// The symbol at `ref`.
    /// - Throws: `invalidSymbolReference` when `ref` is out of range.
    public func symbol(_ ref: UInt32, at path: @autoclosure () -> String = "ref") throws(WireError) -> String {
        guard Int(ref) < symbols.count else {
            throw WireError(
                .invalidSymbolReference, "\(path()) refers to symbol \(ref), but the table has \(symbols.count)")
        }
        return symbols[Int(ref)]
    }

    /// Decodes a snappy-compressed 2.0 body with the protobuf-c codec.
    public init(snappyProtobuf body: [UInt8], maxDecodedBytes: Int = Snappy.defaultMaxDecodedBytes) throws(WireError) {
        self = try WriteRequestV2(protobuf: try Snappy.decompress(body, maxDecodedBytes: maxDecodedBytes))
    }

    /// The snappy-compressed protobuf encoding.
    public func snappyProtobuf() throws(WireError) -> [UInt8] { Snappy.compress(try protobuf()) }
}
