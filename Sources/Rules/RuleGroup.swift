public import PromModel
public import PromQL
public import StorageAPI

/// What every group needs from the server: the engine, storage, alert sink and settings.
public struct RuleDependencies: Sendable {
    /// Evaluates rule expressions.
    public var engine: Engine
    /// Where expressions read from, and where for-state is restored from.
    public var queryable: any Queryable
    /// Where recording-rule results and `ALERTS`/`ALERTS_FOR_STATE` samples go.
    public var appendable: any Appendable
    /// Where alerts go; nil evaluates alerts without sending them.
    public var sender: (any AlertSender)?
    /// External labels and URL for templates and generator URLs.
    public var context: TemplateContext
    /// Timing settings.
    public var options: RuleManagerOptions

    /// Creates dependencies.
    public init(
        engine: Engine, queryable: any Queryable, appendable: any Appendable, sender: (any AlertSender)? = nil,
        context: TemplateContext = TemplateContext(), options: RuleManagerOptions = RuleManagerOptions()
    ) {
        self.engine = engine
        self.queryable = queryable
        self.appendable = appendable
        self.sender = sender
        self.context = context
        self.options = options
    }
}

/// Timing settings of rule evaluation, with Prometheus' defaults.
public struct RuleManagerOptions: Sendable {
    /// Interval of groups without their own (`global.evaluation_interval`); default 1m.
    public var defaultIntervalMs: Int64 = 60_000
    /// How often firing alerts are resent to Alertmanager (`--rules.alert.resend-delay`); default 1m.
    public var resendDelayMs: Int64 = 60_000
    /// How far back for-state is restored from (`--rules.alert.for-outage-tolerance`); default 1h.
    public var outageToleranceMs: Int64 = 3_600_000
    /// Least time a restored alert still waits before firing (`--rules.alert.for-grace-period`); default 10m.
    public var forGracePeriodMs: Int64 = 600_000

    /// Prometheus' defaults.
    public init() {}
}

/// A rule group: rules evaluated in order, at one interval, by one task.
///
/// Results of a rule are committed before the next rule runs, so later rules see earlier ones.
public actor RuleGroup {
    /// The group name.
    public nonisolated let name: String
    /// The file the group came from.
    public nonisolated let file: String
    /// Evaluation interval in milliseconds.
    public nonisolated let intervalMs: Int64
    /// How far before the evaluation time queries look, in milliseconds.
    public nonisolated let queryOffsetMs: Int64
    /// Most series or alerts per rule; 0 means no limit.
    public nonisolated let limit: Int
    let dependencies: RuleDependencies
    /// The rules with their alert state.
    public internal(set) var rules: [Rule]
    /// The last evaluation error of each rule, nil when it succeeded.
    public internal(set) var lastErrors: [RulesError?]
    /// The time of the last evaluation.
    public internal(set) var lastEvaluation: Timestamp?
    /// How long the last evaluation of the whole group took, in seconds.
    public internal(set) var evaluationSeconds: Double = 0
    /// How long each rule's last evaluation took, in seconds (query, state update and write).
    public internal(set) var ruleEvaluationSeconds: [Double]
    /// Samples the storage rejected (out of order, duplicate), summed over evaluations.
    public internal(set) var rejectedSamples = 0
    /// Series each rule wrote last time, so the ones that disappear get staleness markers.
    var previousSeries: [Set<Labels>]
    /// True until for-state has been restored after startup.
    public internal(set) var shouldRestore: Bool

    /// Builds a group from a validated spec.
    /// - Parameters:
    ///   - restoreOnStart: restore alert for-state from `ALERTS_FOR_STATE` after the second evaluation,
    ///     as Prometheus does at startup; until then no `ALERTS` series are written.
    /// - Throws: ``RulesError`` when the spec is invalid.
    public init(spec: RuleGroupSpec, file: String, dependencies: RuleDependencies, restoreOnStart: Bool = true) throws {
        name = spec.name
        self.file = file
        let interval = try spec.interval.map(PrometheusDuration.parseMilliseconds) ?? 0
        intervalMs = interval > 0 ? interval : dependencies.options.defaultIntervalMs
        queryOffsetMs = try spec.queryOffset.map(PrometheusDuration.parseMilliseconds) ?? 0
        limit = spec.limit
        self.dependencies = dependencies
        rules = try spec.rules.map { try Rule(spec: $0, groupLabels: spec.labels, restored: !restoreOnStart) }
        lastErrors = Array(repeating: nil, count: rules.count)
        ruleEvaluationSeconds = Array(repeating: 0, count: rules.count)
        previousSeries = Array(repeating: [], count: rules.count)
        shouldRestore = restoreOnStart
    }

    /// The evaluation slot at or before `now`: multiples of the interval shifted by a per-group offset
    /// derived from the group's name and file, so groups spread over the interval.
    public nonisolated func evaluationTimestamp(atOrBefore now: Timestamp) -> Timestamp {
        let offset = Int64(Labels(["name": name, "file": file]).stableHash % UInt64(intervalMs))
        let adjusted = now.ms - offset
        let base = adjusted - ((adjusted % intervalMs) + intervalMs) % intervalMs
        return Timestamp(ms: base + offset)
    }

    /// Evaluates every rule at `ts`, writes results and staleness markers, and hands due alerts to the sender.
    ///
    /// Errors are kept per rule in ``lastErrors``; one failing rule does not stop the others.
    public func evaluate(at ts: Timestamp) async {
        let queryTime = ts.adding(ms: -queryOffsetMs)
        let started = ContinuousClock.now
        for i in rules.indices {
            let ruleStarted = ContinuousClock.now
            defer { ruleEvaluationSeconds[i] = Self.seconds(ContinuousClock.now - ruleStarted) }
            do {
                let vector = try await query(rules[i].expr, at: queryTime)
                let samples: [RuleSample]
                switch rules[i] {
                case .recording(let r):
                    samples = try r.apply(vector, limit: limit)
                case .alerting(var a):
                    do {
                        samples = try a.apply(vector, at: ts, limit: limit, context: dependencies.context)
                        rules[i] = .alerting(a)
                    } catch {
                        rules[i] = .alerting(a)
                        throw error
                    }
                    let due = a.alertsToSend(
                        at: ts, resendDelayMs: dependencies.options.resendDelayMs, intervalMs: intervalMs,
                        generatorURL: generatorURL(a.exprText))
                    rules[i] = .alerting(a)
                    if !due.isEmpty { dependencies.sender?.send(due) }
                }
                try await write(samples, rule: i, at: queryTime)
                lastErrors[i] = nil
            } catch let error as RulesError {
                lastErrors[i] = error
            } catch {
                lastErrors[i] = RulesError(
                    .evaluation, "group \"\(name)\", rule \"\(rules[i].name)\": \(error)", underlying: error)
            }
        }
        lastEvaluation = ts
        evaluationSeconds = Self.seconds(ContinuousClock.now - started)
        RulesMetrics.groupEvaluated(
            group: file + ";" + name, rules: rules.count, failures: lastErrors.filter { $0 != nil }.count,
            seconds: evaluationSeconds, at: ts.ms)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Runs the query and turns a scalar into a one-element vector, as Prometheus' rule query function does.
    func query(_ expr: Expr, at t: Timestamp) async throws -> [RuleSample] {
        switch try await dependencies.engine.instantQuery(expr, at: t, storage: dependencies.queryable) {
        case .vector(let v): return v.map { RuleSample(labels: $0.labels, v: $0.v) }
        case .scalar(let s): return [RuleSample(labels: Labels(), v: s.v)]
        default: throw RulesError(.evaluation, "rule result is not a vector or scalar")
        }
    }

    /// Appends `samples` plus staleness markers for the rule's series that disappeared, and commits.
    func write(_ samples: [RuleSample], rule i: Int, at t: Timestamp) async throws {
        var appender = dependencies.appendable.appender()
        var current = Set<Labels>()
        current.reserveCapacity(samples.count)
        for s in samples {
            current.insert(s.labels)
            do { _ = try appender.append(ref: nil, labels: s.labels, t: t, v: s.v) } catch { rejectedSamples += 1 }
        }
        for labels in previousSeries[i] where !current.contains(labels) {
            do { _ = try appender.append(ref: nil, labels: labels, t: t, v: StaleNaN.value) } catch { rejectedSamples += 1 }
        }
        try await appender.commit()
        previousSeries[i] = current
    }

    /// `<external URL>/graph?g0.expr=…&g0.tab=1`, Prometheus' link to an expression.
    nonisolated func generatorURL(_ expr: String) -> String {
        dependencies.context.externalURL + "/graph?g0.expr=" + TemplateFunctions.queryEscape(expr) + "&g0.tab=1"
    }

    /// The group's rules and their evaluation results, read in one step for the rules API.
    public func snapshot() -> RuleGroupSnapshot {
        RuleGroupSnapshot(
            rules: rules, lastErrors: lastErrors, lastEvaluation: lastEvaluation, evaluationSeconds: evaluationSeconds,
            ruleEvaluationSeconds: ruleEvaluationSeconds)
    }

    /// All alerts of the group's alerting rules, pending, firing and recently resolved.
    public func alerts() -> [Alert] {
        rules.flatMap { rule -> [Alert] in
            guard case .alerting(let a) = rule else { return [] }
            return a.active.keys.sorted().map { a.active[$0]! }
        }
    }
}

/// A consistent copy of a ``RuleGroup``'s rules and evaluation results.
public struct RuleGroupSnapshot: Sendable {
    /// The rules with their alert state.
    public var rules: [Rule]
    /// The last evaluation error of each rule, nil when it succeeded.
    public var lastErrors: [RulesError?]
    /// When the group was last evaluated; nil before the first evaluation.
    public var lastEvaluation: Timestamp?
    /// How long the last evaluation of the group took, in seconds.
    public var evaluationSeconds: Double
    /// How long each rule's last evaluation took, in seconds.
    public var ruleEvaluationSeconds: [Double]
}
