import Foundation
import Logging
import PromQL
import ServiceLifecycle
import StorageAPI
import TSDB

/// The parts of `hearth server` built from its configuration: what runs (services) and what
/// PromQL reads (the local TSDB merged with remote-read endpoints).
struct ServerNode: Sendable {
    let engine: Engine
    let queryable: any Queryable
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    static func make(configFile: String, db: DB, engine: Engine, logger: Logger) async throws -> ServerNode {
        let compaction = CompactionLoop(db: db, logger: logger)
        return ServerNode(engine: engine, queryable: db, services: [.init(service: compaction)])
    }
}

/// Cuts head data into blocks, merges blocks and applies retention, once a minute, as Prometheus does.
struct CompactionLoop: Service {
    let db: DB
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            do {
                let report = try await db.compact()
                if !report.headBlocks.isEmpty || !report.deletedBlocks.isEmpty {
                    logger.info("compacted", metadata: ["cut": "\(report.headBlocks.count)", "deleted": "\(report.deletedBlocks.count)"])
                }
            } catch {
                logger.error("compaction failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task was cancelled or a graceful shutdown began.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
