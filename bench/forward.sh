#!/usr/bin/env bash
# Forward-pass benchmark, DenseNet-121 at 224x224 with trained-like weights (bench/trained_like.py),
# side by side in one run:
#   onnxruntime        the service's ONNX Runtime plan (the CPU default): our graph, our folds
#   pytorch            the service's libtorch plan (GPU default, CPU fallback)
#   pytorch-bf16       the same plan with precision=bf16 (needs avx512_bf16 or amx_bf16 to mean anything)
#   onnxruntime-int8   our ONNX Runtime graph in int8 QDQ form (Int8Bench), calibrated on skimage's photos
#   ort-default-opset13  ONNX Runtime with its own defaults (all graph optimizations,
#   ort-default-opset17  spinning threads; one intra-op thread per CPU, as its default gives where the
#                      VM reports its topology) on torchvision's own
#                      torch.onnx.export of the same weights at opset 13 / 17: the peer a CPU user
#                      would pick; the faster of the two rows is "the peer" every ratio is taken against
#   torchscript        the same weights traced by torch.jit and loaded through DJL
#   torchvision-eager  torchvision 0.14 in Python (Debian's torch 1.13)
#   torchvision-frozen torch.jit.optimize_for_inference(torch.jit.freeze(trace)), torch 1.13
#   onnxruntime-initial  our ONNX Runtime plan on torchvision's initial weights (every BN the
#                      identity): a labelled extra row, not a figure users will see
# Each measurement is its own process (peak RSS is per process); configurations are interleaved
# over ROUNDS rounds and the median per configuration is reported. 2 intra-op threads everywhere.
# Usage: bench/forward.sh [ROUNDS] [BATCHES] [IMPLEMENTATIONS] ; needs python3-torchvision.
#   IMPLEMENTATIONS: a subset of the labels above, such as "pytorch torchscript" (default: all)
# Results: target/bench/forward.csv
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/onednn-limit.sh
ROUNDS=${1:-3}
BATCHES=${2:-"1 8 16"}
IMPLEMENTATIONS=" ${3:-onnxruntime onnxruntime-int8 ort-default-opset13 ort-default-opset17 pytorch pytorch-bf16 torchscript torchvision-eager torchvision-frozen onnxruntime-initial} "
OUT=target/bench
mkdir -p "$OUT"
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="target/test-classes:target/classes:$(cat "$OUT/cp.txt")"
[ -f "$OUT/densenet121.torchvision-opset13.onnx" ] || /usr/bin/python3 bench/forward_torch.py export "$OUT"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs${ONEDNN_MAX_CPU_ISA:+; oneDNN limited to $ONEDNN_MAX_CPU_ISA}"
echo "flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|amx_tile|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
# Single-stream forward passes: OpenMP threads keep spinning between ops (OMP_WAIT_POLICY unset),
# which measured ~20% faster than PASSIVE here for libtorch; ONNX Runtime spins by default.
export OPT_OUT_TRACKING=true MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184
JAVA=(java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.denseserve.bench.ForwardBench)
: > "$OUT/forward.csv"
# run LABEL COMMAND...: one measurement, recorded under LABEL
run() { local label=$1; shift; [[ "$IMPLEMENTATIONS" == *" $label "* ]] || return 0; "$@" 2>/dev/null | grep '^RESULT' | awk -F, -v OFS=, -v l="$label" '{$2=l; print}' | tee -a "$OUT/forward.csv"; }
for round in $(seq "$ROUNDS"); do
  for batch in $BATCHES; do
    n=$(( batch == 1 ? 40 : 8 ))
    run onnxruntime "${JAVA[@]}" onnxruntime "$OUT/densenet121.pth" "$batch" "$n"
    run ort-default-opset13 "${JAVA[@]}" ort-default "$OUT/densenet121.torchvision-opset13.onnx" "$batch" "$n"
    run ort-default-opset17 "${JAVA[@]}" ort-default "$OUT/densenet121.torchvision-opset17.onnx" "$batch" "$n"
    run onnxruntime-int8 "${JAVA[@]}" onnxruntime-int8 "$OUT/densenet121.pth" "$batch" "$n"
    run pytorch "${JAVA[@]}" pytorch "$OUT/densenet121.pth" "$batch" "$n"
    run pytorch-bf16 "${JAVA[@]}" pytorch-bf16 "$OUT/densenet121.pth" "$batch" "$n"
    run torchscript "${JAVA[@]}" torchscript "$OUT/densenet121.torchscript.pt" "$batch" "$n"
    run torchvision-eager /usr/bin/python3 bench/forward_torch.py eager "$OUT/densenet121.pth" "$batch" "$n"
    run torchvision-frozen /usr/bin/python3 bench/forward_torch.py frozen "$OUT/densenet121.pth" "$batch" "$n"
    run onnxruntime-initial "${JAVA[@]}" onnxruntime "$OUT/densenet121-initial.pth" "$batch" "$n"
  done
done
/usr/bin/python3 - "$OUT/forward.csv" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _, impl, batch, ips, rss = line.strip().split(",")
    rows[(impl, int(batch))].append((float(ips), int(rss)))
print("| implementation | batch | img/s (median) | peak RSS MiB (median) | runs |")
print("|---|---|---|---|---|")
for (impl, batch), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print("| %s | %d | %.1f | %d | %d |" % (impl, batch, statistics.median(x[0] for x in v),
                                          statistics.median(x[1] for x in v), len(v)))
med = {k: statistics.median(x[0] for x in v) for k, v in rows.items()}
for batch in sorted({b for _, b in med}):
    peers = [(med[(p, batch)], p) for p in ("ort-default-opset13", "ort-default-opset17") if (p, batch) in med]
    if peers:
        best, peer = max(peers)
        print("batch %d: the peer is %s (%.1f img/s)" % (batch, peer, best))
        for a in ("onnxruntime", "onnxruntime-int8", "pytorch-bf16", "torchvision-frozen"):
            if (a, batch) in med:
                print("batch %d: %s / the peer = %.2fx" % (batch, a, med[(a, batch)] / best))
    for a, b in (("pytorch", "torchscript"),
                 ("pytorch-bf16", "pytorch"), ("onnxruntime-int8", "onnxruntime")):
        if (a, batch) in med and (b, batch) in med:
            print("batch %d: %s / %s = %.2fx" % (batch, a, b, med[(a, batch)] / med[(b, batch)]))
PY
