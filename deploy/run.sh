#!/usr/bin/env bash
# The run command of README.md: Hearth's main job on its embedded default. Installs the
# prerequisites, builds, then starts
#   - `hearth receive` on 127.0.0.1:19291 with its WAL in data/receive and a filesystem bucket in
#     data/bucket, and
#   - `hearth server` on 127.0.0.1:9090 with deploy/prometheus.yml: it scrapes itself and the
#     receiver, stores locally in data/server, and remote-writes everything to the receiver.
# Ctrl-C (or SIGTERM) stops both; the receiver cuts and ships its head on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/prerequisites.sh
swift build -c release --product hearth
bin="$(swift build -c release --show-bin-path)/hearth"
mkdir -p data

"$bin" receive --web.listen-address=127.0.0.1:19291 --storage.path=data/receive --bucket.path=data/bucket &
receiver=$!
stop() {
    kill -TERM "${server:-}" 2>/dev/null || true
    wait "${server:-}" 2>/dev/null || true
    kill -TERM "$receiver" 2>/dev/null || true
    wait "$receiver" 2>/dev/null || true
}
trap stop EXIT INT TERM

"$bin" server --config.file=deploy/prometheus.yml --web.listen-address=127.0.0.1:9090 --storage.tsdb.path=data/server "$@" &
server=$!
echo "hearth server: http://127.0.0.1:9090  (PromQL: /api/v1/query)   hearth receive: http://127.0.0.1:19291"
wait "$server"
