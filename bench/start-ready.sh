#!/usr/bin/env bash
# java -jar to readiness UP, the jar as built (fat, classes in nested jars) against the same jar
# extracted and started with a class-data sharing archive (deploy/README.md's three commands), one
# process at a time, interleaved over ROUNDS rounds, for the default model and DenseNet-121.
# Usage: bench/start-ready.sh [ROUNDS]   (run bench/http-load.sh once first for target/bench's weights)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
APP=target/bench/extracted
. bench/serve-lib.sh
rm -rf "$APP"
java -Djarmode=tools -jar "$JAR" extract --destination "$APP" >/dev/null
EXTRACTED=$(ls "$APP"/denseserve-*.jar)
java @deploy/docker/jvm.options -XX:ArchiveClassesAtExit="$APP/denseserve.jsa" -Dspring.context.exit=onRefresh \
  -jar "$EXTRACTED" --server.port=0 > "$APP/training.log" 2>&1
ready() { # label, java arguments...
  local label=$1; shift
  serve "target/bench/start-$label.log" "$@"
  echo "$label,ready_s,$READY_S"
  stop
}
D121=(--denseserve.model.torchvision=densenet121 --denseserve.model.weights=target/bench/densenet121.pth)
for _ in $(seq "$ROUNDS"); do
  ready default-fat -jar "$JAR"
  ready default-archive -XX:SharedArchiveFile="$APP/denseserve.jsa" -jar "$EXTRACTED"
  ready densenet121-fat -jar "$JAR" "${D121[@]}"
  ready densenet121-archive -XX:SharedArchiveFile="$APP/denseserve.jsa" -jar "$EXTRACTED" "${D121[@]}"
done
