#!/usr/bin/env bash
# This tree's jar under several sets of settings, side by side: one server at a time, the sets
# interleaved round by round, each to readiness and under wrk at concurrency 1 and 16 (bench/serve-lib.sh).
# Usage: bench/settings-ab.sh MODEL ROUNDS SECONDS_PER_POINT "SETTINGS A" "SETTINGS B" ...
#   MODEL: default, densenet121 or densenet121-bf16; "" is the jar's defaults; a setting's words
#   starting with -X or -D go to the JVM (e.g. "-XX:TrimNativeHeapInterval=0"). BENCHMARKS.md's bf16
#   worker layouts: bench/settings-ab.sh densenet121-bf16 2 10 "" \
#     "--denseserve.inference.workers=2 --denseserve.inference.intra-op-threads=1" "--denseserve.inference.workers=1"
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$1 ROUNDS=$2 SECS=$3
shift 3
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
. bench/serve-lib.sh
ab_model "$MODEL"
for round in $(seq "$ROUNDS"); do
  n=0
  for settings in "$@"; do
    n=$((n + 1))
    # shellcheck disable=SC2086 # each set is a list of arguments
    ab_run "$MODEL-$n" "$JAR" "$AB_IMAGE" "${AB_ARGS[@]}" $settings | sed "s|^|${settings:-defaults}: |"
  done
done
