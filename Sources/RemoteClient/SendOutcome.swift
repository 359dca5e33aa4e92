/// What to do with a batch after one HTTP attempt; a pure classification the sender acts on.
enum SendOutcome: Equatable {
    /// Accepted (2xx).
    case sent
    /// Recoverable (5xx, 429 when enabled, network error): wait `after` (from `Retry-After`) or the backoff.
    case retry(after: Duration?)
    /// 413: the batch is too large; send it in halves.
    case split
    /// 415 to a 2.0 request: switch to 1.0 and resend.
    case downgrade
    /// Any other 4xx (or 429 without retries): drop the batch and count it as failed.
    case drop(status: Int)

    /// Classifies an HTTP status.
    /// - Parameters:
    ///   - retryAfter: the `Retry-After` header, honoured for retried statuses when it holds seconds.
    ///   - retryOnRateLimit: `queue_config.retry_on_http_429`.
    ///   - isV2: whether the request was remote write 2.0.
    static func classify(status: Int, retryAfter: String?, retryOnRateLimit: Bool, isV2: Bool) -> SendOutcome {
        switch status {
        case 200..<300: return .sent
        case 413: return .split
        case 415 where isV2: return .downgrade
        case 429 where retryOnRateLimit, 500..<600: return .retry(after: parseRetryAfter(retryAfter))
        default: return .drop(status: status)
        }
    }

    /// Seconds from a `Retry-After` header; nil for absent, HTTP-date or malformed values.
    static func parseRetryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.filter { $0 != " " && $0 != "\t" }), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
