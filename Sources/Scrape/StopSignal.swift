import Synchronization

/// A one-shot signal that wakes one waiting task: how a scrape pool stops a loop whose target
/// went away, without cancelling the task group the loop runs in.
final class StopSignal: Sendable {
    // Guards the flag and the single waiter (only the loop's own task waits).
    private let state = Mutex<(stopped: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Raises the signal; idempotent.
    func stop() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.stopped = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Returns once the signal is raised or the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.stopped || Task.isCancelled { return true }
                    s.waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }

    /// Sleeps until `deadline` on `clock`, returning early when the signal is raised.
    /// - Returns: true when the deadline passed and neither the signal nor cancellation intervened.
    func sleep<C: Clock>(until deadline: C.Instant, clock: C) async -> Bool where C.Duration == Duration {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
        return !isStopped && !Task.isCancelled
    }
}
