import PromModel
import PromWire

/// A deterministic generator (SplitMix64), so every failing input can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random but well-formed messages for round-trip and differential tests.
struct RandomWire {
    var rng: SplitMix64

    static let strings = ["", "a", "__name__", "node_cpu_seconds_total", "ünï", "名前", "🚀", "x\"y\\z\n", "le", "+Inf"]
    static let doubles: [Double] = [
        0, 1, -1.5, .infinity, -.infinity, .nan, StaleNaN.value, Double(bitPattern: 0x7ff8_0000_0000_0001),
        .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-300, 0.1,
    ]
    static let int64s: [Int64] = [
        0, 1, -1, 127, 128, 16383, 16384, Int64(Int32.max), 1 << 32, .max, .min, 1_700_000_000_000,
    ]

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func count(_ max: Int) -> Int { Int.random(in: 0...max, using: &rng) }

    mutating func string() -> String {
        count(3) == 0 ? pick(Self.strings) + pick(Self.strings) : pick(Self.strings)
    }

    mutating func labels() -> [Label] { (0..<count(4)).map { _ in Label(name: string(), value: string()) } }

    mutating func histogram() -> Histogram {
        var h = Histogram()
        h.count =
            count(2) == 0
            ? nil : (count(1) == 0 ? .int(UInt64(bitPattern: pick(Self.int64s))) : .float(pick(Self.doubles)))
        h.sum = pick(Self.doubles)
        h.schema = Int32(truncatingIfNeeded: pick(Self.int64s))
        h.zeroThreshold = pick(Self.doubles)
        h.zeroCount = count(2) == 0 ? nil : (count(1) == 0 ? .int(UInt64(count(1000))) : .float(pick(Self.doubles)))
        h.negativeSpans = (0..<count(2)).map { _ in BucketSpan(offset: Int32(count(20)) - 10, length: UInt32(count(5)))
        }
        h.negativeDeltas = (0..<count(3)).map { _ in pick(Self.int64s) }
        h.positiveSpans = (0..<count(2)).map { _ in BucketSpan(offset: Int32.min + Int32(count(3)), length: .max) }
        h.positiveCounts = (0..<count(3)).map { _ in pick(Self.doubles) }
        h.resetHint = .init(rawValue: Int32(count(4)))
        h.timestamp = Timestamp(ms: pick(Self.int64s))
        h.customValues = (0..<count(2)).map { _ in pick(Self.doubles) }
        return h
    }

    mutating func series() -> TimeSeries {
        TimeSeries(
            labels: labels(),
            samples: (0..<count(3)).map { _ in Sample(t: Timestamp(ms: pick(Self.int64s)), v: pick(Self.doubles)) },
            exemplars: (0..<(count(4) == 0 ? 1 : 0)).map { _ in
                Exemplar(labels: labels(), value: pick(Self.doubles), timestamp: Timestamp(ms: pick(Self.int64s)))
            },
            histograms: (0..<(count(4) == 0 ? count(2) : 0)).map { _ in histogram() })
    }

    mutating func writeRequest() -> WriteRequest {
        WriteRequest(
            timeseries: (0..<count(5)).map { _ in series() },
            metadata: (0..<(count(3) == 0 ? 1 : 0)).map { _ in
                MetricMetadata(
                    type: .init(rawValue: Int32(count(9))), metricFamilyName: string(), help: string(), unit: string())
            })
    }

    mutating func writeRequestV2() -> WriteRequestV2 {
        let symbols = [""] + (0..<count(6)).map { _ in string() }
        let refs = { (g: inout RandomWire) -> [UInt32] in
            (0..<(g.count(3) * 2)).map { _ in g.count(5) == 0 ? UInt32.max : UInt32(g.count(symbols.count)) }
        }
        return WriteRequestV2(
            symbols: symbols,
            timeseries: (0..<count(4)).map { _ in
                WriteRequestV2.TimeSeries(
                    labelsRefs: refs(&self),
                    samples: (0..<count(2)).map { _ in
                        Sample(t: Timestamp(ms: pick(Self.int64s)), v: pick(Self.doubles))
                    },
                    histograms: (0..<(count(4) == 0 ? 1 : 0)).map { _ in histogram() },
                    exemplars: (0..<(count(4) == 0 ? 1 : 0)).map { _ in
                        .init(labelsRefs: refs(&self), value: pick(Self.doubles), timestamp: pick(Self.int64s))
                    },
                    metadata: count(2) == 0
                        ? nil : .init(type: .init(rawValue: Int32(count(8))), helpRef: UInt32(count(3)), unitRef: 0),
                    createdTimestamp: pick(Self.int64s))
            })
    }

    /// A few random byte-level edits: flips, overwrites, insertions, deletions, truncation.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + count(3)) {
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch count(7) {
            case 0 where !b.isEmpty: b[at] ^= UInt8(1) << UInt8(count(7))
            case 1 where !b.isEmpty: b[at] = UInt8.random(in: 0...255, using: &rng)
            case 2:
                b.insert(contentsOf: (0..<(1 + count(3))).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 3 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + 1 + count(4)))
            case 4: b = Array(b.prefix(at))
            case 6 where !b.isEmpty:
                // Duplicate a range: repeats fields (last-wins and merge rules) or breaks lengths.
                let piece = Array(b[at..<min(b.count, at + 1 + count(12))])
                b.insert(contentsOf: piece, at: Int.random(in: 0...b.count, using: &rng))
            case 5 where !b.isEmpty: b[at] = pick([0x00, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0x0a, 0x12, 0x09, 0x0b, 0x0c])
            default: b.insert(contentsOf: [0xf8, 0x07, 0x02, 0x01, 0x02] as [UInt8], at: at)  // unknown field 127
            }
        }
        return b
    }
}
