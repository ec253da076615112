#!/usr/bin/env bash
# Where a running Java process spends its CPU, by thread group, over an interval:
#   bench/thread-cpu.sh PID SECONDS
# Sums utime+stime of /proc/PID/task/* (names without their trailing numbers). ONNX Runtime's and
# OpenMP's native threads inherit the name of the thread that made them, so an inference worker's
# intra-op threads count under "inference-worke" (names are cut at 15 characters).
set -euo pipefail
PID=$1
SECONDS_=$2
# One awk over all the threads' stat files: a snapshot in milliseconds, not a process per thread.
snap() { awk '{ from = index($0, "("); to = match($0, /\) [A-Z] /); comm = substr($0, from + 1, to - from - 1)
  split(substr($0, to + 2), f, " "); gsub(/ /, "_", comm); print comm, f[12] + f[13] }' /proc/"$PID"/task/*/stat 2>/dev/null; }
before=$(snap); sleep "$SECONDS_"; after=$(snap)
python3 - "$SECONDS_" <<PY
import collections, re, sys
def load(text):
    d = collections.Counter()
    for line in text.strip().splitlines():
        name, ticks = line.rsplit(" ", 1)
        d[re.sub(r"[-_#]?\d+$", "", name)] += int(ticks)
    return d
a, b = load("""$before"""), load("""$after""")
total = sum(b.values()) - sum(a.values())
print("CPU seconds over %s s (%.2f cores busy):" % (sys.argv[1], total / 100 / float(sys.argv[1])))
for k in sorted(b, key=lambda k: -(b[k] - a.get(k, 0))):
    if b[k] - a.get(k, 0) > 0:
        print("  %-20s %7.2f" % (k, (b[k] - a.get(k, 0)) / 100))
PY
