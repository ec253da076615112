#!/usr/bin/env bash
# A model repository under load, from the packaged jar (SERVER_JAVA_OPTS as serve-lib.sh takes it):
#  1. swaps: DenseNet-121 served from target/bench/repository while wrk classifies with it at c=8 for
#     SECONDS; meanwhile its version 2 folder appears and is loaded (version 2 takes the traffic,
#     version 1 drains and is freed), then disappears and is loaded again, SWAPS times. Prints wrk's
#     line (errors counts every non-2xx answer and socket error) and the process's RSS at ready,
#     after 20 s of the same load without swaps, after each swap and after the last (and "settled":
#     after a full collection and a trim of the native heap, through jcmd).
#  2. a second model: the embedded Fashion-MNIST model loaded beside it: RSS, and each model's
#     throughput alone and with both loaded at once (c=8 each).
# Usage: bench/model-swap.sh [SECONDS] [SWAPS]   (run bench/http-load.sh once first for target/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
SWAPS=${2:-10}
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
. bench/serve-lib.sh
REPO=target/bench/repository
TOKEN=bench-token
rm -rf "$REPO" && mkdir -p "$REPO/densenet121/1"
version() { # folder: torchvision.json beside a link to the bench's DenseNet-121 weights
  mkdir -p "$1" && ln -sf "$PWD/target/bench/densenet121.pth" "$1/densenet121.pth"
  echo '{"variant": "densenet121", "weights": "densenet121.pth"}' > "$1/torchvision.json"
}
version "$REPO/densenet121/1"
serve target/bench/model-swap.log -jar "$JAR" --denseserve.model.repository="$REPO" \
  --denseserve.management.token=$TOKEN --denseserve.model.default-model=densenet121
trap stop EXIT
rss() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$SERVER_PID/status; }
# RSS once the JVM has collected its garbage and glibc has handed its free memory back (what a load
# does after freeing a version), so that two moments compare what is held, not what awaits collection
settled() { jcmd $SERVER_PID GC.run >/dev/null; jcmd $SERVER_PID System.trim_native_heap >/dev/null; rss; }
manage() { curl -fsS -X POST -H "Authorization: Bearer $TOKEN" "localhost:$AB_PORT/v2/repository/models/$1/$2" >/dev/null; }
load() { # model seconds image: wrk's line (c=8)
  IMAGE=$3 REQUEST_PATH="/classify?model=$1&topK=5" wrk -t 2 -c 8 -d "${2}s" --timeout 30s -s bench/post-image.lua \
    "http://localhost:$AB_PORT" | grep '^WRK' | cut -d, -f2-
}
load densenet121 5 target/bench/chelsea-224.png >/dev/null
echo "ready_s,$READY_S,rss_mib_ready,$(rss)"
echo "one_model,req/s,p50,p99,requests,errors,$(load densenet121 20 target/bench/chelsea-224.png),rss_mib,$(rss),settled,$(settled)"
load densenet121 "$SECS" target/bench/chelsea-224.png > target/bench/model-swap.wrk &
WRK=$!
for i in $(seq "$SWAPS"); do
  sleep $(( SECS / (SWAPS + 1) ))
  if (( i % 2 )); then version "$REPO/densenet121/2"; else rm -rf "$REPO/densenet121/2"; fi
  started=$(date +%s.%N); manage densenet121 load
  echo "swap,$i,to_version,$(( i % 2 ? 2 : 1 )),load_s,$(echo "$(date +%s.%N) - $started" | bc),rss_mib,$(rss)"
done
wait $WRK
echo "under_swaps,req/s,p50,p99,requests,errors,$(cat target/bench/model-swap.wrk)"
echo "after_swaps,rss_mib,$(rss),settled,$(settled)"

mkdir -p "$REPO/fashion/1" && cp src/main/resources/io/denseserve/default-model/* "$REPO/fashion/1/"
manage fashion load
load fashion 5 target/bench/fashion-0.png >/dev/null
echo "two_models,rss_mib,$(rss)"
echo "alone,densenet121,$(load densenet121 10 target/bench/chelsea-224.png)"
echo "alone,fashion,$(load fashion 10 target/bench/fashion-0.png)"
load densenet121 10 target/bench/chelsea-224.png > target/bench/mixed-densenet.wrk &
MIXED=$!
echo "mixed,fashion,$(load fashion 10 target/bench/fashion-0.png)"
wait $MIXED
echo "mixed,densenet121,$(cat target/bench/mixed-densenet.wrk)"
echo "after_mixed,rss_mib,$(rss)"
