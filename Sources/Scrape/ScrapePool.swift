import PromModel
import StorageAPI

/// The targets of one job and their loops. Not thread-safe: the manager serializes access.
struct ScrapePool {
    let config: ScrapeConfiguration
    let settings: ScrapeSettings
    let builder: TargetBuilder
    private var readers: [FileSDReader]
    private(set) var loops: [UInt64: ScrapeLoop] = [:]
    /// Why the job has no loops despite targets (e.g. `target_limit exceeded`).
    private(set) var lastError: String?
    /// Discovered labels of targets that relabeling dropped, at the last discovery.
    private(set) var dropped: [Labels] = []

    init(config: ScrapeConfiguration, decodeYAML: TargetGroupDecoder?) throws {
        self.config = config
        settings = try ScrapeSettings(config)
        builder = try TargetBuilder(job: config)
        readers = config.fileSDConfigs.map { FileSDReader(config: $0, decodeYAML: decodeYAML) }
    }

    /// The job's current targets from static_configs and file_sd files.
    mutating func discover() -> [Target] {
        for i in readers.indices { _ = readers[i].refresh() }
        let groups = config.staticConfigs + readers.flatMap(\.allGroups)
        var seen = Set<UInt64>()
        var targets: [Target] = []
        var dropped: [Labels] = []
        for group in groups {
            for address in group.targets {
                let discovered = builder.discoveredLabels(address: address, group: group)
                guard let t = builder.target(discovered: discovered) else {
                    dropped.append(discovered)
                    continue
                }
                if seen.insert(t.identity).inserted { targets.append(t) }
            }
        }
        self.dropped = dropped
        return targets
    }

    /// Reconciles loops with `targets`: stops loops of vanished targets (they write staleness markers)
    /// and returns new loops for the caller to run.
    mutating func sync(
        _ targets: [Target], appendable: any Appendable, fetcher: any TargetFetcher
    ) -> [ScrapeLoop] {
        var targets = targets
        if config.targetLimit > 0 && targets.count > config.targetLimit {
            lastError = "target_limit exceeded (number of targets: \(targets.count), limit: \(config.targetLimit))"
            targets = []
        } else {
            lastError = nil
        }
        let wanted = Dictionary(targets.map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        for (id, loop) in loops where wanted[id] == nil {
            loop.stop()
            loops[id] = nil
        }
        var started: [ScrapeLoop] = []
        for (id, target) in wanted where loops[id] == nil {
            let loop = ScrapeLoop(target: target, settings: settings, appendable: appendable, fetcher: fetcher)
            loops[id] = loop
            started.append(loop)
        }
        return started
    }

    /// Stops every loop, e.g. when the job's configuration changed or the job was removed.
    /// - Parameter markStale: write staleness markers (the job is gone) or not (it is restarting).
    mutating func stopAll(markStale: Bool) {
        for loop in loops.values { loop.stop(markStale: markStale) }
        loops = [:]
    }
}
