/// One step of `relabel_configs`, `metric_relabel_configs`, `write_relabel_configs` or
/// `alert_relabel_configs`, with Prometheus' defaults.
public struct RelabelConfiguration: Decodable, Hashable, Sendable {
    /// What a step does with the joined source value.
    public enum Action: String, Decodable, Hashable, Sendable, CaseIterable {
        case replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase
    }

    /// Labels whose values are joined with ``separator`` into the value the step looks at.
    public var sourceLabels: [String] = []
    /// Placed between source label values; default `;`.
    public var separator: String = ";"
    /// The label written by `replace`, `hashmod`, `lowercase`, `uppercase`, or compared by `keepequal`/`dropequal`.
    public var targetLabel: String = ""
    /// An RE2-style regex, anchored at both ends; default `(.*)`.
    public var regex: String = "(.*)"
    /// The modulus of `hashmod`.
    public var modulus: UInt64 = 0
    /// The replacement with `$1`, `${name}` group references; default `$1`.
    public var replacement: String = "$1"
    /// The action; default `replace`.
    public var action: Action = .replace

    /// Creates a step; every argument defaults like in Prometheus.
    public init(
        sourceLabels: [String] = [], separator: String = ";", targetLabel: String = "", regex: String = "(.*)",
        modulus: UInt64 = 0, replacement: String = "$1", action: Action = .replace
    ) {
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.targetLabel = targetLabel
        self.regex = regex
        self.modulus = modulus
        self.replacement = replacement
        self.action = action
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sourceLabels = "source_labels"
        case separator
        case targetLabel = "target_label"
        case regex, modulus, replacement
        case action
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sourceLabels = try c.decode(.sourceLabels, default: [])
        separator = try c.decode(.separator, default: ";")
        targetLabel = try c.decode(.targetLabel, default: "")
        regex = try c.decode(.regex, default: "(.*)")
        modulus = try c.decode(.modulus, default: 0)
        replacement = try c.decode(.replacement, default: "$1")
        let actionText = try c.decode(.action, default: "replace")
        // Prometheus accepts the action in any case.
        guard let action = Action(rawValue: actionText.lowercased()) else {
            throw ConfigError(
                codingPath: decoder.codingPath + [CodingKeys.action],
                "unknown relabel action \"\(actionText)\"")
        }
        self.action = action
    }

    /// Checks the combination of fields the way Prometheus does.
    /// - Parameter path: the field path of this step, for messages.
    public func validate(path: String) throws {
        func fail(_ field: String, _ message: String) -> ConfigError {
            ConfigError(path: field.isEmpty ? path : "\(path).\(field)", message)
        }
        do { _ = try Relabeler.compile(regex) } catch {
            throw fail("regex", "invalid regular expression \"\(regex)\"")
        }
        for (i, name) in sourceLabels.enumerated() where !isValidLabelName(name) {
            throw fail("source_labels[\(i)]", "invalid label name \"\(name)\"")
        }
        switch action {
        case .replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal:
            if targetLabel.isEmpty { throw fail("target_label", "required for action \(action.rawValue)") }
        default: break
        }
        switch action {
        case .replace:
            if !isValidTargetTemplate(targetLabel) {
                throw fail("target_label", "invalid label name \"\(targetLabel)\"")
            }
        case .hashmod, .lowercase, .uppercase, .keepequal, .dropequal:
            if !isValidLabelName(targetLabel) { throw fail("target_label", "invalid label name \"\(targetLabel)\"") }
        case .labelmap:
            if !isValidTargetTemplate(replacement) {
                throw fail("replacement", "invalid label name \"\(replacement)\"")
            }
        default: break
        }
        if action == .hashmod && modulus == 0 { throw fail("modulus", "required and non-zero for action hashmod") }
        if action == .labeldrop || action == .labelkeep {
            if !sourceLabels.isEmpty || separator != ";" || !targetLabel.isEmpty || modulus != 0 || replacement != "$1"
            {
                throw fail("", "action \(action.rawValue) takes only regex")
            }
        }
        if action == .keepequal || action == .dropequal {
            if regex != "(.*)" || separator != ";" || modulus != 0 || replacement != "$1" {
                throw fail("", "action \(action.rawValue) takes only source_labels and target_label")
            }
        }
    }
}

/// Whether `name` is a classic Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
package func isValidLabelName(_ name: String) -> Bool {
    guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
    return name.utf8.allSatisfy {
        ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
    }
}

/// Whether `text` is a label name that may contain `$1`/`${name}` group references.
func isValidTargetTemplate(_ text: String) -> Bool {
    isValidLabelName(text.replacing(#/\$(\{\w+\}|\w+)/#, with: "x"))
}
