import Crypto
public import PromModel

/// Compiled relabeling steps, applied in order to a label set.
///
/// Immutable and `Sendable`: one instance serves every target and scrape of a job.
public struct Relabeler: Sendable {
    // @unchecked: the regex is never mutated after init, and matching does not mutate it.
    struct Step: @unchecked Sendable {
        let config: RelabelConfiguration
        let regex: Regex<AnyRegexOutput>
        /// The regex is the default `(.*)`, which matches anything as group 1.
        let matchesAll: Bool
    }

    let steps: [Step]

    /// Compiles validated steps.
    /// - Throws: ``ConfigError`` for a regex that does not compile.
    public init(_ configs: [RelabelConfiguration]) throws {
        steps = try configs.map { c in
            Step(config: c, regex: try Self.compile(c.regex), matchesAll: c.regex == "(.*)")
        }
    }

    /// Whether there are no steps.
    public var isEmpty: Bool { steps.isEmpty }

    /// Compiles a relabel regex with `.` matching newlines, as in Prometheus; callers use
    /// `wholeMatch`, which anchors it at both ends.
    static func compile(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        try Regex("(?s:" + pattern + ")")
    }

    /// Applies every step to `labels`.
    /// - Returns: the relabeled set, or nil when a step dropped it.
    public func process(_ labels: Labels) -> Labels? {
        var labels = labels
        for step in steps {
            guard let next = step.apply(labels) else { return nil }
            labels = next
        }
        return labels
    }
}

extension Relabeler.Step {
    func apply(_ labels: Labels) -> Labels? {
        let c = config
        let value = c.sourceLabels.map { labels[$0] }.joined(separator: c.separator)
        switch c.action {
        case .drop:
            return matches(value) ? nil : labels
        case .keep:
            return matches(value) ? labels : nil
        case .dropequal:
            return labels[c.targetLabel] == value ? nil : labels
        case .keepequal:
            return labels[c.targetLabel] == value ? labels : nil
        case .replace:
            guard let match = try? regex.wholeMatch(in: value) else { return labels }
            let target = expand(c.targetLabel, match)
            guard isValidLabelName(target) else { return labels }
            return labels.setting(target, to: expand(c.replacement, match))
        case .lowercase:
            return labels.setting(c.targetLabel, to: value.lowercased())
        case .uppercase:
            return labels.setting(c.targetLabel, to: value.uppercased())
        case .hashmod:
            return labels.setting(c.targetLabel, to: String(hashMod(value, c.modulus)))
        case .labelmap:
            var out = labels
            for label in labels {
                guard let match = try? regex.wholeMatch(in: label.name) else { continue }
                out = out.setting(expand(c.replacement, match), to: label.value)
            }
            return out
        case .labeldrop:
            return Labels(sortedUnchecked: labels.items.filter { !matches($0.name) })
        case .labelkeep:
            return Labels(sortedUnchecked: labels.items.filter { matches($0.name) })
        }
    }

    func matches(_ s: String) -> Bool {
        matchesAll || (try? regex.wholeMatch(in: s)) != nil
    }
}

/// Prometheus' `hashmod`: the MD5 of the value, read as a big-endian integer from its last 8 bytes,
/// modulo `modulus` (earlier Prometheus versions summed all 16 bytes with shifts that overflowed,
/// which keeps exactly those 8 bytes; the current code keeps that result for compatibility).
func hashMod(_ value: String, _ modulus: UInt64) -> UInt64 {
    let digest = Array(Insecure.MD5.hash(data: Array(value.utf8)))
    var n: UInt64 = 0
    for b in digest[8..<16] { n = n << 8 | UInt64(b) }
    return n % modulus
}

/// Go's `regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`; `$$` is a dollar; a malformed reference
/// is kept as text and an unknown group expands to nothing.
func expand(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
    guard template.contains("$") else { return template }
    var out = ""
    var rest = Substring(template)
    while let dollar = rest.firstIndex(of: "$") {
        out += rest[..<dollar]
        rest = rest[rest.index(after: dollar)...]
        if rest.first == "$" {
            out += "$"
            rest = rest.dropFirst()
            continue
        }
        var name: Substring
        if rest.first == "{" {
            guard let close = rest.firstIndex(of: "}") else {
                out += "$"
                continue
            }
            name = rest[rest.index(after: rest.startIndex)..<close]
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
                out += "$"
                continue
            }
            rest = rest[rest.index(after: close)...]
        } else {
            name = rest.prefix { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard !name.isEmpty else {
                out += "$"
                continue
            }
            rest = rest.dropFirst(name.count)
        }
        out += group(name, match)
    }
    return out + rest
}

private func group(_ name: Substring, _ match: Regex<AnyRegexOutput>.Match) -> String {
    if let index = Int(name) {
        guard index < match.output.count, let s = match.output[index].substring else { return "" }
        return String(s)
    }
    guard let element = match.output[String(name)], let s = element.substring else { return "" }
    return String(s)
}
