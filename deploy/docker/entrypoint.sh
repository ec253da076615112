#!/bin/bash
# Sizes the JVM heap and the inference threads from the container's cgroup limits, then starts
# DenseServe. Explicit DENSESERVE_* / OMP_NUM_THREADS / JAVA_OPTS settings win.
set -euo pipefail

cpus() {
  local quota period
  if [ -r /sys/fs/cgroup/cpu.max ]; then
    read -r quota period < /sys/fs/cgroup/cpu.max
    if [ "$quota" != "max" ]; then echo $(( (quota + period - 1) / period )); return; fi
  fi
  nproc
}

CPUS=$(cpus)
WORKERS=${DENSESERVE_INFERENCE_WORKERS:-1}
THREADS=$(( CPUS / WORKERS )); [ "$THREADS" -ge 1 ] || THREADS=1
export DENSESERVE_INFERENCE_INTRAOPTHREADS=${DENSESERVE_INFERENCE_INTRAOPTHREADS:-$THREADS}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$DENSESERVE_INFERENCE_INTRAOPTHREADS}

# The heap is a minority of the footprint: libtorch's activations and weights live off-heap.
exec java ${JAVA_OPTS:--XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError} \
  -Dai.djl.offline=true -Djava.io.tmpdir=/tmp -jar /app/denseserve.jar "$@"
