import PromModel

/// Merges the samples of HA replicas of one series into one stream without interleaving them.
///
/// Replicas scrape the same targets at slightly different times, so a plain union would double the
/// sample rate and zig-zag between two slightly different views. Instead one replica is followed
/// while it has data; only across a gap in it — more than twice its usual sample interval — does
/// the output switch to whichever replica has data first, and then it follows that one.
enum ReplicaDedup {
    /// - Parameter replicas: per replica, samples in strictly increasing time order.
    /// - Returns: one time-ordered stream.
    static func merge(_ replicas: [[Sample]]) -> [Sample] {
        let present = replicas.filter { !$0.isEmpty }
        if present.count <= 1 { return present.first ?? [] }
        var positions = Array(repeating: 0, count: present.count)
        var current = present.indices.min { present[$0][0].t < present[$1][0].t }!
        var gap = gapThreshold(present[current])
        var out: [Sample] = []
        out.reserveCapacity(present.map(\.count).max() ?? 0)
        var lastT = Timestamp.min
        while true {
            // Samples at or before the last one taken are duplicates or from the other view.
            for r in present.indices {
                while positions[r] < present[r].count && present[r][positions[r]].t <= lastT { positions[r] += 1 }
            }
            let next = present[current].indices.contains(positions[current]) ? present[current][positions[current]] : nil
            // Earliest sample any other replica has after lastT.
            let other = present.indices.filter { $0 != current && positions[$0] < present[$0].count }
                .min { present[$0][positions[$0]].t < present[$1][positions[$1]].t }
            if let n = next, out.isEmpty || n.t.ms - lastT.ms <= gap || other.map({ present[$0][positions[$0]].t >= n.t }) ?? true {
                out.append(n)
                lastT = n.t
                positions[current] += 1
                continue
            }
            guard let o = other else { break }
            current = o
            gap = gapThreshold(present[current])
            let s = present[current][positions[current]]
            out.append(s)
            lastT = s.t
            positions[current] += 1
        }
        return out
    }

    /// Twice the median interval between samples (at least 1 ms).
    static func gapThreshold(_ samples: [Sample]) -> Int64 {
        guard samples.count > 1 else { return Int64.max / 4 }
        var deltas = zip(samples.dropFirst(), samples).map { $0.t.ms - $1.t.ms }
        deltas.sort()
        return max(1, deltas[deltas.count / 2] * 2)
    }
}
