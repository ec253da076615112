#!/usr/bin/env bash
# Latency at half the saturation rate, ONNX Runtime's intra-op threads blocking (the service's
# setting) against spinning (ONNX Runtime's default): two servers, rounds alternating between them.
# Usage: bench/half-load-latency.sh [ROUNDS] [SECONDS_PER_ROUND]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-4}
SECONDS_PER_ROUND=${2:-15}
OUT=target/bench
mkdir -p "$OUT"
./mvnw -q -B -ntp -DskipTests package
./mvnw -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "RESULT,setting,answers,pooled p50 ms,pooled p99 ms"
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat "$OUT/cp.txt")" io.denseserve.reliability.HalfLoadLatency \
  "$ROUNDS" "$SECONDS_PER_ROUND" 2>/dev/null | grep -E '^(RESULT|round|blocking|spinning|rounds)' | tee "$OUT/half-load-latency.txt"
