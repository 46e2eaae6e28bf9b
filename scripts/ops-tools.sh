#!/usr/bin/env bash
# Installs, when missing, the Debian packages the operations tests use: promtool
# (prometheus), prometheus-pushgateway and chromium (the HTML report in a real browser).
# Idempotent: does nothing when all three are there. As root (CI and these machines are).
# Measured on an idle machine: prometheus + pushgateway ~26 s, chromium ~37 s (docs/BENCHMARKS.md).
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-pushgateway >/dev/null 2>&1 || missing+=(prometheus-pushgateway)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ops-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts services where systemd runs; the tests start their own.
for service in prometheus prometheus-pushgateway; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then systemctl stop "$service" || true; fi
done
