#!/usr/bin/env bash
# Brings up docker-compose.yml (service + Prometheus + Grafana), sends classifications, and checks
# that Prometheus scrapes the service and that every query of the Grafana dashboard returns data
# through Grafana's own data-source proxy; then takes it down. Uses `docker compose` where a Docker
# engine answers, else podman-compose. Needs the Prometheus and Grafana images (Docker Hub) and the
# Dockerfile's base images: where they cannot be pulled it stops at `up` with exit status 2.
#   scripts/compose-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if docker info >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v podman-compose >/dev/null; then
  COMPOSE=(podman-compose)
  export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
else
  echo "neither a Docker engine nor podman-compose is available" >&2; exit 2
fi
cleanup() { "${COMPOSE[@]}" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
"${COMPOSE[@]}" up -d --build || true # podman-compose reports failures only in its output
up=$("${COMPOSE[@]}" ps 2>/dev/null | grep -c -E ' Up |running' || true)
if [ "$up" -lt 3 ]; then
  "${COMPOSE[@]}" ps >&2 || true
  echo "compose started $up of 3 containers (see above: images that could not be pulled or built)" >&2; exit 2
fi

wait_for() { # url, seconds
  for _ in $(seq "$2"); do curl -fs -o /dev/null "$1" && return 0; sleep 1; done
  echo "not up within $2 s: $1" >&2; return 1
}
wait_for localhost:8080/actuator/health/readiness 180
wait_for localhost:9090/-/ready 60
wait_for localhost:3000/api/health 60

image=models/fashion-mnist/confusion-matrix.png
for _ in $(seq 50); do curl -fs -o /dev/null -H 'Content-Type: image/png' --data-binary @"$image" localhost:8080/classify; done
curl -s -o /dev/null -H 'Content-Type: image/png' --data-binary 'not an image' localhost:8080/classify # one error
sleep 20

health=$(curl -fs localhost:9090/api/v1/targets | python3 -c \
  'import json,sys; print(*[t["health"] for t in json.load(sys.stdin)["data"]["activeTargets"] if t["labels"]["job"]=="denseserve"])')
[ "$health" = up ] || { echo "Prometheus target denseserve: '$health', not up" >&2; exit 1; }
echo "Prometheus scrapes denseserve: up"

failed=0
while IFS= read -r expr; do
  result=$(curl -fsG localhost:3000/api/datasources/proxy/uid/prometheus/api/v1/query --data-urlencode "query=$expr" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))')
  if [ "$result" -gt 0 ]; then echo "data: $expr"; else echo "NO DATA: $expr"; failed=1; fi
done < <(python3 -c 'import json; [print(t["expr"]) for p in json.load(open("deploy/grafana/dashboards/denseserve.json"))["panels"] for t in p.get("targets", [])]')
exit $failed
