#!/usr/bin/env bash
# Builds the DenseServe image from the Dockerfile with buildah, on a machine with no Docker engine
# and no registry: unless BUILD_IMAGE / RUNTIME_IMAGE name base images you have (a mirror, say), it
# first makes them from Debian 12 packages with debootstrap and imports them into podman's store:
#   localhost/denseserve-base:bookworm-jre   minbase + openjdk-17-jre-headless (the runtime image)
#   localhost/denseserve-base:bookworm-jdk   the same + openjdk-17-jdk-headless (the build stage)
# Needs root (debootstrap, rootful podman), buildah and podman; debootstrap only for the bases.
#   scripts/build-image.sh [tag]            default tag: localhost/denseserve:0.1.0
# Environment: REBUILD_BASE=1 remakes the bases; MAVEN_REPO (default ~/.m2) is lent to the build
# stage so Maven downloads only what it lacks; DEBIAN_MIRROR (default deb.debian.org).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-localhost/denseserve:0.1.0}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
for tool in buildah podman; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install $tool)" >&2; exit 2; }
done

JRE_BASE=localhost/denseserve-base:bookworm-jre
JDK_BASE=localhost/denseserve-base:bookworm-jdk

make_bases() {
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
  [ "$(id -u)" = 0 ] || { echo "making the base images needs root (debootstrap)" >&2; exit 2; }
  local root
  work=$(mktemp -d "${TMPDIR:-/var/tmp}/denseserve-base.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root=$work/rootfs
  echo "debootstrap: Debian 12 minbase + openjdk-17-jre-headless"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$root" \
    "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | podman import --quiet - "$JRE_BASE" >/dev/null
  echo "apt-get: + openjdk-17-jdk-headless for the build stage"
  chroot "$root" apt-get update -qq
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-17-jdk-headless > "$work/jdk.log" 2>&1 || { tail -20 "$work/jdk.log" >&2; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # The build stage downloads from Maven Central: it trusts what this host's Java trusts, which
  # includes a TLS-inspecting egress proxy's CA where the host sits behind one.
  [ -r /etc/ssl/certs/java/cacerts ] && cp /etc/ssl/certs/java/cacerts "$root/etc/ssl/certs/java/cacerts"
  tar -C "$root" -c . | podman import --quiet - "$JDK_BASE" >/dev/null
}

ARGS=()
if [ -z "${BUILD_IMAGE:-}${RUNTIME_IMAGE:-}" ]; then
  if [ "${REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$JRE_BASE" || ! podman image exists "$JDK_BASE"; then
    make_bases
  fi
  BUILD_IMAGE=$JDK_BASE RUNTIME_IMAGE=$JRE_BASE
fi
[ -n "${BUILD_IMAGE:-}" ] && ARGS+=(--build-arg "BUILD_IMAGE=$BUILD_IMAGE")
[ -n "${RUNTIME_IMAGE:-}" ] && ARGS+=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")
MAVEN_REPO=${MAVEN_REPO:-$HOME/.m2}
mkdir -p "$MAVEN_REPO"
# docker format keeps the HEALTHCHECK (OCI images have none); host network for Maven Central.
buildah build --format docker --layers --network host --volume "$MAVEN_REPO:/root/.m2" \
  "${ARGS[@]}" -t "$TAG" -f Dockerfile .
echo "built $TAG: $(podman image inspect --format '{{.Size}}' "$TAG") bytes"

if [ -d libtorch ]; then
  GPU_ARGS=()
  [ -n "${BUILD_IMAGE:-}" ] && GPU_ARGS+=(--build-arg "BUILD_IMAGE=$BUILD_IMAGE")
  [ -n "${GPU_RUNTIME_IMAGE:-}" ] && GPU_ARGS+=(--build-arg "RUNTIME_IMAGE=$GPU_RUNTIME_IMAGE")
  buildah build --format docker --layers --network host --volume "$MAVEN_REPO:/root/.m2" \
    "${GPU_ARGS[@]}" -t "${TAG%:*}-gpu:${TAG##*:}" -f Dockerfile.gpu .
else
  # Dockerfile.gpu's runtime stage needs NVIDIA's CUDA base image and a CUDA libtorch in ./libtorch,
  # neither of which is reachable without a registry or a download. Its build stage still builds.
  buildah build --format docker --layers --network host --volume "$MAVEN_REPO:/root/.m2" \
    ${BUILD_IMAGE:+--build-arg "BUILD_IMAGE=$BUILD_IMAGE"} --target build -f Dockerfile.gpu . >/dev/null
  echo "GPU image not built: no ./libtorch (a CUDA 12.8 libtorch 2.7.1) in the build context; its build stage built"
fi
