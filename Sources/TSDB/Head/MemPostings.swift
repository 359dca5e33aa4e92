import PromModel
import Synchronization

/// Label pair → sorted series references, for selecting head series by matchers.
final class MemPostings: Sendable {
    struct State: Sendable {
        var byName: [String: [String: [UInt64]]] = [:]
        var all: [UInt64] = []
    }

    // One lock: postings change only when series are created or collected, the slow path.
    private let state = Mutex(State())

    init() {}

    func add(ref: UInt64, labels: Labels) {
        state.withLock { s in
            Self.insert(ref, into: &s.all)
            for l in labels { Self.insert(ref, into: &s.byName[l.name, default: [:]][l.value, default: []]) }
        }
    }

    private static func insert(_ ref: UInt64, into list: inout [UInt64]) {
        // References are handed out in increasing order, so this is almost always an append.
        if let last = list.last, last > ref {
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid] < ref { lo = mid + 1 } else { hi = mid }
            }
            list.insert(ref, at: lo)
        } else {
            list.append(ref)
        }
    }

    /// Removes the given series (with their labels) from every list they are in.
    func delete(_ series: [(ref: UInt64, labels: Labels)]) {
        guard !series.isEmpty else { return }
        let refs = Set(series.map(\.ref))
        var pairs: [String: Set<String>] = [:]
        for s in series { for l in s.labels { pairs[l.name, default: []].insert(l.value) } }
        state.withLock { s in
            s.all.removeAll { refs.contains($0) }
            for (name, values) in pairs {
                for v in values {
                    s.byName[name]?[v]?.removeAll { refs.contains($0) }
                    if s.byName[name]?[v]?.isEmpty == true { s.byName[name]?[v] = nil }
                }
                if s.byName[name]?.isEmpty == true { s.byName[name] = nil }
            }
        }
    }

    /// Sorted label names.
    func labelNames() -> [String] { state.withLock { $0.byName.keys.sorted() } }

    /// Sorted values of a label name.
    func labelValues(_ name: String) -> [String] { state.withLock { ($0.byName[name]?.keys).map { $0.sorted() } ?? [] } }

    /// Sorted references of series matching all matchers (all series for no matchers).
    ///
    /// Matchers that reject the empty string select by union of matching values, intersected;
    /// matchers that accept it (`a!="x"`, `a=~".*"`, `a=""`) subtract the series whose value fails.
    func select(_ matchers: [Matcher]) -> [UInt64] {
        state.withLock { s in
            var result: [UInt64]?
            var subtract: [[UInt64]] = []
            for m in matchers {
                let values = s.byName[m.name] ?? [:]
                if m.matchesEmpty {
                    subtract.append(unionAll(values.filter { !m.matches($0.key) }.map(\.value)))
                } else {
                    let lists: [[UInt64]]
                    if let set = m.setMatches { lists = set.compactMap { values[$0] } } else {
                        lists = values.filter { m.matches($0.key) }.map(\.value)
                    }
                    let u = unionAll(lists)
                    result = result.map { intersect($0, u) } ?? u
                }
            }
            var r = result ?? s.all
            for x in subtract where !x.isEmpty { r = difference(r, x) }
            return r
        }
    }
}

/// Sorted, de-duplicated union of sorted lists.
func unionAll(_ lists: [[UInt64]]) -> [UInt64] {
    if lists.count <= 1 { return lists.first ?? [] }
    var all = lists.flatMap { $0 }
    all.sort()
    var out: [UInt64] = []
    out.reserveCapacity(all.count)
    for x in all where out.last != x { out.append(x) }
    return out
}

/// Intersection of two sorted lists.
func intersect(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    var out: [UInt64] = []
    var i = 0, j = 0
    while i < a.count && j < b.count {
        if a[i] == b[j] { out.append(a[i]); i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
    }
    return out
}

/// Elements of sorted `a` not in sorted `b`.
func difference(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    var out: [UInt64] = []
    var j = 0
    for x in a {
        while j < b.count && b[j] < x { j += 1 }
        if j < b.count && b[j] == x { continue }
        out.append(x)
    }
    return out
}
