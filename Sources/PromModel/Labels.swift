/// A series' identity: labels sorted by name, each name at most once, no empty values.
///
/// Sorting is by Unicode scalar order of the names (Swift `String` `<` on valid UTF-8 matches the
/// byte order Prometheus uses). The initializers enforce the invariant; `Labels` never holds a
/// label with an empty value, because Prometheus treats an empty value as an absent label.
public struct Labels: Hashable, Sendable, Sequence, CustomStringConvertible {
    /// The labels in ascending name order.
    public private(set) var items: [Label]

    /// The empty label set.
    public init() { items = [] }

    /// Builds a label set from labels in any order; empty values are dropped and for a duplicated
    /// name the last one wins.
    public init(_ labels: [Label]) {
        var sorted = labels.filter { !$0.value.isEmpty }
        sorted.sort { $0.name < $1.name }
        var out: [Label] = []
        out.reserveCapacity(sorted.count)
        for l in sorted {
            if let last = out.last, last.name == l.name { out[out.count - 1] = l } else { out.append(l) }
        }
        items = out
    }

    /// Builds a label set from a dictionary literal, e.g. `["__name__": "up", "job": "x"]`.
    public init(_ dict: [String: String]) {
        self.init(dict.map { Label(name: $0.key, value: $0.value) })
    }

    /// Wraps labels the caller guarantees are sorted by name, unique and non-empty.
    ///
    /// Decoders that already validated order use this to skip a sort; a broken promise breaks
    /// lookups, so debug builds check it.
    public init(sortedUnchecked labels: [Label]) {
        assert(zip(labels, labels.dropFirst()).allSatisfy { $0.name < $1.name })
        items = labels
    }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    public func makeIterator() -> IndexingIterator<[Label]> { items.makeIterator() }

    /// The value of `name`, or the empty string when absent (Prometheus' convention).
    public subscript(name: String) -> String {
        get { get(name) ?? "" }
    }

    /// The value of `name`, or nil when absent.
    public func get(_ name: String) -> String? {
        // Label sets are small (typically under 16): a linear scan beats binary search here.
        for l in items where l.name == name { return l.value }
        return nil
    }

    /// The metric name, or the empty string.
    public var metricName: String { self[LabelName.metricName] }

    /// A copy with `name` set to `value`; an empty value removes the label.
    public func setting(_ name: String, to value: String) -> Labels {
        var copy = items.filter { $0.name != name }
        if !value.isEmpty {
            let i = copy.firstIndex { $0.name > name } ?? copy.count
            copy.insert(Label(name: name, value: value), at: i)
        }
        return Labels(sortedUnchecked: copy)
    }

    /// A copy without the named labels.
    public func removing(_ names: Set<String>) -> Labels {
        Labels(sortedUnchecked: items.filter { !names.contains($0.name) })
    }

    /// A copy with only the named labels.
    public func keeping(_ names: Set<String>) -> Labels {
        Labels(sortedUnchecked: items.filter { names.contains($0.name) })
    }

    /// A stable 64-bit hash of the label set (xxHash64 over `name 0xff value 0xff …`).
    ///
    /// Stable across processes and versions, so it may be persisted and used to shard.
    public var stableHash: UInt64 {
        var h = XXHash64()
        for l in items {
            h.update(l.name)
            h.update(byte: 0xff)
            h.update(l.value)
            h.update(byte: 0xff)
        }
        return h.finalize()
    }

    /// Prometheus' text form: `{a="1", b="2"}`, with the metric name in front when present.
    public var description: String {
        let name = metricName
        let rest = items.filter { $0.name != LabelName.metricName }
            .map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }
            .joined(separator: ", ")
        if name.isEmpty { return "{\(rest)}" }
        return rest.isEmpty ? name : "\(name){\(rest)}"
    }

    /// Lexicographic comparison of two label sets, the order Prometheus sorts series in.
    public static func compare(_ a: Labels, _ b: Labels) -> Int {
        let n = Swift.min(a.items.count, b.items.count)
        for i in 0..<n {
            let x = a.items[i], y = b.items[i]
            if x.name != y.name { return x.name < y.name ? -1 : 1 }
            if x.value != y.value { return x.value < y.value ? -1 : 1 }
        }
        return a.items.count - b.items.count
    }
}

extension Labels: Comparable {
    public static func < (lhs: Labels, rhs: Labels) -> Bool { compare(lhs, rhs) < 0 }
}

extension Labels: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label(name: $0.0, value: $0.1) })
    }
}

/// Escapes a label value the way Prometheus prints it (`\\`, `\"`, `\n`).
package func escapeLabelValue(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s {
        switch c {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.append(c)
        }
    }
    return out
}
