import CoreMetrics
public import PromModel
public import PromWire
public import StorageAPI
import Synchronization

/// The state of a target as the targets API shows it.
public struct TargetStatus: Sendable, Hashable {
    public enum Health: String, Sendable { case unknown, up, down }
    /// The target.
    public var target: Target
    /// The health.
    public var health: Health = .unknown
    /// The last error.
    public var lastError: String?
    /// The last scrape.
    public var lastScrape: Timestamp?
    /// The last scrape duration seconds.
    public var lastScrapeDurationSeconds: Double = 0
    /// The last counts.
    public var lastCounts = ScrapeCounts()
}

/// Scrapes one target every interval and appends its samples, the synthetic series (`up`,
/// `scrape_duration_seconds`, ...) and staleness markers.
///
/// ``run(clock:now:seed:)`` drives it in production; tests call ``scrapeOnce(at:)`` with explicit
/// timestamps. One task at a time may scrape: the loop's own task, or a test.
public final class ScrapeLoop: Sendable {
    private struct State {
        var cache = ScrapeCache()
        var reportRefs: [SeriesRef?] = [nil, nil, nil, nil, nil]
        var status: TargetStatus
    }

    /// The target scraped.
    public let target: Target
    let settings: ScrapeSettings
    private let appendable: any Appendable
    private let fetcher: any TargetFetcher
    private let reportLabels: [Labels]
    // Guards the scrape state; held only to copy it in and out, never across an await.
    private let state: Mutex<State>
    private let stopSignal = StopSignal()
    private let staleOnStop = Mutex(true)
    private let scrapesFailed: Counter
    private let sampleLimitExceeded: Counter

    static let reportNames = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ]

    /// Creates a loop; nothing happens until ``run(clock:now:seed:)`` or ``scrapeOnce(at:)``.
    public init(target: Target, settings: ScrapeSettings, appendable: any Appendable, fetcher: any TargetFetcher) {
        self.target = target
        self.settings = settings
        self.appendable = appendable
        self.fetcher = fetcher
        reportLabels = Self.reportNames.map { target.labels.setting(LabelName.metricName, to: $0) }
        state = Mutex(State(status: TargetStatus(target: target)))
        let job = [("job", settings.jobName)]
        scrapesFailed = Counter(label: "hearth_scrapes_failed_total", dimensions: job)
        sampleLimitExceeded = Counter(label: "prometheus_target_scrapes_exceeded_sample_limit_total", dimensions: job)
    }

    /// Where the loop stands, for the targets API.
    public var status: TargetStatus { state.withLock { $0.status } }

    /// TYPE, HELP and UNIT of the families the last successful scrape exposed.
    public var metadata: [MetricMetadata] { state.withLock { $0.cache.metadata } }

    /// Scrapes once and appends everything at `t`.
    /// - Returns: the status after the scrape.
    @discardableResult
    public func scrapeOnce(at t: Timestamp) async -> TargetStatus {
        var st = state.withLock { $0 }
        let start = ContinuousClock.now
        var app = appendable.appender()
        var counts = ScrapeCounts()
        var failure: ScrapeError?
        do {
            let response = try await fetcher.fetch(target, settings: settings)
            let format = TextExpositionFormat(contentType: response.contentType)
            counts = try st.cache.append(
                body: response.body, format: format, t: t, target: target.labels, settings: settings, into: &app)
        } catch {
            if Task.isCancelled { return st.status }
            failure = error as? ScrapeError ?? ScrapeError("\(error)")
            scrapesFailed.increment()
            if failure?.message.hasPrefix("sample_limit exceeded") == true { sampleLimitExceeded.increment() }
            app.rollback()
            app = appendable.appender()
            // A failed scrape counts as an empty one, so every series of the last scrape goes stale.
            st.cache.markStale(t: t, into: &app)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let values = [
            failure == nil ? 1 : 0, seconds, Double(counts.scraped), Double(counts.postRelabel),
            Double(counts.seriesAdded),
        ]
        report(t: t, values: values, refs: &st.reportRefs, into: &app)
        do { try await app.commit() } catch { failure = failure ?? ScrapeError("committing samples: \(error)") }
        st.status.health = failure == nil ? .up : .down
        st.status.lastError = failure?.message
        st.status.lastScrape = t
        st.status.lastScrapeDurationSeconds = seconds
        st.status.lastCounts = counts
        let final = st
        state.withLock { $0 = final }
        return final.status
    }

    /// Writes staleness markers for every series of the last scrape and the synthetic series,
    /// as Prometheus does when a target disappears.
    public func markStale(at t: Timestamp) async {
        var st = state.withLock { $0 }
        var app = appendable.appender()
        st.cache.markStale(t: t, into: &app)
        report(t: t, values: Array(repeating: StaleNaN.value, count: 5), refs: &st.reportRefs, into: &app)
        try? await app.commit()
        let final = st
        state.withLock { $0 = final }
    }

    private func report(t: Timestamp, values: [Double], refs: inout [SeriesRef?], into app: inout any Appender) {
        for i in reportLabels.indices {
            refs[i] = try? app.append(ref: refs[i], labels: reportLabels[i], t: t, v: values[i])
        }
    }

    /// Asks a running loop to finish and return from ``run(clock:now:seed:)``.
    /// - Parameter markStale: write staleness markers for the target's series first (the target went
    ///   away), or not (the loop is being replaced by one for the same target after a reload).
    public func stop(markStale: Bool = true) {
        staleOnStop.withLock { $0 = markStale }
        stopSignal.stop()
    }

    /// Scrapes every interval until stopped or cancelled. The first scrape waits for an offset
    /// derived from the target's identity, spreading targets over the interval the way
    /// Prometheus does, so all targets do not fire at once.
    /// - Parameters:
    ///   - clock: schedules scrapes.
    ///   - now: wall-clock time in milliseconds, the timestamp of each scrape.
    ///   - seed: mixed into the offset so two servers scraping the same target do not align.
    public func run<C: Clock>(clock: C, now: @escaping @Sendable () -> Timestamp, seed: UInt64 = 0) async
    where C.Duration == Duration {
        let components = settings.interval.components
        let intervalMs = max(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000, 1)
        let offset = Int64(bitPattern: (target.identity ^ seed) % UInt64(intervalMs))
        let wait = ((offset - now().ms % intervalMs) % intervalMs + intervalMs) % intervalMs
        var next = clock.now.advanced(by: .milliseconds(wait))
        while await stopSignal.sleep(until: next, clock: clock) {
            await scrapeOnce(at: now())
            next = next.advanced(by: settings.interval)
            // After a long stall, skip missed scrapes instead of firing them back to back.
            while next < clock.now { next = next.advanced(by: settings.interval) }
        }
        // Only a removed target goes stale; a shutdown leaves series alone so a restart continues them.
        if stopSignal.isStopped && !Task.isCancelled && staleOnStop.withLock({ $0 }) { await markStale(at: now()) }
    }
}
