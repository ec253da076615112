#!/usr/bin/env bash
# Two builds of the service side by side, per request and to readiness: this tree's jar and OTHER_JAR,
# one process at a time, alternating, for the default model and DenseNet-121 (§1's weights, a 224x224
# crop of skimage's chelsea.png); wrk at concurrency 1 and 16 after a warm-up.
# Usage: bench/jar-ab.sh OTHER_JAR [ROUNDS] [SECONDS_PER_POINT]   (needs wrk; run bench/http-load.sh once
#   first for target/bench's weights and images; SERVER_JAVA_OPTS as in bench/serve-lib.sh). E.g. the
#   service on Jetty against the same service on Tomcat, built from the last commit that served on it:
#   git worktree add /tmp/tomcat d6bacab && (cd /tmp/tomcat && ./mvnw -q -DskipTests package)
#   bench/jar-ab.sh /tmp/tomcat/target/denseserve-0.1.0-SNAPSHOT.jar 2 8
set -euo pipefail
cd "$(dirname "$0")/.."
OTHER=$1 ROUNDS=${2:-2} SECS=${3:-8}
THIS=$(ls target/denseserve-*.jar | grep -v original | head -1)
. bench/serve-lib.sh
for model in default densenet121; do
  ab_model $model
  for _ in $(seq "$ROUNDS"); do
    ab_run "$model-other" "$OTHER" "$AB_IMAGE" "${AB_ARGS[@]}"
    ab_run "$model-this" "$THIS" "$AB_IMAGE" "${AB_ARGS[@]}"
  done
done
