import Synchronization

/// A token bucket for one tenant's samples per second. Thread-safe.
///
/// A request takes all its samples at once or nothing: a partial take would ingest a random
/// subset. When refused, the caller learns how long to wait for enough tokens (for `Retry-After`).
public final class RateLimiter: Sendable {
    private struct State {
        var tokens: Double
        var lastRefillMs: Int64
    }

    private let ratePerSecond: Double
    private let burst: Double
    // Guards the token count and refill time; held for a few arithmetic operations only.
    private let state: Mutex<State>

    /// - Parameters:
    ///   - ratePerSecond: sustained rate; 0 disables limiting.
    ///   - burst: capacity; at least one second's worth of the rate.
    public init(ratePerSecond: Double, burst: Int, nowMs: Int64) {
        self.ratePerSecond = ratePerSecond
        self.burst = max(Double(burst), ratePerSecond)
        state = Mutex(State(tokens: max(Double(burst), ratePerSecond), lastRefillMs: nowMs))
    }

    /// Takes `count` tokens. Returns nil on success, or the seconds to wait before retrying.
    public func take(_ count: Int, nowMs: Int64) -> Int? {
        guard ratePerSecond > 0 else { return nil }
        return state.withLock { s in
            let elapsed = Double(max(0, nowMs - s.lastRefillMs)) / 1000
            s.tokens = min(burst, s.tokens + elapsed * ratePerSecond)
            s.lastRefillMs = nowMs
            let need = Double(count)
            // A request larger than the whole bucket can never pass; let it through when full
            // rather than refusing it forever, so one big batch does not wedge a sender.
            if need <= s.tokens || (need > burst && s.tokens >= burst) {
                s.tokens -= min(need, s.tokens)
                return nil
            }
            return max(1, Int(((need - s.tokens) / ratePerSecond).rounded(.up)))
        }
    }
}
