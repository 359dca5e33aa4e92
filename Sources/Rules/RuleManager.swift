import Foundation
public import PromModel
public import ServiceLifecycle

/// Runs every rule group of the server's rule files, each on its own interval.
///
/// Build it from decoded, validated rule files (see ``RuleFile/validate(source:)``) and add it to the
/// server's `ServiceGroup`. Groups with the same name in different files are distinct.
public final class RuleManager: Service, Sendable {
    /// The groups, in file order then group order.
    public let groups: [RuleGroup]
    let clock: any Clock<Duration>
    let now: @Sendable () -> Timestamp

    /// Creates a manager.
    /// - Parameters:
    ///   - files: decoded rule files with their paths, in `rule_files` order.
    ///   - dependencies: engine, storage, alert sender and settings shared by all groups.
    ///   - restoreOnStart: restore alert for-state from storage after startup (Prometheus' behaviour).
    ///   - clock: sleeps between evaluations.
    ///   - now: the current time; nil for the system's wall clock.
    /// - Throws: ``RulesError`` when a file is invalid; every problem is listed.
    public init(
        files: [(path: String, file: RuleFile)], dependencies: RuleDependencies, restoreOnStart: Bool = true,
        clock: any Clock<Duration> = ContinuousClock(), now: (@Sendable () -> Timestamp)? = nil
    ) throws {
        let problems = files.flatMap { $0.file.problems(source: $0.path) }
        if !problems.isEmpty { throw RulesError(.invalidRuleFile, problems.joined(separator: "\n")) }
        groups = try files.flatMap { entry in
            try entry.file.groups.map {
                try RuleGroup(spec: $0, file: entry.path, dependencies: dependencies, restoreOnStart: restoreOnStart)
            }
        }
        self.clock = clock
        self.now = now ?? { Timestamp(ms: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }
    }

    /// Evaluates all groups until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { tasks in
                for group in self.groups {
                    tasks.addTask { await group.run(clock: self.clock, now: self.now) }
                }
            }
        }
    }

    /// Takes over state from the manager this one replaces on a config reload: groups with the same file
    /// and name inherit alerts and series (``RuleGroup/inheritState(from:)``); groups that are gone mark
    /// their series stale at `ts`. Call before ``run()``, after stopping the old manager.
    public func inheritState(from old: RuleManager, at ts: Timestamp) async {
        var oldGroups: [String: RuleGroup] = [:]
        for g in old.groups { oldGroups[g.file + "\u{0}" + g.name] = g }
        for g in groups {
            if let previous = oldGroups.removeValue(forKey: g.file + "\u{0}" + g.name) { await g.inheritState(from: previous) }
        }
        for g in oldGroups.values { try? await g.markStale(at: ts) }
    }

    /// Every alert of every group: pending, firing and recently resolved.
    public func alerts() async -> [Alert] {
        var out: [Alert] = []
        for group in groups { out += await group.alerts() }
        return out
    }
}


extension RuleGroup {
    /// Evaluates the group every interval until the task is cancelled.
    ///
    /// Evaluations happen at ``evaluationTimestamp(atOrBefore:)`` slots; slots missed because an
    /// evaluation ran long are skipped, not caught up. With ``shouldRestore`` set, for-state is
    /// restored after the second evaluation, when recording rules have produced fresh data.
    /// - Parameters:
    ///   - clock: sleeps between evaluations; tests pass a manual clock.
    ///   - now: the current time as a timestamp, read from the same source as `clock`.
    public func run(clock: any Clock<Duration>, now: @escaping @Sendable () -> Timestamp) async {
        var next = evaluationTimestamp(atOrBefore: now()).adding(ms: intervalMs)
        var evaluations = 0
        while !Task.isCancelled {
            let wait = next.ms - now().ms
            if wait > 0 {
                do { try await clock.sleep(for: .milliseconds(wait)) } catch { return }
            }
            let late = now().ms - next.ms
            if late >= intervalMs {
                next = next.adding(ms: (late / intervalMs) * intervalMs)
                RulesMetrics.missedIterations(group: file + ";" + name, count: Int(late / intervalMs))
            }
            await evaluate(at: next)
            evaluations += 1
            if shouldRestore && evaluations >= 2 { await restoreForState(at: now()) }
            next = next.adding(ms: intervalMs)
        }
    }
}
