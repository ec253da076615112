#!/usr/bin/env bash
# What a class activation map costs, side by side on one server per model (the jar, defaults):
# POST /classify, POST /classify?explain=true (map + base64 PNG overlay in the JSON) and POST /explain
# (the overlay as image/png), interleaved at concurrency 1 and 16, two rounds (the first warms the
# JIT; the second is reported). Then the server's own map-and-overlay time (renderMs) over 100
# sequential requests. Models: the default (a 28x28 Fashion-MNIST PNG) and DenseNet-121 with
# trained-like weights (skimage's chelsea.png, 451x300, so the overlay is drawn at full size).
# Usage: bench/explain-cost.sh [SECONDS_PER_POINT]   (needs wrk, python3-torchvision, python3-skimage)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
SECONDS_PER_POINT=${1:-10}
OUT=target/bench
mkdir -p "$OUT"
[ -n "$(ls target/denseserve-*.jar 2>/dev/null)" ] || ./mvnw -q -B -ntp -DskipTests package
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
[ -f "$OUT/densenet121.pth" ] || /usr/bin/python3 bench/forward_torch.py export "$OUT"
python3 - "$OUT/fashion-0.png" <<'PY'
import sys; sys.path.insert(0, "scripts")
from evaluate_http import idx, png_gray
(n, h, w), images = idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
open(sys.argv[1], "wb").write(png_gray(images[:h * w], w, h))
PY
cp /usr/lib/python3/dist-packages/skimage/data/chelsea.png "$OUT/chelsea.png"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')${ONEDNN_MAX_CPU_ISA:+; oneDNN limited to $ONEDNN_MAX_CPU_ISA}"
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 OPT_OUT_TRACKING=true
PORT=18083

bench_model() { # label, server args, image
  local label=$1 args=$2 image=$3
  java -jar "$JAR" --server.port=$PORT $args --logging.level.root=warn > "$OUT/server-explain-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 240); do curl -fs localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
  echo "model,request,concurrency,req/s,p50 ms,p99 ms,requests,errors"
  for round in 1 2; do
    for c in 1 16; do
      for path in "/classify?topK=5" "/classify?topK=5&explain=true" "/explain"; do
        local line
        line=$(REQUEST_PATH=$path IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d ${SECONDS_PER_POINT}s --timeout 30s \
          -s bench/post-image.lua http://localhost:$PORT | grep '^WRK')
        [ "$round" = 1 ] || echo "$line" | awk -v p="$label,$path,$c" '{ sub(/^WRK/, ""); print p $0 }'
      done
    done
  done
  python3 - "$image" $PORT <<'PY' | sed "s/^/$label,/"
import json, statistics, sys, urllib.request
body = open(sys.argv[1], "rb").read()
req = lambda: urllib.request.Request("http://localhost:%s/classify?explain=true" % sys.argv[2], data=body,
                                     headers={"Content-Type": "image/png"})
answers = [json.load(urllib.request.urlopen(req())) for _ in range(100)]
e = answers[-1]["explanation"]
print("renderMs median %.2f (map %dx%d, overlay %dx%d), inferenceMs median %.2f" % (
    statistics.median(a["explanation"]["renderMs"] for a in answers), len(e["map"]), len(e["map"][0]),
    e["overlayWidth"], e["overlayHeight"], statistics.median(a["timings"]["inferenceMs"] for a in answers)))
PY
  kill $pid; wait $pid 2>/dev/null || true
}

bench_model default "" "$OUT/fashion-0.png"
bench_model densenet121 "--denseserve.model.torchvision=densenet121 --denseserve.model.weights=$OUT/densenet121.pth" "$OUT/chelsea.png"
