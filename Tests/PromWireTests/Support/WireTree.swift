import Foundation
import PromModel
import PromWire

/// The canonical JSON tree of proto/make-wire-fixtures.py: every field by name, doubles as
/// "0x%016x" bit patterns, integers and bools as decimal strings, bytes as hex, a oneof member only
/// when set, an unset singular message as null.
indirect enum WireTree: Equatable, Sendable, CustomStringConvertible {
    case object([String: WireTree])
    case array([WireTree])
    case string(String)
    case null

    /// Parses JSONSerialization output.
    init(json: Any) {
        switch json {
        case let d as [String: Any]: self = .object(d.mapValues { WireTree(json: $0) })
        case let a as [Any]: self = .array(a.map { WireTree(json: $0) })
        case let s as String: self = .string(s)
        default: self = .null
        }
    }

    var description: String {
        switch self {
        case .object(let d): "{" + d.keys.sorted().map { "\($0): \(d[$0]!)" }.joined(separator: ", ") + "}"
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .string(let s): "\"\(s)\""
        case .null: "null"
        }
    }

    subscript(key: String) -> WireTree? {
        if case .object(let d) = self { return d[key] }
        return nil
    }

    static func d(_ v: Double) -> WireTree {
        let hex = String(v.bitPattern, radix: 16)
        return .string("0x" + String(repeating: "0", count: 16 - hex.count) + hex)
    }
    static func i<T: BinaryInteger>(_ v: T) -> WireTree { .string(String(v)) }
    static func s(_ v: String) -> WireTree { .string(v) }
    static func a<T>(_ xs: [T], _ f: (T) -> WireTree) -> WireTree { .array(xs.map(f)) }
}

extension Label { var tree: WireTree { .object(["name": .s(name), "value": .s(value)]) } }
extension Sample { var tree: WireTree { .object(["value": .d(v), "timestamp": .i(t.ms)]) } }
extension BucketSpan { var tree: WireTree { .object(["offset": .i(offset), "length": .i(length)]) } }

extension Histogram {
    var tree: WireTree {
        var o: [String: WireTree] = [
            "sum": .d(sum), "schema": .i(schema), "zero_threshold": .d(zeroThreshold),
            "negative_spans": .a(negativeSpans) { $0.tree }, "negative_deltas": .a(negativeDeltas) { .i($0) },
            "negative_counts": .a(negativeCounts) { .d($0) }, "positive_spans": .a(positiveSpans) { $0.tree },
            "positive_deltas": .a(positiveDeltas) { .i($0) }, "positive_counts": .a(positiveCounts) { .d($0) },
            "reset_hint": .i(resetHint.rawValue), "timestamp": .i(timestamp.ms),
            "custom_values": .a(customValues) { .d($0) },
        ]
        switch count {
        case .int(let v): o["count_int"] = .i(v)
        case .float(let v): o["count_float"] = .d(v)
        case nil: break
        }
        switch zeroCount {
        case .int(let v): o["zero_count_int"] = .i(v)
        case .float(let v): o["zero_count_float"] = .d(v)
        case nil: break
        }
        return .object(o)
    }
}

extension TimeSeries {
    var tree: WireTree {
        .object([
            "labels": .a(labels) { $0.tree }, "samples": .a(samples) { $0.tree },
            "exemplars": .a(exemplars) { e in
                .object(["labels": .a(e.labels) { $0.tree }, "value": .d(e.value), "timestamp": .i(e.timestamp.ms)])
            },
            "histograms": .a(histograms) { $0.tree },
        ])
    }
}

extension WriteRequest {
    var tree: WireTree {
        .object([
            "timeseries": .a(timeseries) { $0.tree },
            "metadata": .a(metadata) { m in
                .object([
                    "type": .i(m.type.rawValue), "metric_family_name": .s(m.metricFamilyName), "help": .s(m.help),
                    "unit": .s(m.unit),
                ])
            },
        ])
    }
}

extension WriteRequestV2 {
    var tree: WireTree {
        .object([
            "symbols": .a(symbols) { .s($0) },
            "timeseries": .a(timeseries) { ts in
                .object([
                    "labels_refs": .a(ts.labelsRefs) { .i($0) }, "samples": .a(ts.samples) { $0.tree },
                    "histograms": .a(ts.histograms) { $0.tree },
                    "exemplars": .a(ts.exemplars) { e in
                        .object([
                            "labels_refs": .a(e.labelsRefs) { .i($0) }, "value": .d(e.value),
                            "timestamp": .i(e.timestamp),
                        ])
                    },
                    "metadata": ts.metadata.map { m in
                        .object(["type": .i(m.type.rawValue), "help_ref": .i(m.helpRef), "unit_ref": .i(m.unitRef)])
                    } ?? .null,
                    "created_timestamp": .i(ts.createdTimestamp),
                ])
            },
        ])
    }
}

extension ReadRequest {
    var tree: WireTree {
        .object([
            "queries": .a(queries) { q in
                .object([
                    "start_timestamp_ms": .i(q.startTimestampMs), "end_timestamp_ms": .i(q.endTimestampMs),
                    "matchers": .a(q.matchers) { m in
                        .object(["type": .i(m.type.rawValue), "name": .s(m.name), "value": .s(m.value)])
                    },
                    "hints": q.hints.map { h in
                        .object([
                            "step_ms": .i(h.stepMs), "func": .s(h.function), "start_ms": .i(h.startMs),
                            "end_ms": .i(h.endMs), "grouping": .a(h.grouping) { .s($0) },
                            "by": .s(h.by ? "true" : "false"),
                            "range_ms": .i(h.rangeMs),
                        ])
                    } ?? .null,
                ])
            },
            "accepted_response_types": .a(acceptedResponseTypes) { .i($0.rawValue) },
        ])
    }
}

extension ReadResponse {
    var tree: WireTree {
        .object(["results": .a(results) { r in .object(["timeseries": .a(r.timeseries) { $0.tree }]) }])
    }
}

extension ChunkedReadResponse {
    var tree: WireTree {
        .object([
            "query_index": .i(queryIndex),
            "chunked_series": .a(chunkedSeries) { s in
                .object([
                    "labels": .a(s.labels) { $0.tree },
                    "chunks": .a(s.chunks) { c in
                        .object([
                            "min_time_ms": .i(c.minTimeMs), "max_time_ms": .i(c.maxTimeMs), "type": .i(c.type.rawValue),
                            "data": .s(c.data.map { String(format: "%02x", $0) }.joined()),
                        ])
                    },
                ])
            },
        ])
    }
}
