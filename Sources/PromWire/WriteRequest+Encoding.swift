import PromModel

// The hand-written encoder for remote write 1.0: sizes first, then one pass into a buffer reserved
// at the exact size. Unlike the protobuf-c encoder it keeps -0.0 (proto3 encoders drop doubles
// that compare equal to 0) and strings with NUL bytes.

extension WriteRequest {
    /// The protobuf encoding of the request, written by the hand-written encoder.
    public func protobuf() -> [UInt8] {
        var size = 0
        for ts in timeseries { size += ProtoSize.delimited(1, ts.encodedSize) }
        for md in metadata { size += ProtoSize.delimited(3, md.encodedSize) }
        var w = ProtoWriter(capacity: size)
        for ts in timeseries {
            w.delimited(1, length: ts.encodedSize)
            ts.encode(into: &w)
        }
        for md in metadata {
            w.delimited(3, length: md.encodedSize)
            w.varintField(1, UInt64(bitPattern: Int64(md.type.rawValue)))
            w.string(2, md.metricFamilyName)
            w.string(4, md.help)
            w.string(5, md.unit)
        }
        assert(w.bytes.count == size)
        return w.bytes
    }
}

extension MetricMetadata {
    var encodedSize: Int {
        ProtoSize.varintField(1, UInt64(bitPattern: Int64(type.rawValue)))
            + ProtoSize.bytesField(2, metricFamilyName.utf8.count)
            + ProtoSize.bytesField(4, help.utf8.count) + ProtoSize.bytesField(5, unit.utf8.count)
    }
}

extension Label {
    var encodedSize: Int { ProtoSize.bytesField(1, name.utf8.count) + ProtoSize.bytesField(2, value.utf8.count) }

    func encode(into w: inout ProtoWriter) {
        w.string(1, name)
        w.string(2, value)
    }
}

extension Sample {
    var encodedSize: Int { ProtoSize.double(1, v) + ProtoSize.varintField(2, UInt64(bitPattern: t.ms)) }
}

extension TimeSeries {
    var encodedSize: Int {
        var n = 0
        for l in labels { n += ProtoSize.delimited(1, l.encodedSize) }
        for s in samples { n += ProtoSize.delimited(2, s.encodedSize) }
        for e in exemplars { n += ProtoSize.delimited(3, e.encodedSize) }
        for h in histograms { n += ProtoSize.delimited(4, h.encodedSize) }
        return n
    }

    func encode(into w: inout ProtoWriter) {
        for l in labels {
            w.delimited(1, length: l.encodedSize)
            l.encode(into: &w)
        }
        for s in samples {
            w.delimited(2, length: s.encodedSize)
            w.double(1, s.v)
            w.varintField(2, UInt64(bitPattern: s.t.ms))
        }
        for e in exemplars {
            w.delimited(3, length: e.encodedSize)
            for l in e.labels {
                w.delimited(1, length: l.encodedSize)
                l.encode(into: &w)
            }
            w.double(2, e.value)
            w.varintField(3, UInt64(bitPattern: e.timestamp.ms))
        }
        for h in histograms {
            w.delimited(4, length: h.encodedSize)
            h.encode(into: &w)
        }
    }
}

extension Exemplar {
    var encodedSize: Int {
        var n = ProtoSize.double(2, value) + ProtoSize.varintField(3, UInt64(bitPattern: timestamp.ms))
        for l in labels { n += ProtoSize.delimited(1, l.encodedSize) }
        return n
    }
}

extension Histogram {
    private static func countSize(_ c: Count?, int: UInt32, float: UInt32) -> Int {
        switch c {
        case .int(let v): ProtoSize.tag(int) + ProtoSize.varint(v)
        case .float: ProtoSize.tag(float) + 8
        case nil: 0
        }
    }

    private static func spanSize(_ s: BucketSpan) -> Int {
        ProtoSize.varintField(1, zigzag(Int64(s.offset))) + ProtoSize.varintField(2, UInt64(s.length))
    }

    private static func deltasSize(_ d: [Int64]) -> Int { d.reduce(0) { $0 + ProtoSize.varint(zigzag($1)) } }

    var encodedSize: Int {
        var n = Self.countSize(count, int: 1, float: 2) + ProtoSize.double(3, sum)
        n += ProtoSize.varintField(4, zigzag(Int64(schema))) + ProtoSize.double(5, zeroThreshold)
        n += Self.countSize(zeroCount, int: 6, float: 7)
        for s in negativeSpans { n += ProtoSize.delimited(8, Self.spanSize(s)) }
        n +=
            ProtoSize.bytesField(9, Self.deltasSize(negativeDeltas))
            + ProtoSize.bytesField(10, negativeCounts.count * 8)
        for s in positiveSpans { n += ProtoSize.delimited(11, Self.spanSize(s)) }
        n +=
            ProtoSize.bytesField(12, Self.deltasSize(positiveDeltas))
            + ProtoSize.bytesField(13, positiveCounts.count * 8)
        n += ProtoSize.varintField(14, UInt64(bitPattern: Int64(resetHint.rawValue)))
        n +=
            ProtoSize.varintField(15, UInt64(bitPattern: timestamp.ms))
            + ProtoSize.bytesField(16, customValues.count * 8)
        return n
    }

    private static func writeCount(_ c: Count?, int: UInt32, float: UInt32, _ w: inout ProtoWriter) {
        switch c {
        case .int(let v):
            w.tag(int, WireType.varint)
            w.varint(v)
        case .float(let v):
            w.tag(float, WireType.fixed64)
            w.fixed64(v.bitPattern)
        case nil: break
        }
    }

    private static func writeSpans(_ field: UInt32, _ spans: [BucketSpan], _ w: inout ProtoWriter) {
        for s in spans {
            w.delimited(field, length: spanSize(s))
            w.varintField(1, zigzag(Int64(s.offset)))
            w.varintField(2, UInt64(s.length))
        }
    }

    private static func writeDeltas(_ field: UInt32, _ d: [Int64], _ w: inout ProtoWriter) {
        guard !d.isEmpty else { return }
        w.delimited(field, length: deltasSize(d))
        for v in d { w.varint(zigzag(v)) }
    }

    private static func writeDoubles(_ field: UInt32, _ d: [Double], _ w: inout ProtoWriter) {
        guard !d.isEmpty else { return }
        w.delimited(field, length: d.count * 8)
        for v in d { w.fixed64(v.bitPattern) }
    }

    func encode(into w: inout ProtoWriter) {
        Self.writeCount(count, int: 1, float: 2, &w)
        w.double(3, sum)
        w.varintField(4, zigzag(Int64(schema)))
        w.double(5, zeroThreshold)
        Self.writeCount(zeroCount, int: 6, float: 7, &w)
        Self.writeSpans(8, negativeSpans, &w)
        Self.writeDeltas(9, negativeDeltas, &w)
        Self.writeDoubles(10, negativeCounts, &w)
        Self.writeSpans(11, positiveSpans, &w)
        Self.writeDeltas(12, positiveDeltas, &w)
        Self.writeDoubles(13, positiveCounts, &w)
        w.varintField(14, UInt64(bitPattern: Int64(resetHint.rawValue)))
        w.varintField(15, UInt64(bitPattern: timestamp.ms))
        Self.writeDoubles(16, customValues, &w)
    }
}
