#!/usr/bin/env bash
# Installs what building, running and testing Hearth needs on Debian 12: the C libraries Hearth
# links, protoc-c, the real Prometheus tools the tests compare against, and the Python packages
# the fixture generators use. Safe to run again; does nothing that is already done.
set -euo pipefail

apt_packages=(libsnappy-dev libprotobuf-c-dev protobuf-c-compiler prometheus prometheus-node-exporter
    prometheus-alertmanager victoria-metrics python3-pip openssl)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Debian packages may start services on :9090, :9093, :9100 and :8428; Hearth's tests start
# their own instances on free ports and never need them.
for service in prometheus prometheus-alertmanager prometheus-node-exporter victoria-metrics; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
        systemctl stop "$service" || true
    fi
done

python3 -c 'import google.protobuf, cramjam, prometheus_client' 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check protobuf cramjam prometheus-client \
    || python3 -m pip install -q --break-system-packages protobuf cramjam prometheus-client
