#!/usr/bin/env python3
"""The JIT's deoptimizations (uncommon traps) in a window of a server's life, from its compilation log.

Usage: bench/deoptimizations.py target/reliability/first-attack-compilation.log FROM_S TO_S
(the log `bench/first-attack.sh 1 20 fresh-logging-compilation` leaves; its trial line says from
which second of the JVM's life the tricklers ran). One line per trap: seconds since the JVM started,
the reason, where the trap was hit (method@bytecode index) and the compiled method it threw out.
Used for RELIABILITY.md section 5.
"""
import re
import sys

log, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
text = open(log, errors="replace").read()
# Traps hit by running code carry a thread and a time stamp; those inside compile tasks do not.
traps = re.findall(r"<uncommon_trap thread='\d+' ([^>]*)>\s*((?:<jvms [^>]*/>\s*)+)", text)
shown = 0
for attributes, frames in traps:
    stamp = float(re.search(r"stamp='([\d.]+)'", attributes).group(1))
    if not start <= stamp <= end:
        continue
    shown += 1
    reason = re.search(r"reason='([^']*)'", attributes).group(1)
    methods = [m.split(" (")[0] for m in re.findall(r"method='([^']*)'", frames)]
    bci = re.search(r"bci='(\d+)'", frames).group(1)
    print(f"{stamp:.3f} {reason} {methods[0]}@{bci} (compiled: {methods[-1]})")
print(f"{shown} traps between {start} s and {end} s")
