#!/usr/bin/env python3
"""Sums an ONNX Runtime profile (ForwardBench -Dbench.profile=FILE on an onnxruntime row) per operator.

  ort_profile_summary.py PROFILE.json [WARMUP_RUNS]
Prints the median model_run time and, per operator type, milliseconds and nodes per pass, over the
passes after the first WARMUP_RUNS (default 10). Reorder* rows are ONNX Runtime converting between
NCHW and its blocked NCHWc layout.
"""
import collections
import json
import statistics
import sys

ev = json.load(open(sys.argv[1]))
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 10
runs = [e for e in ev if e.get("name") == "model_run"]
skip_until = runs[warmup - 1]["ts"] + runs[warmup - 1]["dur"] if len(runs) > warmup else 0
agg = collections.Counter()
cnt = collections.Counter()
for e in ev:
    if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] > skip_until:
        op = e["args"].get("op_name")
        agg[op] += e["dur"]
        cnt[op] += 1
counted = [r for r in runs if r["ts"] > skip_until]
print("passes %d, model_run median %.2f ms, operators %.2f ms per pass"
      % (len(counted), statistics.median(r["dur"] for r in counted) / 1000, sum(agg.values()) / len(counted) / 1000))
for op, d in agg.most_common():
    print("%-20s %8.2f ms  %5d nodes per pass" % (op, d / len(counted) / 1000, cnt[op] / len(counted)))
