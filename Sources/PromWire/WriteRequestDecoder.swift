import PromModel

/// The hot-path decoder for remote write 1.0 bodies: walks the (snappy-decoded) bytes in place.
///
/// It accepts and rejects exactly the inputs the protobuf-c reference decoder does and returns equal
/// values (WriteRequestDecoderDifferentialTests checks this on fixtures and on mutated inputs), with
/// one documented exception: protobuf-c strings are NUL-terminated, so it truncates a string at an
/// embedded NUL byte while this decoder keeps the whole string.
///
/// Every length read from the wire is bounded by the bytes that remain before use, and nothing is
/// allocated in proportion to a declared size. ``visit(_:_:)`` hands out label byte slices without
/// building ``Labels`` or strings. See <doc:WireFormats>.
public enum WriteRequestDecoder {
    /// Decodes a protobuf `prometheus.WriteRequest` into values.
    /// - Throws: ``WireError`` naming the offset and, for label errors, the series index.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> WriteRequest {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(WireError) in try decode(raw) } }
        return try result.get()
    }

    /// Decodes a protobuf `prometheus.WriteRequest` held in `raw`.
    public static func decode(_ raw: UnsafeRawBufferPointer) throws(WireError) -> WriteRequest {
        var request = WriteRequest()
        try walk(raw) { (index, range) throws(WireError) in
            var sink = BuildingSink()
            sink.reserve(labels: countLabels(raw, range))
            try parseSeries(raw, range, index: index, into: &sink)
            request.timeseries.append(sink.series)
        } metadata: { (md) throws(WireError) in
            request.metadata.append(md)
        }
        return request
    }

    /// Validates the whole body, then calls `body` once per series, in order, with a view of its bytes.
    ///
    /// Nothing is handed out unless the entire body is valid (so a caller never ingests half of a
    /// rejected request). The view and every slice it gives are valid only during the call.
    /// - Throws: ``WireError`` for an invalid body (before any call of `body`), or what `body` throws.
    public static func visit<E: Error>(
        _ raw: UnsafeRawBufferPointer, _ body: (borrowing RawSeries) throws(E) -> Void
    ) throws {
        try walk(raw) { (index, range) throws(WireError) in
            var sink = ValidatingSink()
            try parseSeries(raw, range, index: index, into: &sink)
        } metadata: { _ in
        }
        // Second pass over a validated body: the reader calls below cannot fail.
        var r = ProtoReader(raw, range: 0..<raw.count)
        var index = 0
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            if field == 1 {
                try body(RawSeries(buffer: raw, range: try r.readLengthDelimited(), index: index))
                index += 1
            } else {
                try r.skip(wireType: wireType)
            }
        }
    }

    /// Walks the top-level fields: `timeseries` (1) and `metadata` (3); unknown fields are skipped.
    static func walk(
        _ raw: UnsafeRawBufferPointer, series: (Int, Range<Int>) throws(WireError) -> Void,
        metadata: (MetricMetadata) throws(WireError) -> Void
    ) throws(WireError) {
        var r = ProtoReader(raw, range: 0..<raw.count)
        var index = 0
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "WriteRequest")
                try series(index, try r.readLengthDelimited())
                index += 1
            case 3:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "WriteRequest")
                try metadata(try parseMetadata(raw, try r.readLengthDelimited()))
            default: try r.skip(wireType: wireType)
            }
        }
    }

    /// How many `labels` fields a series holds, counted before building it so its label array is
    /// allocated once. Bounded by the bytes present (each label field takes at least 2); a
    /// malformed series stops the count early and is reported by the parse that follows.
    static func countLabels(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        var r = ProtoReader(raw, range: range)
        var n = 0
        while !r.isAtEnd {
            guard let (field, wireType) = try? r.readTag(), (try? r.skip(wireType: wireType)) != nil else { break }
            if field == 1 { n += 1 }
        }
        return n
    }

    /// Parses one `TimeSeries`, feeding `sink`; errors name the series index.
    @inline(__always)
    static func parseSeries<S: SeriesSink>(
        _ raw: UnsafeRawBufferPointer, _ range: Range<Int>, index: Int, into sink: inout S
    ) throws(WireError) {
        do {
            var r = ProtoReader(raw, range: range)
            while !r.isAtEnd {
                let (field, wireType) = try r.readTag()
                switch field {
                case 1:
                    try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                    let (name, value) = try parseLabel(raw, try r.readLengthDelimited())
                    sink.label(raw, name: name, value: value)
                case 2:
                    try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                    sink.sample(try parseSample(raw, try r.readLengthDelimited()))
                case 3:
                    try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                    sink.exemplar(try parseExemplar(raw, try r.readLengthDelimited()))
                case 4:
                    try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                    sink.histogram(try parseHistogram(raw, try r.readLengthDelimited()))
                default: try r.skip(wireType: wireType)
                }
            }
        } catch {
            throw WireError(error.code, "timeseries[\(index)]: \(error.message)")
        }
    }
}

/// Receives the parts of one series as the decoder finds them.
protocol SeriesSink {
    mutating func label(_ raw: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>)
    mutating func sample(_ s: Sample)
    mutating func exemplar(_ e: Exemplar)
    mutating func histogram(_ h: Histogram)
}

/// Builds a ``TimeSeries`` value.
struct BuildingSink: SeriesSink {
    var series = TimeSeries(labels: [])

    mutating func reserve(labels: Int) { series.labels.reserveCapacity(labels) }

    mutating func label(_ raw: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>) {
        series.labels.append(
            Label(name: WriteRequestDecoder.string(raw, name), value: WriteRequestDecoder.string(raw, value)))
    }
    mutating func sample(_ s: Sample) { series.samples.append(s) }
    mutating func exemplar(_ e: Exemplar) { series.exemplars.append(e) }
    mutating func histogram(_ h: Histogram) { series.histograms.append(h) }
}

/// Only validates: keeps nothing.
struct ValidatingSink: SeriesSink {
    @inline(__always) mutating func label(_ raw: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>) {}
    @inline(__always) mutating func sample(_ s: Sample) {}
    mutating func exemplar(_ e: Exemplar) {}
    mutating func histogram(_ h: Histogram) {}
}
