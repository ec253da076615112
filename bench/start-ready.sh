#!/usr/bin/env bash
# java -jar to readiness UP, the jar as built (fat, classes in nested jars) against the same jar
# extracted and started with a class-data sharing archive (deploy/README.md's three commands), one
# process at a time, interleaved over ROUNDS rounds, for the default model and DenseNet-121.
# Usage: bench/start-ready.sh [ROUNDS]   (run bench/http-load.sh once first for target/bench's weights)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
APP=target/bench/extracted
PORT=18091
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_ARENA_MAX=2 OPT_OUT_TRACKING=true
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
rm -rf "$APP"
java -Djarmode=tools -jar "$JAR" extract --destination "$APP" >/dev/null
EXTRACTED=$(ls "$APP"/denseserve-*.jar)
java @deploy/docker/jvm.options -XX:ArchiveClassesAtExit="$APP/denseserve.jsa" -Dspring.context.exit=onRefresh \
  -jar "$EXTRACTED" --server.port=0 > "$APP/training.log" 2>&1
ready() { # label, java arguments...: seconds from the java command to readiness UP
  local label=$1; shift
  local started; started=$(date +%s.%N)
  java @deploy/docker/jvm.options "$@" --server.port=$PORT --logging.level.root=warn > "target/bench/start-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1200); do curl -fs localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.05; done
  echo "$label,ready_s,$(echo "$(date +%s.%N) - $started" | bc)"
  kill $pid; wait $pid 2>/dev/null || true
}
D121=(--denseserve.model.torchvision=densenet121 --denseserve.model.weights=target/bench/densenet121.pth)
for _ in $(seq "$ROUNDS"); do
  ready default-fat -jar "$JAR"
  ready default-archive -XX:SharedArchiveFile="$APP/denseserve.jsa" -jar "$EXTRACTED"
  ready densenet121-fat -jar "$JAR" "${D121[@]}"
  ready densenet121-archive -XX:SharedArchiveFile="$APP/denseserve.jsa" -jar "$EXTRACTED" "${D121[@]}"
done
