#!/usr/bin/env python3
"""Sums a libtorch profiler trace (ForwardBench -Dbench.profile=FILE) per op.

Usage: bench/profile_summary.py TRACE PASSES
Prints, per pass: the time of each op called from Java or from a TorchScript `forward` (nested
kernels counted in their caller), and the median time per pass of the convolutions in call order
summed per network stage (stem, each dense block's conv1 and conv2, each transition), so two
traces of DenseNet-121 can be compared stage by stage. Used for BENCHMARKS.md section 1.
"""
import collections
import json
import statistics
import sys

trace, passes = sys.argv[1], int(sys.argv[2])
data = json.load(open(trace))
events = [e for e in (data["traceEvents"] if isinstance(data, dict) else data) if e.get("ph") == "X"]
events.sort(key=lambda e: (e["tid"], e["ts"], -e["dur"]))

per_op = collections.defaultdict(lambda: [0, 0.0])
stacks = {}
for e in events:
    stack = stacks.setdefault(e["tid"], [])
    while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
        stack.pop()
    callers = [p for p in stack if p["name"] != "forward"]
    if not callers and e["name"] != "forward":
        per_op[e["name"]][0] += 1
        per_op[e["name"]][1] += e["dur"]
    stack.append(e)
print("%s: %.2f ms of ops per pass" % (trace, sum(v[1] for v in per_op.values()) / passes / 1000))
for name, (count, micros) in sorted(per_op.items(), key=lambda kv: -kv[1][1])[:14]:
    print("  %-32s %6.1f calls  %7.2f ms per pass" % (name, count / passes, micros / passes / 1000))

# aten::convolution (eager) and aten::_convolution (TorchScript) are each called once per layer.
name = "aten::convolution" if any(e["name"] == "aten::convolution" for e in events) else "aten::_convolution"
durations = [e["dur"] for e in sorted((e for e in events if e["name"] == name), key=lambda e: e["ts"])]
per_pass = len(durations) // passes
stages = ["conv0"]
for block, layers in enumerate([6, 12, 24, 16], start=1):
    stages += ["block%d.conv1" % block, "block%d.conv2" % block] * layers
    if block < 4:
        stages.append("transition%d" % block)
if per_pass == len(stages):
    medians = [statistics.median(durations[i::per_pass]) for i in range(per_pass)]
    totals = collections.OrderedDict()
    for stage, m in zip(stages, medians):
        totals[stage] = totals.get(stage, 0) + m
    print("convolutions, median per pass: %.1f ms" % (sum(medians) / 1000))
    for stage, micros in totals.items():
        print("  %-20s %8.0f us" % (stage, micros))
