import PromModel
import PromWire

/// Builds remote-write bodies from a batch of pending samples.
enum WriteRequestEncoding {
    /// Groups samples by series, keeping each series' samples in WAL order.
    static func group(_ batch: [PendingSample]) -> [(labels: Labels, samples: [Sample])] {
        var index: [Labels: Int] = [:]
        var out: [(labels: Labels, samples: [Sample])] = []
        for p in batch {
            let sample = Sample(t: Timestamp(ms: p.t), v: p.v)
            if let i = index[p.labels] {
                out[i].samples.append(sample)
            } else {
                index[p.labels] = out.count
                out.append((p.labels, [sample]))
            }
        }
        return out
    }

    /// A snappy-compressed remote write 1.0 `WriteRequest`.
    static func v1(_ batch: [PendingSample]) throws -> [UInt8] {
        let series = group(batch).map { TimeSeries(labels: $0.labels.items, samples: $0.samples) }
        return try WriteRequest(timeseries: series).snappyProtobuf()
    }

    /// A snappy-compressed remote write 2.0 `Request` with a deduplicated symbol table.
    static func v2(_ batch: [PendingSample]) throws -> [UInt8] {
        var symbols = [""]
        var refs: [String: UInt32] = ["": 0]
        func ref(_ s: String) -> UInt32 {
            if let r = refs[s] { return r }
            let r = UInt32(symbols.count)
            symbols.append(s)
            refs[s] = r
            return r
        }
        let series = group(batch).map { g in
            var labelRefs: [UInt32] = []
            labelRefs.reserveCapacity(g.labels.count * 2)
            for l in g.labels {
                labelRefs.append(ref(l.name))
                labelRefs.append(ref(l.value))
            }
            return WriteRequestV2.TimeSeries(labelsRefs: labelRefs, samples: g.samples)
        }
        return try WriteRequestV2(symbols: symbols, timeseries: series).snappyProtobuf()
    }
}
