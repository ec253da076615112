#!/usr/bin/env bash
# The same image three ways against one server (the jar, its defaults, gRPC on 18091): POST /classify
# with a raw PNG body (wrk), the Open Inference Protocol's REST form with the image as BYTES through
# the binary-data extension (wrk), and its gRPC form with the image in raw_input_contents
# (io.denseserve.bench.GrpcLoad: calls in flight on one HTTP/2 connection); all with the top 5.
# Concurrency 1 and 16, interleaved over two rounds after a warm-up of each. Each line ends with the
# server's CPU time per request (user + system, from /proc): the clients (wrk, and GrpcLoad's JVM)
# share the server's 2 CPUs, and a client that costs more CPU takes throughput from the server.
# PINNED=1 puts the server on CPU 0 and the clients on CPU 1, so that what each client costs does
# not come out of the server's CPU (the server then sizes itself to one CPU).
# Usage: [PINNED=1] bench/grpc-vs-rest.sh [SECONDS_PER_POINT] [MODEL]   MODEL: default or densenet121
#   (run bench/http-load.sh once first for target/bench's weights and images)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
JAR=$(ls target/denseserve-*.jar | grep -v original | head -1)
./mvnw -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench/cp.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench/cp.txt)"
. bench/serve-lib.sh
ab_model "${2:-default}"
CLIENT=()
if [ "${PINNED:-0}" = 1 ]; then SERVER_CPUS=0 CLIENT=(taskset -c 1); fi
GRPC_PORT=18091
serve target/bench/grpc-vs-rest.log -jar "$JAR" "${AB_ARGS[@]}" --denseserve.grpc.port=$GRPC_PORT
trap stop EXIT
export IMAGE=$AB_IMAGE MODEL
MODEL=$(curl -fs localhost:$AB_PORT/models | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
ticks() { awk '{print $14 + $15}' /proc/$SERVER_PID/stat; }
point() { # label, concurrency, seconds
  local threads=$(( $2 < 2 ? 1 : 2 )) before line
  before=$(ticks)
  line=$(case $1 in
    classify) "${CLIENT[@]}" wrk -t $threads -c "$2" -d "$3s" --timeout 30s -s bench/post-image.lua "http://localhost:$AB_PORT/classify?topK=5" ;;
    v2-binary) V2_MODE=binary "${CLIENT[@]}" wrk -t $threads -c "$2" -d "$3s" --timeout 30s -s bench/post-v2.lua "http://localhost:$AB_PORT" ;;
    grpc) "${CLIENT[@]}" java -cp "$CP" io.denseserve.bench.GrpcLoad $GRPC_PORT "$MODEL" "$IMAGE" "$2" "$3" "$SERVER_PID" ;;
  esac | grep -E '^(WRK|GRPC)' | sed "s/^[A-Z]*/$1,c=$2/")
  # GrpcLoad measures the server's CPU itself, leaving out its own warm-up
  [ "$1" = grpc ] && { echo "$line"; return; }
  echo "$line,$(echo "scale=2; ($(ticks) - $before) * 1000 / $(getconf CLK_TCK) / $(echo "$line" | cut -d, -f6)" | bc)"
}
for label in classify v2-binary grpc; do point $label 16 3 >/dev/null; done
echo "label,concurrency,req/s,p50 ms,p99 ms,requests,errors,server CPU ms per request"
for round in 1 2; do
  for c in 1 16; do
    for label in classify v2-binary grpc; do point $label $c "$SECS"; done
  done
done
