#!/usr/bin/env python3
"""A remote-write endpoint that misbehaves on a schedule, for the end-to-end test of retries.

Usage: remote_write_stub.py PORT OUT_DIR RATE_LIMIT_SECONDS RETRY_AFTER BAD_REQUESTS SPLIT_SECONDS SPLIT_ABOVE

From the first request on, for RATE_LIMIT_SECONDS every request gets 429 with `Retry-After:
RETRY_AFTER`; the next BAD_REQUESTS requests get 400; then for SPLIT_SECONDS a request with more than
SPLIT_ABOVE samples gets 413 (smaller ones 204); after that every request gets 204. Each request's
body is saved as OUT_DIR/NNNNNN.bin and described by a line of OUT_DIR/requests.log:
`seq unix_time status samples retry_after`.
"""
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cramjam

port, out = int(sys.argv[1]), sys.argv[2]
rate_limit_s, retry_after = float(sys.argv[3]), sys.argv[4]
bad_requests, split_s, split_above = int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
lock = threading.Lock()
state = {"seq": 0, "first": None, "bad_left": bad_requests, "split_from": None}


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def fields(buf):
    """(field number, wire type, payload) of one protobuf message; LEN payloads as bytes."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v


def count_samples(body):
    raw = bytes(cramjam.snappy.decompress_raw(body))
    n = 0
    for num, _, ts in fields(raw):
        if num == 1:  # WriteRequest.timeseries
            n += sum(1 for f, _, _ in fields(ts) if f == 2)  # TimeSeries.samples
    return n


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        samples = count_samples(body)
        now = time.time()
        with lock:
            seq = state["seq"]
            state["seq"] += 1
            if state["first"] is None:
                state["first"] = now
            after = ""
            if now < state["first"] + rate_limit_s:
                status, after = 429, retry_after
            elif state["bad_left"] > 0:
                state["bad_left"] -= 1
                status = 400
            else:
                if state["split_from"] is None:
                    state["split_from"] = now
                if now < state["split_from"] + split_s and samples > split_above:
                    status = 413
                else:
                    status = 204
            with open(os.path.join(out, "%06d.bin" % seq), "wb") as f:
                f.write(body)
            with open(os.path.join(out, "requests.log"), "a") as f:
                f.write("%d %.3f %d %d %s\n" % (seq, now, status, samples, after or "-"))
        self.send_response(status)
        if after:
            self.send_header("Retry-After", after)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# The test runner may start us with SIGTERM blocked; the test stops us with SIGTERM.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, signal.SIG_DFL)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
