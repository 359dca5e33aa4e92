package import PromModel

/// Matcher evaluation over the block's postings, with Prometheus' semantics.
extension Block {
    /// Series references matching every matcher, ascending (and so in label order).
    ///
    /// A matcher that accepts the empty string also selects series without that label, so it is
    /// applied by removing the series whose value it rejects; the others intersect the postings of
    /// the values they accept. With no narrowing matcher we start from all series.
    package func postings(for matchers: [Matcher]) throws(TSDBError) -> [UInt32] {
        var include: [[UInt32]] = []
        var exclude: [[UInt32]] = []
        for m in matchers {
            if m.matchesEmpty {
                exclude.append(try index.postings(m.name) { !m.matches($0) })
            } else {
                include.append(try postingsMatching(m))
                if include.last!.isEmpty { return [] }
            }
        }
        let base = include.isEmpty ? try index.allPostings() : Postings.intersect(include)
        return Postings.subtract(base, Postings.union(exclude))
    }

    private func postingsMatching(_ m: Matcher) throws(TSDBError) -> [UInt32] {
        if let values = m.setMatches {
            var lists: [[UInt32]] = []
            for v in values { lists.append(try index.postings(m.name, v)) }
            return Postings.union(lists)
        }
        return try index.postings(m.name) { m.matches($0) }
    }

    /// Sorted label names of series matching `matchers` (all names when empty).
    package func labelNames(matching matchers: [Matcher]) throws(TSDBError) -> [String] {
        if matchers.isEmpty { return index.labelNames }
        var names = Set<String>()
        for ref in try postings(for: matchers) {
            for l in try index.series(ref).labels { names.insert(l.name) }
        }
        return names.sorted(by: utf8Less)
    }

    /// Sorted values of label `name` among series matching `matchers` (all values when empty).
    package func labelValues(_ name: String, matching matchers: [Matcher]) throws(TSDBError) -> [String] {
        if matchers.isEmpty { return try index.labelValues(name) }
        var values = Set<String>()
        for ref in try postings(for: matchers) {
            if let v = try index.series(ref).labels.get(name) { values.insert(v) }
        }
        return values.sorted(by: utf8Less)
    }
}
