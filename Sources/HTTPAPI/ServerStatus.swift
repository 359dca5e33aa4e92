public import PromModel

/// What the status endpoints of `hearth server` (`/api/v1/targets`, `/api/v1/rules`, `/api/v1/alerts`,
/// `/api/v1/status/*`, `/-/reload`) need from the running node. The CLI implements it over the scrape
/// manager and the rule manager, so HTTPAPI depends on neither.
///
/// Implementations MUST be thread-safe: requests call them concurrently, also during a reload.
public protocol ServerStatus: Sendable {
    /// Active targets of every scrape pool, sorted by pool then URL.
    func activeTargets() async -> [ActiveTargetInfo]
    /// Targets dropped by `relabel_configs`, with the pool they were discovered in.
    func droppedTargets() async -> [DroppedTargetInfo]
    /// Rule groups in file order then group order.
    func ruleGroups() async -> [RuleGroupInfo]
    /// The configuration file's text as last loaded successfully.
    func configText() async -> String
    /// Command-line flags and their values, by flag name without dashes.
    func flags() -> [(String, String)]
    /// Re-reads the configuration and rule files and applies them.
    /// - Throws: any error, with a message that names the file and field; the old configuration stays.
    func reload() async throws
}

/// One active target as `/api/v1/targets` lists it.
public struct ActiveTargetInfo: Sendable, Hashable {
    /// `up`, `down` or `unknown`.
    public enum Health: String, Sendable { case up, down, unknown }
    public var discoveredLabels: Labels
    public var labels: Labels
    public var scrapePool: String
    public var scrapeURL: String
    /// The URL with the host name (not a loopback address) that other servers could reach.
    public var globalURL: String
    public var lastError: String
    /// Nil before the first scrape.
    public var lastScrape: Timestamp?
    public var lastScrapeDurationSeconds: Double
    public var health: Health
    /// Prometheus duration text, e.g. `15s`.
    public var scrapeInterval: String
    public var scrapeTimeout: String

    /// Creates a target entry.
    public init(
        discoveredLabels: Labels, labels: Labels, scrapePool: String, scrapeURL: String, globalURL: String,
        lastError: String, lastScrape: Timestamp?, lastScrapeDurationSeconds: Double, health: Health,
        scrapeInterval: String, scrapeTimeout: String
    ) {
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.globalURL = globalURL
        self.lastError = lastError
        self.lastScrape = lastScrape
        self.lastScrapeDurationSeconds = lastScrapeDurationSeconds
        self.health = health
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// A target dropped by relabeling.
public struct DroppedTargetInfo: Sendable, Hashable {
    public var discoveredLabels: Labels
    public var scrapePool: String

    /// Creates an entry.
    public init(discoveredLabels: Labels, scrapePool: String) {
        self.discoveredLabels = discoveredLabels
        self.scrapePool = scrapePool
    }
}

/// One alert as `/api/v1/alerts` and `/api/v1/rules` show it.
public struct AlertInfo: Sendable, Hashable {
    public var labels: Labels
    public var annotations: Labels
    /// `pending` or `firing` (`inactive` alerts are not listed).
    public var state: String
    public var activeAt: Timestamp
    public var keepFiringSince: Timestamp?
    public var value: Double

    /// Creates an alert entry.
    public init(
        labels: Labels, annotations: Labels, state: String, activeAt: Timestamp, keepFiringSince: Timestamp?, value: Double
    ) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.activeAt = activeAt
        self.keepFiringSince = keepFiringSince
        self.value = value
    }
}

/// One rule of a group, as `/api/v1/rules` shows it.
public struct RuleInfo: Sendable, Hashable {
    /// Alerting rules carry their `for`, `keep_firing_for`, annotations and alerts.
    public enum Kind: Sendable, Hashable {
        case recording
        case alerting(durationSeconds: Double, keepFiringForSeconds: Double, annotations: Labels, alerts: [AlertInfo])
    }
    public var name: String
    public var query: String
    public var labels: Labels
    public var kind: Kind
    /// Nil when the last evaluation succeeded.
    public var lastError: String?
    /// Nil before the first evaluation.
    public var lastEvaluation: Timestamp?
    public var evaluationSeconds: Double

    /// Creates a rule entry.
    public init(
        name: String, query: String, labels: Labels, kind: Kind, lastError: String?, lastEvaluation: Timestamp?,
        evaluationSeconds: Double
    ) {
        self.name = name
        self.query = query
        self.labels = labels
        self.kind = kind
        self.lastError = lastError
        self.lastEvaluation = lastEvaluation
        self.evaluationSeconds = evaluationSeconds
    }
}

/// One rule group, as `/api/v1/rules` shows it.
public struct RuleGroupInfo: Sendable, Hashable {
    public var name: String
    public var file: String
    public var intervalSeconds: Double
    public var limit: Int
    public var rules: [RuleInfo]
    public var lastEvaluation: Timestamp?
    public var evaluationSeconds: Double

    /// Creates a group entry.
    public init(
        name: String, file: String, intervalSeconds: Double, limit: Int, rules: [RuleInfo], lastEvaluation: Timestamp?,
        evaluationSeconds: Double
    ) {
        self.name = name
        self.file = file
        self.intervalSeconds = intervalSeconds
        self.limit = limit
        self.rules = rules
        self.lastEvaluation = lastEvaluation
        self.evaluationSeconds = evaluationSeconds
    }
}
