#!/usr/bin/env bash
# The first trickling attack on a freshly started server against the same attack on a server that
# met a 15 s one before it (its handling compiled by the JIT): fresh servers, alternating, normal
# clients at half the saturation rate alone and beside 1,000 trickling connections.
# Usage: bench/first-attack.sh [TRIALS] [SECONDS_PER_PHASE]
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-3}
SECONDS_PER_PHASE=${2:-20}
OUT=target/bench
mkdir -p "$OUT"
./mvnw -q -B -ntp -DskipTests package
./mvnw -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "RESULT,setting,trials,median p99 ratio (tricklers / alone),ratios"
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat "$OUT/cp.txt")" io.denseserve.reliability.FirstAttackLatency \
  "$TRIALS" "$SECONDS_PER_PHASE" 2>/dev/null | grep -E '^(RESULT|trial)' | tee "$OUT/first-attack.txt"
