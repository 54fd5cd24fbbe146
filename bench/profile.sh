#!/usr/bin/env bash
# Profiles Tessera under the peer harness's load (../shared/peers: the same server set-up, wrk
# scripts and settings as `make bench-peers`) and keeps, per scenario, a flame graph
# (docs/profiles/<scenario>.svg), its folded stacks (.folded) and the top frames (.md).
#   bash bench/profile.sh                       refresh cc_token introspect profile_jwt token_profile
#   bash bench/profile.sh refresh               one scenario (also: login)
# Knobs: PROFILE_SECONDS [8] (perf runs inside a wrk run 2 s longer), PROFILE_FREQ [499] Hz,
# PEERS_DIR [../shared/peers], OUT [docs/profiles], BUILD_DIR [build].
# perf records with DWARF call graphs (the Debian libraries have no frame pointers).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/${BUILD_DIR:-build}/tessera
[ -x "$BIN" ] || { echo "no $BIN: make build first" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf not found (scripts/setup.sh installs linux-perf)" >&2; exit 1; }
SECS=${PROFILE_SECONDS:-8}
FREQ=${PROFILE_FREQ:-499}
OUT=${OUT:-$ROOT/docs/profiles}
SRC=$(cd "${PEERS_DIR:-$ROOT/../shared/peers}" && pwd)
SCENARIOS=("$@")
[ "${#SCENARIOS[@]}" -gt 0 ] || SCENARIOS=(refresh cc_token introspect profile_jwt token_profile)

# The harness writes run/ beside its scripts: work on a copy.
WORK=$(mktemp -d /tmp/tessera-profile.XXXXXX)
trap '"$WORK/tessera/stop.sh" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
(cd "$SRC" && tar --exclude=run --exclude=results -cf - tessera common) | (cd "$WORK" && tar xf -)
TESSERA_BIN=$BIN "$WORK/tessera/start.sh"
source "$WORK/tessera/run/bench.env"
PID=$(cat "$WORK/tessera/run/server.pid")
BASE=http://127.0.0.1:${PORT:-18100}
API=/apps/default/api OAUTH=/apps/default/oauth
BASIC="Basic $(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)"
LUA=$WORK/common/lua
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
login() { curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$BASE$API/login"; }
mkdir -p "$OUT"

for s in "${SCENARIOS[@]}"; do
  case "$s" in
    refresh)
      for _ in $(seq 1 32); do login | field refresh_token; done > "$WORK/pool.txt"
      ARGS=(-s "$LUA/refresh_chain.lua" "$BASE" -- "$API/token/refresh" "$WORK/pool.txt" 1 refresh_token refresh_token) ;;
    cc_token)
      ARGS=(-s "$LUA/post_form.lua" "$BASE" -- "$OAUTH/token" "grant_type=client_credentials&scope=read" "$BASIC") ;;
    introspect)
      TOKEN=$(curl -sf -H "Authorization: $BASIC" -d 'grant_type=client_credentials&scope=read' "$BASE$OAUTH/token" | field access_token)
      ARGS=(-s "$LUA/post_form.lua" "$BASE" -- "$OAUTH/introspect" "token=$TOKEN" "$BASIC") ;;
    profile_jwt)
      ARGS=(-s "$LUA/get_auth.lua" "$BASE" -- "$API/me" "Bearer $(login | field access_token)") ;;
    token_profile)
      TOK=$(curl -sf -H "Authorization: Bearer $(login | field access_token)" -H 'Content-Type: application/json' \
        -d '{"name":"profile"}' "$BASE$API/me/tokens" | field token)
      ARGS=(-s "$LUA/get_auth.lua" "$BASE" -- "$API/me" "Token $TOK") ;;
    login)
      ARGS=(-s "$LUA/post_json.lua" "$BASE" -- "$API/login" "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}") ;;
    *) echo "unknown scenario $s" >&2; exit 1 ;;
  esac
  echo "== $s" >&2
  perf record -q -F "$FREQ" --call-graph dwarf,16384 -p "$PID" -o "$WORK/perf.data" -- sleep "$SECS" 2>/dev/null &
  PERF=$!
  wrk -t1 -c16 -d$((SECS + 2))s "${ARGS[@]}" | grep '^RESULT' >&2
  wait "$PERF" || true
  perf script -i "$WORK/perf.data" 2>/dev/null | python3 bench/flamegraph.py fold > "$OUT/$s.folded"
  python3 bench/flamegraph.py svg --title "Tessera $s (wrk -t1 -c16, SQLite, $(date -u +%F))" < "$OUT/$s.folded" > "$OUT/$s.svg"
  python3 bench/flamegraph.py top --n 40 < "$OUT/$s.folded" > "$OUT/$s.md"
  echo "   $OUT/$s.svg" >&2
done
