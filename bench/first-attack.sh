#!/usr/bin/env bash
# The first trickling attack on a freshly started server: with the JVM's default 1 MB G1 regions,
# as shipped (the container's JVM options, deploy/docker/jvm.options), as shipped after a 15 s attack (its handling
# compiled by the JIT), with the JIT's compiler threads at nice 19 or 10, and as shipped with the
# JIT's log (target/reliability/first-attack-compilation.log, for bench/deoptimizations.py). Fresh
# servers, in turn; normal clients at half the saturation rate alone and beside 1,000 trickling
# connections. Naming settings runs only those (fresh-1MB-regions, fresh, after-15s-attack, fresh-jit-nice-19,
# fresh-jit-nice-10, fresh-logging-compilation).
# Usage: bench/first-attack.sh [TRIALS] [SECONDS_PER_PHASE] [SETTING...]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
echo "RESULT,setting,trials,median p99 ratio (tricklers / alone),ratios (SETTING-jit-cpu: the JIT's compiler threads beside the tricklers, in CPUs)"
bench/packaged-server-main.sh io.denseserve.reliability.FirstAttackLatency "${1:-3}" "${2:-20}" "${@:3}" \
  | grep -E '^(machine|RESULT|trial)' | tee target/bench/first-attack.txt
