import ArgumentParser
import Foundation
import HTTPAPI
import Hummingbird
import Logging
import ObjectStore
import PromModel
import PromQL
import Receiver
import ServiceLifecycle
import UnixSignals

/// `hearth receive`: the remote-write receiver.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Accept remote write, keep per-tenant heads, ship blocks to a bucket, serve remote read.")

    @Option(name: .customLong("web.listen-address"), help: "HOST:PORT to serve HTTP on.")
    var listenAddress = "0.0.0.0:19291"

    @Option(name: .customLong("storage.path"), help: "Directory for each tenant's WAL and head.")
    var storagePath = "data/receive"

    @Option(name: .customLong("bucket.path"), help: "Directory of the filesystem bucket that blocks are shipped to.")
    var bucketPath = "data/bucket"

    @Option(name: .customLong("config.file"), help: "Optional YAML file with limits, tenant overrides and external labels.")
    var configFile: String?

    @Option(name: .customLong("receive.tenant-header"), help: "HTTP header naming the tenant (X-Scope-OrgID is accepted too).")
    var tenantHeader: String?

    @Option(name: .customLong("receive.default-tenant-id"), help: "Tenant of requests without a tenant header.")
    var defaultTenant: String?

    @Option(name: .customLong("receive.tenant-label-name"), help: "External label holding the tenant in shipped blocks.")
    var tenantLabelName: String?

    @Option(name: .customLong("label"), help: "External label NAME=\"VALUE\" for shipped blocks (repeatable), e.g. replica=\"a\".")
    var labels: [String] = []

    @Option(name: .customLong("receive.future-grace"), help: "How far in the future samples may be (Prometheus duration).")
    var futureGrace: String?

    @Option(name: .customLong("tsdb.wal-fsync"), help: "When the WAL is fsynced before acknowledging: always | interval | never.")
    var walFsync = "always"

    @Option(name: .customLong("tsdb.block-duration"), help: "Time range of each cut block (Prometheus duration).")
    var blockDuration = "2h"

    @Option(name: .customLong("tsdb.out-of-order-window"), help: "How late samples may arrive and still be accepted.")
    var outOfOrderWindow = "0s"

    @Option(name: .customLong("shipper.interval"), help: "How often heads are cut and blocks shipped.")
    var shipInterval = "30s"

    @Option(name: .customLong("log.level"), help: "debug | info | warning | error")
    var logLevel = "info"

    @OptionGroup var queryFlags: QueryFlags

    func makeConfiguration() throws -> ReceiverConfiguration {
        var config = ReceiverConfiguration(storagePath: storagePath)
        if let configFile { try ReceiveConfigFile.apply(path: configFile, to: &config) }
        if let tenantHeader { config.tenantHeader = tenantHeader }
        if let defaultTenant { config.defaultTenant = defaultTenant }
        if let tenantLabelName { config.tenantLabelName = tenantLabelName }
        if let futureGrace { config.futureGraceMs = try duration(futureGrace, flag: "receive.future-grace") }
        for label in labels {
            guard let eq = label.firstIndex(of: "=") else { throw ValidationError("--label \"\(label)\" is not NAME=\"VALUE\"") }
            var value = String(label[label.index(after: eq)...])
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            config.externalLabels[String(label[..<eq])] = value
        }
        try config.validate()
        return config
    }

    func duration(_ text: String, flag: String) throws -> Int64 {
        do { return try PrometheusDuration.parseMilliseconds(text) } catch { throw ValidationError("--\(flag): \(error)") }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else { throw ValidationError("--log.level \(logLevel) is not one of debug, info, warning, error") }
        let config = try makeConfiguration()
        let address = try ListenAddress(listenAddress)
        let storageOptions = try TSDBTenantStorage.Options(
            fsync: walFsync, blockDurationMs: duration(blockDuration, flag: "tsdb.block-duration"),
            outOfOrderWindowMs: duration(outOfOrderWindow, flag: "tsdb.out-of-order-window"))
        var engineOptions = EngineOptions()
        let queryTimeout = try queryFlags.apply(to: &engineOptions)
        let registry = Bootstrap.start(logLevel: level)
        let logger = Logger(label: "hearth.receive")
        let bucket = try FilesystemBucket(root: bucketPath)
        let service = ReceiveService(
            configuration: config, bucket: bucket, storageFactory: TSDBTenantStorage.factory(options: storageOptions, logger: logger),
            logger: logger, syncInterval: .milliseconds(try duration(shipInterval, flag: "shipper.interval")))
        try await service.start()
        let router = ReceiverRoutes.router(
            service: service, engine: Engine(options: engineOptions), queryTimeout: queryTimeout, logger: logger,
            metricsText: { Bootstrap.render(registry) })
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "hearth"),
            logger: logger)
        logger.info(
            "hearth receive started",
            metadata: ["address": "\(listenAddress)", "storage": "\(storagePath)", "bucket": "\(bucketPath)"])
        // Shutdown runs in reverse order: HTTP stops accepting first, then heads are cut and shipped.
        let group = ServiceGroup(
            configuration: .init(services: [service, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("hearth receive stopped")
    }
}
