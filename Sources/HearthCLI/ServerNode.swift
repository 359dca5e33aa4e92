import Foundation
import Logging
import Metrics
import PromModel
import PromQL
import PromWire
import RemoteClient
import Rules
import Scrape
import ServiceLifecycle
import StorageAPI
import Synchronization
import TSDB
import UnixSignals

/// The parts of `hearth server` built from its prometheus.yml, and the service that runs them and
/// swaps them on reload (SIGHUP or `POST /-/reload`).
///
/// One generation of parts runs at a time. A reload decodes the file and the rule files and builds every
/// new part before touching the running ones; if anything fails, the old parts keep running and the
/// error is returned. Otherwise it applies the differences: scrape jobs through
/// ``ScrapeManager/apply(_:)`` (unchanged jobs keep scraping, removed targets go stale), rule groups
/// are rebuilt and inherit the alert state of unchanged rules, remote-write queues whose settings
/// changed stop (saving their WAL position) and restart from it, unchanged queues keep running, and
/// the notifier is replaced when the Alertmanager list changes.
actor ServerNode: Service {
    /// Settings fixed for the process's lifetime.
    struct Environment: Sendable {
        var configFile: String
        var db: DB
        var engine: Engine
        var logger: Logger
        /// Command-line flags for `/api/v1/status/flags`.
        var flags: [(String, String)] = []
    }

    /// A remote-write queue's identity: restart it when any of this changes.
    struct QueueKey: Hashable {
        var configuration: Scrape.RemoteWriteConfiguration
        var externalLabels: [String: String]
    }

    /// A notifier's identity.
    struct NotifierKey: Hashable {
        var urls: [String]
        var externalLabels: [String: String]
    }

    /// What the HTTP side reads without waiting for the actor: each is swapped as one value on reload.
    struct Published: Sendable {
        var queryable: any Queryable
        var configText: String
        var externalLabels: Labels
        var rules: RuleManager?
    }

    private enum Command: Sendable {
        case reload(CheckedContinuation<Void, any Error>)
    }

    let environment: Environment
    let scrape: ScrapeManager
    private var config: PrometheusConfiguration
    private var rules: (manager: RuleManager, child: ManagedService)?
    private var notifier: (key: NotifierKey, notifier: Notifier, child: ManagedService)?
    private var queues: [QueueKey: ManagedService] = [:]
    /// Children built but not yet running; ``run()`` starts them.
    private var pending: [ManagedService] = []
    private let published: Mutex<Published>
    private let commands: AsyncStream<Command>
    private let commandInput: AsyncStream<Command>.Continuation

    /// Loads prometheus.yml and the rule files and builds the first generation of parts.
    /// - Throws: the first configuration problem, naming the file and field.
    init(environment: Environment) throws {
        self.environment = environment
        let (config, text) = try PrometheusConfigFile.loadWithText(path: environment.configFile)
        var scrapeOptions = ScrapeManagerOptions()
        scrapeOptions.yamlTargetGroupDecoder = PrometheusConfigFile.targetGroupDecoder
        scrape = try ScrapeManager(
            configuration: config, appendable: environment.db, options: scrapeOptions, logger: environment.logger)
        let scrapeManager = scrape
        let plan = try Self.plan(
            config, environment: environment, metadata: { scrapeManager.metadata() }, restoreOnStart: true)
        self.config = config
        published = Mutex(
            Published(
                queryable: plan.queryable, configText: text, externalLabels: Labels(config.global.externalLabels),
                rules: plan.rules?.0))
        (commands, commandInput) = AsyncStream.makeStream(of: Command.self, bufferingPolicy: .bufferingOldest(16))
        pending = [
            ManagedService("compaction", CompactionLoop(db: environment.db, logger: environment.logger)),
            ManagedService("scrape", scrape),
        ]
        if let (manager, _) = plan.rules {
            let child = ManagedService("rules", manager)
            rules = (manager, child)
            pending.append(child)
        }
        if let (key, n) = plan.notifier {
            let child = ManagedService("notifier", n)
            notifier = (key, n, child)
            pending.append(child)
        }
        for (key, queue) in plan.queues {
            let child = ManagedService("remote_write \(queue.name)", queue)
            queues[key] = child
            pending.append(child)
        }
        ReloadMetrics.record(success: true)
        environment.logger.info(
            "server configured",
            metadata: [
                "scrape_jobs": "\(config.scrapeConfigs.count)", "remote_write": "\(config.remoteWrite.count)",
                "remote_read": "\(config.remoteRead.count)", "rule_files": "\(plan.ruleFileCount)",
            ])
    }

    /// What PromQL reads: the local TSDB merged with the current remote-read endpoints.
    nonisolated var queryable: any Queryable { published.withLock { $0.queryable } }
    nonisolated var externalLabels: Labels { published.withLock { $0.externalLabels } }
    nonisolated var publishedState: Published { published.withLock { $0 } }

    /// Runs every part until graceful shutdown, handling reload requests and SIGHUP in between.
    func run() async throws {
        let logger = environment.logger
        await withDiscardingTaskGroup { group in
            for child in takePending() { group.addTask { await child.run(logger: logger) } }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    do { try await self.reload() } catch {}
                }
            }
            // Ending the stream (not abandoning it) lets the loop answer every reload still queued.
            let input = commandInput
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    for await command in commands {
                        switch command {
                        case .reload(let reply):
                            guard !Task.isShuttingDownGracefully && !Task.isCancelled else {
                                reply.resume(throwing: ValidationErrorText("the server is shutting down"))
                                continue
                            }
                            do {
                                try await applyReload()
                                reply.resume()
                            } catch {
                                reply.resume(throwing: error)
                            }
                            for child in takePending() { group.addTask { await child.run(logger: logger) } }
                        }
                    }
                } onGracefulShutdown: {
                    input.finish()
                }
            } onCancel: {
                input.finish()
            }
        }
    }

    private func takePending() -> [ManagedService] {
        defer { pending = [] }
        return pending
    }

    /// Re-reads the configuration and rule files and applies them; waits until done.
    /// - Throws: the configuration problem; the old configuration keeps running.
    nonisolated func reload() async throws {
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, any Error>) in
            switch commandInput.yield(.reload(reply)) {
            case .enqueued: break
            case .dropped: reply.resume(throwing: ValidationErrorText("too many reloads pending, try again"))
            case .terminated: reply.resume(throwing: ValidationErrorText("the server is shutting down"))
            @unknown default: reply.resume(throwing: ValidationErrorText("reload not accepted"))
            }
        }
    }

    private func applyReload() async throws {
        let logger = environment.logger
        let newConfig: PrometheusConfiguration, text: String, plan: Plan
        do {
            (newConfig, text) = try PrometheusConfigFile.loadWithText(path: environment.configFile)
            let scrapeManager = scrape
            plan = try Self.plan(
                newConfig, environment: environment, metadata: { scrapeManager.metadata() }, restoreOnStart: false,
                keep: Set(queues.keys))
            try scrape.apply(newConfig)
        } catch {
            ReloadMetrics.record(success: false)
            logger.error("error reloading configuration, keeping the old one", metadata: ["error": "\(error)"])
            throw error
        }
        // Queues: stop those that are gone or changed (they save their WAL position), then start the new ones.
        for (key, child) in queues where plan.queueKeys.contains(key) == false {
            await child.stop()
            queues[key] = nil
        }
        for (key, queue) in plan.queues {
            let child = ManagedService("remote_write \(queue.name)", queue)
            queues[key] = child
            pending.append(child)
        }
        // Rules: the new groups take over alert state and series of the old ones.
        let now = Timestamp(ms: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
        if let old = rules {
            await old.child.stop()
            rules = nil
            if let (manager, _) = plan.rules { await manager.inheritState(from: old.manager, at: now) } else {
                for g in old.manager.groups { try? await g.markStale(at: now) }
            }
        }
        if let (manager, _) = plan.rules {
            let child = ManagedService("rules", manager)
            rules = (manager, child)
            pending.append(child)
        }
        if notifier?.key != plan.notifier?.0 {
            if let old = notifier { await old.child.stop() }
            notifier = nil
            if let (key, n) = plan.notifier {
                let child = ManagedService("notifier", n)
                notifier = (key, n, child)
                pending.append(child)
            }
        }
        config = newConfig
        published.withLock {
            $0 = Published(
                queryable: plan.queryable, configText: text, externalLabels: Labels(newConfig.global.externalLabels),
                rules: plan.rules?.0)
        }
        ReloadMetrics.record(success: true)
        logger.info(
            "configuration reloaded",
            metadata: [
                "scrape_jobs": "\(newConfig.scrapeConfigs.count)", "remote_write": "\(newConfig.remoteWrite.count)",
                "rule_files": "\(plan.ruleFileCount)",
            ])
    }

    /// Everything a configuration needs besides the scrape manager, built but not started.
    struct Plan {
        var queryable: any Queryable
        var rules: (RuleManager, Int)?
        var ruleFileCount: Int
        var notifier: (NotifierKey, Notifier)?
        /// Queues to start (new or changed).
        var queues: [(QueueKey, RemoteWriteDestination)]
        /// Every queue the configuration wants, running or new.
        var queueKeys: Set<QueueKey>
    }

    /// Builds the parts of `config`, except remote-write queues in `keep` (they are running already).
    /// - Throws: the first problem, naming the file and field.
    static func plan(
        _ config: PrometheusConfiguration, environment env: Environment,
        metadata: @escaping @Sendable () -> [MetricMetadata], restoreOnStart: Bool, keep: Set<QueueKey> = []
    ) throws -> Plan {
        let external = config.global.externalLabels
        var queues: [(QueueKey, RemoteWriteDestination)] = []
        var keys = Set<QueueKey>()
        for (i, rw) in config.remoteWrite.enumerated() {
            let key = QueueKey(configuration: rw, externalLabels: external)
            keys.insert(key)
            if keep.contains(key) { continue }
            let path = "\(env.configFile): remote_write[\(i)]"
            let relabel: (@Sendable (Labels) -> Labels?)?
            do { relabel = try RemoteStorageConfiguration.relabel(rw) } catch {
                throw ValidationErrorText("\(path).write_relabel_configs: \(error)")
            }
            do {
                let settings = try RemoteStorageConfiguration.write(rw, path: path)
                let queue = try QueueManager(
                    configuration: settings, dataDirectory: env.db.directory, externalLabels: Labels(external),
                    relabel: relabel, logger: env.logger)
                // Remote write 2.0 would carry metadata inline; Hearth's v2 batches do not yet (#6).
                let sender =
                    rw.metadataConfig.send && settings.protobufMessage == .v1
                    ? MetadataSender(
                        configuration: settings, interval: rw.metadataConfig.sendInterval.duration,
                        maxPerSend: rw.metadataConfig.maxSamplesPerSend, source: metadata, logger: env.logger) : nil
                queues.append((key, RemoteWriteDestination(name: settings.effectiveName, queue: queue, metadata: sender)))
            } catch let error as ValidationErrorText { throw error } catch {
                throw ValidationErrorText("\(path): \(error)")
            }
        }
        var sources: [any Queryable] = []
        for (i, rr) in config.remoteRead.enumerated() {
            let path = "\(env.configFile): remote_read[\(i)]"
            let db = env.db
            do {
                sources.append(
                    try RemoteReadQueryable(
                        configuration: try RemoteStorageConfiguration.read(rr, path: path),
                        localMinTime: { db.head.minTime }))
            } catch let error as ValidationErrorText { throw error } catch {
                throw ValidationErrorText("\(path): \(error)")
            }
        }
        let queryable: any Queryable = sources.isEmpty ? env.db : FederatedQueryable(local: env.db, remotes: sources)

        let directory = (env.configFile as NSString).deletingLastPathComponent
        let ruleFiles = try RuleFileLoader.load(
            patterns: config.ruleFiles, relativeTo: directory.isEmpty ? "." : directory)
        var rules: (RuleManager, Int)?
        var notifier: (NotifierKey, Notifier)?
        if !ruleFiles.isEmpty {
            let urls = config.alerting.alertmanagers.flatMap { am in
                am.staticConfigs.flatMap { sc in
                    sc.targets.map { "\(am.scheme)://\($0)\(am.pathPrefix == "/" ? "" : am.pathPrefix)" }
                }
            }
            if !urls.isEmpty {
                var nc = NotifierConfiguration(alertmanagerURLs: urls, externalLabels: external)
                if let timeout = config.alerting.alertmanagers.first?.timeout { nc.timeoutMs = timeout.milliseconds }
                notifier = (NotifierKey(urls: urls, externalLabels: external), Notifier(configuration: nc, logger: env.logger))
            }
            var options = RuleManagerOptions()
            options.defaultIntervalMs = config.global.evaluationInterval.milliseconds
            let manager = try RuleManager(
                files: ruleFiles,
                dependencies: RuleDependencies(
                    engine: env.engine, queryable: env.db, appendable: env.db, sender: notifier?.1,
                    context: TemplateContext(externalLabels: external), options: options),
                restoreOnStart: restoreOnStart)
            rules = (manager, ruleFiles.count)
        }
        return Plan(
            queryable: queryable, rules: rules, ruleFileCount: ruleFiles.count, notifier: notifier, queues: queues,
            queueKeys: keys)
    }
}

/// One `remote_write` destination: the WAL-tailing queue and, for remote write 1.0, the metadata sender.
struct RemoteWriteDestination: Service {
    let name: String
    let queue: QueueManager
    let metadata: MetadataSender?

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await queue.run() }
            if let metadata { group.addTask { try await metadata.run() } }
            try await group.waitForAll()
        }
    }
}

/// `prometheus_config_last_reload_successful` and `prometheus_config_last_reload_success_timestamp_seconds`.
enum ReloadMetrics {
    static func record(success: Bool) {
        Gauge(label: "prometheus_config_last_reload_successful").record(success ? 1 : 0)
        if success {
            Gauge(label: "prometheus_config_last_reload_success_timestamp_seconds")
                .record(Date().timeIntervalSince1970.rounded(.down))
        }
    }
}

/// One part the ``ServerNode`` runs and can stop on its own, waiting until it has finished (a queue
/// manager saves its WAL position then).
final class ManagedService: Sendable {
    let name: String
    let service: any Service
    private let stopRequested = Gate()
    private let finished = Gate()

    init(_ name: String, _ service: any Service) {
        self.name = name
        self.service = service
    }

    /// Runs the service until it returns, the task is cancelled, or ``stop()`` is called.
    func run(logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await self.service.run() } catch is CancellationError {} catch {
                    logger.error("service failed", metadata: ["service": "\(self.name)", "error": "\(error)"])
                }
            }
            group.addTask { await self.stopRequested.wait() }
            await group.next()
            group.cancelAll()
        }
        finished.open()
    }

    /// Cancels the service and returns once its ``run(logger:)`` has finished.
    func stop() async {
        stopRequested.open()
        await finished.wait()
    }
}

/// A one-shot gate any number of tasks can wait on; waiting ends early when the waiting task is cancelled.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    // Guards the flag and the waiters; never held across an await.
    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.isOpen = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    func wait() async {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.isOpen || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// The local TSDB plus remote-read endpoints; a failing remote becomes a warning, not an error.
struct FederatedQueryable: Queryable {
    let local: any Queryable
    let remotes: [any Queryable]

    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        var sources = [MergeQuerier.Source(try await local.querier(mint: mint, maxt: maxt))]
        for r in remotes { sources.append(.init(try await r.querier(mint: mint, maxt: maxt), optional: true)) }
        return MergeQuerier(sources)
    }
}

/// Cuts head data into blocks, merges blocks and applies retention, once a minute, as Prometheus does.
struct CompactionLoop: Service {
    let db: DB
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await db.compact()
                if !report.headBlocks.isEmpty || !report.deletedBlocks.isEmpty {
                    logger.info("compacted", metadata: ["cut": "\(report.headBlocks.count)", "deleted": "\(report.deletedBlocks.count)"])
                }
            } catch {
                logger.error("compaction failed", metadata: ["error": "\(error)"])
            }
            // Sleep, but wake for a graceful shutdown instead of holding the process for a minute.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }
}
