#!/usr/bin/env python3
"""Golden fixtures for PromWire from an independent encoder (Google's Python protobuf + cramjam).

The message layouts below are a second transcription of the remote write 1.0/2.0 and remote read
specs, independent of proto/*.proto, so a wrong field number on either side shows up as a test
failure. Values are compared as a canonical JSON tree: every field by name (defaults included),
doubles as "0x%016x" bit patterns, integers and bools as decimal strings, bytes as hex, a oneof
member only when set, an unset singular message as null.

Usage:
  make-wire-fixtures.py generate [OUT_DIR]        write fixtures + manifest.json (default: the test folder)
  make-wire-fixtures.py verify CASE FILE [MANIFEST] decode FILE (our encoder's output) and compare
                                                    with CASE's expected tree; exit 0 when equal
"""
import json
import math
import os
import struct
import sys

import cramjam
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FD = descriptor_pb2.FieldDescriptorProto
T = {"double": FD.TYPE_DOUBLE, "int64": FD.TYPE_INT64, "uint64": FD.TYPE_UINT64, "sint64": FD.TYPE_SINT64,
     "sint32": FD.TYPE_SINT32, "uint32": FD.TYPE_UINT32, "string": FD.TYPE_STRING, "bytes": FD.TYPE_BYTES,
     "bool": FD.TYPE_BOOL}
HISTOGRAM = [("count_int", 1, "uint64", "count"), ("count_float", 2, "double", "count"), ("sum", 3, "double"),
             ("schema", 4, "sint32"), ("zero_threshold", 5, "double"),
             ("zero_count_int", 6, "uint64", "zero_count"), ("zero_count_float", 7, "double", "zero_count"),
             ("negative_spans", 8, "*BucketSpan"), ("negative_deltas", 9, "*sint64"),
             ("negative_counts", 10, "*double"), ("positive_spans", 11, "*BucketSpan"),
             ("positive_deltas", 12, "*sint64"), ("positive_counts", 13, "*double"),
             ("reset_hint", 14, "enum:ResetHint"), ("timestamp", 15, "int64"), ("custom_values", 16, "*double")]
# package -> {message: (fields, {nested enum: values})}; "*X" repeated, "msg:X"/"enum:X" by name.
SCHEMA = {
    "prometheus": {
        "MetricMetadata": ([("type", 1, "enum:MetricType"), ("metric_family_name", 2, "string"),
                            ("help", 4, "string"), ("unit", 5, "string")],
                           {"MetricType": ["UNKNOWN", "COUNTER", "GAUGE", "HISTOGRAM", "GAUGEHISTOGRAM", "SUMMARY",
                                           "INFO", "STATESET"]}),
        "Sample": ([("value", 1, "double"), ("timestamp", 2, "int64")], {}),
        "Exemplar": ([("labels", 1, "*Label"), ("value", 2, "double"), ("timestamp", 3, "int64")], {}),
        "Histogram": (HISTOGRAM, {"ResetHint": ["UNKNOWN", "YES", "NO", "GAUGE"]}),
        "BucketSpan": ([("offset", 1, "sint32"), ("length", 2, "uint32")], {}),
        "TimeSeries": ([("labels", 1, "*Label"), ("samples", 2, "*Sample"), ("exemplars", 3, "*Exemplar"),
                        ("histograms", 4, "*Histogram")], {}),
        "Label": ([("name", 1, "string"), ("value", 2, "string")], {}),
        "LabelMatcher": ([("type", 1, "enum:Type"), ("name", 2, "string"), ("value", 3, "string")],
                         {"Type": ["EQ", "NEQ", "RE", "NRE"]}),
        "ReadHints": ([("step_ms", 1, "int64"), ("func", 2, "string"), ("start_ms", 3, "int64"),
                       ("end_ms", 4, "int64"), ("grouping", 5, "*string"), ("by", 6, "bool"),
                       ("range_ms", 7, "int64")], {}),
        "Chunk": ([("min_time_ms", 1, "int64"), ("max_time_ms", 2, "int64"), ("type", 3, "enum:Encoding"),
                   ("data", 4, "bytes")], {"Encoding": ["UNKNOWN", "XOR", "HISTOGRAM", "FLOAT_HISTOGRAM"]}),
        "ChunkedSeries": ([("labels", 1, "*Label"), ("chunks", 2, "*Chunk")], {}),
        "WriteRequest": ([("timeseries", 1, "*TimeSeries"), ("metadata", 3, "*MetricMetadata")], {}),
        "ReadRequest": ([("queries", 1, "*Query"), ("accepted_response_types", 2, "*enum:ResponseType")],
                        {"ResponseType": ["SAMPLES", "STREAMED_XOR_CHUNKS"]}),
        "ReadResponse": ([("results", 1, "*QueryResult")], {}),
        "Query": ([("start_timestamp_ms", 1, "int64"), ("end_timestamp_ms", 2, "int64"),
                   ("matchers", 3, "*LabelMatcher"), ("hints", 4, "msg:ReadHints")], {}),
        "QueryResult": ([("timeseries", 1, "*TimeSeries")], {}),
        "ChunkedReadResponse": ([("chunked_series", 1, "*ChunkedSeries"), ("query_index", 2, "int64")], {}),
    },
    "io.prometheus.write.v2": {
        "Request": ([("symbols", 4, "*string"), ("timeseries", 5, "*TimeSeries")], {}),
        "TimeSeries": ([("labels_refs", 1, "*uint32"), ("samples", 2, "*Sample"), ("histograms", 3, "*Histogram"),
                        ("exemplars", 4, "*Exemplar"), ("metadata", 5, "msg:Metadata"),
                        ("created_timestamp", 6, "int64")], {}),
        "Exemplar": ([("labels_refs", 1, "*uint32"), ("value", 2, "double"), ("timestamp", 3, "int64")], {}),
        "Sample": ([("value", 1, "double"), ("timestamp", 2, "int64")], {}),
        "Metadata": ([("type", 1, "enum:MetricType"), ("help_ref", 3, "uint32"), ("unit_ref", 4, "uint32")],
                     {"MetricType": ["METRIC_TYPE_" + n for n in ["UNSPECIFIED", "COUNTER", "GAUGE", "HISTOGRAM",
                                                                  "GAUGEHISTOGRAM", "SUMMARY", "INFO", "STATESET"]]}),
        "Histogram": (HISTOGRAM, {"ResetHint": ["RESET_HINT_" + n for n in ["UNSPECIFIED", "YES", "NO", "GAUGE"]]}),
        "BucketSpan": ([("offset", 1, "sint32"), ("length", 2, "uint32")], {}),
    },
}


def build_pool():
    pool = descriptor_pool.DescriptorPool()
    for package, messages in SCHEMA.items():
        f = descriptor_pb2.FileDescriptorProto(name=package + ".hand.proto", package=package, syntax="proto3")
        for name, (fields, enums) in messages.items():
            m = f.message_type.add(name=name)
            for ename, values in enums.items():
                e = m.enum_type.add(name=ename)
                for i, v in enumerate(values):
                    e.value.add(name=v, number=i)
            oneofs = []
            for spec in fields:
                fname, number, kind = spec[:3]
                fd = m.field.add(name=fname, number=number, json_name=fname)
                fd.label = FD.LABEL_REPEATED if kind.startswith("*") else FD.LABEL_OPTIONAL
                kind = kind.lstrip("*")
                if kind.startswith("enum:"):
                    fd.type, fd.type_name = FD.TYPE_ENUM, ".%s.%s.%s" % (package, name, kind[5:])
                elif kind.startswith("msg:") or kind[0].isupper():
                    fd.type, fd.type_name = FD.TYPE_MESSAGE, ".%s.%s" % (package, kind.split(":")[-1])
                else:
                    fd.type = T[kind]
                if len(spec) == 4:
                    if spec[3] not in oneofs:
                        oneofs.append(spec[3])
                        m.oneof_decl.add(name=spec[3])
                    fd.oneof_index = oneofs.index(spec[3])
        pool.Add(f)
    return pool


POOL = build_pool()


def cls(full_name):
    return message_factory.GetMessageClass(POOL.FindMessageTypeByName(full_name))


def dbits(x):
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def repeated(fd):
    # protobuf >= 5 has is_repeated; older releases only have label.
    return fd.is_repeated if hasattr(fd, "is_repeated") else fd.label == FD.LABEL_REPEATED


def tree(msg):
    """The canonical JSON tree of a message (see the module doc)."""
    out = {}
    for fd in msg.DESCRIPTOR.fields:
        value = getattr(msg, fd.name)
        if fd.containing_oneof is not None and not msg.HasField(fd.name):
            continue
        if repeated(fd):
            out[fd.name] = [scalar(fd, v) for v in value]
        elif fd.type == FD.TYPE_MESSAGE:
            out[fd.name] = tree(value) if msg.HasField(fd.name) else None
        else:
            out[fd.name] = scalar(fd, value)
    return out


def scalar(fd, v):
    if fd.type == FD.TYPE_MESSAGE:
        return tree(v)
    if fd.type == FD.TYPE_DOUBLE:
        return dbits(v)
    if fd.type == FD.TYPE_BYTES:
        return v.hex()
    if fd.type == FD.TYPE_STRING:
        return v
    if fd.type == FD.TYPE_BOOL:
        return "true" if v else "false"
    return str(int(v))


def from_dict(full_name, d):
    """A message from a plain dict; floats may be given as Python floats or '0x…' bit patterns."""
    m = cls(full_name)()
    fill(m, d)
    return m


def fill(m, d):
    for k, v in d.items():
        fd = m.DESCRIPTOR.fields_by_name[k]
        if repeated(fd):
            if fd.type == FD.TYPE_MESSAGE:
                for item in v:
                    fill(getattr(m, k).add(), item)
            else:
                getattr(m, k).extend([conv(fd, x) for x in v])
        elif fd.type == FD.TYPE_MESSAGE:
            fill(getattr(m, k), v)
            getattr(m, k).SetInParent()
        else:
            setattr(m, k, conv(fd, v))


def conv(fd, x):
    if fd.type == FD.TYPE_DOUBLE and isinstance(x, str):
        return struct.unpack("<d", struct.pack("<Q", int(x, 16)))[0]
    return x


STALE = "0x7ff0000000000002"
NAN = "0x7ff8000000000001"
I64MIN, I64MAX = -(1 << 63), (1 << 63) - 1


def node_series(i, t, v):
    labels = [("__name__", "node_cpu_seconds_total"), ("cpu", str(i % 4)), ("instance", "10.0.0.%d:9100" % i),
              ("job", "node"), ("mode", "idle")]
    return {"labels": [{"name": n, "value": val} for n, val in labels], "samples": [{"value": v, "timestamp": t}]}


def cases():
    """(name, message type, dict) for every fixture."""
    int_hist = {"count_int": 12, "sum": 18.4, "schema": 1, "zero_threshold": 0.001, "zero_count_int": 2,
                "negative_spans": [{"offset": 0, "length": 2}], "negative_deltas": [1, -1],
                "positive_spans": [{"offset": -3, "length": 2}, {"offset": 1, "length": 3}],
                "positive_deltas": [1, 2, -1, -2, 5], "reset_hint": 2, "timestamp": 1700000000123}
    float_hist = {"count_float": 7.5, "sum": -3.25, "schema": -53, "zero_count_float": 0.5,
                  "positive_spans": [{"offset": 0, "length": 3}], "positive_counts": [1.5, 2.0, NAN],
                  "custom_values": [0.1, 1.0, float("inf")], "reset_hint": 3, "timestamp": -1}
    yield "write_v1_basic", "prometheus.WriteRequest", {
        "timeseries": [node_series(i, 1700000000000 + i, 1234.5 + i) for i in range(3)],
        "metadata": [{"type": 1, "metric_family_name": "node_cpu_seconds_total",
                      "help": "Seconds the CPUs spent in each mode.", "unit": "seconds"}]}
    yield "write_v1_edge", "prometheus.WriteRequest", {"timeseries": [
        {"labels": [{"name": "__name__", "value": "edge"}], "samples": [
            {"value": STALE, "timestamp": I64MIN}, {"value": NAN, "timestamp": I64MAX},
            {"value": float("inf"), "timestamp": 0}, {"value": "0x8000000000000000", "timestamp": -1},
            {"value": float("-inf"), "timestamp": 1}, {"value": 5e-324, "timestamp": 2**31}]},
        {"labels": [], "samples": [{"value": 1.0, "timestamp": 1}]},
        {"labels": [{"name": "ünïcødé_名前", "value": "值 🚀 \u00e9"}, {"name": "empty", "value": ""},
                    {"name": "z", "value": "a\"b\\c\nd"}, {"name": "a", "value": "unsorted"}]},
        {},
    ]}
    yield "write_v1_histograms", "prometheus.WriteRequest", {"timeseries": [
        {"labels": [{"name": "__name__", "value": "http_request_duration_seconds"}],
         "histograms": [int_hist, float_hist],
         "exemplars": [{"labels": [{"name": "trace_id", "value": "4bf92f3577b34da6"}], "value": 0.042,
                        "timestamp": 1700000000001}, {"value": STALE}]}],
        "metadata": [{"type": 3, "metric_family_name": "http_request_duration_seconds"}, {"type": 42}]}
    yield "write_v2_basic", "io.prometheus.write.v2.Request", {
        "symbols": ["", "__name__", "http_requests_total", "job", "api", "Total requests.", "trace_id", "abc", "名前"],
        "timeseries": [
            {"labels_refs": [1, 2, 3, 4], "samples": [{"value": 10.0, "timestamp": 1700000000000},
                                                      {"value": STALE, "timestamp": I64MAX}],
             "exemplars": [{"labels_refs": [6, 7], "value": 1.5, "timestamp": 1700000000000}],
             "metadata": {"type": 1, "help_ref": 5}, "created_timestamp": 1690000000000},
            {"labels_refs": [1, 8], "histograms": [int_hist, float_hist], "metadata": {"type": 3, "unit_ref": 0}},
            {"labels_refs": [], "samples": [{"value": NAN, "timestamp": I64MIN}]}]}
    yield "read_request", "prometheus.ReadRequest", {
        "queries": [{"start_timestamp_ms": 1700000000000, "end_timestamp_ms": 1700003600000,
                     "matchers": [{"type": 0, "name": "__name__", "value": "up"},
                                  {"type": 2, "name": "job", "value": "node|api"}, {"type": 3, "name": "x"}],
                     "hints": {"step_ms": 15000, "func": "rate", "start_ms": 1, "end_ms": 2,
                               "grouping": ["job", "instance"], "by": True, "range_ms": 300000}},
                    {"start_timestamp_ms": I64MIN, "end_timestamp_ms": I64MAX,
                     "matchers": [{"type": 1, "name": "a", "value": "b"}]}],
        "accepted_response_types": [1, 0]}
    yield "read_response", "prometheus.ReadResponse", {"results": [
        {"timeseries": [node_series(1, 5, 0.25), node_series(2, 6, STALE)]}, {}]}
    yield "chunked_read_response", "prometheus.ChunkedReadResponse", {
        "chunked_series": [{"labels": [{"name": "__name__", "value": "up"}],
                            "chunks": [{"min_time_ms": 1, "max_time_ms": 120, "type": 1,
                                        "data": bytes([0, 2, 1, 2, 3, 255])},
                                       {"min_time_ms": 121, "max_time_ms": 121, "type": 3, "data": b""}]}],
        "query_index": 1}


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    manifest = []
    for name, mtype, d in cases():
        msg = from_dict(mtype, d)
        body = msg.SerializeToString()
        with open(os.path.join(out_dir, name + ".pb"), "wb") as f:
            f.write(body)
        with open(os.path.join(out_dir, name + ".pb.snappy"), "wb") as f:
            f.write(bytes(cramjam.snappy.compress_raw(body)))
        manifest.append({"name": name, "message": mtype, "expected": tree(msg)})
    # A streamed remote-read response: two frames (uvarint length, big-endian crc32c, message).
    frames = [from_dict("prometheus.ChunkedReadResponse", d) for d in (
        dict(cases_by_name()["chunked_read_response"]), {"query_index": 0})]
    stream = b"".join(uvarint(len(b)) + struct.pack(">I", crc32c(b)) + b
                      for b in (m.SerializeToString() for m in frames))
    with open(os.path.join(out_dir, "chunked_read_stream.bin"), "wb") as f:
        f.write(stream)
    manifest.append({"name": "chunked_read_stream", "message": "stream", "expected": [tree(m) for m in frames]})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"cases": manifest}, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


def cases_by_name():
    return {name: d for name, _, d in cases()}


def verify(case, path, manifest_path):
    with open(manifest_path) as f:
        entry = next(c for c in json.load(f)["cases"] if c["name"] == case)
    with open(path, "rb") as f:
        body = f.read()
    msg = cls(entry["message"])()
    msg.ParseFromString(body)
    got = tree(msg)
    if got != entry["expected"]:
        print("mismatch for %s:\n got:  %s\n want: %s" % (case, json.dumps(got, sort_keys=True),
                                                           json.dumps(entry["expected"], sort_keys=True)))
        return 1
    print("ok %s" % case)
    return 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = os.path.join(here, "..", "Tests", "PromWireTests", "Fixtures")
    if len(argv) >= 2 and argv[1] == "generate":
        generate(argv[2] if len(argv) > 2 else fixtures)
        return 0
    if len(argv) >= 4 and argv[1] == "verify":
        return verify(argv[2], argv[3], argv[4] if len(argv) > 4 else os.path.join(fixtures, "manifest.json"))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
