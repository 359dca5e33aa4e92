import ArgumentParser
import Foundation
import HTTPAPI
import Hummingbird
import Logging
import PromModel
import PromQL
import ServiceLifecycle
import StorageAPI
import TSDB
import UnixSignals

/// `hearth server`: the local node — scrape, store in the local TSDB, evaluate rules, answer PromQL,
/// ship everything with remote write.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Scrape targets into a local TSDB, evaluate rules, answer PromQL, remote-write everything.")

    @Option(name: .customLong("config.file"), help: "prometheus.yml-compatible configuration file.")
    var configFile = "prometheus.yml"

    @Option(name: .customLong("web.listen-address"), help: "HOST:PORT to serve the HTTP API on.")
    var listenAddress = "0.0.0.0:9090"

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the local TSDB.")
    var storagePath = "data/server"

    @Option(name: .customLong("storage.tsdb.retention.time"), help: "How long to keep local blocks (Prometheus duration).")
    var retentionTime = "15d"

    @Option(name: .customLong("storage.tsdb.retention.size"), help: "Maximum bytes of local blocks and WAL (0 = no limit).")
    var retentionSize: Int = 0

    @Option(name: .customLong("query.lookback-delta"), help: "How far back PromQL looks for a sample.")
    var lookbackDelta = "5m"

    @OptionGroup var queryFlags: QueryFlags

    @Option(name: .customLong("storage.remote.flush-deadline"), help: "How long remote-write queues may flush on shutdown.")
    var flushDeadline = "1m"

    @Option(name: .customLong("log.level"), help: "debug | info | warning | error")
    var logLevel = "info"

    /// The flags and their values, for `/api/v1/status/flags`.
    var flags: [(String, String)] {
        [
            ("config.file", configFile), ("web.listen-address", listenAddress), ("storage.tsdb.path", storagePath),
            ("storage.tsdb.retention.time", retentionTime), ("storage.tsdb.retention.size", String(retentionSize)),
            ("query.lookback-delta", lookbackDelta), ("query.timeout", queryFlags.timeout),
            ("query.max-samples", String(queryFlags.maxSamples)), ("storage.remote.flush-deadline", flushDeadline),
            ("log.level", logLevel),
        ]
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError("--log.level \(logLevel) is not one of debug, info, warning, error")
        }
        let address = try ListenAddress(listenAddress)
        var dbOptions = DBOptions()
        do {
            dbOptions.retention = .milliseconds(try PrometheusDuration.parseMilliseconds(retentionTime))
        } catch { throw ValidationError("--storage.tsdb.retention.time: \(error)") }
        if retentionSize > 0 { dbOptions.maxBytes = retentionSize }
        var engineOptions = EngineOptions()
        do { engineOptions.lookbackDeltaMs = try PrometheusDuration.parseMilliseconds(lookbackDelta) } catch {
            throw ValidationError("--query.lookback-delta: \(error)")
        }
        let queryTimeout = try queryFlags.apply(to: &engineOptions)
        let flushDeadlineMs: Int64
        do { flushDeadlineMs = try PrometheusDuration.parseMilliseconds(flushDeadline) } catch {
            throw ValidationError("--storage.remote.flush-deadline: \(error)")
        }
        let registry = Bootstrap.start(logLevel: level)
        let logger = Logger(label: "hearth.server")
        let db = try DB(directory: storagePath, options: dbOptions)
        let node = try ServerNode(
            environment: .init(
                configFile: configFile, db: db, engine: Engine(options: engineOptions), logger: logger, flags: flags))
        let router = Router()
        PrometheusQueryAPI(engine: node.environment.engine, timeout: queryTimeout) { _ in node.queryable }.addRoutes(to: router)
        ServerStatusRoutes(status: node).addRoutes(to: router)
        var federate = FederateHandler(source: { db }, externalLabels: { node.externalLabels })
        federate.lookbackMs = engineOptions.lookbackDeltaMs
        federate.addRoutes(to: router)
        ReceiverRoutes.addOperationalRoutes(to: router, isReady: { true }, metricsText: { Bootstrap.render(registry) })
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "hearth"),
            logger: logger)
        logger.info("hearth server started", metadata: ["address": "\(listenAddress)", "storage": "\(storagePath)"])
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: node), .init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Like Prometheus' remote-write flush deadline: with an endpoint down, queues get this long to drain,
        // then are cancelled (they save their WAL position and send the rest after a restart).
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(flushDeadlineMs)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        try db.close()
        logger.info("hearth server stopped")
    }
}
