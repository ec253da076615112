#!/usr/bin/env bash
# Trains the default model (DenseNet-BC on Fashion-MNIST); options are FashionMnistTrainer's:
#   --epochs N --out DIR --resume --subset N --depth L --growth K --batch B --lr X --seed S
# Long runs: run it in the background with nohup; it checkpoints every epoch, --resume continues.
set -euo pipefail
cd "$(dirname "$0")/.."
CP=$(scripts/classpath.sh)
# Run from a private copy of the classes: a build during a long run must not pull them away.
RUN_CLASSES=$(mktemp -d /tmp/denseserve-trainer-classes.XXXXXX)
cp -r target/classes/. "$RUN_CLASSES"
CP="$RUN_CLASSES:${CP#target/classes:}"
. scripts/onednn-limit.sh
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 OPT_OUT_TRACKING=true
exec java -Xmx4g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$CP" io.denseserve.training.FashionMnistTrainer "$@"
