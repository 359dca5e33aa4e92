public import PromModel
public import StorageAPI
import TSDB

/// Turns one series' samples into aggregate chunks at a coarser resolution, compatible with Thanos.
///
/// Windows are aligned to the resolution: a window `[k·r, (k+1)·r)` yields one point stamped with its
/// last millisecond `(k+1)·r − 1`, except the last window of a chunk, which is stamped with its last
/// input timestamp so chunks never reach past the data. A chunk holds at most ``windowsPerChunk``
/// windows; a fresh chunk starts only at a window boundary.
public enum Downsampler {
    /// Windows per aggregate chunk (10h at 5m, 5d at 1h).
    public static let windowsPerChunk = 120

    /// The last millisecond of the window `t` falls into.
    public static func windowEnd(_ t: Int64, _ resolution: Int64) -> Int64 {
        floorDiv(t, resolution) * resolution + resolution - 1
    }

    /// Aggregate chunks from raw samples (time-ordered). Prometheus stale markers are skipped.
    public static func downsample(raw samples: [Sample], resolution: Int64) -> [EncodedChunk] {
        let data = samples.filter { !isStaleMarker($0.v) }
        var chunks: [EncodedChunk] = []
        for batch in batches(data, resolution) {
            var parts = AggregateParts()
            var a = RawAggregator()
            let (head, tail) = (batch.first!, batch.last!)
            parts.counter.append(t: head.t, v: head.v)
            let lastT = tail.t.ms
            var window = Int64.min
            for s in batch {
                let w = min(windowEnd(s.t.ms, resolution), lastT)
                if w != window {
                    if window != Int64.min { parts.add(window, a) }
                    a.resetWindow()
                    window = w
                }
                a.add(s.v)
            }
            parts.add(window, a)
            parts.counter.append(t: Timestamp(ms: lastT), v: tail.v)
            chunks.append(parts.encoded())
        }
        return chunks
    }

    /// Aggregate chunks at `resolution` from finer aggregate chunks of one series (time-ordered).
    /// - Parameter chunks: decoded aggregates per input chunk, as ``AggregateChunk/decode(_:)`` returns.
    /// - Throws: ``CompactorError`` `corruption` when an input lacks an aggregate.
    public static func downsample(aggregates chunks: [[[Sample]?]], resolution: Int64) throws -> [EncodedChunk] {
        var points: [(t: Int64, count: Double, sum: Double, min: Double, max: Double)] = []
        var counters: [[Sample]] = []
        var lastRaw: Double?
        for c in chunks {
            guard let count = c[0], let sum = c[1], let mn = c[2], let mx = c[3], let counter = c[4],
                count.count == sum.count, count.count == mn.count, count.count == mx.count
            else { throw CompactorError(.corruption, "aggregate chunk lacks an aggregate or their lengths differ") }
            for i in count.indices { points.append((count[i].t.ms, count[i].v, sum[i].v, mn[i].v, mx[i].v)) }
            counters.append(counter)
            lastRaw = counter.last?.v ?? lastRaw
        }
        let monotone = CounterAggregate.monotone(counters)
        var out: [EncodedChunk] = []
        var p = 0
        var next = 0  // first monotone counter sample not yet used by an earlier chunk
        for batch in batches(points.map { Sample(t: Timestamp(ms: $0.t), v: 0) }, resolution) {
            let lastT = batch.last!.t.ms
            var parts = AggregateParts()
            if next < monotone.count { parts.counter.append(t: monotone[next].t, v: monotone[next].v) }
            var window = Int64.min
            var agg = RawAggregator()
            func flush() {
                guard window != Int64.min else { return }
                while next < monotone.count && monotone[next].t.ms <= window {
                    agg.counter = monotone[next].v
                    next += 1
                }
                parts.add(window, agg)
            }
            for _ in batch {
                let pt = points[p]
                p += 1
                let w = min(windowEnd(pt.t, resolution), lastT)
                if w != window {
                    flush()
                    agg.resetWindow()
                    window = w
                }
                agg.count += Int(pt.count)
                agg.sum += pt.sum
                agg.min = Swift.min(agg.min, pt.min)
                agg.max = Swift.max(agg.max, pt.max)
            }
            flush()
            // The series' true last raw value ends the last chunk, so a reset at the next block shows.
            let marker = p == points.count ? (lastRaw ?? agg.counter) : agg.counter
            parts.counter.append(t: Timestamp(ms: lastT), v: marker)
            out.append(parts.encoded())
        }
        return out
    }

    /// Splits time-ordered data at window boundaries into runs of at most ``windowsPerChunk`` windows.
    static func batches(_ data: [Sample], _ resolution: Int64) -> [ArraySlice<Sample>] {
        var result: [ArraySlice<Sample>] = []
        var start = 0
        var windows = 0
        var current = Int64.min
        for (i, s) in data.enumerated() {
            let w = windowEnd(s.t.ms, resolution)
            guard w != current else { continue }
            current = w
            windows += 1
            if windows > windowsPerChunk {
                result.append(data[start..<i])
                start = i
                windows = 1
            }
        }
        if start < data.count { result.append(data[start...]) }
        return result
    }

    /// Prometheus' stale marker, a specific NaN.
    static func isStaleMarker(_ v: Double) -> Bool { v.bitPattern == 0x7ff0_0000_0000_0002 }
}

/// Running aggregates: per window count, sum, min, max; across the chunk the counter with resets folded in.
struct RawAggregator {
    var total = 0
    var count = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var counter = 0.0
    var last = 0.0

    mutating func add(_ v: Double) {
        if total == 0 {
            counter = v
        } else {
            counter += v >= last ? v - last : v
        }
        last = v
        if v < min { min = v }
        if v > max { max = v }
        sum += v
        count += 1
        total += 1
    }

    mutating func resetWindow() {
        count = 0
        sum = 0
        min = .infinity
        max = -.infinity
    }
}

/// The five sub-chunks being filled for one aggregate chunk.
struct AggregateParts {
    var count = XORChunk(), sum = XORChunk(), min = XORChunk(), max = XORChunk(), counter = XORChunk()
    private var first = Int64.max, last = Int64.min

    mutating func add(_ t: Int64, _ a: RawAggregator) {
        let ts = Timestamp(ms: t)
        count.append(t: ts, v: Double(a.count))
        sum.append(t: ts, v: a.sum)
        min.append(t: ts, v: a.min)
        max.append(t: ts, v: a.max)
        counter.append(t: ts, v: a.counter)
        first = Swift.min(first, t)
        last = Swift.max(last, t)
    }

    func encoded() -> EncodedChunk {
        EncodedChunk(
            minTime: Timestamp(ms: Swift.min(first, counter.minTime.ms)), maxTime: Timestamp(ms: last),
            encoding: .aggregate, bytes: AggregateChunk.encode([count, sum, min, max, counter]))
    }
}
