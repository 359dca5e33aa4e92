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

    @Option(name: .customLong("log.level"), help: "debug | info | warning | error")
    var logLevel = "info"

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
        let registry = Bootstrap.start(logLevel: level)
        let logger = Logger(label: "hearth.server")
        let db = try DB(directory: storagePath, options: dbOptions)
        let node = try await ServerNode.make(
            configFile: configFile, db: db, engine: Engine(options: engineOptions), logger: logger)
        let router = Router()
        PrometheusQueryAPI(engine: node.engine) { _ in node.queryable }.addRoutes(to: router)
        ReceiverRoutes.addOperationalRoutes(to: router, isReady: { true }, metricsText: { Bootstrap.render(registry) })
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "hearth"),
            logger: logger)
        logger.info("hearth server started", metadata: ["address": "\(listenAddress)", "storage": "\(storagePath)"])
        var groupConfiguration = ServiceGroupConfiguration(
            services: node.services + [ServiceGroupConfiguration.ServiceConfiguration(service: app)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A remote-write queue whose endpoint is down would flush forever; like Prometheus' flush
        // deadline, give up after a while. Nothing is lost: the queue saves its acknowledged WAL
        // position when cancelled and sends the rest after the restart.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        try db.close()
        logger.info("hearth server stopped")
    }
}
