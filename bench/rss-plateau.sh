#!/usr/bin/env bash
# Does the server's resident memory (native included) keep growing with requests served? Warm up
# at full concurrency, then record process RSS after each of ROUNDS rounds of load.
# Usage: bench/rss-plateau.sh [ROUNDS] [SECONDS] [server args...]   (default model by default)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
ROUNDS=${1:-5}; SECONDS_PER_ROUND=${2:-10}; shift 2 || true
OUT=target/bench; PORT=18082
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
[ -f "$OUT/fashion-0.png" ] || { echo "run bench/http-load.sh first (it makes the test image)"; exit 2; }
IMAGE=${IMAGE:-$OUT/fashion-0.png}
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 OPT_OUT_TRACKING=true
java -jar "$JAR" --server.port=$PORT --logging.level.root=warn "$@" > "$OUT/server-rss.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 240); do curl -fs localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
# metric NAME [GREP]: sum of the samples of NAME whose line contains GREP
metric() { curl -fs localhost:$PORT/actuator/prometheus | grep "^$1" | grep -F -- "${2:-}" | awk '{s += $NF} END {printf "%.0f", s}'; }
IMAGE=$IMAGE wrk -t 2 -c 16 -d ${SECONDS_PER_ROUND}s -s bench/post-image.lua http://localhost:$PORT >/dev/null
echo "round,requests_served,rss_mib,heap_used_mib,heap_committed_mib"
for r in $(seq "$ROUNDS"); do
  IMAGE=$IMAGE wrk -t 2 -c 16 -d ${SECONDS_PER_ROUND}s -s bench/post-image.lua http://localhost:$PORT >/dev/null
  echo "$r,$(metric denseserve_requests_total),$(( $(metric process_resident_memory_bytes) / 1048576 )),$(( $(metric jvm_memory_used_bytes 'area="heap"') / 1048576 )),$(( $(metric jvm_memory_committed_bytes 'area="heap"') / 1048576 ))"
done
