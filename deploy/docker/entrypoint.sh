#!/bin/bash
# Starts DenseServe in its container. The JVM reads the container's cgroup limits (v1 or v2) itself:
# the heap is a share of the memory limit, and the service divides the CPUs the CPU quota allows
# among its inference workers (DENSESERVE_INFERENCE_INTRAOPTHREADS overrides it). JAVA_OPTS replaces
# the heap default and, coming after jvm.options, overrides those too.
set -euo pipefail

# The heap is a minority of the footprint: the engine's weights and activations live off-heap.
exec java @/app/jvm.options ${JAVA_OPTS:--XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError} \
  -Dai.djl.offline=true -Djava.io.tmpdir=/tmp -jar /app/denseserve.jar "$@"
