public import PromModel
public import PromWire
import StorageAPI

/// Takes a decoded write request to the right tenant's storage: validate → limit → append → commit.
///
/// Local-only for now; a hash ring later decides which receivers get which series, without
/// changing the handler in front or the storage behind. The request is acknowledged only after
/// `commit()` returned, i.e. after the WAL holds it.
public struct Distributor: Sendable {
    private let registry: TenantRegistry
    private let futureGraceMs: Int64
    private let nowMs: @Sendable () -> Int64
    private let metrics = ReceiverMetrics()

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
        let sampleCount = series.reduce(0) { $0 + $1.samples.count }
        if let wait = handle.limiter.take(sampleCount, nowMs: now) {
            metrics.rateLimited(tenant: tenant, samples: sampleCount)
            throw ReceiverError(
                .rateLimited,
                "tenant \(tenant) is over its rate limit samples_per_second=\(handle.limits.samplesPerSecond) (burst \(handle.limits.samplesBurst)); request had \(sampleCount) samples",
                retryAfterSeconds: wait)
        }
        var summary = IngestSummary()
        var appender = handle.storage.appender()
        let maxT = now &+ futureGraceMs
        let seriesLimit = handle.limits.maxActiveSeries
        for ts in series {
            let labels: Labels
            switch handle.validator.validate(ts.labels) {
            case .valid(let l): labels = l
            case .invalid(let reason, let message):
                summary.reject(reason, count: max(1, ts.samples.count), message)
                continue
            }
            if !ts.histograms.isEmpty {
                summary.reject(
                    .unsupported, count: ts.histograms.count,
                    "series \(labels) carries \(ts.histograms.count) native histogram samples, which this receiver does not store yet")
            }
            if seriesLimit > 0 && handle.storage.headSeriesCount >= seriesLimit && !handle.storage.containsSeries(labels) {
                summary.reject(
                    .seriesLimit, count: max(1, ts.samples.count),
                    "series \(labels) would exceed the limit max_active_series=\(seriesLimit) of tenant \(tenant)")
                continue
            }
            append(ts.samples, labels: labels, maxT: maxT, to: &appender, summary: &summary)
        }
        do {
            try await appender.commit()
        } catch {
            throw ReceiverError(.unavailable, "cannot commit samples of tenant \(tenant) to its WAL", underlying: error)
        }
        record(summary, tenant: tenant, headSeries: handle.storage.headSeriesCount)
        return summary
    }

    private func append(
        _ samples: [Sample], labels: Labels, maxT: Int64, to appender: inout any Appender, summary: inout IngestSummary
    ) {
        var ref: SeriesRef?
        var acceptedAny = false
        for s in samples {
            if s.t.ms > maxT {
                summary.reject(
                    .tooFarInFuture,
                    "sample of \(labels) at \(s.t.ms) is more than \(futureGraceMs / 1000)s in the future")
                continue
            }
            do {
                ref = try appender.append(ref: ref, labels: labels, t: s.t, v: s.v)
                summary.acceptedSamples += 1
                acceptedAny = true
            } catch {
                let reason: IngestSummary.Reason
                switch error.code {
                case .outOfOrder: reason = .outOfOrder
                case .outOfBounds: reason = .tooOld
                case .duplicateTimestamp: reason = .duplicateTimestamp
                case .limitExceeded: reason = .seriesLimit
                default: reason = .invalidLabels
                }
                summary.reject(reason, "sample of \(labels) at \(s.t.ms): \(error.message)")
            }
        }
        if acceptedAny { summary.acceptedSeries += 1 }
    }

    private func record(_ summary: IngestSummary, tenant: String, headSeries: Int) {
        metrics.ingested(tenant: tenant, samples: summary.acceptedSamples)
        for (reason, count) in summary.rejected { metrics.rejected(reason, tenant: tenant, count: count) }
        metrics.headSeries(tenant: tenant, count: headSeries)
    }
}
