import PromModel
import PromQL

extension RuleFile {
    /// Checks what `promtool check rules` checks: group names present and unique, durations valid,
    /// exactly one of `record`/`alert`, expressions that parse, valid record and label names, no
    /// alerting-only fields on recording rules, and alert templates that parse.
    ///
    /// - Parameter source: the file name, put first in every message.
    /// - Throws: ``RulesError`` with code `invalidRuleFile` listing every problem, one per line.
    public func validate(source: String) throws {
        let problems = problems(source: source)
        if !problems.isEmpty { throw RulesError(.invalidRuleFile, problems.joined(separator: "\n")) }
    }

    /// Every problem ``validate(source:)`` would report, one message each.
    public func problems(source: String) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        for (gi, group) in groups.enumerated() {
            let where_ = "\(source): group \"\(group.name)\""
            if group.name.isEmpty { out.append("\(source): groups[\(gi)]: group name must not be empty") }
            if !group.name.isEmpty && !seen.insert(group.name).inserted {
                out.append("\(where_): group name is repeated in the same file")
            }
            for (field, text) in [("interval", group.interval), ("query_offset", group.queryOffset)] {
                if let text, let problem = Self.durationProblem(text) { out.append("\(where_): \(field): \(problem)") }
            }
            if group.limit < 0 { out.append("\(where_): limit must not be negative, got \(group.limit)") }
            for (name, _) in group.labels.sorted(by: { $0.key < $1.key }) where !Self.isValidLabelName(name) {
                out.append("\(where_): invalid label name: \(name)")
            }
            for (ri, rule) in group.rules.enumerated() {
                let prefix = "\(where_), rule \(ri + 1) (\(rule.displayName))"
                out += rule.problems().map { "\(prefix): \($0)" }
            }
        }
        return out
    }

    static func durationProblem(_ text: String) -> String? {
        do {
            _ = try PrometheusDuration.parseMilliseconds(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Prometheus' classic label name syntax, `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return false
        }
        return name.utf8.allSatisfy { isWordByte($0) }
    }

    /// Prometheus' classic metric name syntax, `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return false
        }
        return name.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ":") }
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }
}

extension RuleSpec {
    /// The problems of one rule, without the file/group prefix.
    func problems() -> [String] {
        var out: [String] = []
        let record = self.record ?? "", alert = self.alert ?? ""
        if !record.isEmpty && !alert.isEmpty { out.append("only one of 'record' and 'alert' must be set") }
        if record.isEmpty && alert.isEmpty { out.append("one of 'record' or 'alert' must be set") }
        if expr.isEmpty {
            out.append("field 'expr' must be set in rule")
        } else {
            do { _ = try PromQLParser.parse(expr) } catch { out.append("could not parse expression: \(error)") }
        }
        if !record.isEmpty {
            if !annotations.isEmpty { out.append("invalid field 'annotations' in recording rule") }
            if forDuration != nil { out.append("invalid field 'for' in recording rule") }
            if keepFiringFor != nil { out.append("invalid field 'keep_firing_for' in recording rule") }
            if !RuleFile.isValidMetricName(record) { out.append("invalid recording rule name: \(record)") }
        }
        for (field, text) in [("for", forDuration), ("keep_firing_for", keepFiringFor)] {
            if let text, let problem = RuleFile.durationProblem(text) { out.append("\(field): \(problem)") }
        }
        for name in labels.keys.sorted() where !RuleFile.isValidLabelName(name) || name == LabelName.metricName {
            out.append("invalid label name: \(name)")
        }
        for name in annotations.keys.sorted() where !RuleFile.isValidLabelName(name) {
            out.append("invalid annotation name: \(name)")
        }
        // Like promtool, only alerting rules expand templates, so only theirs must parse.
        if !alert.isEmpty {
            for (kind, map) in [("label", labels), ("annotation", annotations)] {
                for (name, text) in map.sorted(by: { $0.key < $1.key }) {
                    do { _ = try Template(text, name: "__alert_\(alert)") } catch {
                        out.append("\(kind) \"\(name)\": \(error)")
                    }
                }
            }
        }
        return out
    }
}
