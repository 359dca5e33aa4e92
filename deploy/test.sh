#!/usr/bin/env bash
# The test command of README.md: installs prerequisites, builds, runs every test (unit,
# component, and end-to-end against real Prometheus, promtool, node exporter and Alertmanager).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/prerequisites.sh
swift build --product hearth
swift build --build-tests
swift test "$@"
