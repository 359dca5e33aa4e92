import PromModel

extension Evaluator {
    /// topk, bottomk, limitk and limit_ratio: keep whole input series at the steps where they are selected.
    func selectAggregate(
        _ op: AggregateOp, _ param: [Double], _ input: [StepSeries], _ groupOf: [Int], _ G: Int, _ n: Int
    ) throws -> [StepSeries] {
        var keep = input.map { StepSeries(labels: $0.labels, count: n, dropName: $0.dropName) }
        var members = [[Int]](repeating: [], count: G)
        for k in input.indices { members[groupOf[k]].append(k) }
        let hashes = op == .limit_ratio ? input.map { Double($0.labels.stableHash) / Double(UInt64.max) } : []
        for i in 0..<n {
            let p = param[i]
            if op == .limit_ratio {
                if p.isNaN { throw PromQLError.execution("Ratio value is NaN") }
                let ratio = min(1, max(-1, p))
                for k in input.indices where !Absent.isAbsent(input[k].values[i]) {
                    if (ratio >= 0 && hashes[k] < ratio) || (ratio < 0 && hashes[k] >= 1 + ratio) {
                        keep[k].values[i] = input[k].values[i]
                    }
                }
                continue
            }
            if p.isNaN { throw PromQLError.execution("Parameter value is NaN") }
            if p >= 9.223372036854775807e18 || p < -9.223372036854775807e18 {
                throw PromQLError.execution("Scalar value \(formatGoFloat(p)) overflows int64")
            }
            let k = Int(p)
            if k < 1 { continue }
            for g in 0..<G {
                var heap: [Int] = []
                let bottom = op == .bottomk
                func value(_ x: Int) -> Double { input[x].values[i] }
                // Compares series indices (not heap positions), so the heap helpers never read `heap` twice.
                func less(_ a: Int, _ b: Int) -> Bool {
                    let va = value(a), vb = value(b)
                    if va.isNaN { return true }
                    return bottom ? va > vb : va < vb
                }
                for m in members[g] where !Absent.isAbsent(input[m].values[i]) {
                    if heap.count < k {
                        heap.append(m)
                        if op != .limitk { heapUp(&heap, heap.count - 1, less) }
                        continue
                    }
                    if op == .limitk { break }
                    let top = value(heap[0]), v = value(m)
                    let better = bottom ? top > v : top < v
                    if better || (top.isNaN && !v.isNaN) {
                        heap[0] = m
                        if k > 1 { heapFix(&heap, 0, less) }
                    }
                }
                for m in heap { keep[m].values[i] = input[m].values[i] }
            }
        }
        var out = keep.indices.filter { !keep[$0].isEmpty }
        if n == 1 && (op == .topk || op == .bottomk) {
            // Instant results list each group's selection best first, groups in order of appearance.
            let desc = op == .topk
            out.sort { a, b in
                if groupOf[a] != groupOf[b] { return groupOf[a] < groupOf[b] }
                let x = keep[a].values[0], y = keep[b].values[0]
                if x.isNaN || y.isNaN { return !x.isNaN && y.isNaN }
                return desc ? x > y : x < y
            }
        }
        return out.map { keep[$0] }
    }
}

/// Go's `container/heap` up-heap, so ties resolve as in Prometheus.
func heapUp(_ h: inout [Int], _ j0: Int, _ less: (Int, Int) -> Bool) {
    var j = j0
    while true {
        let i = (j - 1) / 2
        if i == j || !less(h[j], h[i]) { break }
        h.swapAt(i, j)
        j = i
    }
}

/// Go's `heap.Fix`.
func heapFix(_ h: inout [Int], _ i: Int, _ less: (Int, Int) -> Bool) {
    if !heapDown(&h, i, h.count, less) { heapUp(&h, i, less) }
}

func heapDown(_ h: inout [Int], _ i0: Int, _ n: Int, _ less: (Int, Int) -> Bool) -> Bool {
    var i = i0
    while true {
        let j1 = 2 * i + 1
        if j1 >= n || j1 < 0 { break }
        var j = j1
        let j2 = j1 + 1
        if j2 < n && less(h[j2], h[j1]) { j = j2 }
        if !less(h[j], h[i]) { break }
        h.swapAt(i, j)
        i = j
    }
    return i > i0
}
