public import AsyncHTTPClient
public import PromModel
import PromWire
public import StorageAPI

/// A remote-read endpoint as a StorageAPI source, for the server to merge with the local TSDB
/// (`MergeQuerier.Source(querier, optional: true)`), so data older than local retention is read remotely.
///
/// Honours `required_matchers` (a selector without all of them never reaches the endpoint) and
/// `read_recent`: when false, only the part of the range before the local TSDB's oldest sample is asked.
public struct RemoteReadQueryable: Queryable {
    public let configuration: RemoteReadConfiguration
    let client: RemoteReadClient
    let localMinTime: @Sendable () async -> Timestamp?

    /// - Parameters:
    ///   - localMinTime: the oldest timestamp the local TSDB holds, nil when it is empty; used when
    ///     `read_recent` is false.
    /// - Throws: ``RemoteClientError`` for an invalid configuration or unreadable secret file.
    public init(
        configuration: RemoteReadConfiguration, httpClient: HTTPClient = .shared,
        localMinTime: @escaping @Sendable () async -> Timestamp? = { nil }
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.client = try RemoteReadClient(client: httpClient, config: configuration)
        self.localMinTime = localMinTime
    }

    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        var maxt = maxt
        if !configuration.readRecent, let local = await localMinTime() {
            // The local TSDB answers from `local` on; ask the remote only for what is older.
            if mint >= local {
                return RemoteReadQuerier(client: client, mint: mint, maxt: maxt, required: [:], skip: true)
            }
            maxt = min(maxt, local.adding(ms: -1))
        }
        return RemoteReadQuerier(
            client: client, mint: mint, maxt: maxt, required: configuration.requiredMatchers, skip: false)
    }
}

/// Reads series over `[mint, maxt]` from a remote-read endpoint. Thread-safe; each select is one request.
public struct RemoteReadQuerier: Querier {
    let client: RemoteReadClient
    let mint: Timestamp
    let maxt: Timestamp
    let required: [String: String]
    /// True when the range is served locally and the endpoint must not be asked.
    let skip: Bool

    public func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        guard !skip, Self.hasRequired(required, in: matchers) else { return ArraySeriesSet([]) }
        let start = max(mint, hints?.start ?? mint), end = min(maxt, hints?.end ?? maxt)
        guard start <= end else { return ArraySeriesSet([]) }
        var query = Query(
            startTimestampMs: start.ms, endTimestampMs: end.ms, matchers: matchers.map(Self.wireMatcher))
        if let hints {
            var wire = ReadHints()
            wire.startMs = start.ms
            wire.endMs = end.ms
            wire.stepMs = hints.stepMs
            wire.function = hints.function ?? ""
            wire.rangeMs = hints.rangeMs
            wire.grouping = hints.grouping
            wire.by = hints.by
            query.hints = wire
        }
        var series = try await client.read(query).map { RemoteReadSeries(remote: $0, mint: start, maxt: end) }
        if sorted { series.sort { $0.labels < $1.labels } }
        return ArraySeriesSet(series)
    }

    /// Remote read has no label API; the local TSDB answers these.
    public func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] { [] }

    /// Remote read has no label API; the local TSDB answers these.
    public func labelNames(matchers: [Matcher]) async throws -> [String] { [] }

    public func close() {}

    static func hasRequired(_ required: [String: String], in matchers: [Matcher]) -> Bool {
        required.allSatisfy { name, value in
            matchers.contains { $0.kind == .equal && $0.name == name && $0.value == value }
        }
    }

    static func wireMatcher(_ m: Matcher) -> LabelMatcher {
        let kind: LabelMatcher.Kind
        switch m.kind {
        case .equal: kind = .equal
        case .notEqual: kind = .notEqual
        case .regexMatch: kind = .regexMatch
        case .regexNoMatch: kind = .regexNoMatch
        }
        return LabelMatcher(type: kind, name: m.name, value: m.value)
    }
}
