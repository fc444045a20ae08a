#!/usr/bin/env bash
# The federation topology on loopback, without docker: hub, partner subgraph (mentor pool), Hive Gateway.
#
#   make federation-demo        (composes gateway/supergraph.graphql first, then runs this)
#
# The hub uses HUB_DATABASE_URL (default: the embedded SQLite in var/), migrated and seeded with the Namwon
# demo; point it at PostgreSQL to run the scale-out store. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
HUB_PORT=${HUB_PORT:-8000}
PARTNER_PORT=${PARTNER_PORT:-4001}
GATEWAY_PORT=${GATEWAY_PORT:-4000}
SUPERGRAPH=${SUPERGRAPH:-gateway/supergraph.graphql}

[[ -f $SUPERGRAPH ]] || { echo "$SUPERGRAPH 없음: make supergraph / missing: run make supergraph" >&2; exit 1; }
mkdir -p var

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "멈춤 / stopped"
}
trap stop INT TERM EXIT

wait_for() {  # name url: bounded wait (60 s) for HTTP 200
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$2" 2>/dev/null; then echo "$1 준비됨 / ready: $2"; return 0; fi
    sleep 0.2
  done
  echo "$1 시작 실패 / did not start: $2" >&2
  exit 1
}

"$VENV/bin/hub" db upgrade
"$VENV/bin/hub" seed demo
"$VENV/bin/hub" serve --host "$HOST" --port "$HUB_PORT" &
pids+=($!)
wait_for hub "http://$HOST:$HUB_PORT/readyz"

"$VENV/bin/python" -m partner --host "$HOST" --port "$PARTNER_PORT" --db var/partner.sqlite3 \
  --hub "http://$HOST:$HUB_PORT/graphql" &
pids+=($!)
wait_for partner "http://$HOST:$PARTNER_PORT/healthz"

HUB_SUBGRAPH_URL="http://$HOST:$HUB_PORT/graphql" PARTNER_SUBGRAPH_URL="http://$HOST:$PARTNER_PORT/graphql" \
  node_modules/.bin/hive-gateway supergraph "$SUPERGRAPH" -c gateway/gateway.config.mjs \
  --host "$HOST" --port "$GATEWAY_PORT" &
pids+=($!)
wait_for gateway "http://$HOST:$GATEWAY_PORT/readiness"

cat <<MSG

게이트웨이 / gateway: http://$HOST:$GATEWAY_PORT/graphql   (Ctrl-C로 모두 멈춤 / Ctrl-C stops all three)
  curl -s http://$HOST:$GATEWAY_PORT/graphql -H 'content-type: application/json' \\
    -d '{"query":"{ organisation(slug: \\"chunhyang-education\\") { name mentors { name sessions { title startsAt } } } }"}'
MSG
wait -n "${pids[@]}"
