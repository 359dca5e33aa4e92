import AsyncHTTPClient
import Foundation
public import Logging
public import PromModel
public import PromWire
public import ServiceLifecycle
public import StorageAPI
import Synchronization

/// Options of the ``ScrapeManager`` that do not come from prometheus.yml.
public struct ScrapeManagerOptions: Sendable {
    /// How often static and file_sd targets are re-checked (file modification times are polled).
    public var discoveryInterval: Duration = .seconds(5)
    /// Decodes YAML file_sd files; without it only `.json` files can be read.
    public var yamlTargetGroupDecoder: TargetGroupDecoder?
    /// The wall clock, in milliseconds since the epoch: the timestamp of every scrape.
    public var now: @Sendable () -> Timestamp = {
        Timestamp(ms: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
    /// Mixed into each target's start offset, so two servers scraping a target do not align.
    public var jitterSeed: UInt64 = 0
    /// Replaces HTTP fetching (tests); nil uses ``HTTPTargetFetcher``.
    public var fetcher: (any TargetFetcher)?

    public init() {}
}

/// Runs the scrape side of `hearth server`: one pool per `scrape_configs` job, one loop per
/// target, appending into an `Appendable`.
///
/// ```swift
/// let scrape = try ScrapeManager(configuration: config, appendable: db, logger: logger)
/// // in the ServiceGroup: services: [scrape, ...]; on SIGHUP or /-/reload:
/// try scrape.apply(newConfig)
/// ```
public final class ScrapeManager: Service, Sendable {
    private struct State {
        var configuration: PrometheusConfiguration
        var pools: [String: ScrapePool] = [:]
        var dirty = true
        var wake: StopSignal?
    }

    private let appendable: any Appendable
    private let options: ScrapeManagerOptions
    private let logger: Logger
    // Guards all pools and the configuration; held only for bookkeeping, never across an await.
    private let state: Mutex<State>

    /// - Throws: ``ConfigError`` when the configuration does not validate.
    public init(
        configuration: PrometheusConfiguration, appendable: any Appendable, options: ScrapeManagerOptions = .init(),
        logger: Logger
    ) throws {
        try Self.checkSupported(configuration)
        self.appendable = appendable
        self.options = options
        self.logger = logger
        state = Mutex(State(configuration: configuration))
    }

    /// Replaces the configuration (reload). Jobs whose configuration is unchanged keep their loops;
    /// changed jobs restart theirs; removed jobs stop and their series go stale.
    /// - Throws: ``ConfigError``; the running configuration stays in place.
    public func apply(_ configuration: PrometheusConfiguration) throws {
        try Self.checkSupported(configuration)
        let wake = state.withLock { s -> StopSignal? in
            s.configuration = configuration
            s.dirty = true
            return s.wake
        }
        wake?.stop()
    }

    /// Validates, compiles every job (relabel rules, TLS files), and refuses settings the scraper cannot
    /// honour yet rather than silently ignoring them; what ``init(configuration:appendable:options:logger:)``
    /// and ``apply(_:)`` check, for `hearth check config`.
    /// - Throws: ``ConfigError`` naming the field.
    public static func checkSupported(_ configuration: PrometheusConfiguration) throws {
        try configuration.validate()
        for (i, job) in configuration.scrapeConfigs.enumerated() {
            _ = try ScrapeSettings(job, path: "scrape_configs[\(i)]")
            // TODO(scrape): proxies need one HTTP client per job (#6).
            if job.httpClient.proxyURL != nil {
                throw ConfigError(path: "scrape_configs[\(i)].proxy_url", "not supported by the scraper yet")
            }
        }
    }

    /// The status of every active target, by job.
    public func targets() async -> [String: [TargetStatus]] {
        let loops = state.withLock { s in s.pools.mapValues { Array($0.loops.values) } }
        var out: [String: [TargetStatus]] = [:]
        for (job, list) in loops {
            var statuses: [TargetStatus] = []
            for loop in list { statuses.append(loop.status) }
            out[job] = statuses.sorted { $0.target.url < $1.target.url }
        }
        return out
    }

    /// Metric metadata (TYPE, HELP, UNIT) of every target's last successful scrape, one entry per family
    /// name (the first target's, in job and URL order), as remote write 1.0 sends it.
    public func metadata() -> [MetricMetadata] {
        let loops = state.withLock { s in
            s.pools.keys.sorted().flatMap { job in s.pools[job]!.loops.values.sorted { $0.target.url < $1.target.url } }
        }
        var seen = Set<String>()
        var out: [MetricMetadata] = []
        for loop in loops {
            for m in loop.metadata where seen.insert(m.metricFamilyName).inserted { out.append(m) }
        }
        return out
    }

    /// Every pool with its settings, active targets (sorted by URL) and dropped targets, sorted by job.
    public func pools() -> [ScrapePoolStatus] {
        let pools = state.withLock { s in s.pools.values.map { ($0, Array($0.loops.values)) } }
        return pools.map { pool, loops in
            ScrapePoolStatus(
                jobName: pool.config.jobName, interval: pool.config.interval, timeout: pool.config.timeout,
                active: loops.map(\.status).sorted { $0.target.url < $1.target.url }, dropped: pool.dropped,
                lastError: pool.lastError)
        }.sorted { $0.jobName < $1.jobName }
    }

    /// Scrapes until cancelled or graceful shutdown. Loops stopped by shutdown write no staleness
    /// markers, so a restarted server continues the series.
    public func run() async throws {
        try await HTTPClient.withHTTPClient(
            configuration: HTTPTargetFetcher.clientConfiguration(bodySizeLimit: 256 << 20)
        ) { client in
            let fetcher = options.fetcher ?? HTTPTargetFetcher(client: client)
            await cancelWhenGracefulShutdown {
                await withDiscardingTaskGroup { group in
                    while !Task.isCancelled {
                        for loop in self.sync(fetcher: fetcher) {
                            group.addTask {
                                await loop.run(
                                    clock: ContinuousClock(), now: self.options.now, seed: self.options.jitterSeed)
                            }
                        }
                        let wake = StopSignal()
                        self.state.withLock { $0.wake = wake }
                        let deadline = ContinuousClock.now.advanced(by: self.options.discoveryInterval)
                        _ = await wake.sleep(until: deadline, clock: ContinuousClock())
                    }
                    group.cancelAll()
                }
            }
        }
    }

    /// Applies a pending configuration and re-discovers targets.
    /// - Returns: loops to start.
    func sync(fetcher: any TargetFetcher) -> [ScrapeLoop] {
        state.withLock { s in
            if s.dirty {
                s.dirty = false
                let wanted = Dictionary(
                    s.configuration.scrapeConfigs.map { ($0.jobName, $0) }, uniquingKeysWith: { a, _ in a })
                for (name, pool) in s.pools where wanted[name] != pool.config {
                    s.pools[name]?.stopAll(markStale: wanted[name] == nil)
                    s.pools[name] = nil
                }
                for (name, job) in wanted where s.pools[name] == nil {
                    do { s.pools[name] = try ScrapePool(config: job, decodeYAML: options.yamlTargetGroupDecoder) } catch
                    {
                        logger.debug("cannot start scrape pool", metadata: ["job": "\(name)", "error": "\(error)"])
                    }
                }
            }
            var started: [ScrapeLoop] = []
            for name in s.pools.keys.sorted() {
                let targets = s.pools[name]!.discover()
                started += s.pools[name]!.sync(targets, appendable: appendable, fetcher: fetcher)
            }
            return started
        }
    }
}

/// One scrape pool (job) as the targets API shows it.
public struct ScrapePoolStatus: Sendable {
    /// `job_name`.
    public var jobName: String
    /// The job's scrape interval.
    public var interval: ConfigDuration
    /// The job's scrape timeout.
    public var timeout: ConfigDuration
    /// The job's targets and their last scrape.
    public var active: [TargetStatus]
    /// Discovered labels of the targets relabeling dropped.
    public var dropped: [Labels]
    /// Why the job scrapes nothing (e.g. `target_limit exceeded`), nil otherwise.
    public var lastError: String?
}
