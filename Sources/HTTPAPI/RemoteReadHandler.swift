import HTTPTypes
import Hummingbird
import Logging
import PromModel
import PromWire
import Receiver
import StorageAPI

/// `POST /api/v1/read`: Prometheus remote read, answering SAMPLES or STREAMED_XOR_CHUNKS.
///
/// Downsampled answers: a SAMPLES query whose `ReadHints.step_ms` is at least 5m may be answered
/// from downsampled blocks (no finer data is needed to draw one point per step): the coarsest
/// resolution (5m or 1h) not above the step, and, when `range_ms` is set, not above a fifth of the
/// range (so `rate` keeps several points per window). Each returned sample is then the aggregate
/// `ReadHints.func` asks for, per ``AggregateType/forFunction(_:)``: the counter (resets folded in)
/// for `rate`/`increase`/`irate`/`resets`, min for `min*`, max for `max*`, sum for `sum_*`, count
/// for `count_*`, and the per-window average (sum / count) for anything else or no function.
/// Where no downsampled block exists, raw samples are returned as usual. Streamed chunks are always raw.
///
/// Streamed answers go out frame by frame (≤ `maxFrameBytes` each) while the series set is walked,
/// so memory does not grow with the result; stored chunk bytes are sent as they are. SAMPLES
/// answers are one snappy block by protocol and are bounded by the per-request limits instead.
struct RemoteReadHandler: Sendable {
    /// Resolves the data a request may read (a tenant's data in the receiver).
    let source: @Sendable (Request) async throws -> any Queryable & ChunkQueryable
    let limits: @Sendable (Request) -> TenantLimits
    let logger: Logger
    var maxFrameBytes = 1 << 20

    static let streamedContentType = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse"

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let limits = limits(request)
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limits.maxRequestBytes) } catch {
            return textResponse(.contentTooLarge, "read request exceeds max_request_bytes=\(limits.maxRequestBytes)")
        }
        let read: ReadRequest
        do {
            let raw = try Snappy.decompress(Array(buffer: body), maxDecodedBytes: limits.maxDecodedRequestBytes)
            read = try ReadRequest(protobuf: raw)
        } catch {
            return wireErrorResponse(error)
        }
        let queries: [(Query, [Matcher])]
        do {
            queries = try read.queries.map { ($0, try Self.matchers($0.matchers)) }
        } catch {
            return textResponse(.badRequest, "invalid matcher: \(error)")
        }
        let data = try await source(request)
        if read.acceptedResponseTypes.contains(.streamedXORChunks) {
            return streamed(queries, data: data, limits: limits)
        }
        return try await samples(queries, data: data, limits: limits)
    }

    static func matchers(_ wire: [LabelMatcher]) throws -> [Matcher] {
        try wire.map { m in
            let kind: Matcher.Kind
            switch m.type {
            case .equal: kind = .equal
            case .notEqual: kind = .notEqual
            case .regexMatch: kind = .regexMatch
            case .regexNoMatch: kind = .regexNoMatch
            default: throw ReceiverError(.badData, "unknown matcher type \(m.type.rawValue) for label \(m.name)")
            }
            return try Matcher(kind, m.name, m.value)
        }
    }

    static func hints(_ q: Query) -> SelectHints {
        var h = SelectHints(start: Timestamp(ms: q.startTimestampMs), end: Timestamp(ms: q.endTimestampMs))
        if let wire = q.hints {
            h.stepMs = wire.stepMs
            h.function = wire.function.isEmpty ? nil : wire.function
            h.rangeMs = wire.rangeMs
            h.grouping = wire.grouping
            h.by = wire.by
        }
        return h
    }

    /// The coarsest downsampling resolution a SAMPLES query's hints allow, or nil for raw.
    static func downsampledResolution(_ q: Query) -> Int64? {
        guard let hints = q.hints else { return nil }
        let usable: [Int64] = [3_600_000, 300_000].filter { r in
            hints.stepMs >= r && (hints.rangeMs <= 0 || hints.rangeMs >= 5 * r)
        }
        return usable.first
    }

    private func samples(_ queries: [(Query, [Matcher])], data: any Queryable, limits: TenantLimits) async throws -> Response {
        var results: [QueryResult] = []
        var seriesCount = 0
        var bytes = 0
        for (query, matchers) in queries {
            var source = data
            if let resolution = Self.downsampledResolution(query), let multi = data as? any MultiResolutionQueryable {
                source = multi.reading(.atMost(resolution))
            }
            let querier = try await source.querier(mint: Timestamp(ms: query.startTimestampMs), maxt: Timestamp(ms: query.endTimestampMs))
            defer { querier.close() }
            var set = try await querier.select(sorted: true, hints: Self.hints(query), matchers: matchers)
            var out: [TimeSeries] = []
            while let series = try set.next() {
                var it = series.makeIterator()
                var points: [Sample] = []
                if try it.seek(Timestamp(ms: query.startTimestampMs)) {
                    repeat {
                        let s = it.at()
                        if s.t.ms > query.endTimestampMs { break }
                        points.append(s)
                    } while try it.next()
                }
                if points.isEmpty { continue }
                seriesCount += 1
                bytes += points.count * 16 + series.labels.items.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
                if limits.maxReadSeries > 0 && seriesCount > limits.maxReadSeries {
                    return textResponse(.badRequest, "remote read exceeds max_read_series=\(limits.maxReadSeries); narrow the matchers or use streamed chunks")
                }
                if limits.maxReadBytes > 0 && bytes > limits.maxReadBytes {
                    return textResponse(.badRequest, "remote read exceeds max_read_bytes=\(limits.maxReadBytes); narrow the time range or use streamed chunks")
                }
                out.append(TimeSeries(labels: series.labels.items, samples: points))
            }
            results.append(QueryResult(timeseries: out))
        }
        let body = Snappy.compress(try ReadResponse(results: results).protobuf())
        return Response(
            status: .ok,
            headers: [.contentType: "application/x-protobuf", .contentEncoding: "snappy"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func streamed(_ queries: [(Query, [Matcher])], data: any ChunkQueryable, limits: TenantLimits) -> Response {
        let maxFrameBytes = self.maxFrameBytes
        let logger = self.logger
        let body = ResponseBody { writer in
            let framer = ChunkedReadWriter(maxFrameBytes: maxFrameBytes + 64 * 1024)
            var totalSeries = 0
            for (index, (query, matchers)) in queries.enumerated() {
                let querier = try await data.chunkQuerier(
                    mint: Timestamp(ms: query.startTimestampMs), maxt: Timestamp(ms: query.endTimestampMs))
                defer { querier.close() }
                var set = try await querier.selectChunks(sorted: true, hints: Self.hints(query), matchers: matchers)
                var frame = FrameBuilder(budget: maxFrameBytes)
                while let series = try set.next() {
                    totalSeries += 1
                    if limits.maxReadSeries > 0 && totalSeries > limits.maxReadSeries {
                        // Headers are gone already: all we can do is stop and let the reader see a short stream.
                        logger.warning("streamed remote read cut at max_read_series", metadata: ["limit": "\(limits.maxReadSeries)"])
                        throw ReceiverError(.readLimit, "remote read exceeds max_read_series=\(limits.maxReadSeries)")
                    }
                    for ready in frame.add(series) {
                        try await writer.write(ByteBuffer(bytes: try framer.frame(ChunkedReadResponse(chunkedSeries: ready, queryIndex: Int64(index)))))
                    }
                }
                if let last = frame.finish() {
                    try await writer.write(ByteBuffer(bytes: try framer.frame(ChunkedReadResponse(chunkedSeries: last, queryIndex: Int64(index)))))
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: Self.streamedContentType, .contentEncoding: "identity"], body: body)
    }
}

/// Packs chunk series into frames of at most `budget` bytes, splitting a series too big for one
/// frame into several entries with the same labels (readers concatenate them).
struct FrameBuilder {
    let budget: Int
    private var pending: [ChunkedSeries] = []
    private var size = 0

    init(budget: Int) { self.budget = budget }

    /// Adds a series; returns the frames that became full.
    mutating func add(_ series: ChunkSeries) -> [[ChunkedSeries]] {
        var full: [[ChunkedSeries]] = []
        let labelBytes = series.labels.items.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 8 }
        var part = ChunkedSeries(labels: series.labels.items, chunks: [])
        var partSize = labelBytes
        for c in series.chunks {
            let chunkSize = c.bytes.count + 32
            if size + partSize + chunkSize > budget && (!pending.isEmpty || !part.chunks.isEmpty) {
                if !part.chunks.isEmpty { pending.append(part) }
                full.append(pending)
                pending = []
                size = 0
                part = ChunkedSeries(labels: series.labels.items, chunks: [])
                partSize = labelBytes
            }
            part.chunks.append(Chunk(minTimeMs: c.minTime.ms, maxTimeMs: c.maxTime.ms, type: Chunk.Encoding(rawValue: Int32(c.encoding.rawValue)), data: c.bytes))
            partSize += chunkSize
        }
        if !part.chunks.isEmpty {
            pending.append(part)
            size += partSize
        }
        return full
    }

    /// The last, partly filled frame.
    mutating func finish() -> [ChunkedSeries]? {
        defer { pending = []; size = 0 }
        return pending.isEmpty ? nil : pending
    }
}
