#!/usr/bin/env bash
# The Open Inference Protocol's cost against POST /classify, side by side on one server (the jar,
# embedded model, defaults): the same Fashion-MNIST PNG at concurrency 16, as a raw /classify body,
# as v2 BYTES through the binary-data extension, and as v2 base64 JSON; two rounds, interleaved.
# Usage: bench/v2-vs-classify.sh [SECONDS_PER_POINT]   (needs wrk and dataset-fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
SECONDS_PER_POINT=${1:-15}
OUT=target/bench
mkdir -p "$OUT"
[ -n "$(ls target/denseserve-*.jar 2>/dev/null)" ] || ./mvnw -q -B -ntp -DskipTests package
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
python3 - "$OUT/fashion-0.png" <<'PY'
import sys; sys.path.insert(0, "scripts")
from evaluate_http import idx, png_gray
(n, h, w), images = idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
open(sys.argv[1], "wb").write(png_gray(images[:h * w], w, h))
PY
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs${ONEDNN_MAX_CPU_ISA:+; oneDNN limited to $ONEDNN_MAX_CPU_ISA}"
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 OPT_OUT_TRACKING=true
PORT=18082
java -jar "$JAR" --server.port=$PORT --logging.level.root=warn > "$OUT/server-v2.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 240); do curl -fs localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
MODEL=$(curl -fs localhost:$PORT/models | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
export IMAGE=$OUT/fashion-0.png MODEL
run() { # label, script, mode
  V2_MODE=$3 wrk -t 2 -c 16 -d 3s -s "$2" http://localhost:$PORT >/dev/null
  V2_MODE=$3 wrk -t 2 -c 16 -d "${SECONDS_PER_POINT}s" --timeout 30s -s "$2" http://localhost:$PORT | grep '^WRK' | sed "s/^WRK/$1/"
}
echo "label,req/s,p50 ms,p99 ms,requests,errors"
for round in 1 2; do
  run classify bench/post-image.lua -
  run v2-binary bench/post-v2.lua binary
  run v2-base64 bench/post-v2.lua base64
done
