#!/usr/bin/env bash
# Does G1 grow the heap under load, and when? RUNS fresh servers in turn, each with a GC log
# (target/bench/heap-growth-N.gc.log): RSS and the committed heap at readiness, after a 5 s warm-up
# at c=4, and after 8 s each at c=1, 4 and 16. A run whose heap grows shows the young collection
# that expanded it in its log ("->...(NEW_SIZE)").
# Usage: bench/heap-growth.sh [RUNS] [server args...]   (default model; run bench/http-load.sh once first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-4}; shift || true
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
IMAGE=${IMAGE:-target/bench/fashion-0.png}
. bench/serve-lib.sh
for run in $(seq "$RUNS"); do
  serve "target/bench/heap-growth-$run.log" -Xlog:gc:file="target/bench/heap-growth-$run.gc.log" -jar "$JAR" "$@"
  pid=$SERVER_PID
  line="run,$run"
  at() { line="$line,$1,rss_mib=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' /proc/$pid/status),heap_mib=$(jcmd $pid GC.heap_info | awk '/garbage-first heap/ {gsub("K,", "", $4); printf "%d", $4 / 1024}')"; }
  at ready
  IMAGE=$IMAGE wrk -t 2 -c 4 -d 5s -s bench/post-image.lua http://localhost:$AB_PORT >/dev/null; at warm
  for c in 1 4 16; do IMAGE=$IMAGE wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d 8s -s bench/post-image.lua http://localhost:$AB_PORT >/dev/null; done
  at after
  echo "$line"
  stop
done
