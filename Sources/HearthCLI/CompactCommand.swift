import ArgumentParser
import Compactor
import Foundation
import Logging
import ObjectStore
import PromModel

/// `hearth compact`: bucket compaction, downsampling and retention.
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Compact, downsample and apply retention to the blocks in a bucket.")

    @Option(name: .customLong("bucket.path"), help: "Directory of the filesystem bucket.")
    var bucketPath = "data/bucket"

    @Flag(name: .customLong("once"), help: "Do all pending work, print a summary and exit (non-zero when a job failed).")
    var once = false

    @Flag(name: .customLong("wait"), help: "Run continuously, one pass every --wait-interval.")
    var wait = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change nothing.")
    var dryRun = false

    @Option(name: .customLong("retention.raw"), help: "How long raw data is kept (Prometheus duration; 0 = forever).")
    var retentionRaw = "0"

    @Option(name: .customLong("retention.5m"), help: "How long 5m-downsampled data is kept (0 = forever).")
    var retention5m = "0"

    @Option(name: .customLong("retention.1h"), help: "How long 1h-downsampled data is kept (0 = forever).")
    var retention1h = "0"

    @Option(name: .customLong("retention.tenant"), help: "Per-tenant override TENANT:raw=D,5m=D,1h=D (repeatable).")
    var tenantRetention: [String] = []

    @Option(name: .customLong("compact.levels"), help: "Comma-separated block ranges, ascending.")
    var levels = "2h,8h,2d,14d"

    @Flag(name: .customLong("downsample.disable"), help: "Do not downsample.")
    var downsampleDisable = false

    @Option(name: .customLong("downsample.5m-after"), help: "Raw blocks spanning more than this are downsampled to 5m.")
    var downsample5mAfter = "40h"

    @Option(name: .customLong("downsample.1h-after"), help: "5m blocks spanning more than this are downsampled to 1h.")
    var downsample1hAfter = "10d"

    @Option(name: .customLong("dedup.replica-label"), help: "External label ignored when grouping blocks (repeatable).")
    var replicaLabels: [String] = []

    @Option(name: .customLong("delete-delay"), help: "How long marked blocks stay readable before deletion.")
    var deleteDelay = "48h"

    @Option(name: .customLong("partial-upload-grace"), help: "Age after which a block without meta.json is removed.")
    var partialUploadGrace = "48h"

    @Option(name: .customLong("wait-interval"), help: "Pause between passes with --wait.")
    var waitInterval = "5m"

    @Option(name: .customLong("data-dir"), help: "Scratch directory for blocks being built.")
    var dataDir = "data/compact"

    @Option(name: .customLong("log.level"), help: "debug | info | warning | error")
    var logLevel = "info"

    func validate() throws {
        guard once != wait else { throw ValidationError("give exactly one of --once and --wait") }
    }

    func makeConfiguration() throws -> CompactorConfiguration {
        var c = CompactorConfiguration()
        c.levelsMs = try levels.split(separator: ",").map { try duration(String($0), flag: "compact.levels") }
        c.retentionRawMs = try duration(retentionRaw, flag: "retention.raw")
        c.retention5mMs = try duration(retention5m, flag: "retention.5m")
        c.retention1hMs = try duration(retention1h, flag: "retention.1h")
        for entry in tenantRetention {
            guard let colon = entry.firstIndex(of: ":") else { throw ValidationError("--retention.tenant \"\(entry)\" is not TENANT:raw=D,...") }
            var r = CompactorConfiguration.Retention()
            for part in entry[entry.index(after: colon)...].split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw ValidationError("--retention.tenant: \"\(part)\" is not RES=DURATION") }
                let ms = try duration(kv[1], flag: "retention.tenant")
                switch kv[0] {
                case "raw": r.rawMs = ms
                case "5m": r.fiveMinutesMs = ms
                case "1h": r.oneHourMs = ms
                default: throw ValidationError("--retention.tenant: resolution \"\(kv[0])\" is not raw, 5m or 1h")
                }
            }
            c.tenantRetention[String(entry[..<colon])] = r
        }
        c.downsampleEnabled = !downsampleDisable
        c.downsample5mAfterMs = try duration(downsample5mAfter, flag: "downsample.5m-after")
        c.downsample1hAfterMs = try duration(downsample1hAfter, flag: "downsample.1h-after")
        c.replicaLabels = replicaLabels
        c.deleteDelayMs = try duration(deleteDelay, flag: "delete-delay")
        c.partialUploadGraceMs = try duration(partialUploadGrace, flag: "partial-upload-grace")
        c.dataDirectory = dataDir
        do { try c.validate() } catch { throw ValidationError("\(error)") }
        return c
    }

    func duration(_ text: String, flag: String) throws -> Int64 {
        do { return try PrometheusDuration.parseMilliseconds(text) } catch { throw ValidationError("--\(flag): \(error)") }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError("--log.level \(logLevel) is not one of debug, info, warning, error")
        }
        let config = try makeConfiguration()
        let interval = try duration(waitInterval, flag: "wait-interval")
        _ = Bootstrap.start(logLevel: level)
        let logger = Logger(label: "hearth.compact")
        var compactor = Compactor(bucket: try FilesystemBucket(root: bucketPath), configuration: config, logger: logger)
        compactor.dryRun = dryRun
        if once {
            let summary = try await compactor.runOnce()
            FileHandle.standardOutput.write(Data((summary.description + "\n").utf8))
            if summary.failed { throw ExitCode(1) }
            return
        }
        while true {
            // A pass that cannot even list the bucket is retried next interval; --wait never halts.
            do {
                let summary = try await compactor.runOnce()
                FileHandle.standardOutput.write(Data((summary.description + "\n").utf8))
            } catch {
                logger.error("compaction pass failed", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: .milliseconds(interval))
        }
    }
}
