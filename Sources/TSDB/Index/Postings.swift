/// Set operations on ascending lists of series references.
package enum Postings {
    /// References present in every list.
    package static func intersect(_ lists: [[UInt32]]) -> [UInt32] {
        guard var acc = lists.min(by: { $0.count < $1.count }) else { return [] }
        for l in lists where !acc.isEmpty { acc = intersect(acc, l) }
        return acc
    }

    /// References present in both `a` and `b`.
    package static func intersect(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] {
                i += 1
            } else if a[i] > b[j] {
                j += 1
            } else {
                out.append(a[i])
                i += 1
                j += 1
            }
        }
        return out
    }

    /// References present in any list, ascending and unique.
    package static func union(_ lists: [[UInt32]]) -> [UInt32] {
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        default:
            // Sorting the concatenation is simple and, for the list counts of one matcher, fast enough.
            var all = lists.flatMap { $0 }
            all.sort()
            var out: [UInt32] = []
            out.reserveCapacity(all.count)
            for r in all where out.last != r { out.append(r) }
            return out
        }
    }

    /// References in `a` that are not in `b`.
    package static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        guard !b.isEmpty else { return a }
        var out: [UInt32] = []
        out.reserveCapacity(a.count)
        var j = 0
        for r in a {
            while j < b.count && b[j] < r { j += 1 }
            if j < b.count && b[j] == r { continue }
            out.append(r)
        }
        return out
    }
}
