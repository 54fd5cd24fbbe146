#!/usr/bin/env bash
# Sign-in overload (issue 12, "Overload behaviour"): one server (SQLite, default flags: real
# argon2id, one hash per core, --hash-max-wait 2 s), three runs in one go:
#   1. login at 16 connections (BENCH_LOGIN_CONNECTIONS): the answer should be 0 errors;
#   2. GET /api/me with a JWT at 8 connections, alone: the token endpoints' baseline;
#   3. the same `me` run while a 10x flood (160 connections) hammers login from the same
#      address: `me` p99 against (2), the flood's 503s, and the server's RSS (peak, sampled
#      every 0.2 s, and after).
# Prints one JSON line per run and a Markdown table (docs/benchmarks.md, "Sign-in overload").
# Environment: BENCH_SECONDS [10], BENCH_LOGIN_CONNECTIONS [16], BENCH_FLOOD_CONNECTIONS [160],
# BENCH_ME_CONNECTIONS [8], BENCH_SERVER_ARGS [], BUILD_DIR [build].
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
[[ "$BUILD" == /* ]] || BUILD=$ROOT/$BUILD
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
LOGIN_CONNS=${BENCH_LOGIN_CONNECTIONS:-16}
FLOOD_CONNS=${BENCH_FLOOD_CONNECTIONS:-160}
ME_CONNS=${BENCH_ME_CONNECTIONS:-8}
export BENCH_DIR=$ROOT/bench
WORK=$(mktemp -d /tmp/tessera-overload.XXXXXX)
SPID=""
cleanup() { [[ -z "$SPID" ]] || { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "overload: $*" >&2; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
  console.log(s.address().port); s.close(); });')
# GET a path; prints the body (node's fetch: no curl needed).
get() { node -e 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))' "http://127.0.0.1:$PORT$1"; }
PASSWORD="bench-Passw0rd-$RANDOM$RANDOM"
# shellcheck disable=SC2206  # a list of flags
"$BUILD/tessera" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" --log-level warn \
  ${BENCH_SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 300); do
  get /healthz >/dev/null 2>&1 && break
  sleep 0.1
done
ISSUER=http://127.0.0.1:$PORT/apps/default
export BENCH_ISSUER_PATH=/apps/default BENCH_PASSWORD=$PASSWORD BENCH_RUN_ID=overload-$$
BENCH_LOGIN_EMAILS=$(node bench/fixtures.mjs users "$ISSUER" "$PASSWORD" "ov-$$" 4)
export BENCH_LOGIN_EMAILS
owner=${BENCH_LOGIN_EMAILS%%,*}
BENCH_AUTH="Bearer $(node bench/fixtures.mjs jwt "$ISSUER" "$PASSWORD" "$owner")"
export BENCH_AUTH
idle_rss=$(rss_kb "$SPID")

# wrk NAME SCRIPT CONNECTIONS: writes $WORK/NAME.json
wrk_run() {
  BENCH_WRK_JSON=$WORK/$1.json wrk -t1 -c"$3" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency \
    -s "bench/$2" "http://127.0.0.1:$PORT" >"$WORK/$1.txt" 2>&1
}
summary() {  # NAME → "rps p99_ms non2xx"
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.rps.toFixed(1), (r.latency_us.p99 / 1000).toFixed(1), r.non2xx,
      Object.values(r.socket_errors).reduce((a, b) => a + b, 0));' "$WORK/$1.json"
}

sleep 1
wrk_run login16 login.lua "$LOGIN_CONNS"
read -r l_rps l_p99 l_bad l_sock < <(summary login16)
log "login at $LOGIN_CONNS connections: $l_rps/s, p99 $l_p99 ms, non-2xx $l_bad, socket errors $l_sock"
sleep 1
wrk_run me_alone me.lua "$ME_CONNS"
read -r m_rps m_p99 m_bad _ < <(summary me_alone)
log "me alone: $m_rps/s, p99 $m_p99 ms, non-2xx $m_bad"
sleep 1
peak=0
( while kill -0 "$SPID" 2>/dev/null; do rss_kb "$SPID"; sleep 0.2; done ) >"$WORK/rss.txt" &
sampler=$!
wrk_run flood login.lua "$FLOOD_CONNS" &
flood=$!
sleep 1  # the flood is at full strength before `me` is measured
SECONDS_PER_RUN=$((SECONDS_PER_RUN - 2)) wrk_run me_flood me.lua "$ME_CONNS"
wait "$flood"
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$WORK/rss.txt" | tail -n 1)
after_rss=$(rss_kb "$SPID")
read -r f_rps f_p99 f_bad f_sock < <(summary flood)
read -r mf_rps mf_p99 mf_bad _ < <(summary me_flood)
log "flood at $FLOOD_CONNS connections: $f_rps/s, p99 $f_p99 ms, non-2xx $f_bad, socket errors $f_sock"
log "me during the flood: $mf_rps/s, p99 $mf_p99 ms, non-2xx $mf_bad; RSS idle $idle_rss kB, peak $peak kB, after $after_rss kB"
shed=$(get /metrics | awk '/^tessera_password_hash_(shed|estimate)/')
log "metrics: $(echo "$shed" | tr '\n' ' ')"
cat <<TABLE
| run | connections | req/s | p99 | non-2xx |
|---|---|---|---|---|
| login alone | $LOGIN_CONNS | $l_rps | $l_p99 ms | $l_bad |
| me (JWT) alone | $ME_CONNS | $m_rps | $m_p99 ms | $m_bad |
| login flood | $FLOOD_CONNS | $f_rps | $f_p99 ms | $f_bad (503) |
| me (JWT) during the flood | $ME_CONNS | $mf_rps | $mf_p99 ms | $mf_bad |

RSS: idle $idle_rss kB, peak during the flood $peak kB, after $after_rss kB.
$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), load before $(cut -d' ' -f1-2 /proc/loadavg).
TABLE
