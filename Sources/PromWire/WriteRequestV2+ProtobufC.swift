import CHearthProto
import CProtobufC
import PromModel

// The reference codec for remote write 2.0 (protobuf-c).

extension WriteRequestV2 {
    /// Decodes a protobuf `io.prometheus.write.v2.Request` with protobuf-c.
    /// - Throws: ``WireError``: `invalidMessage` when protobuf-c rejects the bytes, `invalidUTF8` naming the symbol.
    public init(protobuf bytes: [UInt8]) throws(WireError) {
        self = try withInput(bytes) { (n, p) throws(WireError) in
            guard let m = io__prometheus__write__v2__request__unpack(nil, n, p) else {
                throw WireError(.invalidMessage, "remote write 2.0 body of \(n) bytes is not a valid Request")
            }
            defer { io__prometheus__write__v2__request__free_unpacked(m, nil) }
            var symbols: [String] = []
            for i in 0..<m.pointee.n_symbols {
                symbols.append(try swiftString(m.pointee.symbols[i], field: "symbols[\(i)]"))
            }
            let series = try messages(m.pointee.timeseries, m.pointee.n_timeseries) { (_, ts) in
                Self.timeSeries(c: ts.pointee)
            }
            return WriteRequestV2(symbols: symbols, timeseries: series)
        }
    }

    private static func timeSeries(c s: Io__Prometheus__Write__V2__TimeSeries) -> TimeSeries {
        // The closures below cannot throw; `try!` only satisfies the shared helper's signature.
        TimeSeries(
            labelsRefs: scalars(s.labels_refs, s.n_labels_refs),
            samples: try! messages(s.samples, s.n_samples) { (_, p) in
                Sample(t: Timestamp(ms: p.pointee.timestamp), v: p.pointee.value)
            },
            histograms: try! messages(s.histograms, s.n_histograms) { (_, h) in
                UnsafeRawPointer(h).withMemoryRebound(to: Prometheus__Histogram.self, capacity: 1) {
                    Histogram(c: $0.pointee)
                }
            },
            exemplars: try! messages(s.exemplars, s.n_exemplars) { (_, e) in
                Exemplar(
                    labelsRefs: scalars(e.pointee.labels_refs, e.pointee.n_labels_refs), value: e.pointee.value,
                    timestamp: e.pointee.timestamp)
            },
            metadata: s.metadata.map {
                Metadata(
                    type: MetricType(rawValue: enumValue($0.pointee.type)), helpRef: $0.pointee.help_ref,
                    unitRef: $0.pointee.unit_ref)
            },
            createdTimestamp: s.created_timestamp)
    }

    /// Encodes the request as protobuf with protobuf-c.
    /// - Throws: `unencodable` when a symbol contains a NUL byte.
    public func protobuf() throws(WireError) -> [UInt8] {
        let arena = CArena()
        var m = Io__Prometheus__Write__V2__Request()
        io__prometheus__write__v2__request__init(&m)
        m.n_symbols = symbols.count
        m.symbols = try arena.array(symbols.count, of: UnsafeMutablePointer<CChar>?.self) { (i) throws(WireError) in
            try arena.cString(symbols[i], field: "symbols[\(i)]")
        }
        m.n_timeseries = timeseries.count
        m.timeseries = try arena.array(
            timeseries.count, of: UnsafeMutablePointer<Io__Prometheus__Write__V2__TimeSeries>?.self
        ) { (i) throws(WireError) in try Self.c(timeseries[i], arena) }
        return withExtendedLifetime(arena) {
            packed(size: io__prometheus__write__v2__request__get_packed_size(&m)) {
                io__prometheus__write__v2__request__pack(&m, $0)
            }
        }
    }

    private static func c(_ ts: TimeSeries, _ arena: CArena) throws(WireError)
        -> UnsafeMutablePointer<Io__Prometheus__Write__V2__TimeSeries>
    {
        var s = Io__Prometheus__Write__V2__TimeSeries()
        io__prometheus__write__v2__time_series__init(&s)
        s.n_labels_refs = ts.labelsRefs.count
        s.labels_refs = try arena.array(ts.labelsRefs.count, of: UInt32.self) { ts.labelsRefs[$0] }
        s.n_samples = ts.samples.count
        s.samples = try arena.array(ts.samples.count, of: UnsafeMutablePointer<Io__Prometheus__Write__V2__Sample>?.self)
        {
            i in
            var c = Io__Prometheus__Write__V2__Sample()
            io__prometheus__write__v2__sample__init(&c)
            (c.value, c.timestamp) = (ts.samples[i].v, ts.samples[i].t.ms)
            return arena.message(c)
        }
        s.n_histograms = ts.histograms.count
        s.histograms = try arena.array(
            ts.histograms.count, of: UnsafeMutablePointer<Io__Prometheus__Write__V2__Histogram>?.self
        ) { (i) throws(WireError) in
            let h = arena.message(try ts.histograms[i].c(arena, v2: true))
            return UnsafeMutableRawPointer(h).assumingMemoryBound(to: Io__Prometheus__Write__V2__Histogram.self)
        }
        s.n_exemplars = ts.exemplars.count
        s.exemplars = try arena.array(
            ts.exemplars.count, of: UnsafeMutablePointer<Io__Prometheus__Write__V2__Exemplar>?.self
        ) { (i) throws(WireError) in
            var c = Io__Prometheus__Write__V2__Exemplar()
            io__prometheus__write__v2__exemplar__init(&c)
            let e = ts.exemplars[i]
            c.n_labels_refs = e.labelsRefs.count
            c.labels_refs = try arena.array(e.labelsRefs.count, of: UInt32.self) { e.labelsRefs[$0] }
            (c.value, c.timestamp) = (e.value, e.timestamp)
            return arena.message(c)
        }
        if let md = ts.metadata {
            var c = Io__Prometheus__Write__V2__Metadata()
            io__prometheus__write__v2__metadata__init(&c)
            c.type = cEnum(md.type.rawValue)
            (c.help_ref, c.unit_ref) = (md.helpRef, md.unitRef)
            s.metadata = arena.message(c)
        }
        s.created_timestamp = ts.createdTimestamp
        return arena.message(s)
    }
}
