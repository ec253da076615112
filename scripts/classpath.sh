#!/usr/bin/env bash
# Prints the runtime classpath of the compiled project (compiling it first), for scripts that
# run a main class directly with the environment libtorch needs.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
echo "target/classes:$(cat target/classpath.txt)"
