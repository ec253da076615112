#!/usr/bin/env bash
# HTTP load benchmark: wrk against the running jar at concurrency 1, 4 and 16, for the default
# model and for DenseNet-121 (seeded random torchvision weights, 224x224 crop of a real photo),
# with the in-process predictor throughput at saturation measured in the same run.
# Usage: bench/http-load.sh [SECONDS_PER_POINT] [MODELS]   (needs wrk, python3-torchvision, python3-skimage)
#   MODELS: "default densenet121" (both, the default) or one of them; "densenet121-bf16" adds
#   DenseNet-121 with precision=bf16 (meaningful where the CPU has avx512_bf16 or amx_bf16)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
SECONDS_PER_POINT=${1:-20}
MODELS=${2:-"default densenet121"}
OUT=target/bench
mkdir -p "$OUT"
./mvnw -q -B -ntp -DskipTests package
./mvnw -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="target/test-classes:target/classes:$(cat "$OUT/cp.txt")"
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
[ -f "$OUT/densenet121.pth" ] || /usr/bin/python3 bench/forward_torch.py export "$OUT"
# A Fashion-MNIST test image as a 28x28 PNG for the default model; a photo for DenseNet-121.
python3 - "$OUT/fashion-0.png" <<'PY'
import sys; sys.path.insert(0, "scripts")
from evaluate_http import idx, png_gray
(n, h, w), images = idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
open(sys.argv[1], "wb").write(png_gray(images[:h * w], w, h))
PY
# DenseNet-121 runs at 224x224: send a 224x224 crop of a real photo (skimage's chelsea.png).
PHOTO=$OUT/chelsea-224.png
/usr/bin/python3 -c "
from PIL import Image; im = Image.open('/usr/lib/python3/dist-packages/skimage/data/chelsea.png')
w, h = im.size; im.crop(((w - 224) // 2, (h - 224) // 2, (w + 224) // 2, (h + 224) // 2)).save('$PHOTO')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')${ONEDNN_MAX_CPU_ISA:+; oneDNN limited to $ONEDNN_MAX_CPU_ISA}"
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_ARENA_MAX=2 OPT_OUT_TRACKING=true
PORT=18080
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
: > "$OUT/http-load.csv"

bench_model() { # label, model spec for PredictorBench, server args, image[, precision]
  local label=$1 spec=$2 args=$3 image=$4 precision=${5:-fp32}
  java $SERVER_JAVA_OPTS -Ddenseserve.inference.precision=$precision -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.denseserve.bench.PredictorBench \
    "$spec" "$image" "$SECONDS_PER_POINT" 16 2>/dev/null | grep '^RESULT' | sed "s/^RESULT,predictor/$label,in-process/" | tee -a "$OUT/http-load.csv"
  local started; started=$(date +%s.%N)
  java $SERVER_JAVA_OPTS -jar "$JAR" --server.port=$PORT $args --logging.level.root=warn > "$OUT/server-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1200); do curl -fs localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.1; done
  echo "$label,ready_s,$(echo "$(date +%s.%N) - $started" | bc)" | tee -a "$OUT/http-load.csv"
  rss() { curl -fs localhost:$PORT/actuator/prometheus | awk '/^process_resident_memory_bytes/ {printf "%.0f", $2 / 1048576}'; }
  IMAGE=$image wrk -t 2 -c 4 -d 5s -s bench/post-image.lua http://localhost:$PORT >/dev/null # warm-up
  local rss_before; rss_before=$(rss)
  for c in 1 4 16; do
    IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d 3s -s bench/post-image.lua http://localhost:$PORT >/dev/null # warm
    IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d ${SECONDS_PER_POINT}s --timeout 30s -s bench/post-image.lua \
      http://localhost:$PORT | grep '^WRK' | sed "s/^WRK/$label,http,$c/" | tee -a "$OUT/http-load.csv"
  done
  echo "$label,rss_mib,before=$rss_before,after=$(rss),requests_served=$(curl -fs localhost:$PORT/actuator/prometheus | awk '/^denseserve_requests_total.*outcome="ok"/ {s += $2} END {printf "%.0f", s}')" | tee -a "$OUT/http-load.csv"
  # Where the time goes, from the server's own timings over 200 sequential requests.
  python3 - "$image" $PORT <<'PY' | sed "s/^/$label,breakdown,/" | tee -a "$OUT/http-load.csv"
import json, statistics, sys, time, urllib.request
body = open(sys.argv[1], "rb").read(); url = "http://localhost:%s/classify" % sys.argv[2]
rows = []
for _ in range(200):
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers={"Content-Type": "image/png"})) as r:
        data = r.read()
    client = (time.perf_counter() - t) * 1000
    timing = json.loads(data)["timings"]
    rows.append((client, timing["totalMs"], timing["decodeAndPreprocessMs"], timing["queueWaitMs"], timing["inferenceMs"]))
med = [statistics.median(r[i] for r in rows) for i in range(5)]
print("client_ms=%.2f,server_total_ms=%.2f,decode_preprocess_ms=%.2f,queue_ms=%.2f,inference_ms=%.2f,http_and_json_ms=%.2f"
      % (med[0], med[1], med[2], med[3], med[4], med[0] - med[1]))
PY
  kill $pid; wait $pid 2>/dev/null || true
}

[[ " $MODELS " != *" default "* ]] || bench_model default default "" "$OUT/fashion-0.png"
[[ " $MODELS " != *" densenet121 "* ]] || bench_model densenet121 "torchvision:densenet121:$OUT/densenet121.pth" \
  "--denseserve.model.torchvision=densenet121 --denseserve.model.weights=$OUT/densenet121.pth" "$PHOTO"
[[ " $MODELS " != *" densenet121-bf16 "* ]] || bench_model densenet121-bf16 "torchvision:densenet121:$OUT/densenet121.pth" \
  "--denseserve.model.torchvision=densenet121 --denseserve.model.weights=$OUT/densenet121.pth --denseserve.inference.precision=bf16" "$PHOTO" bf16
echo "results: $OUT/http-load.csv (label,kind,concurrency,req/s,p50 ms,p99 ms,requests,errors)"
