#!/usr/bin/env bash
# The run command of README.md: installs prerequisites, builds and starts Hearth's main job on
# its embedded default. Until `hearth receive` and `hearth server` exist it shows the command.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/prerequisites.sh
swift build -c release --product hearth
bin="$(swift build -c release --show-bin-path)/hearth"
exec "$bin" "$@"
