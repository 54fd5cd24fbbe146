#!/usr/bin/env bash
# Instructions per request, under callgrind: a measure that does not depend on what else the
# machine is doing (wrk rates on a shared 2-core machine move by ±25 % between passes).
# Starts BIN under `valgrind --tool=callgrind` (one network thread, one worker) on a fresh
# SQLite folder, sends one warm-up request and then N requests of SCENARIO with curl, stops
# the server and prints the run's total instruction count (Ir). Run it with N = 0 and N = 300
# and divide the difference by 300; compare two binaries that way (docs/benchmarks.md).
#
#   bench/instructions_per_request.sh BIN SCENARIO N     SCENARIO: oauth_cc | me_jwt
set -euo pipefail
BIN=$1 SCENARIO=$2 N=$3
command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install valgrind)"; exit 1; }
D=$(mktemp -d /tmp/tessera-ipr.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
BASE=http://127.0.0.1:$PORT
valgrind --tool=callgrind --callgrind-out-file="$D/callgrind.out" "$BIN" serve \
  --listen 127.0.0.1:$PORT --data-dir "$D/data" --public-url "$BASE" --log-level warn \
  --threads 1 --workers 1 --argon2-memory-kib 64 --argon2-iterations 1 >"$D/server.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; rm -rf "$D"' EXIT
for _ in $(seq 1 240); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.5; done

json_field() { node -e "console.log(JSON.parse(require('fs').readFileSync(0,'utf8')).$1)"; }
case "$SCENARIO" in
  oauth_cc)
    created=$("$BIN" admin create-client --data-dir "$D/data" --public-url "$BASE" --app default \
      --json --name m2m --grant client_credentials --scope bench:read 2>/dev/null)
    CURL=(-u "$(json_field client_id <<<"$created"):$(json_field client_secret <<<"$created")"
          -d grant_type=client_credentials "$BASE/apps/default/oauth/token") ;;
  me_jwt)
    body='{"email":"ipr@bench.example","password":"correct horse battery staple"}'
    curl -s -o /dev/null -H 'content-type: application/json' -d "$body" "$BASE/apps/default/api/signup"
    token=$(curl -s -H 'content-type: application/json' -d "$body" "$BASE/apps/default/api/login" |
      json_field access_token)
    CURL=(-H "Authorization: Bearer $token" "$BASE/apps/default/api/me") ;;
  *) echo "unknown scenario $SCENARIO (oauth_cc, me_jwt)"; exit 2 ;;
esac
curl -s -o /dev/null "${CURL[@]}"  # warm-up: first-use costs are not per request
ok=0
for _ in $(seq 1 "$N"); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "${CURL[@]}") == 200 ]] && ok=$((ok + 1))
done
kill -TERM $SERVER; wait $SERVER 2>/dev/null || true
echo "$SCENARIO N=$N ok=$ok Ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$D/callgrind.out")"
