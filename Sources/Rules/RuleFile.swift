/// The contents of one Prometheus rule file (`rule_files:` in prometheus.yml).
///
/// Decoding is strict: an unknown field throws a ``RulesError`` naming its path (for example
/// `groups[0].rules[1].exprr`), so a typo never silently drops a setting. Decoding checks only the
/// shape; call ``validate(source:)`` for what `promtool check rules` checks.
public struct RuleFile: Sendable, Decodable, Equatable {
    /// The rule groups, evaluated independently of each other.
    public var groups: [RuleGroupSpec]

    /// Creates a rule file from groups, e.g. in tests.
    public init(groups: [RuleGroupSpec]) { self.groups = groups }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: ["groups"])
        groups = try c.decodeIfPresent([RuleGroupSpec].self, forKey: StrictKey("groups")) ?? []
    }
}

/// One `groups[]` entry of a rule file.
public struct RuleGroupSpec: Sendable, Decodable, Equatable {
    /// The group name; unique within a file.
    public var name: String
    /// Evaluation interval text, e.g. `30s`; nil means the global `evaluation_interval`.
    public var interval: String?
    /// How far in the past to evaluate, e.g. `1m`; nil means no offset.
    public var queryOffset: String?
    /// Most series a recording rule or alerts an alerting rule may produce; 0 means no limit.
    public var limit: Int
    /// Labels added to every rule of the group; rule labels win on conflict.
    public var labels: [String: String]
    /// The rules, evaluated in order.
    public var rules: [RuleSpec]

    /// Creates a group, e.g. in tests.
    public init(
        name: String, interval: String? = nil, queryOffset: String? = nil, limit: Int = 0,
        labels: [String: String] = [:], rules: [RuleSpec]
    ) {
        self.name = name
        self.interval = interval
        self.queryOffset = queryOffset
        self.limit = limit
        self.labels = labels
        self.rules = rules
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: ["name", "interval", "query_offset", "limit", "labels", "rules"])
        name = try c.decodeIfPresent(String.self, forKey: StrictKey("name")) ?? ""
        interval = try c.decodeIfPresent(String.self, forKey: StrictKey("interval"))
        queryOffset = try c.decodeIfPresent(String.self, forKey: StrictKey("query_offset"))
        limit = try c.decodeIfPresent(Int.self, forKey: StrictKey("limit")) ?? 0
        labels = try c.decodeIfPresent([String: String].self, forKey: StrictKey("labels")) ?? [:]
        rules = try c.decodeIfPresent([RuleSpec].self, forKey: StrictKey("rules")) ?? []
    }
}

/// One `rules[]` entry: a recording rule (`record`) or an alerting rule (`alert`).
public struct RuleSpec: Sendable, Decodable, Equatable {
    /// The metric name a recording rule writes; nil for an alerting rule.
    public var record: String?
    /// The alert name of an alerting rule; nil for a recording rule.
    public var alert: String?
    /// The PromQL expression.
    public var expr: String
    /// How long an alert stays pending before it fires, e.g. `5m`.
    public var forDuration: String?
    /// How long an alert keeps firing after its condition cleared.
    public var keepFiringFor: String?
    /// Labels added to each result; values of alerting rules are templates.
    public var labels: [String: String]
    /// Alert annotations; values are templates.
    public var annotations: [String: String]

    /// Creates a rule, e.g. in tests.
    public init(
        record: String? = nil, alert: String? = nil, expr: String, forDuration: String? = nil,
        keepFiringFor: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:]
    ) {
        self.record = record
        self.alert = alert
        self.expr = expr
        self.forDuration = forDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(
            c, allowed: ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"])
        record = try c.decodeIfPresent(String.self, forKey: StrictKey("record"))
        alert = try c.decodeIfPresent(String.self, forKey: StrictKey("alert"))
        expr = try c.decodeIfPresent(String.self, forKey: StrictKey("expr")) ?? ""
        forDuration = try c.decodeIfPresent(String.self, forKey: StrictKey("for"))
        keepFiringFor = try c.decodeIfPresent(String.self, forKey: StrictKey("keep_firing_for"))
        labels = try c.decodeIfPresent([String: String].self, forKey: StrictKey("labels")) ?? [:]
        annotations = try c.decodeIfPresent([String: String].self, forKey: StrictKey("annotations")) ?? [:]
    }

    /// `alert "Name"` or `record "name"`, for error messages.
    var displayName: String {
        if let alert { return "alert \"\(alert)\"" }
        if let record { return "record \"\(record)\"" }
        return "unnamed rule"
    }
}

/// A coding key accepting any field name, so decoders can list and reject the unknown ones.
struct StrictKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// Throws for the first field (in name order) of `c` that is not in `allowed`.
    static func check(_ c: KeyedDecodingContainer<StrictKey>, allowed: Set<String>) throws {
        for key in c.allKeys.map(\.stringValue).sorted() where !allowed.contains(key) {
            let path = RulesError.path(c.codingPath + [StrictKey(key)])
            throw RulesError(
                .unknownField, "unknown field \"\(path)\"; known fields: \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
