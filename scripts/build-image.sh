#!/usr/bin/env bash
# Builds the container image with buildah (no Docker engine needed) and, if that works, runs it
# and waits for readiness. Base images are build arguments, for machines that reach no public
# registry: point BUILD_IMAGE / RUNTIME_IMAGE at a mirror or a locally available image.
#   BUILD_IMAGE=... RUNTIME_IMAGE=... scripts/build-image.sh [tag]
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-denseserve:0.1.0}
command -v buildah >/dev/null || { echo "buildah not installed (apt-get install buildah)"; exit 2; }
ARGS=()
[ -n "${BUILD_IMAGE:-}" ] && ARGS+=(--build-arg "BUILD_IMAGE=$BUILD_IMAGE")
[ -n "${RUNTIME_IMAGE:-}" ] && ARGS+=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")
buildah bud --isolation chroot --layers "${ARGS[@]}" -t "$TAG" -f Dockerfile .
echo "built $TAG"
if command -v podman >/dev/null; then
  podman run -d --rm --name denseserve-smoke -p 18081:8080 --read-only --tmpfs /tmp "$TAG"
  for _ in $(seq 120); do curl -fs localhost:18081/actuator/health/readiness && break; sleep 1; done
  curl -fs localhost:18081/models
  podman stop denseserve-smoke
fi
