# Shared by the bench scripts that start the packaged jar themselves (jar-ab.sh, settings-ab.sh,
# start-ready.sh, heap-growth.sh): one server at a time, started and timed to readiness, and, for
# the A/B scripts, measured under wrk at concurrency 1 and 16 after a warm-up. Needs wrk, and
# target/bench's weights and images (run bench/http-load.sh once first).
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_ARENA_MAX=2 OPT_OUT_TRACKING=true
AB_PORT=18090
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_bf16|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"

# serve LOG JAVA_ARGS...: starts java @deploy/docker/jvm.options $SERVER_JAVA_OPTS JAVA_ARGS on $AB_PORT and
# returns once it is ready, with SERVER_PID and READY_S (seconds from the java command to readiness UP)
# set. SERVER_JAVA_OPTS="-Xmx1229m" gives the heap the container's entrypoint gives a pod limited to
# 3 GiB, as the Helm chart's is (40%); without it the JVM takes a quarter of the host's memory.
# SERVER_CPUS (a taskset list, e.g. 0) starts it on those CPUs only; it sizes itself to them.
serve() {
  local log=$1; shift
  local started; started=$(date +%s.%N)
  # shellcheck disable=SC2086 # a list of options
  ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} java @deploy/docker/jvm.options ${SERVER_JAVA_OPTS:-} "$@" --server.port=$AB_PORT --logging.level.root=warn > "$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1200); do curl -fs localhost:$AB_PORT/actuator/health/readiness >/dev/null && break; sleep 0.05; done
  READY_S=$(echo "$(date +%s.%N) - $started" | bc)
}

stop() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

# ab_model MODEL: sets AB_IMAGE and AB_ARGS for default, densenet121 or densenet121-bf16
ab_model() {
  AB_ARGS=() AB_IMAGE=target/bench/fashion-0.png
  if [ "$1" != default ]; then
    AB_ARGS=(--denseserve.model.torchvision=densenet121 --denseserve.model.weights=target/bench/densenet121.pth)
    AB_IMAGE=target/bench/chelsea-224.png
  fi
  [ "$1" != densenet121-bf16 ] || AB_ARGS+=(--denseserve.inference.precision=bf16)
}

# ab_run LABEL JAR IMAGE [ARGS...]: one line, LABEL,ready_s,S,c=1,req/s,p50,p99,n,errors,c=16,...,rss_mib,R.
# ARGS starting with -X or -D are the JVM's (after jvm.options, so they win), the others the service's.
ab_run() {
  local label=$1 jar=$2 image=$3; shift 3
  local jvm=() app=()
  for arg in "$@"; do case $arg in -X* | -D*) jvm+=("$arg") ;; *) app+=("$arg") ;; esac; done
  serve "target/bench/ab-$label.log" "${jvm[@]}" -jar "$jar" "${app[@]}"
  local out="$label,ready_s,$READY_S"
  IMAGE=$image wrk -t 2 -c 4 -d 4s -s bench/post-image.lua http://localhost:$AB_PORT >/dev/null
  for c in 1 16; do
    IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d 2s -s bench/post-image.lua http://localhost:$AB_PORT >/dev/null
    out="$out,c=$c,$(IMAGE=$image wrk -t $(( c < 2 ? 1 : 2 )) -c $c -d "${SECS}s" --timeout 30s -s bench/post-image.lua \
      http://localhost:$AB_PORT | grep '^WRK' | cut -d, -f2-)"
  done
  out="$out,rss_mib,$(curl -fs localhost:$AB_PORT/actuator/prometheus | awk '/^process_resident_memory_bytes/ {printf "%.0f", $2 / 1048576}')"
  echo "$out"
  stop
}
