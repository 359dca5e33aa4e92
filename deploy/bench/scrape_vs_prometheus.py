#!/usr/bin/env python3
"""Side-by-side scrape and remote-write cost of `hearth server` and Prometheus, in one sitting.

Serves a static node_exporter-like page (LINES sample lines) on TARGETS loopback ports, then for
each scraper in turn (Prometheus first, then hearth server, fresh data dirs, same config):

  scrape        scrape every target every INTERVAL into the local TSDB;
  remote_write  the same, plus remote write of everything to a VictoriaMetrics sink.

After WARMUP seconds it measures SECONDS of the scraper's CPU time (utime+stime of its PID from
/proc/PID/stat) and counts samples scraped (sum_over_time(scrape_samples_scraped) over the window,
the same PromQL on both) and samples shipped (prometheus_remote_storage_samples_total delta from
each one's /metrics). Prints one JSON line per run and a ratio table (hearth / Prometheus).

Usage: scrape_vs_prometheus.py --hearth PATH/TO/hearth [--targets 8] [--lines 20000]
       [--interval 1s] [--warmup 20] [--seconds 60] [--modes scrape,remote_write]
Needs prometheus and victoria-metrics on PATH (deploy/prerequisites.sh). Loopback only, free
ports, every process it starts is stopped by its PID; each run stops by itself.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_page(lines):
    """A node_exporter-like text page with `lines` samples in families of realistic shape."""
    families = [
        ("node_cpu_seconds_total", "counter", lambda i: {"cpu": str(i // 8), "mode": ["idle", "user", "system", "iowait",
                                                                                      "irq", "softirq", "steal", "nice"][i % 8]}),
        ("node_network_receive_bytes_total", "counter", lambda i: {"device": "veth%05x" % i}),
        ("node_network_transmit_packets_total", "counter", lambda i: {"device": "veth%05x" % i}),
        ("node_filesystem_avail_bytes", "gauge", lambda i: {"device": "/dev/mapper/vg-lv%d" % i, "fstype": "ext4",
                                                            "mountpoint": "/var/lib/containers/storage/overlay/%08x" % i}),
        ("node_disk_read_bytes_total", "counter", lambda i: {"device": "nvme%dn1p%d" % (i // 16, i % 16)}),
        ("node_softnet_processed_total", "counter", lambda i: {"cpu": str(i)}),
        ("node_interrupts_total", "counter", lambda i: {"cpu": str(i % 64), "devices": "PCI-MSI %d-edge" % i,
                                                        "info": "nvme0q%d" % (i % 32), "type": str(i)}),
        ("node_memory_info_bytes", "gauge", lambda i: {"kind": "slab_%d" % i}),
    ]
    out = []
    per = max(1, lines // len(families))
    n = 0
    for fi, (name, kind, labels) in enumerate(families):
        out.append("# HELP %s Synthetic %s like node_exporter's.\n# TYPE %s %s\n" % (name, kind, name, kind))
        count = per if fi < len(families) - 1 else lines - n
        for i in range(count):
            l = ",".join('%s="%s"' % kv for kv in sorted(labels(i).items()))
            v = (i * 7919.25) if kind == "counter" else 1.0e9 + i * 4096
            out.append("%s{%s} %s\n" % (name, l, repr(v)))
        n += count
    return "".join(out).encode()


class Page(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *a):
        pass


def serve(body, n):
    Page.body = body
    ports, servers = [], []
    for _ in range(n):
        s = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
        ports.append(s.server_address[1])
        servers.append(s)
    return ports, servers


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_up(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            get(url, timeout=2)
            return True
        except Exception:
            time.sleep(0.3)
    return False


def query(base, q, at):
    data = json.loads(get("%s/api/v1/query?%s" % (base, urllib.parse.urlencode({"query": q, "time": "%.3f" % at}))))
    res = data["data"]["result"]
    return float(res[0]["value"][1]) if res else 0.0


def metric_sum(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (line[len(name)] in " {"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(kind, args, ports, sink, workdir):
    port = free_port()
    data = os.path.join(workdir, "%s-%s" % (kind, port))
    os.makedirs(data)
    cfg = os.path.join(data, "config.yml")
    with open(cfg, "w") as f:
        f.write("global: {scrape_interval: %s, scrape_timeout: %s}\nscrape_configs:\n" % (args.interval, args.interval))
        for i, p in enumerate(ports):
            f.write("  - job_name: t%d\n    static_configs: [{targets: ['127.0.0.1:%d']}]\n" % (i, p))
        if sink:
            f.write("remote_write:\n  - url: %s/api/v1/write\n" % sink)
    base = "http://127.0.0.1:%d" % port
    if kind == "prometheus":
        cmd = ["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + data + "/tsdb",
               "--web.listen-address=127.0.0.1:%d" % port]
    else:
        cmd = [args.hearth, "server", "--config.file=" + cfg, "--storage.tsdb.path=" + data + "/tsdb",
               "--web.listen-address=127.0.0.1:%d" % port]
    log = open(os.path.join(data, "log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    try:
        if not wait_up(base + "/-/ready"):
            raise SystemExit("%s did not start; see %s" % (kind, log.name))
        time.sleep(args.warmup)
        t0, c0 = time.time(), cpu_seconds(proc.pid)
        s0 = metric_sum(get(base + "/metrics"), "prometheus_remote_storage_samples_total") if sink else 0
        time.sleep(args.seconds)
        t1, c1 = time.time(), cpu_seconds(proc.pid)
        s1 = metric_sum(get(base + "/metrics"), "prometheus_remote_storage_samples_total") if sink else 0
        scraped = query(base, "sum(sum_over_time(scrape_samples_scraped[%ds]))" % int(t1 - t0), t1)
        cpu = c1 - c0
        shipped = s1 - s0
        result = {
            "scraper": kind, "mode": "remote_write" if sink else "scrape", "targets": len(ports),
            "lines": args.lines, "interval": args.interval, "seconds": round(t1 - t0, 1),
            "cpu_seconds": round(cpu, 2), "samples_scraped": int(scraped),
            "scraped_per_s": round(scraped / (t1 - t0)),
            "cpu_s_per_million_scraped": round(cpu / (scraped / 1e6), 3) if scraped else None,
        }
        if sink:
            result.update({
                "samples_shipped": int(shipped), "shipped_per_s": round(shipped / (t1 - t0)),
                "cpu_s_per_million_shipped": round(cpu / (shipped / 1e6), 3) if shipped else None,
            })
        print(json.dumps(result), flush=True)
        return result
    finally:
        stop(proc)
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hearth", required=True)
    ap.add_argument("--targets", type=int, default=8)
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--interval", default="1s")
    ap.add_argument("--warmup", type=float, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--modes", default="scrape,remote_write")
    args = ap.parse_args()
    body = node_page(args.lines)
    print("page: %d lines, %.2f MB, %d targets" % (args.lines, len(body) / 1e6, args.targets), file=sys.stderr)
    ports, _servers = serve(body, args.targets)
    workdir = tempfile.mkdtemp(prefix="hearth-scrape-bench-")
    vm = None
    results = []
    try:
        sink = None
        if "remote_write" in args.modes:
            vm_port = free_port()
            vm = subprocess.Popen(["victoria-metrics", "-httpListenAddr=127.0.0.1:%d" % vm_port,
                                   "-storageDataPath=" + os.path.join(workdir, "vm")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            sink = "http://127.0.0.1:%d" % vm_port
            if not wait_up(sink + "/health"):
                raise SystemExit("victoria-metrics did not start")
        for mode in args.modes.split(","):
            for kind in ("prometheus", "hearth"):
                results.append(run(kind, args, ports, sink if mode == "remote_write" else None, workdir))
    finally:
        if vm:
            stop(vm)
        shutil.rmtree(workdir, ignore_errors=True)
    by = {(r["scraper"], r["mode"]): r for r in results}
    for mode in args.modes.split(","):
        p, h = by.get(("prometheus", mode)), by.get(("hearth", mode))
        if not p or not h:
            continue
        for k in ("cpu_s_per_million_scraped", "cpu_s_per_million_shipped", "scraped_per_s", "shipped_per_s"):
            if p.get(k) and h.get(k):
                print("%-13s %-27s prometheus %10s  hearth %10s  hearth/prometheus %.2f"
                      % (mode, k, p[k], h[k], h[k] / p[k]))


if __name__ == "__main__":
    main()
