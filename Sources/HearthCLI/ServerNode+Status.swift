import Foundation
import HTTPAPI
import PromModel
import Rules
import Scrape

/// What `/api/v1/targets`, `/api/v1/rules`, `/api/v1/alerts` and `/api/v1/status/*` show, read from the
/// scrape manager and the current rule manager.
extension ServerNode: ServerStatus {
    nonisolated func activeTargets() async -> [ActiveTargetInfo] {
        scrape.pools().flatMap { pool in
            pool.active.map { status in
                ActiveTargetInfo(
                    discoveredLabels: status.target.discoveredLabels, labels: status.target.labels,
                    scrapePool: pool.jobName, scrapeURL: status.target.url, globalURL: Self.globalURL(status.target.url),
                    lastError: status.lastError ?? pool.lastError ?? "", lastScrape: status.lastScrape,
                    lastScrapeDurationSeconds: status.lastScrapeDurationSeconds,
                    health: ActiveTargetInfo.Health(rawValue: status.health.rawValue) ?? .unknown,
                    scrapeInterval: pool.interval.description, scrapeTimeout: pool.timeout.description)
            }
        }
    }

    nonisolated func droppedTargets() async -> [DroppedTargetInfo] {
        scrape.pools().flatMap { pool in
            pool.dropped.map { DroppedTargetInfo(discoveredLabels: $0, scrapePool: pool.jobName) }
        }
    }

    nonisolated func ruleGroups() async -> [RuleGroupInfo] {
        guard let manager = publishedState.rules else { return [] }
        var out: [RuleGroupInfo] = []
        for group in manager.groups {
            let s = await group.snapshot()
            let rules = s.rules.indices.map { i in
                Self.ruleInfo(
                    s.rules[i], error: s.lastErrors[i], lastEvaluation: s.lastEvaluation,
                    seconds: s.ruleEvaluationSeconds[i])
            }
            out.append(
                RuleGroupInfo(
                    name: group.name, file: group.file, intervalSeconds: Double(group.intervalMs) / 1000,
                    limit: group.limit, rules: rules, lastEvaluation: s.lastEvaluation,
                    evaluationSeconds: s.evaluationSeconds))
        }
        return out
    }

    nonisolated func configText() async -> String { publishedState.configText }

    nonisolated func flags() -> [(String, String)] { environment.flags }

    static func ruleInfo(_ rule: Rule, error: RulesError?, lastEvaluation: Timestamp?, seconds: Double) -> RuleInfo {
        switch rule {
        case .recording(let r):
            return RuleInfo(
                name: r.name, query: r.exprText, labels: Labels(r.labels), kind: .recording,
                lastError: error.map { "\($0.message)" }, lastEvaluation: lastEvaluation, evaluationSeconds: seconds)
        case .alerting(let a):
            let alerts = a.active.values.filter { $0.state != .inactive }.sorted { $0.labels < $1.labels }.map {
                AlertInfo(
                    labels: $0.labels, annotations: $0.annotations, state: $0.state.rawValue, activeAt: $0.activeAt,
                    keepFiringSince: $0.keepFiringSince, value: $0.value)
            }
            return RuleInfo(
                name: a.name, query: a.exprText, labels: Labels(a.labels),
                kind: .alerting(
                    durationSeconds: Double(a.holdMs) / 1000, keepFiringForSeconds: Double(a.keepFiringForMs) / 1000,
                    annotations: Labels(a.annotations), alerts: alerts),
                lastError: error.map { "\($0.message)" }, lastEvaluation: lastEvaluation, evaluationSeconds: seconds)
        }
    }

    /// Prometheus' `globalUrl`: the scrape URL with a loopback host replaced by this machine's name.
    static func globalURL(_ url: String) -> String {
        guard var components = URLComponents(string: url), let host = components.host else { return url }
        guard ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host) else { return url }
        components.host = ProcessInfo.processInfo.hostName
        return components.string ?? url
    }
}
