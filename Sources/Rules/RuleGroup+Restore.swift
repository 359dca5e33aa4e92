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

extension RuleGroup {
    /// Takes over alert state and written series from the group this one replaces on a config reload,
    /// so firing alerts stay firing and series are not needlessly marked stale.
    ///
    /// Rules are matched by name and expression text; unmatched rules start fresh. Call before ``run(clock:now:)``.
    public func inheritState(from old: RuleGroup) async {
        let oldRules = await old.rules
        let oldSeries = await old.previousSeries
        var byKey: [String: Int] = [:]
        for (i, r) in oldRules.enumerated() { byKey[r.name + "\u{0}" + r.exprText] = i }
        for i in rules.indices {
            guard let j = byKey[rules[i].name + "\u{0}" + rules[i].exprText] else { continue }
            previousSeries[i] = oldSeries[j]
            if case .alerting(var a) = rules[i], case .alerting(let previous) = oldRules[j] {
                a.inherit(from: previous)
                rules[i] = .alerting(a)
            }
        }
        lastEvaluation = await old.lastEvaluation
        shouldRestore = false
    }

    /// Writes staleness markers at `ts` for every series the group wrote last; for a group removed on reload.
    public func markStale(at ts: Timestamp) async throws {
        var appender = dependencies.appendable.appender()
        for series in previousSeries {
            for labels in series {
                do { _ = try appender.append(ref: nil, labels: labels, t: ts, v: StaleNaN.value) } catch {
                    rejectedSamples += 1
                }
            }
        }
        try await appender.commit()
        previousSeries = previousSeries.map { _ in [] }
    }
}
