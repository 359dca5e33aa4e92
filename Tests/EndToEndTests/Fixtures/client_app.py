#!/usr/bin/env python3
"""A small prometheus_client app that the end-to-end tests scrape.

Usage: client_app.py PORT (text|negotiate)

Every value is deterministic and changes only when the test asks: GET /set?name=NAME&value=V sets
a gauge, GET /inc?code=CODE adds one to app_requests_total{method="GET",code=CODE}. `text` always
answers in the Prometheus text format 0.0.4; `negotiate` honours Accept (OpenMetrics 1.0 for
Prometheus-style scrapers). GET /last tells which format the last /metrics request got.
"""
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary
from prometheus_client.exposition import CONTENT_TYPE_LATEST, choose_encoder, generate_latest

registry = CollectorRegistry()
requests = Counter("app_requests", "Requests handled.", ["method", "code"], registry=registry)
temperature = Gauge("app_temperature_celsius", "Room temperature.", ["room"], registry=registry)
flag = Gauge("app_alert_flag", "Set to 1 to make the test alert fire.", registry=registry)
latency = Histogram("app_request_duration_seconds", "Request latency.", ["handler"],
                    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0), registry=registry)
payload = Summary("app_payload_bytes", "Payload sizes.", registry=registry)

requests.labels("GET", "200").inc(7)
requests.labels("POST", "500").inc(3)
temperature.labels("kitchen").set(21.5)
temperature.labels("cellar").set(-3.25)
for v in (0.003, 0.02, 0.07, 0.3, 0.3, 2.0, 7.5):
    latency.labels("/api").observe(v)
latency.labels("/health").observe(0.001)
for v in (100, 250, 4096):
    payload.observe(v)

lock = threading.Lock()
last = {"format": "none"}
mode = sys.argv[2] if len(sys.argv) > 2 else "negotiate"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/metrics":
            with lock:
                if mode == "text":
                    body, ctype = generate_latest(registry), CONTENT_TYPE_LATEST
                else:
                    encoder, ctype = choose_encoder(self.headers.get("Accept", ""))
                    body = encoder(registry)
                last["format"] = ctype
            self.reply(200, body, ctype)
        elif url.path == "/set":
            with lock:
                if q["name"] == "app_alert_flag":
                    flag.set(float(q["value"]))
                else:
                    temperature.labels(q.get("room", "kitchen")).set(float(q["value"]))
            self.reply(200, b"ok\n")
        elif url.path == "/inc":
            with lock:
                requests.labels("GET", q.get("code", "200")).inc()
            self.reply(200, b"ok\n")
        elif url.path == "/last":
            self.reply(200, last["format"].encode())
        else:
            self.reply(404, b"not found\n")

    def reply(self, status, body, ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# The test runner may start us with SIGTERM blocked; the test stops us with SIGTERM.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, signal.SIG_DFL)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
