#!/usr/bin/env python3
"""Per second of an overload run: answers by status with latency p50/p99, and how late the driver sent them.

Usage: bench/overload_by_second.py target/reliability/overload-answers.csv [SECONDS]
(the CSV OverloadIT writes; also overload-cold-answers.csv). Used for RELIABILITY.md section 4.
"""
import collections
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 12
by_second = collections.defaultdict(lambda: collections.defaultdict(list))
for r in rows:
    by_second[int(float(r["sent_ms"]) // 1000)][r["status"]].append((float(r["latency_ms"]), float(r["sender_late_ms"])))
for second in sorted(by_second)[:limit]:
    cells = []
    for status, answers in sorted(by_second[second].items()):
        latency = sorted(a[0] for a in answers)
        late = sorted(a[1] for a in answers)
        n = len(answers)
        cells.append("%s: n=%d p50=%.0f p99=%.0f ms, sender late p50=%.0f max=%.0f ms"
                     % (status, n, latency[n // 2], latency[int(n * 0.99)], late[n // 2], late[-1]))
    print(second, " | ".join(cells))
