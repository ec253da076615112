#!/usr/bin/env bash
# Forward-pass benchmark, DenseNet-121 at 224x224, side by side in one run:
#   lean         our Java DenseNet, one buffer per dense block, intermediates freed (the default)
#   concat       our Java DenseNet, torchvision's literal cat-per-layer, intermediates kept
#   torchscript  the same weights traced by torch.jit and loaded through DJL
#   torchvision-eager  torchvision 0.14 in Python (Debian's torch 1.13)
#   lean-glibc-malloc  "lean" without the MALLOC_* settings, to show what they do for DJL
# Each measurement is its own process (peak RSS is per process); configurations are interleaved
# over ROUNDS rounds and the median per configuration is reported.
# Usage: bench/forward.sh [ROUNDS] ; needs python3-torchvision. Results: target/bench/forward.csv
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
OUT=target/bench
mkdir -p "$OUT"
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="target/test-classes:target/classes:$(cat "$OUT/cp.txt")"
[ -f "$OUT/densenet121.torchscript.pt" ] || /usr/bin/python3 bench/forward_torch.py export "$OUT"
# Single-stream forward passes: OpenMP threads keep spinning between ops (OMP_WAIT_POLICY unset),
# which measured ~20% faster than PASSIVE here for every implementation alike.
export OPT_OUT_TRACKING=true
FAST_MALLOC=(MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184)
JAVA=(java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.denseserve.bench.ForwardBench)
: > "$OUT/forward.csv"
# run LABEL COMMAND...: one measurement, recorded under LABEL
run() { local label=$1; shift; "$@" 2>/dev/null | grep '^RESULT' | awk -F, -v OFS=, -v l="$label" '{$2=l; print}' | tee -a "$OUT/forward.csv"; }
for round in $(seq "$ROUNDS"); do
  for batch in 1 8 16; do
    n=$(( batch == 1 ? 40 : 8 ))
    run lean env "${FAST_MALLOC[@]}" "${JAVA[@]}" lean "$OUT/densenet121.pth" "$batch" "$n"
    run concat env "${FAST_MALLOC[@]}" "${JAVA[@]}" concat "$OUT/densenet121.pth" "$batch" "$n"
    run torchscript-djl env "${FAST_MALLOC[@]}" "${JAVA[@]}" torchscript "$OUT/densenet121.torchscript.pt" "$batch" "$n"
    run torchvision-eager env "${FAST_MALLOC[@]}" /usr/bin/python3 bench/forward_torch.py eager "$OUT/densenet121.pth" "$batch" "$n"
    run lean-glibc-malloc "${JAVA[@]}" lean "$OUT/densenet121.pth" "$batch" "$n"
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
PY
