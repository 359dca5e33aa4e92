public import PromModel

/// An exemplar of remote write 1.0: labels such as a trace id attached to one observed value.
public struct Exemplar: Hashable, Sendable {
    /// Labels in wire order, not validated beyond UTF-8.
    public var labels: [Label]
    /// The observed value (bit-exact).
    public var value: Double
    /// When the value was observed.
    public var timestamp: Timestamp

    /// Creates a value from its fields.
    public init(labels: [Label], value: Double, timestamp: Timestamp) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern && lhs.timestamp == rhs.timestamp
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(value.bitPattern)
        hasher.combine(timestamp)
    }
}

/// One series of a remote write 1.0 request or a remote read SAMPLES response.
///
/// `labels` keeps the wire order and content exactly (a codec must not reorder or drop); use
/// ``labelSet`` for the normalized ``Labels`` a storage indexes.
public struct TimeSeries: Hashable, Sendable {
    /// The series' labels in wire order.
    public var labels: [Label]
    /// Float samples, oldest first.
    public var samples: [Sample]
    /// Exemplars attached to the series' samples.
    public var exemplars: [Exemplar]
    /// Native histogram samples, oldest first.
    public var histograms: [Histogram]

    /// Creates a value from its fields.
    public init(labels: [Label], samples: [Sample] = [], exemplars: [Exemplar] = [], histograms: [Histogram] = []) {
        self.labels = labels
        self.samples = samples
        self.exemplars = exemplars
        self.histograms = histograms
    }

    /// The labels as a sorted, de-duplicated ``Labels`` (empty values dropped, as Prometheus does).
    public var labelSet: Labels { Labels(labels) }
}

/// The type of a metric family, shared by remote write 1.0 and 2.0 (same numbers; open enum).
public struct MetricType: RawRepresentable, Hashable, Sendable {
    /// The number on the wire.
    public var rawValue: Int32
    /// Creates a value from its fields.
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The value 0 on the wire.
    public static let unknown = MetricType(rawValue: 0)
    /// The value 1 on the wire.
    public static let counter = MetricType(rawValue: 1)
    /// The value 2 on the wire.
    public static let gauge = MetricType(rawValue: 2)
    /// The value 3 on the wire.
    public static let histogram = MetricType(rawValue: 3)
    /// The value 4 on the wire.
    public static let gaugeHistogram = MetricType(rawValue: 4)
    /// The value 5 on the wire.
    public static let summary = MetricType(rawValue: 5)
    /// The value 6 on the wire.
    public static let info = MetricType(rawValue: 6)
    /// The value 7 on the wire.
    public static let stateset = MetricType(rawValue: 7)
}

/// Metadata of one metric family in remote write 1.0.
public struct MetricMetadata: Hashable, Sendable {
    /// The metric type.
    public var type: MetricType
    /// The metric family the metadata describes.
    public var metricFamilyName: String
    /// Help text.
    public var help: String
    /// Unit, e.g. `seconds`.
    public var unit: String

    /// Creates a value from its fields.
    public init(type: MetricType, metricFamilyName: String, help: String = "", unit: String = "") {
        self.type = type
        self.metricFamilyName = metricFamilyName
        self.help = help
        self.unit = unit
    }
}

/// The body of a remote write 1.0 request (`prometheus.WriteRequest`), before snappy.
///
/// Decode with ``init(protobuf:)`` (the protobuf-c reference codec) or, on the hot path, with
/// ``WriteRequestDecoder``; both give equal values for every input. See <doc:WireFormats>.
public struct WriteRequest: Hashable, Sendable {
    /// The series, each with its samples.
    public var timeseries: [TimeSeries]
    /// Metric metadata sent beside the series.
    public var metadata: [MetricMetadata]

    /// Creates a value from its fields.
    public init(timeseries: [TimeSeries] = [], metadata: [MetricMetadata] = []) {
        self.timeseries = timeseries
        self.metadata = metadata
    }

    /// Decodes a snappy-compressed body with the hand-written decoder.
    /// - Parameter maxDecodedBytes: cap on the decoded size, checked before allocating.
    /// - Throws: ``WireError``.
    public init(snappyProtobuf body: [UInt8], maxDecodedBytes: Int = Snappy.defaultMaxDecodedBytes) throws(WireError) {
        let raw = try Snappy.decompress(body, maxDecodedBytes: maxDecodedBytes)
        self = try WriteRequestDecoder.decode(raw)
    }

    /// The snappy-compressed protobuf encoding of the request.
    public func snappyProtobuf() -> [UInt8] { Snappy.compress(protobuf()) }
}
