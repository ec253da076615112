#!/usr/bin/env bash
# Start-to-ready time of the image under podman, run as a platform runs it (read-only root, /tmp
# tmpfs, CPU and memory limits): from `podman run` to readiness UP, N times per limit pair.
#   bench/container-ready.sh [image] [runs]     (build the image first: scripts/build-image.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${1:-localhost/denseserve:0.1.0}
RUNS=${2:-3}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
echo "image $IMAGE: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
for limits in "1 2g" "2 3g"; do
  read -r cpus memory <<< "$limits"
  times=()
  for _ in $(seq "$RUNS"); do
    podman rm -f denseserve-ready >/dev/null 2>&1 || true
    start=$(date +%s%N)
    podman run -d --name denseserve-ready --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=512m,mode=1777 \
      --cpus "$cpus" --memory "$memory" -p 127.0.0.1:18089:8080 "$IMAGE" >/dev/null 2>&1 # no systemd: podman complains it cannot time the HEALTHCHECK
    until curl -fs -o /dev/null localhost:18089/actuator/health/readiness; do sleep 0.05; done
    times+=("$(( ($(date +%s%N) - start) / 1000000 ))")
    podman rm -f denseserve-ready >/dev/null 2>&1
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  echo "--cpus $cpus --memory $memory: ready in ${times[*]} ms (median $median ms)"
done
