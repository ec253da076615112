#!/usr/bin/env bash
# Test accuracy of a Fashion-MNIST bundle on all 10,000 test images, per-class accuracy and the
# confusion matrix (text and PNG), in process with the service's preprocessing.
#   scripts/evaluate-fashion-mnist.sh [bundle-dir|classpath] [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
CP=$(scripts/classpath.sh)
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 OPT_OUT_TRACKING=true
exec java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP:target/classes" \
  io.denseserve.training.FashionMnistEvaluator "$@"
