/// The time source of a queue manager, built from any `Clock<Duration>` so tests can inject their own.
struct QueueClock: Sendable {
    /// Time elapsed since the clock was made.
    let elapsed: @Sendable () -> Duration
    /// Sleeps; throws `CancellationError` when cancelled.
    let sleep: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) where C: Sendable, C.Instant: Sendable {
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleep = { d in try await clock.sleep(until: clock.now.advanced(by: d), tolerance: nil) }
    }
}

extension Duration {
    /// The span in seconds as a Double.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
