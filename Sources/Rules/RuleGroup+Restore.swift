public import PromModel
import StorageAPI

extension RuleGroup {
    /// Restores `activeAt` of active alerts from `ALERTS_FOR_STATE`, so a restart does not reset `for`.
    ///
    /// Follows Prometheus: only series written within the outage tolerance count; a rule whose `for`
    /// is shorter than the grace period is not restored; an alert that had not yet fired gets at
    /// least the grace period before it fires, and the downtime does not count as pending time.
    /// Marks every alerting rule restored, after which `ALERTS` series are written.
    /// - Parameter ts: now.
    public func restoreForState(at ts: Timestamp) async {
        let options = dependencies.options
        var found: [String: [Labels: Sample]] = [:]
        do {
            let querier = try await dependencies.queryable.querier(mint: ts.adding(ms: -options.outageToleranceMs), maxt: ts)
            defer { querier.close() }
            for rule in rules {
                guard case .alerting(let a) = rule, a.holdMs >= options.forGracePeriodMs, !a.active.isEmpty else { continue }
                found[a.name] = try await lastSamples(querier, alertname: a.name)
            }
        } catch {
            lastErrors = lastErrors.map {
                $0 ?? RulesError(.evaluation, "group \"\(name)\": cannot restore alert state: \(error)")
            }
        }
        for i in rules.indices {
            guard case .alerting(var a) = rules[i] else { continue }
            for (key, alert) in a.active {
                guard let sample = found[a.name]?[key], !StaleNaN.isStale(sample.v) else { continue }
                a.setActiveAt(key, Self.restoredActiveAt(alert: alert, sample: sample, holdMs: a.holdMs, now: ts, options: options))
            }
            a.restored = true
            rules[i] = .alerting(a)
        }
        shouldRestore = false
    }

    /// The last sample of each `ALERTS_FOR_STATE{alertname=…}` series, keyed by labels without `__name__`.
    private func lastSamples(_ querier: any Querier, alertname: String) async throws -> [Labels: Sample] {
        var set = try await querier.select(
            sorted: false, hints: nil,
            matchers: [.equal(LabelName.metricName, "ALERTS_FOR_STATE"), .equal("alertname", alertname)])
        var out: [Labels: Sample] = [:]
        while let series = try set.next() {
            var it = series.makeIterator()
            var last: Sample? = nil
            while try it.next() { last = it.at() }
            if let last { out[series.labels.removing([LabelName.metricName])] = last }
        }
        return out
    }

    static func restoredActiveAt(
        alert: Alert, sample: Sample, holdMs: Int64, now ts: Timestamp, options: RuleManagerOptions
    ) -> Timestamp {
        // Prometheus works in whole seconds here: the sample time and the stored activeAt.
        let downAtMs = (sample.t.ms / 1000) * 1000
        var restored = Int64(sample.v) * 1000
        let remaining = holdMs - (downAtMs - restored)
        if remaining <= 0 {
            // It was firing before the restart; the next evaluation makes it firing again.
        } else if remaining < options.forGracePeriodMs {
            restored = ts.ms + options.forGracePeriodMs - holdMs
        } else {
            restored += ts.ms - downAtMs
        }
        return Timestamp(ms: restored)
    }
}
