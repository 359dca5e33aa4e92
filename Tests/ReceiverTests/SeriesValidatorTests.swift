import PromModel
import Receiver
import Testing

@Suite struct SeriesValidatorTests {
    static func labels(_ pairs: [(String, String)]) -> [Label] { pairs.map { Label(name: $0.0, value: $0.1) } }

    @Test("invalid series are named with their reason", arguments: [
        ([], IngestSummary.Reason.invalidLabels),
        ([("job", "x")], .missingMetricName),
        ([("__name__", "up"), ("", "x")], .invalidLabels),
        ([("job", "a"), ("__name__", "up"), ("job", "b")], .invalidLabels),
        ([("__name__", "up"), ("a", String(repeating: "v", count: 5000))], .labelLimit),
    ] as [([(String, String)], IngestSummary.Reason)])
    func rejects(pairs: [(String, String)], reason: IngestSummary.Reason) {
        let v = SeriesValidator(limits: TenantLimits())
        guard case .invalid(let got, let message) = v.validate(Self.labels(pairs)) else {
            Issue.record("expected rejection of \(pairs)")
            return
        }
        #expect(got == reason)
        #expect(!message.isEmpty)
    }

    @Test func acceptsAndNormalizesUnsortedLabelsDroppingEmptyValues() {
        let v = SeriesValidator(limits: TenantLimits())
        guard case .valid(let l) = v.validate(Self.labels([("job", "a"), ("empty", ""), ("__name__", "up")])) else {
            Issue.record("expected valid")
            return
        }
        #expect(l == ["__name__": "up", "job": "a"])
    }

    @Test func labelCountLimitNamesTheLimit() {
        var limits = TenantLimits()
        limits.maxLabelsPerSeries = 2
        guard case .invalid(.labelLimit, let message) = SeriesValidator(limits: limits).validate(
            Self.labels([("__name__", "a"), ("b", "1"), ("c", "2")]))
        else {
            Issue.record("expected label limit")
            return
        }
        #expect(message.contains("max_labels_per_series=2"))
    }
}

@Suite struct RateLimiterTests {
    @Test func refusesAboveBurstAndRefillsOverTime() {
        let limiter = RateLimiter(ratePerSecond: 100, burst: 200, nowMs: 0)
        #expect(limiter.take(150, nowMs: 0) == nil)
        // 50 tokens left; 100 more need 0.5 s, rounded up to a whole second of Retry-After.
        #expect(limiter.take(100, nowMs: 0) == 1)
        #expect(limiter.take(100, nowMs: 500) == nil)
        #expect(limiter.take(1, nowMs: 500) != nil)
        #expect(limiter.take(200, nowMs: 10_000) == nil)
    }

    @Test func zeroRateMeansUnlimited() {
        let limiter = RateLimiter(ratePerSecond: 0, burst: 0, nowMs: 0)
        #expect(limiter.take(1_000_000_000, nowMs: 0) == nil)
    }
}
