#!/usr/bin/env bash
# Normal clients beside 5,000 idle connections: opened at once with equal first deadlines (they time
# out and reopen in one wave), with request threads started on demand and with all started with the
# server; opened at once with first deadlines spread over 10-20 s (the default); and opened evenly
# over Tomcat's 20 s connection-timeout. Fresh servers, in turn; normal clients at half the
# saturation rate alone and over 25 s beside the connections.
# Usage: bench/idle-connections.sh [TRIALS] [SECONDS_ALONE]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
echo "RESULT,setting,trials,median p99 ratio (idle connections / alone),ratios"
bench/packaged-server-main.sh io.denseserve.reliability.IdleConnectionsLatency "${1:-3}" "${2:-20}" \
  | grep -E '^(machine|RESULT|trial)' | tee target/bench/idle-connections.txt
