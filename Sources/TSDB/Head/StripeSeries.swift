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

    private let hashStripes: [LockedBox<HashStripe>]
    private let refStripes: [LockedBox<[UInt64: MemSeries]>]
    private let mask: Int

    /// - Parameter stripes: rounded up to a power of two.
    init(stripes: Int) {
        var n = 1
        while n < stripes { n <<= 1 }
        mask = n - 1
        hashStripes = (0..<n).map { _ in LockedBox(HashStripe()) }
        refStripes = (0..<n).map { _ in LockedBox([:]) }
    }

    func get(ref: UInt64) -> MemSeries? {
        refStripes[Int(truncatingIfNeeded: ref) & mask].lock.withLock { $0[ref] }
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
            refStripes[Int(truncatingIfNeeded: series.ref) & mask].lock.withLock { $0[series.ref] = series }
        }
        return (series, created)
    }

    /// Removes series for which `shouldRemove` returns true (called under the series' stripe locks).
    /// - Returns: the removed series.
    func removeAll(where shouldRemove: (MemSeries) -> Bool) -> [MemSeries] {
        var removed: [MemSeries] = []
        for stripe in refStripes {
            let gone: [MemSeries] = stripe.lock.withLock { refs in
                let victims = refs.values.filter(shouldRemove)
                for v in victims { refs[v.ref] = nil }
                return victims
            }
            removed += gone
        }
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
            let all = stripe.lock.withLock { Array($0.values) }
            all.forEach(body)
        }
    }

    var count: Int { refStripes.reduce(0) { n, s in n + s.lock.withLock { $0.count } } }
}
