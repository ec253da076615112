#!/usr/bin/env bash
# What a loaded model holds once its traffic stops, and what the first request after costs.
# RUNS fresh servers in turn, each with --denseserve.inference.worker-idle-timeout=$IDLE (5s unless
# set): the process's threads (all, and those named inference-*: the workers and the ONNX Runtime
# pool threads a worker opened, which take its name) and RSS at readiness, after 10 s at c=8, and
# once idle (the timeout and 3 s more); then the time of the first request after idle and the
# median of the 9 after it (curl's time_total, one at a time).
# Usage: [JAR=...] bench/idle-model.sh [RUNS] [server args...]   (default model; IMAGE=... for
# another model's input; run bench/http-load.sh once first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}; shift || true
IDLE=${IDLE:-5s}
JAR=${JAR:-$(ls target/denseserve-*.jar | grep -v original | head -1)}
IMAGE=${IMAGE:-target/bench/fashion-0.png}
. bench/serve-lib.sh
post() { curl -fs -o /dev/null -w '%{time_total}\n' -H 'Content-Type: image/png' --data-binary @"$IMAGE" "localhost:$AB_PORT/classify"; }
for run in $(seq "$RUNS"); do
  serve "target/bench/idle-model-$run.log" -jar "$JAR" --denseserve.inference.worker-idle-timeout="$IDLE" "$@"
  pid=$SERVER_PID
  line="run,$run"
  at() {
    local inference; inference=$(cat /proc/$pid/task/*/comm 2>/dev/null | grep -c '^inference-' || true)
    line="$line,$1,threads=$(ls /proc/$pid/task | wc -l),inference=$inference,rss_mib=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' /proc/$pid/status)"
  }
  at ready
  IMAGE=$IMAGE wrk -t 2 -c 8 -d 10s -s bench/post-image.lua http://localhost:$AB_PORT >/dev/null; at after_load
  sleep "${IDLE%s}"; sleep 3; at idle
  first=$(post)
  rest=$(for _ in $(seq 9); do post; done | sort -n | sed -n 5p)
  line="$line,first_after_idle_ms=$(echo "$first * 1000" | bc),next_median_ms=$(echo "$rest * 1000" | bc)"
  echo "$line"
  stop
done
