public import PromModel

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
            if late >= intervalMs { next = next.adding(ms: (late / intervalMs) * intervalMs) }
            await evaluate(at: next)
            evaluations += 1
            if shouldRestore && evaluations >= 2 { await restoreForState(at: now()) }
            next = next.adding(ms: intervalMs)
        }
    }
}
