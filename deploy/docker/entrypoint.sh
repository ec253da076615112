#!/bin/bash
# Starts DenseServe in its container. The JVM reads the container's cgroup limits (v1 or v2) itself:
# the heap is a share of the memory limit, and the service divides the CPUs the CPU quota allows
# among its inference workers (DENSESERVE_INFERENCE_INTRAOPTHREADS overrides it). JAVA_OPTS replaces
# the heap default and, coming after jvm.options, overrides those too.
set -euo pipefail

# A CPU that reports no cache sizes (Linux lists none, as in some virtual machines) makes libtorch's
# oneDNN compute wrong convolutions or crash unless it is limited to AVX (io.denseserve.plan.OneDnnCaches).
if [ -z "${ONEDNN_MAX_CPU_ISA:-}" ] && [ -d /sys/devices/system/cpu/cpu0 ] \
    && [ ! -e /sys/devices/system/cpu/cpu0/cache/index0 ]; then
  export ONEDNN_MAX_CPU_ISA=AVX
fi

# The class-data sharing archive made at image build, where there is one (the CPU image).
CDS=()
[ -r /app/denseserve.jsa ] && CDS=(-XX:SharedArchiveFile=/app/denseserve.jsa)

# The heap is a minority of the footprint: the engine's weights and activations live off-heap.
exec java @/app/jvm.options "${CDS[@]}" ${JAVA_OPTS:--XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError} \
  -Dai.djl.offline=true -Djava.io.tmpdir=/tmp -jar /app/denseserve/denseserve.jar "$@"
