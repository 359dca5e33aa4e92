import CHearthProto
import CProtobufC
import PromModel

// The reference codec for remote write 1.0: libprotobuf-c's generated code for proto/*.proto.

extension WriteRequest {
    /// Decodes a protobuf `prometheus.WriteRequest` with protobuf-c (the reference decoder).
    /// - Throws: ``WireError``: `invalidMessage` when protobuf-c rejects the bytes, `invalidUTF8` with the
    ///   series index for a label that is not UTF-8.
    public init(protobuf bytes: [UInt8]) throws(WireError) {
        self = try withInput(bytes) { (n, p) throws(WireError) in
            guard let m = prometheus__write_request__unpack(nil, n, p) else {
                throw WireError(.invalidMessage, "remote write 1.0 body of \(n) bytes is not a valid WriteRequest")
            }
            defer { prometheus__write_request__free_unpacked(m, nil) }
            let series = try messages(m.pointee.timeseries, m.pointee.n_timeseries) { (i, ts) throws(WireError) in
                try TimeSeries(c: ts, at: "timeseries[\(i)]")
            }
            let meta = try messages(m.pointee.metadata, m.pointee.n_metadata) { (i, md) throws(WireError) in
                try MetricMetadata(c: md, at: "metadata[\(i)]")
            }
            return WriteRequest(timeseries: series, metadata: meta)
        }
    }

    /// Encodes the request with protobuf-c (the reference encoder; ``protobuf()`` is faster).
    ///
    /// Like other proto3 encoders, it leaves out a double equal to zero, so -0.0 decodes as +0.0.
    /// - Throws: `unencodable` when a string contains a NUL byte.
    public func protobufC() throws(WireError) -> [UInt8] {
        let arena = CArena()
        var m = Prometheus__WriteRequest()
        prometheus__write_request__init(&m)
        m.n_timeseries = timeseries.count
        m.timeseries = try arena.array(timeseries.count, of: UnsafeMutablePointer<Prometheus__TimeSeries>?.self) {
            (i) throws(WireError) in try timeseries[i].c(arena, at: "timeseries[\(i)]")
        }
        m.n_metadata = metadata.count
        m.metadata = try arena.array(metadata.count, of: UnsafeMutablePointer<Prometheus__MetricMetadata>?.self) {
            (i) throws(WireError) in try metadata[i].c(arena, at: "metadata[\(i)]")
        }
        return withExtendedLifetime(arena) {
            packed(size: prometheus__write_request__get_packed_size(&m)) { prometheus__write_request__pack(&m, $0) }
        }
    }
}

extension TimeSeries {
    init(c ts: UnsafeMutablePointer<Prometheus__TimeSeries>, at path: String) throws(WireError) {
        let s = ts.pointee
        labels = try labelsFromC(s.labels, s.n_labels, at: path)
        samples = try messages(s.samples, s.n_samples) { (_, p) in
            Sample(t: Timestamp(ms: p.pointee.timestamp), v: p.pointee.value)
        }
        exemplars = try messages(s.exemplars, s.n_exemplars) { (i, e) throws(WireError) in
            Exemplar(
                labels: try labelsFromC(e.pointee.labels, e.pointee.n_labels, at: "\(path).exemplars[\(i)]"),
                value: e.pointee.value, timestamp: Timestamp(ms: e.pointee.timestamp))
        }
        histograms = try messages(s.histograms, s.n_histograms) { (_, h) in Histogram(c: h.pointee) }
    }

    func c(_ arena: CArena, at path: String) throws(WireError) -> UnsafeMutablePointer<Prometheus__TimeSeries> {
        var s = Prometheus__TimeSeries()
        prometheus__time_series__init(&s)
        (s.n_labels, s.labels) = (labels.count, try labelsToC(labels, arena, at: path))
        s.n_samples = samples.count
        s.samples = try arena.array(samples.count, of: UnsafeMutablePointer<Prometheus__Sample>?.self) { i in
            var c = Prometheus__Sample()
            prometheus__sample__init(&c)
            c.value = samples[i].v
            c.timestamp = samples[i].t.ms
            return arena.message(c)
        }
        s.n_exemplars = exemplars.count
        s.exemplars = try arena.array(exemplars.count, of: UnsafeMutablePointer<Prometheus__Exemplar>?.self) {
            (i) throws(WireError) in
            var c = Prometheus__Exemplar()
            prometheus__exemplar__init(&c)
            let e = exemplars[i]
            (c.n_labels, c.labels) = (e.labels.count, try labelsToC(e.labels, arena, at: "\(path).exemplars[\(i)]"))
            c.value = e.value
            c.timestamp = e.timestamp.ms
            return arena.message(c)
        }
        s.n_histograms = histograms.count
        s.histograms = try arena.array(histograms.count, of: UnsafeMutablePointer<Prometheus__Histogram>?.self) {
            (i) throws(WireError) in arena.message(try histograms[i].c(arena))
        }
        return arena.message(s)
    }
}

/// Labels of a protobuf-c label array, validating UTF-8; `path` names the series for the error.
func labelsFromC(_ p: UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__Label>?>?, _ n: Int, at path: String)
    throws(WireError) -> [Label]
{
    try messages(p, n) { (i, l) throws(WireError) in
        Label(
            name: try swiftString(l.pointee.name, field: "\(path).labels[\(i)].name"),
            value: try swiftString(l.pointee.value, field: "\(path).labels[\(i)].value"))
    }
}

func labelsToC(_ labels: [Label], _ arena: CArena, at path: String) throws(WireError)
    -> UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__Label>?>?
{
    try arena.array(labels.count, of: UnsafeMutablePointer<Prometheus__Label>?.self) { (i) throws(WireError) in
        var c = Prometheus__Label()
        prometheus__label__init(&c)
        c.name = try arena.cString(labels[i].name, field: "\(path).labels[\(i)].name")
        c.value = try arena.cString(labels[i].value, field: "\(path).labels[\(i)].value")
        return arena.message(c)
    }
}

extension MetricMetadata {
    init(c md: UnsafeMutablePointer<Prometheus__MetricMetadata>, at path: String) throws(WireError) {
        type = MetricType(rawValue: enumValue(md.pointee.type))
        metricFamilyName = try swiftString(md.pointee.metric_family_name, field: "\(path).metric_family_name")
        help = try swiftString(md.pointee.help, field: "\(path).help")
        unit = try swiftString(md.pointee.unit, field: "\(path).unit")
    }

    func c(_ arena: CArena, at path: String) throws(WireError) -> UnsafeMutablePointer<Prometheus__MetricMetadata> {
        var c = Prometheus__MetricMetadata()
        prometheus__metric_metadata__init(&c)
        c.type = cEnum(type.rawValue)
        c.metric_family_name = try arena.cString(metricFamilyName, field: "\(path).metric_family_name")
        c.help = try arena.cString(help, field: "\(path).help")
        c.unit = try arena.cString(unit, field: "\(path).unit")
        return arena.message(c)
    }
}
