import Foundation
import Logging
import PromModel
import PromQL
import RemoteClient
import Rules
import Scrape
import ServiceLifecycle
import StorageAPI
import TSDB
import Yams

/// The parts of `hearth server` built from its prometheus.yml: what runs (scrape manager, rule
/// manager, notifier, one remote-write queue per destination, compaction) and what PromQL reads
/// (the local TSDB merged with the remote-read endpoints).
struct ServerNode: Sendable {
    let engine: Engine
    let queryable: any Queryable
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    static func make(configFile: String, db: DB, engine: Engine, logger: Logger) async throws -> ServerNode {
        let config = try PrometheusConfigFile.load(path: configFile)
        let external = config.global.externalLabels
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: CompactionLoop(db: db, logger: logger))]

        var scrapeOptions = ScrapeManagerOptions()
        scrapeOptions.yamlTargetGroupDecoder = PrometheusConfigFile.targetGroupDecoder
        services.append(.init(service: try ScrapeManager(configuration: config, appendable: db, options: scrapeOptions, logger: logger)))

        // Remote storage sections are decoded a second time into the remote client's own types.
        let remote = try RemoteSections.load(path: configFile)
        for rw in remote.remoteWrite {
            services.append(.init(service: try QueueManager(
                configuration: rw, dataDirectory: db.directory, externalLabels: Labels(external), logger: logger)))
        }
        var sources: [any Queryable] = []
        for rr in remote.remoteRead {
            sources.append(try RemoteReadQueryable(configuration: rr, localMinTime: { db.head.minTime }))
        }

        let directory = (configFile as NSString).deletingLastPathComponent
        let ruleFiles = try RuleFileLoader.load(patterns: config.ruleFiles, relativeTo: directory.isEmpty ? "." : directory)
        if !ruleFiles.isEmpty {
            let urls = config.alerting.alertmanagers.flatMap { am in
                am.staticConfigs.flatMap { sc in
                    sc.targets.map { "\(am.scheme)://\($0)\(am.pathPrefix == "/" ? "" : am.pathPrefix)" }
                }
            }
            let notifier = Notifier(configuration: NotifierConfiguration(alertmanagerURLs: urls, externalLabels: external))
            var options = RuleManagerOptions()
            options.defaultIntervalMs = config.global.evaluationInterval.milliseconds
            let manager = try RuleManager(
                files: ruleFiles,
                dependencies: RuleDependencies(
                    engine: engine, queryable: db, appendable: db, sender: urls.isEmpty ? nil : notifier,
                    context: TemplateContext(externalLabels: external), options: options))
            services.append(.init(service: manager))
            if !urls.isEmpty { services.append(.init(service: notifier)) }
        }
        let queryable: any Queryable = sources.isEmpty ? db : FederatedQueryable(local: db, remotes: sources)
        logger.info(
            "server configured",
            metadata: ["scrape_jobs": "\(config.scrapeConfigs.count)", "remote_write": "\(remote.remoteWrite.count)",
                       "remote_read": "\(remote.remoteRead.count)", "rule_files": "\(ruleFiles.count)"])
        return ServerNode(engine: engine, queryable: queryable, services: services)
    }
}

/// `remote_write` and `remote_read` as the remote client decodes them (other keys are ignored here;
/// the strict decoder of the whole file already rejected unknown ones).
struct RemoteSections: Decodable {
    var remoteWrite: [RemoteClient.RemoteWriteConfiguration] = []
    var remoteRead: [RemoteClient.RemoteReadConfiguration] = []

    enum CodingKeys: String, CodingKey {
        case remoteWrite = "remote_write"
        case remoteRead = "remote_read"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        remoteWrite = try c.decodeIfPresent([RemoteClient.RemoteWriteConfiguration].self, forKey: .remoteWrite) ?? []
        remoteRead = try c.decodeIfPresent([RemoteClient.RemoteReadConfiguration].self, forKey: .remoteRead) ?? []
    }

    static func load(path: String) throws -> RemoteSections {
        try YAMLDecoder().decode(RemoteSections.self, from: try String(contentsOfFile: path, encoding: .utf8))
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
