#!/usr/bin/env bash
# Latency at half the saturation rate, ONNX Runtime's intra-op threads blocking (none, the
# service's setting), spinning in the pass that runs alone and spinning in every pass (ONNX Runtime's
# default): three servers, rounds alternating between them.
# Usage: bench/half-load-latency.sh [ROUNDS] [SECONDS_PER_ROUND]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
echo "RESULT,setting,answers,pooled p50 ms,pooled p99 ms"
bench/packaged-server-main.sh io.denseserve.reliability.HalfLoadLatency "${1:-4}" "${2:-15}" \
  | grep -E '^(machine|RESULT|round|none|alone|all|rounds)' | tee target/bench/half-load-latency.txt
