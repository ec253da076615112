#!/usr/bin/env bash
# A lone client against DenseNet-121: the service's c=1 latency beside the in-process batch-1
# forward pass of the same plan with the same options, rounds interleaved, each measurement its own
# process. For each SETTING (a -D list for the JVM, "-" for none): ForwardBench's batch-1 pass, then
# the packaged jar under wrk at c=1, with the medians of the server's own timings.
# Usage: [WARM_SECONDS=3] bench/lone-request.sh [ROUNDS] [SECONDS] [SETTING...]
#   e.g. bench/lone-request.sh 3 10 - -Ddenseserve.onnxruntime.spin=none
# WARM_SECONDS: how long the lone client runs before the measured run. Java 17's JIT warms the
# HTTP path with the traffic: 3 s measures a server just started, 60 s one that has served a while.
# Needs wrk and target/bench's weights and photo (bench/http-load.sh makes them).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
ROUNDS=${1:-3}
SECS=${2:-10}
shift 2 || true
SETTINGS=("${@:--}")
. bench/serve-lib.sh
./mvnw -q -B -ntp -DskipTests package
./mvnw -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/bench/cp.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench/cp.txt)"
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
ab_model densenet121
trap '[ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2>/dev/null || true' EXIT
echo "RESULT,setting,round,forward b1 ms,c=1 p50 ms,c=1 p99 ms,req/s,server decode ms,queue ms,inference ms,total ms"
for round in $(seq "$ROUNDS"); do
  for setting in "${SETTINGS[@]}"; do
    opts=(); [ "$setting" = - ] || read -r -a opts <<< "$setting"
    forward=$(java "${opts[@]}" -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
      io.denseserve.bench.ForwardBench onnxruntime target/bench/densenet121.pth 1 40 2>/dev/null | grep '^RESULT' | cut -d, -f4)
    SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-} ${opts[*]}" serve target/bench/lone-request.log -jar "$JAR" "${AB_ARGS[@]}"
    IMAGE=$AB_IMAGE wrk -t 1 -c 1 -d "${WARM_SECONDS:-3}s" -s bench/post-image.lua http://localhost:$AB_PORT >/dev/null
    out=$(TIMINGS=1 IMAGE=$AB_IMAGE wrk -t 1 -c 1 -d "${SECS}s" -s bench/post-image.lua http://localhost:$AB_PORT)
    stop
    wrk_row=$(grep '^WRK' <<< "$out" | cut -d, -f2-4)
    echo "RESULT,$setting,$round,$(awk -v r="$forward" 'BEGIN {printf "%.2f", 1000 / r}'),$(cut -d, -f2,3 <<< "$wrk_row"),$(cut -d, -f1 <<< "$wrk_row"),$(grep '^TIMINGS' <<< "$out" | cut -d, -f2-)"
  done
done
