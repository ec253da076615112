#!/usr/bin/env bash
# Two builds of the service side by side, per request and to readiness: this tree's jar and OTHER_JAR,
# one process at a time, alternating, for the default model and DenseNet-121 (§1's weights, a 224x224
# crop of skimage's chelsea.png); wrk at concurrency 1 and 16 after a warm-up.
# Usage: bench/jar-ab.sh OTHER_JAR [ROUNDS] [SECONDS_PER_POINT]   (needs wrk; run bench/http-load.sh once
#   first for target/bench's weights and images). BENCHMARKS.md §3 compares the service on Jetty with
#   the same service on Tomcat, built from the last commit that served on it:
#   git worktree add /tmp/tomcat d6bacab && (cd /tmp/tomcat && ./mvnw -q -DskipTests package)
#   bench/jar-ab.sh /tmp/tomcat/target/denseserve-0.1.0-SNAPSHOT.jar 2 8
set -euo pipefail
cd "$(dirname "$0")/.."
OTHER=$1 ROUNDS=${2:-2} SECS=${3:-8}
THIS=$(ls target/denseserve-*.jar | grep -v original | head -1)
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_ARENA_MAX=2 OPT_OUT_TRACKING=true
PORT=18090
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
run() { # label jar image [server args...]
  local label=$1 jar=$2 image=$3; shift 3
  local started; started=$(date +%s.%N)
  java @deploy/docker/jvm.options -jar "$jar" --server.port=$PORT --logging.level.root=warn "$@" > "target/bench/ab-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1200); do curl -fs localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.05; done
  local out; out="$label,ready_s,$(echo "$(date +%s.%N) - $started" | bc)"
  IMAGE=$image wrk -t 2 -c 4 -d 4s -s bench/post-image.lua http://localhost:$PORT >/dev/null
  for c in 1 16; do
    IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d 2s -s bench/post-image.lua http://localhost:$PORT >/dev/null
    out="$out,c=$c,$(IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d "${SECS}s" --timeout 30s -s bench/post-image.lua \
      http://localhost:$PORT | grep '^WRK' | cut -d, -f2-)"
  done
  echo "$out"
  kill $pid; wait $pid 2>/dev/null || true
}
for model in default densenet121; do
  args=() image=target/bench/fashion-0.png
  if [ $model = densenet121 ]; then
    args=(--denseserve.model.torchvision=densenet121 --denseserve.model.weights=target/bench/densenet121.pth)
    image=target/bench/chelsea-224.png
  fi
  for _ in $(seq "$ROUNDS"); do
    run "$model-other" "$OTHER" "$image" "${args[@]}"
    run "$model-this" "$THIS" "$image" "${args[@]}"
  done
done
