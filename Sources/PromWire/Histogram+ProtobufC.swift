import CHearthProto
import CProtobufC
import PromModel

// Histogram conversion for protobuf-c. `prometheus.Histogram` and `io.prometheus.write.v2.Histogram`
// are the same message, so protoc-c emits C structs with identical layouts (HistogramLayoutTests
// checks sizes and offsets); the 2.0 bridge reuses this code by rebinding the memory and swapping
// the descriptor pointer.

extension Histogram {
    init(c h: Prometheus__Histogram) {
        switch h.count_case {
        case PROMETHEUS__HISTOGRAM__COUNT_COUNT_INT: count = .int(h.count_int)
        case PROMETHEUS__HISTOGRAM__COUNT_COUNT_FLOAT: count = .float(h.count_float)
        default: count = nil
        }
        sum = h.sum
        schema = h.schema
        zeroThreshold = h.zero_threshold
        switch h.zero_count_case {
        case PROMETHEUS__HISTOGRAM__ZERO_COUNT_ZERO_COUNT_INT: zeroCount = .int(h.zero_count_int)
        case PROMETHEUS__HISTOGRAM__ZERO_COUNT_ZERO_COUNT_FLOAT: zeroCount = .float(h.zero_count_float)
        default: zeroCount = nil
        }
        negativeSpans = Self.spans(h.negative_spans, h.n_negative_spans)
        negativeDeltas = scalars(h.negative_deltas, h.n_negative_deltas)
        negativeCounts = scalars(h.negative_counts, h.n_negative_counts)
        positiveSpans = Self.spans(h.positive_spans, h.n_positive_spans)
        positiveDeltas = scalars(h.positive_deltas, h.n_positive_deltas)
        positiveCounts = scalars(h.positive_counts, h.n_positive_counts)
        resetHint = ResetHint(rawValue: enumValue(h.reset_hint))
        timestamp = Timestamp(ms: h.timestamp)
        customValues = scalars(h.custom_values, h.n_custom_values)
    }

    private static func spans(_ p: UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__BucketSpan>?>?, _ n: Int)
        -> [BucketSpan]
    {
        // The transform cannot throw; `try!` only satisfies the shared helper's signature.
        try! messages(p, n) { (_, s) in BucketSpan(offset: s.pointee.offset, length: s.pointee.length) }
    }

    /// The C form; `v2` selects the 2.0 descriptors for the histogram and its spans.
    func c(_ arena: CArena, v2: Bool = false) throws(WireError) -> Prometheus__Histogram {
        var h = Prometheus__Histogram()
        prometheus__histogram__init(&h)
        if v2 {
            var v2h = Io__Prometheus__Write__V2__Histogram()
            io__prometheus__write__v2__histogram__init(&v2h)
            h.base.descriptor = v2h.base.descriptor
        }
        switch count {
        case .int(let v): (h.count_case, h.count_int) = (PROMETHEUS__HISTOGRAM__COUNT_COUNT_INT, v)
        case .float(let v): (h.count_case, h.count_float) = (PROMETHEUS__HISTOGRAM__COUNT_COUNT_FLOAT, v)
        case nil: break
        }
        h.sum = sum
        h.schema = schema
        h.zero_threshold = zeroThreshold
        switch zeroCount {
        case .int(let v):
            (h.zero_count_case, h.zero_count_int) = (PROMETHEUS__HISTOGRAM__ZERO_COUNT_ZERO_COUNT_INT, v)
        case .float(let v):
            (h.zero_count_case, h.zero_count_float) = (PROMETHEUS__HISTOGRAM__ZERO_COUNT_ZERO_COUNT_FLOAT, v)
        case nil: break
        }
        (h.n_negative_spans, h.negative_spans) = (negativeSpans.count, try Self.spansToC(negativeSpans, arena, v2))
        (h.n_negative_deltas, h.negative_deltas) = (
            negativeDeltas.count, try arena.array(negativeDeltas.count, of: Int64.self) { negativeDeltas[$0] }
        )
        (h.n_negative_counts, h.negative_counts) = (
            negativeCounts.count, try arena.array(negativeCounts.count, of: Double.self) { negativeCounts[$0] }
        )
        (h.n_positive_spans, h.positive_spans) = (positiveSpans.count, try Self.spansToC(positiveSpans, arena, v2))
        (h.n_positive_deltas, h.positive_deltas) = (
            positiveDeltas.count, try arena.array(positiveDeltas.count, of: Int64.self) { positiveDeltas[$0] }
        )
        (h.n_positive_counts, h.positive_counts) = (
            positiveCounts.count, try arena.array(positiveCounts.count, of: Double.self) { positiveCounts[$0] }
        )
        h.reset_hint = cEnum(resetHint.rawValue)
        h.timestamp = timestamp.ms
        (h.n_custom_values, h.custom_values) = (
            customValues.count, try arena.array(customValues.count, of: Double.self) { customValues[$0] }
        )
        return h
    }

    private static func spansToC(_ spans: [BucketSpan], _ arena: CArena, _ v2: Bool) throws(WireError)
        -> UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__BucketSpan>?>?
    {
        try arena.array(spans.count, of: UnsafeMutablePointer<Prometheus__BucketSpan>?.self) { i in
            var s = Prometheus__BucketSpan()
            prometheus__bucket_span__init(&s)
            if v2 {
                var v2s = Io__Prometheus__Write__V2__BucketSpan()
                io__prometheus__write__v2__bucket_span__init(&v2s)
                s.base.descriptor = v2s.base.descriptor
            }
            s.offset = spans[i].offset
            s.length = spans[i].length
            return arena.message(s)
        }
    }
}
