import PromModel
import Synchronization

/// A lock-protected value; a class so that many can live in an array.
final class LockedBox<Value: Sendable>: Sendable {
    let lock: Mutex<Value>
    init(_ value: Value) { lock = Mutex(value) }
}

/// The head's series, found by label hash or by reference, in lock stripes so that appenders on
/// different series rarely contend.
///
/// Hash collisions (different labels, same 64-bit hash) are kept in a per-stripe side table.
final class StripeSeries: Sendable {
    struct HashStripe: Sendable {
        var byHash: [UInt64: MemSeries] = [:]
        var collisions: [UInt64: [MemSeries]] = [:]
    }

    /// Series of one reference stripe, by `ref >> shift`: references are dense and increasing, so an
    /// array beats a hash map (no hashing, 8 bytes per series). Slots of collected series become nil;
    /// leading nil slots are dropped, so churned series do not keep memory forever.
    struct RefStripe: Sendable {
        var base = 0
        var slots: [MemSeries?] = []
        /// References far from the dense range (e.g. from a foreign WAL), so they cannot blow up `slots`.
        var sparse: [Int: MemSeries] = [:]
        static let maxGap = 1 << 16

        func get(_ i: Int) -> MemSeries? {
            let k = i - base
            return k >= 0 && k < slots.count ? slots[k] : (sparse.isEmpty ? nil : sparse[i])
        }

        mutating func set(_ i: Int, _ s: MemSeries?) {
            if !slots.isEmpty && (i < base - Self.maxGap || i > base + slots.count + Self.maxGap) {
                sparse[i] = s
                return
            }
            if slots.isEmpty { base = i }
            if i < base {
                slots.insert(contentsOf: [MemSeries?](repeating: nil, count: base - i), at: 0)
                base = i
            }
            let k = i - base
            if k >= slots.count { slots.append(contentsOf: [MemSeries?](repeating: nil, count: k - slots.count + 1)) }
            slots[k] = s
        }

        mutating func trim() {
            let lead = slots.firstIndex { $0 != nil } ?? slots.count
            if lead > 64 || lead == slots.count {
                slots.removeFirst(lead)
                base += lead
            }
        }

        var count: Int { slots.reduce(sparse.count) { $1 == nil ? $0 : $0 + 1 } }
    }

    private let hashStripes: [LockedBox<HashStripe>]
    // Kept beside the maps because counting the stripes is O(series), and ingestion asks per request.
    private let liveCount = Atomic<Int>(0)
    private let refStripes: [LockedBox<RefStripe>]
    private let mask: Int
    private let shift: Int

    /// - Parameter stripes: rounded up to a power of two.
    init(stripes: Int) {
        var n = 1
        while n < stripes { n <<= 1 }
        mask = n - 1
        shift = n.trailingZeroBitCount
        hashStripes = (0..<n).map { _ in LockedBox(HashStripe()) }
        refStripes = (0..<n).map { _ in LockedBox(RefStripe()) }
    }

    @inline(__always) private func slot(_ ref: UInt64) -> (stripe: Int, index: Int) {
        (Int(truncatingIfNeeded: ref) & mask, Int(truncatingIfNeeded: ref >> UInt64(shift)))
    }

    func get(ref: UInt64) -> MemSeries? {
        guard ref <= UInt64(Int.max) else { return nil }
        let (stripe, index) = slot(ref)
        return refStripes[stripe].lock.withLock { $0.get(index) }
    }

    func get(hash: UInt64, labels: Labels) -> MemSeries? {
        hashStripes[Int(truncatingIfNeeded: hash) & mask].lock.withLock { s in Self.find(s, hash, labels) }
    }

    /// The series with this hash whose compact labels satisfy `matches` (collisions included).
    func get(hash: UInt64, matches: (CompactLabels) -> Bool) -> MemSeries? {
        hashStripes[Int(truncatingIfNeeded: hash) & mask].lock.withLock { s in
            if let m = s.byHash[hash], matches(m.labels) { return m }
            return s.collisions[hash]?.first { matches($0.labels) }
        }
    }

    private static func find(_ s: HashStripe, _ hash: UInt64, _ labels: Labels) -> MemSeries? {
        if let m = s.byHash[hash], m.labels.equals(labels) { return m }
        return s.collisions[hash]?.first { $0.labels.equals(labels) }
    }

    /// Returns the series with these labels, creating it with `makeRef()` when absent.
    /// - Returns: the series and whether it was created by this call.
    func getOrCreate(hash: UInt64, labels: Labels, makeRef: () -> UInt64) -> (MemSeries, created: Bool) {
        let (series, created) = hashStripes[Int(truncatingIfNeeded: hash) & mask].lock.withLock { s in
            if let m = Self.find(s, hash, labels) { return (m, false) }
            let m = MemSeries(ref: makeRef(), hash: hash, labels: labels)
            if s.byHash[hash] == nil { s.byHash[hash] = m } else { s.collisions[hash, default: []].append(m) }
            return (m, true)
        }
        if created {
            let (stripe, index) = slot(series.ref)
            refStripes[stripe].lock.withLock { $0.set(index, series) }
            liveCount.add(1, ordering: .relaxed)
        }
        return (series, created)
    }

    /// Removes series for which `shouldRemove` returns true (called under the series' stripe locks).
    /// - Returns: the removed series.
    func removeAll(where shouldRemove: (MemSeries) -> Bool) -> [MemSeries] {
        var removed: [MemSeries] = []
        for stripe in refStripes {
            let gone: [MemSeries] = stripe.lock.withLock { refs in
                var victims: [MemSeries] = []
                for k in refs.slots.indices {
                    if let s = refs.slots[k], shouldRemove(s) {
                        victims.append(s)
                        refs.slots[k] = nil
                    }
                }
                refs.trim()
                for (i, s) in refs.sparse where shouldRemove(s) {
                    victims.append(s)
                    refs.sparse[i] = nil
                }
                return victims
            }
            removed += gone
        }
        liveCount.subtract(removed.count, ordering: .relaxed)
        for m in removed {
            hashStripes[Int(truncatingIfNeeded: m.hash) & mask].lock.withLock { s in
                if s.byHash[m.hash] === m {
                    if var c = s.collisions[m.hash], !c.isEmpty {
                        s.byHash[m.hash] = c.removeFirst()
                        s.collisions[m.hash] = c.isEmpty ? nil : c
                    } else {
                        s.byHash[m.hash] = nil
                    }
                } else {
                    s.collisions[m.hash]?.removeAll { $0 === m }
                    if s.collisions[m.hash]?.isEmpty == true { s.collisions[m.hash] = nil }
                }
            }
        }
        return removed
    }

    /// Calls `body` for every series (stripe by stripe; series created meanwhile may be missed).
    func forEach(_ body: (MemSeries) -> Void) {
        for stripe in refStripes {
            let all = stripe.lock.withLock { $0.slots.compactMap { $0 } + $0.sparse.values }
            all.forEach(body)
        }
    }

    /// Number of series; O(1).
    var count: Int { liveCount.load(ordering: .relaxed) }
}
