#!/usr/bin/env bash
# Builds the packaged jar (which the class starts as servers) and the test classes, prints the
# machine and its CPU flags, then runs a main class from src/test with the test classpath; its
# stdout passes through, its stderr (engine logs) is dropped. Used by the benchmarks that compare
# packaged servers side by side.
# Usage: bench/packaged-server-main.sh CLASS [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
OUT=target/bench
mkdir -p "$OUT"
./mvnw -q -B -ntp -DskipTests package >&2
./mvnw -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')${ONEDNN_MAX_CPU_ISA:+; oneDNN limited to $ONEDNN_MAX_CPU_ISA}"
CLASS=$1
shift
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat "$OUT/cp.txt")" "$CLASS" "$@" 2>/dev/null
