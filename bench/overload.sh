#!/usr/bin/env bash
# Sign-in overload (issue 12, "Overload behaviour"): one server (SQLite, default flags: real
# argon2id, one hash per core, --hash-max-wait 2 s), in one go:
#   1. login at 16 connections (BENCH_LOGIN_CONNECTIONS): the answer should be 0 errors;
#   2. GET /api/me with a JWT at 8 connections, as fast as it goes, alone and then while a 10x
#      flood (160 connections) hammers login from the same address: throughput, p99, the
#      flood's 503s, and the server's RSS (peak, sampled every 0.2 s, and after);
#   3. steady API traffic, alone and during the flood, BENCH_ROUNDS times alternating: each of
#      8 connections waits BENCH_DELAY_MS between requests (~1,500 req/s here, a busy API
#      rather than a saturated one) on `me` (JWT), on POST oauth/token (client_credentials,
#      an ES256 signature each) and, as the control, on /healthz: answered on the network
#      thread, it touches no lock, pool or database, so whatever the flood does to its p99
#      is the machine (CPU, caches, memory bandwidth shared with argon2 and both wrk
#      processes), not the server's queueing.
# Prints one line per run and Markdown tables (docs/benchmarks.md, "Sign-in overload").
# Environment: BENCH_SECONDS [10], BENCH_LOGIN_CONNECTIONS [16], BENCH_FLOOD_CONNECTIONS [160],
# BENCH_ME_CONNECTIONS [8], BENCH_DELAY_MS [4], BENCH_ROUNDS [3], BENCH_SERVER_ARGS [],
# BUILD_DIR [build].
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
[[ "$BUILD" == /* ]] || BUILD=$ROOT/$BUILD
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
LOGIN_CONNS=${BENCH_LOGIN_CONNECTIONS:-16}
FLOOD_CONNS=${BENCH_FLOOD_CONNECTIONS:-160}
ME_CONNS=${BENCH_ME_CONNECTIONS:-8}
PACE_MS=${BENCH_DELAY_MS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
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
ME_AUTH=$BENCH_AUTH
# A machine client for the token endpoint, made with the CLI on the server's database (WAL
# lets a second process write).
CC_AUTH=$("$BUILD/tessera" admin create-client --data-dir "$WORK/data" --public-url \
  "http://127.0.0.1:$PORT" --app default --json --name bench-m2m --grant client_credentials \
  --scope bench:read 2>>"$WORK/admin.log" | node -e 'const c = JSON.parse(require("fs").readFileSync(0, "utf8"));
  process.stdout.write("Basic " + Buffer.from(c.client_id + ":" + c.client_secret).toString("base64"));')
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

# Steady traffic: SCENARIO alone, then during a flood, ROUNDS times; one JSON file per run.
paced() {  # NAME SCRIPT AUTH ROUND
  BENCH_AUTH=$3 BENCH_DELAY_MS=$PACE_MS SECONDS_PER_RUN=$((SECONDS_PER_RUN - 2)) \
    wrk_run "paced_$1_alone_$4" "$2" "$ME_CONNS"
  wrk_run "paced_flood_$1_$4" login.lua "$FLOOD_CONNS" &
  local f=$!
  sleep 1
  BENCH_AUTH=$3 BENCH_DELAY_MS=$PACE_MS SECONDS_PER_RUN=$((SECONDS_PER_RUN - 2)) \
    wrk_run "paced_$1_flood_$4" "$2" "$ME_CONNS"
  wait "$f"
  sleep 1
}
for round in $(seq 1 "$ROUNDS"); do
  paced healthz healthz.lua "" "$round"
  paced me me.lua "$ME_AUTH" "$round"
  paced cc oauth_cc.lua "$CC_AUTH" "$round"
done
# NAME → "alone-rps alone-p99s(ms, per round) | flood-rps flood-p99s | non-2xx"
paced_row() {
  node -e 'const fs = require("fs"); const [dir, name, rounds, label] = process.argv.slice(1);
    const read = (k, i) => JSON.parse(fs.readFileSync(`${dir}/paced_${name}_${k}_${i}.json`, "utf8"));
    const runs = (k) => Array.from({ length: +rounds }, (_, i) => read(k, i + 1));
    const a = runs("alone"), f = runs("flood");
    const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
    const p99 = (rs) => rs.map((r) => (r.latency_us.p99 / 1000).toFixed(1)).join(" / ");
    const rps = (rs) => med(rs.map((r) => r.rps)).toFixed(0);
    const bad = [...a, ...f].reduce((n, r) => n + r.non2xx, 0);
    console.log(`| ${label} | ${rps(a)} | ${p99(a)} ms | ${rps(f)} | ${p99(f)} ms | ${bad} |`);' \
    "$WORK" "$1" "$ROUNDS" "$2"
}
for name in healthz me cc; do
  log "paced $name: $(paced_row "$name" "$name")"
done

cat <<TABLE
| run | connections | req/s | p99 | non-2xx |
|---|---|---|---|---|
| login alone | $LOGIN_CONNS | $l_rps | $l_p99 ms | $l_bad |
| me (JWT) alone | $ME_CONNS | $m_rps | $m_p99 ms | $m_bad |
| login flood | $FLOOD_CONNS | $f_rps | $f_p99 ms | $f_bad (503) |
| me (JWT) during the flood | $ME_CONNS | $mf_rps | $mf_p99 ms | $mf_bad |

RSS: idle $idle_rss kB, peak during the flood $peak kB, after $after_rss kB.

Steady traffic ($ME_CONNS connections, $PACE_MS ms between requests; p99 of each of $ROUNDS rounds):

| endpoint | alone: req/s (median) | p99 | during the flood: req/s | p99 | non-2xx |
|---|---:|---:|---:|---:|---:|
$(paced_row healthz "/healthz (control: no lock, pool or database)")
$(paced_row me "GET /api/me (JWT)")
$(paced_row cc "POST oauth/token (client_credentials)")
$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), load before $(cut -d' ' -f1-2 /proc/loadavg).
TABLE
