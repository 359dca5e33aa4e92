#!/usr/bin/env bash
# The test command of README.md: installs prerequisites, builds, runs every test (unit,
# component, and end-to-end against real Prometheus, promtool, node exporter, VictoriaMetrics and
# Alertmanager). Extra arguments go to one `swift test` run instead (e.g. `--filter PromQLTests`).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/prerequisites.sh
swift build --product hearth
swift build --build-tests
if [ $# -gt 0 ]; then
    exec swift test --skip-build "$@"
fi
# Unit and component tests run in parallel. The end-to-end tests each drive several real
# processes with wall-clock waits; on a 2-core machine running them side by side starves their
# readiness checks, so they run one after another.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build --skip EndToEndTests 2>&1 | tee "$log"
swift test --skip-build --filter EndToEndTests --no-parallel 2>&1 | tee -a "$log"
# Tests that need a real peer skip themselves (with a "skipping:" line) when it is missing. Here the
# prerequisites were just installed, so a skip means a broken install: fail rather than pass unseen.
if grep -E '^skipping:' "$log"; then
    echo "error: tests above were skipped although deploy/prerequisites.sh ran" >&2
    exit 1
fi
