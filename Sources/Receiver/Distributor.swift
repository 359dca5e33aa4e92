public import PromModel
public import PromWire
import StorageAPI

/// Takes a decoded write request to the right tenant's storage: validate → limit → append → commit.
///
/// Local-only for now; a hash ring later decides which receivers get which series, without
/// changing the handler in front or the storage behind. The request is acknowledged only after
/// `commit()` returned, i.e. after the WAL holds it.
public struct Distributor: Sendable {
    let registry: TenantRegistry
    let futureGraceMs: Int64
    let nowMs: @Sendable () -> Int64
    let metrics = ReceiverMetrics()

    public init(registry: TenantRegistry, configuration: ReceiverConfiguration, nowMs: @escaping @Sendable () -> Int64) {
        self.registry = registry
        self.futureGraceMs = configuration.futureGraceMs
        self.nowMs = nowMs
    }

    /// Ingests the series of one request for `tenant`.
    /// - Returns: what was accepted and what was refused per sample or series.
    /// - Throws: ``ReceiverError`` for whole-request failures: `rateLimited` (429), `invalidTenant`
    ///   (400), `unavailable` (503) when the storage cannot commit.
    public func push(tenant: String, series: [TimeSeries]) async throws -> IngestSummary {
        let handle = try await registry.tenant(tenant)
        let now = nowMs()
        try checkRate(handle, samples: series.reduce(0) { $0 + $1.samples.count }, now: now)
        var summary = IngestSummary()
        var appender = handle.storage.appender()
        for ts in series {
            ingest(ts, handle: handle, maxT: now &+ futureGraceMs, appender: &appender, summary: &summary)
        }
        try await commit(&appender, tenant: tenant)
        record(summary, tenant: tenant, headSeries: handle.storage.headSeriesCount)
        return summary
    }

    /// Refuses the whole request when the tenant is over its sample rate.
    func checkRate(_ handle: TenantHandle, samples: Int, now: Int64) throws {
        guard let wait = handle.limiter.take(samples, nowMs: now) else { return }
        metrics.rateLimited(tenant: handle.name, samples: samples)
        throw ReceiverError(
            .rateLimited,
            "tenant \(handle.name) is over its rate limit samples_per_second=\(handle.limits.samplesPerSecond) (burst \(handle.limits.samplesBurst)); request had \(samples) samples",
            retryAfterSeconds: wait)
    }

    /// Validates one series and appends its samples, recording rejections in `summary`.
    func ingest(
        _ ts: TimeSeries, handle: TenantHandle, maxT: Int64, appender: inout any Appender, summary: inout IngestSummary
    ) {
        let labels: Labels
        switch handle.validator.validate(ts.labels) {
        case .valid(let l): labels = l
        case .invalid(let reason, let message):
            summary.reject(reason, count: max(1, ts.samples.count + ts.histograms.count), message)
            return
        }
        if !ts.histograms.isEmpty {
            summary.reject(
                .unsupported, count: ts.histograms.count,
                "series \(labels) carries \(ts.histograms.count) native histogram samples, which this receiver does not store yet")
        }
        let seriesLimit = handle.limits.maxActiveSeries
        if seriesLimit > 0 && handle.storage.headSeriesCount >= seriesLimit && !handle.storage.containsSeries(labels) {
            summary.reject(
                .seriesLimit, count: max(1, ts.samples.count),
                "series \(labels) would exceed the limit max_active_series=\(seriesLimit) of tenant \(handle.name)")
            return
        }
        var ref: SeriesRef?
        var acceptedAny = false
        for s in ts.samples {
            if s.t.ms > maxT {
                summary.reject(.tooFarInFuture, "sample of \(labels) at \(s.t.ms) is more than \(futureGraceMs / 1000)s in the future")
                continue
            }
            do {
                ref = try appender.append(ref: ref, labels: labels, t: s.t, v: s.v)
                summary.acceptedSamples += 1
                acceptedAny = true
            } catch {
                summary.reject(Self.reason(error), "sample of \(labels) at \(s.t.ms): \(error.message)")
            }
        }
        if acceptedAny { summary.acceptedSeries += 1 }
    }

    static func reason(_ error: AppendError) -> IngestSummary.Reason {
        switch error.code {
        case .outOfOrder: return .outOfOrder
        case .outOfBounds: return .tooOld
        case .duplicateTimestamp: return .duplicateTimestamp
        case .limitExceeded: return .seriesLimit
        default: return .invalidLabels
        }
    }

    func commit(_ appender: inout any Appender, tenant: String) async throws {
        do {
            try await appender.commit()
        } catch {
            throw ReceiverError(.unavailable, "cannot commit samples of tenant \(tenant) to its WAL", underlying: error)
        }
    }

    func record(_ summary: IngestSummary, tenant: String, headSeries: Int) {
        metrics.ingested(tenant: tenant, samples: summary.acceptedSamples)
        for (reason, count) in summary.rejected { metrics.rejected(reason, tenant: tenant, count: count) }
        metrics.headSeries(tenant: tenant, count: headSeries)
    }
}
