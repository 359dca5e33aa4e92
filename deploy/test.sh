#!/usr/bin/env bash
# The test command of README.md: installs prerequisites, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/prerequisites.sh
swift build --product hearth
swift test "$@"
