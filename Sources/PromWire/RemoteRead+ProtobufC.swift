import CHearthProto
import CProtobufC
import PromModel

// The reference codec for remote-read messages (protobuf-c).

extension ReadRequest {
    /// Decodes a protobuf `prometheus.ReadRequest`.
    public init(protobuf bytes: [UInt8]) throws(WireError) {
        self = try withInput(bytes) { (n, p) throws(WireError) in
            guard let m = prometheus__read_request__unpack(nil, n, p) else {
                throw WireError(.invalidMessage, "remote read body of \(n) bytes is not a valid ReadRequest")
            }
            defer { prometheus__read_request__free_unpacked(m, nil) }
            let queries = try messages(m.pointee.queries, m.pointee.n_queries) { (i, q) throws(WireError) in
                try Query(c: q.pointee, at: "queries[\(i)]")
            }
            let types = scalars(m.pointee.accepted_response_types, m.pointee.n_accepted_response_types)
                .map { ResponseType(rawValue: enumValue($0)) }
            return ReadRequest(queries: queries, acceptedResponseTypes: types)
        }
    }

    /// Encodes the request as protobuf.
    public func protobuf() throws(WireError) -> [UInt8] {
        let arena = CArena()
        var m = Prometheus__ReadRequest()
        prometheus__read_request__init(&m)
        m.n_queries = queries.count
        m.queries = try arena.array(queries.count, of: UnsafeMutablePointer<Prometheus__Query>?.self) {
            (i) throws(WireError) in try queries[i].c(arena, at: "queries[\(i)]")
        }
        m.n_accepted_response_types = acceptedResponseTypes.count
        m.accepted_response_types = try arena.array(
            acceptedResponseTypes.count, of: Prometheus__ReadRequest__ResponseType.self
        ) { cEnum(acceptedResponseTypes[$0].rawValue) }
        return withExtendedLifetime(arena) {
            packed(size: prometheus__read_request__get_packed_size(&m)) { prometheus__read_request__pack(&m, $0) }
        }
    }
}

extension Query {
    init(c q: Prometheus__Query, at path: String) throws(WireError) {
        startTimestampMs = q.start_timestamp_ms
        endTimestampMs = q.end_timestamp_ms
        matchers = try messages(q.matchers, q.n_matchers) { (i, m) throws(WireError) in
            LabelMatcher(
                type: LabelMatcher.Kind(rawValue: enumValue(m.pointee.type)),
                name: try swiftString(m.pointee.name, field: "\(path).matchers[\(i)].name"),
                value: try swiftString(m.pointee.value, field: "\(path).matchers[\(i)].value"))
        }
        if let h = q.hints?.pointee {
            var hints = ReadHints()
            hints.stepMs = h.step_ms
            hints.function = try swiftString(h.func, field: "\(path).hints.func")
            hints.startMs = h.start_ms
            hints.endMs = h.end_ms
            var grouping: [String] = []
            for i in 0..<h.n_grouping {
                grouping.append(try swiftString(h.grouping[i], field: "\(path).hints.grouping[\(i)]"))
            }
            hints.grouping = grouping
            hints.by = h.by != 0
            hints.rangeMs = h.range_ms
            self.hints = hints
        } else {
            hints = nil
        }
    }

    func c(_ arena: CArena, at path: String) throws(WireError) -> UnsafeMutablePointer<Prometheus__Query> {
        var q = Prometheus__Query()
        prometheus__query__init(&q)
        q.start_timestamp_ms = startTimestampMs
        q.end_timestamp_ms = endTimestampMs
        q.n_matchers = matchers.count
        q.matchers = try arena.array(matchers.count, of: UnsafeMutablePointer<Prometheus__LabelMatcher>?.self) {
            (i) throws(WireError) in
            var m = Prometheus__LabelMatcher()
            prometheus__label_matcher__init(&m)
            m.type = cEnum(matchers[i].type.rawValue)
            m.name = try arena.cString(matchers[i].name, field: "\(path).matchers[\(i)].name")
            m.value = try arena.cString(matchers[i].value, field: "\(path).matchers[\(i)].value")
            return arena.message(m)
        }
        if let hints {
            var h = Prometheus__ReadHints()
            prometheus__read_hints__init(&h)
            h.step_ms = hints.stepMs
            h.func = try arena.cString(hints.function, field: "\(path).hints.func")
            h.start_ms = hints.startMs
            h.end_ms = hints.endMs
            h.n_grouping = hints.grouping.count
            h.grouping = try arena.array(hints.grouping.count, of: UnsafeMutablePointer<CChar>?.self) {
                (i) throws(WireError) in try arena.cString(hints.grouping[i], field: "\(path).hints.grouping[\(i)]")
            }
            h.by = hints.by ? 1 : 0
            h.range_ms = hints.rangeMs
            q.hints = arena.message(h)
        }
        return arena.message(q)
    }
}

extension ReadResponse {
    /// Decodes a protobuf `prometheus.ReadResponse`.
    public init(protobuf bytes: [UInt8]) throws(WireError) {
        self = try withInput(bytes) { (n, p) throws(WireError) in
            guard let m = prometheus__read_response__unpack(nil, n, p) else {
                throw WireError(.invalidMessage, "remote read response of \(n) bytes is not a valid ReadResponse")
            }
            defer { prometheus__read_response__free_unpacked(m, nil) }
            return ReadResponse(
                results: try messages(m.pointee.results, m.pointee.n_results) { (i, r) throws(WireError) in
                    QueryResult(
                        timeseries: try messages(r.pointee.timeseries, r.pointee.n_timeseries) {
                            (j, ts) throws(WireError) in try TimeSeries(c: ts, at: "results[\(i)].timeseries[\(j)]")
                        })
                })
        }
    }

    /// Encodes the response as protobuf.
    public func protobuf() throws(WireError) -> [UInt8] {
        let arena = CArena()
        var m = Prometheus__ReadResponse()
        prometheus__read_response__init(&m)
        m.n_results = results.count
        m.results = try arena.array(results.count, of: UnsafeMutablePointer<Prometheus__QueryResult>?.self) {
            (i) throws(WireError) in
            var r = Prometheus__QueryResult()
            prometheus__query_result__init(&r)
            let series = results[i].timeseries
            r.n_timeseries = series.count
            r.timeseries = try arena.array(series.count, of: UnsafeMutablePointer<Prometheus__TimeSeries>?.self) {
                (j) throws(WireError) in try series[j].c(arena, at: "results[\(i)].timeseries[\(j)]")
            }
            return arena.message(r)
        }
        return withExtendedLifetime(arena) {
            packed(size: prometheus__read_response__get_packed_size(&m)) { prometheus__read_response__pack(&m, $0) }
        }
    }
}

extension ChunkedReadResponse {
    /// Decodes a protobuf `prometheus.ChunkedReadResponse` (one frame's message).
    public init(protobuf bytes: [UInt8]) throws(WireError) {
        self = try withInput(bytes) { (n, p) throws(WireError) in
            guard let m = prometheus__chunked_read_response__unpack(nil, n, p) else {
                throw WireError(.invalidMessage, "frame message of \(n) bytes is not a valid ChunkedReadResponse")
            }
            defer { prometheus__chunked_read_response__free_unpacked(m, nil) }
            let series = try messages(m.pointee.chunked_series, m.pointee.n_chunked_series) {
                (i, s) throws(WireError) in
                ChunkedSeries(
                    labels: try labelsFromC(s.pointee.labels, s.pointee.n_labels, at: "chunked_series[\(i)]"),
                    chunks: try messages(s.pointee.chunks, s.pointee.n_chunks) { (_, c) in
                        let d = c.pointee.data
                        return Chunk(
                            minTimeMs: c.pointee.min_time_ms, maxTimeMs: c.pointee.max_time_ms,
                            type: Chunk.Encoding(rawValue: enumValue(c.pointee.type)), data: scalars(d.data, d.len))
                    })
            }
            return ChunkedReadResponse(chunkedSeries: series, queryIndex: m.pointee.query_index)
        }
    }

    /// Encodes the message as protobuf (frame it with ``ChunkedReadWriter``).
    public func protobuf() throws(WireError) -> [UInt8] {
        let arena = CArena()
        var m = Prometheus__ChunkedReadResponse()
        prometheus__chunked_read_response__init(&m)
        m.query_index = queryIndex
        m.n_chunked_series = chunkedSeries.count
        m.chunked_series = try arena.array(
            chunkedSeries.count, of: UnsafeMutablePointer<Prometheus__ChunkedSeries>?.self
        ) { (i) throws(WireError) in
            var s = Prometheus__ChunkedSeries()
            prometheus__chunked_series__init(&s)
            let series = chunkedSeries[i]
            s.n_labels = series.labels.count
            s.labels = try labelsToC(series.labels, arena, at: "chunked_series[\(i)]")
            s.n_chunks = series.chunks.count
            s.chunks = try arena.array(series.chunks.count, of: UnsafeMutablePointer<Prometheus__Chunk>?.self) { j in
                var c = Prometheus__Chunk()
                prometheus__chunk__init(&c)
                let chunk = series.chunks[j]
                (c.min_time_ms, c.max_time_ms) = (chunk.minTimeMs, chunk.maxTimeMs)
                c.type = cEnum(chunk.type.rawValue)
                c.data = arena.binary(chunk.data)
                return arena.message(c)
            }
            return arena.message(s)
        }
        return withExtendedLifetime(arena) {
            packed(size: prometheus__chunked_read_response__get_packed_size(&m)) {
                prometheus__chunked_read_response__pack(&m, $0)
            }
        }
    }
}
