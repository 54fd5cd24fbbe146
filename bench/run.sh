#!/usr/bin/env bash
# Tessera benchmarks (`make bench`): starts the server on a free loopback port with its own
# temporary data, creates fixtures through the HTTP API, drives each scenario with wrk, and
# does this on SQLite and on a throw-away PostgreSQL (scripts/postgres-test-server.sh).
# Writes bench/results/latest.json and prints a Markdown table (docs/benchmarks.md).
#
# Scenarios (bench/*.lua): healthz, signup, login, refresh, me_jwt, me_token, and the OAuth
# endpoints: oauth_cc (POST oauth/token, client_credentials), oauth_introspect (POST
# oauth/introspect of a user's access token; a 200 without "active":true counts as non-2xx),
# oauth_userinfo (GET oauth/userinfo with that kind of token), oauth_refresh (POST oauth/token,
# refresh_token, rotating like refresh). The OAuth clients are made with `tessera admin
# create-client` against the running server's database: bench-m2m (client_credentials, scope
# bench:read; a resource server, so that it may introspect the user's token) and bench-web
# (first-party, authorization_code + refresh_token, scopes openid profile email
# offline_access). Both authenticate with client_secret_basic. User tokens come from the
# authorization-code flow through the hosted login page (bench/fixtures.mjs oauth): the report
# compares each OAuth scenario's req/s per vCPU of server CPU with Keycloak's sizing guide
# (120/s per vCPU).
# Per run: req/s, latency percentiles, non-2xx answers, the server's CPU (utime+stime from
# /proc/PID/stat over the run), the whole machine's CPU, wrk's own CPU, and the server's RSS
# after the run; per backend: idle RSS right after start and after all runs.
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [10]          length of each wrk run
#   BENCH_CONNECTIONS [32]      wrk connections for healthz, refresh, me_jwt, me_token, oauth_*
#   BENCH_HASH_CONNECTIONS [8]  wrk connections for signup and login (each request is one
#                               argon2id hash; the server runs one per core and queues the
#                               rest while the expected wait is within --hash-max-wait, 2 s;
#                               bench/overload.sh drives 16 and a 160-connection flood)
#   BENCH_WRK_THREADS [1]       wrk threads (the load generator shares the machine's cores)
#   BENCH_BACKENDS ["sqlite postgres"]
#   BENCH_SCENARIOS ["healthz signup login refresh me_jwt me_token oauth_cc oauth_introspect
#                    oauth_userinfo oauth_refresh"]
#   BENCH_LOG_LEVEL [warn]      the server's --log-level (info logs every request)
#   BENCH_SERVER_ARGS []        extra `tessera serve` flags, e.g. "--threads 1 --workers 8"
#   BENCH_HASH_SECONDS [5]      per configuration of build/tessera_bench_hash (1 thread, then
#                               one per core), run at the start of every pass; 0 skips it
#   BENCH_REFRESH_SEEDS [2 x BENCH_CONNECTIONS]  sessions seeding the refresh queue (refresh:
#                               one login each; oauth_refresh: one authorization-code grant each)
#   BENCH_REPEAT [1]            passes over the scenarios, each after one hash-rate run; per
#                               scenario the fastest attempt is kept (all are listed under
#                               "attempts"), and the fastest hash rate
#   BENCH_OUT [bench/results/latest.json]
#   BUILD_DIR [build]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUILD=${BUILD_DIR:-build}
[[ "$BUILD" == /* ]] || BUILD=$ROOT/$BUILD
BIN=$BUILD/tessera
HASH_BIN=$BUILD/tessera_bench_hash
RUN_SECONDS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
HASH_CONNS=${BENCH_HASH_CONNECTIONS:-8}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
BACKENDS=${BENCH_BACKENDS:-"sqlite postgres"}
SCENARIOS=${BENCH_SCENARIOS:-"healthz signup login refresh me_jwt me_token oauth_cc oauth_introspect oauth_userinfo oauth_refresh"}
LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
SERVER_ARGS=${BENCH_SERVER_ARGS:-}
HASH_SECONDS=${BENCH_HASH_SECONDS:-5}
REFRESH_SEEDS=${BENCH_REFRESH_SEEDS:-$((2 * CONNS))}
OUT=${BENCH_OUT:-bench/results/latest.json}
REPEAT=${BENCH_REPEAT:-1}
SETTLE_SECONDS=1   # pause before each run (fixtures' writes, WAL checkpoints)
IDLE_SECONDS=3     # pause before reading the idle RSS

PASSWORD="bench-Passw0rd-$RANDOM$RANDOM"
RUN_ID=$(date +%s)
export BENCH_DIR=$ROOT/bench

die() { echo "bench: $*" >&2; exit 1; }

for tool in wrk node awk; do
  command -v "$tool" >/dev/null || die "$tool is missing (run scripts/setup.sh)"
done
[[ -x "$BIN" ]] || die "$BIN is missing (run make build)"
if [[ ! -x "$HASH_BIN" && "$HASH_SECONDS" != 0 ]]; then
  ninja -C "$BUILD" tessera_bench_hash >&2 || die "cannot build tessera_bench_hash"
fi

WORK=$(mktemp -d /tmp/tessera-bench.XXXXXX)
# A private copy: a rebuild during the run must not give the two backends different builds.
cp "$BIN" "$WORK/tessera"
BIN_SOURCE=$BIN
BIN_BUILT=$(date -u -r "$BIN_SOURCE" +%Y-%m-%dT%H:%M:%SZ)
BIN=$WORK/tessera
# What was built: HEAD, whether src/ has uncommitted changes, whether the binary predates them.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src 2>/dev/null && [[ -z "$(git ls-files --others --exclude-standard src 2>/dev/null)" ]] ||
  commit="$commit+uncommitted-src"
# The binary says nothing of its sources: flag a build older than a source file.
[[ -z "$(find src CMakeLists.txt -newer "$BIN_SOURCE" -type f 2>/dev/null | head -n 1)" ]] ||
  commit="$commit (binary older than src/)"
SPID=""
PG_DIR=""
cleanup() {
  stop_server
  if [[ -n "$PG_DIR" ]]; then scripts/postgres-test-server.sh stop "$PG_DIR" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; fi
  if [[ -n "${BENCH_KEEP:-}" ]]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
    console.log(s.address().port); s.close(); });'
}

# GET over bash's /dev/tcp (no curl needed); prints the status line.
http_status() {
  local port=$1 path=$2 line
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
  IFS= read -r -t 5 line <&3 || true
  exec 3<&- 3>&-
  echo "$line"
}

# utime+stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat; the comm
# field is skipped by cutting at the last ')').
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
proc_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# Machine: "busy total steal" in ticks over all cores (user nice system idle iowait irq softirq steal).
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9, $9; exit}' /proc/stat; }
# All PostgreSQL server processes (comm "postgres"): 0 when none runs.
pg_ticks() {
  local f t=0
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue  # the process may just have exited
    [[ "$line" == *"(postgres)"* ]] || continue
    t=$((t + $(sed 's/.*) //' <<<"$line" | awk '{print $12 + $13}')))
  done
  echo "$t"
}
now_ns() { date +%s%N; }
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)

start_server() {
  local backend=$1
  PORT=$(free_port)
  SERVER_LOG=$WORK/server-$backend.log
  local args=(serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data-$backend" --log-level "$LOG_LEVEL")
  [[ "$backend" == postgres ]] && args+=(--database-url "$PG_URL")
  # shellcheck disable=SC2206  # BENCH_SERVER_ARGS is a list of flags
  args+=($SERVER_ARGS)
  SERVER_CMD="tessera ${args[*]}"
  SERVER_CMD=${SERVER_CMD//"$WORK"/\$TMP}  # the temporary paths and URL say nothing
  [[ -n "${PG_URL:-}" ]] && SERVER_CMD=${SERVER_CMD//"$PG_URL"/postgres://…}
  "$BIN" "${args[@]}" >"$SERVER_LOG" 2>&1 &
  SPID=$!
  local i
  for i in $(seq 1 300); do
    kill -0 "$SPID" 2>/dev/null || { tail -n 20 "$SERVER_LOG" >&2; die "the server exited at start"; }
    [[ "$(http_status "$PORT" /healthz 2>/dev/null)" == *" 200 "* ]] && return 0
    sleep 0.1
  done
  die "the server did not answer /healthz within 30 s"
}

stop_server() {
  [[ -n "$SPID" ]] || return 0
  kill -TERM "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  SPID=""
}

# run_wrk BACKEND SCENARIO SCRIPT CONNECTIONS — env for the script must already be exported.
run_wrk() {
  local backend=$1 scenario=$2 script=$3 conns=$4
  local tag=$backend-$scenario
  local wrk_json=$WORK/wrk-$tag.json
  kill -0 "$SPID" 2>/dev/null || die "the server died before $scenario (log: $SERVER_LOG)"
  sleep "$SETTLE_SECONDS"
  local s0 m0 t0 p0 s1 m1 t1 p1
  p0=$(pg_ticks); s0=$(proc_ticks "$SPID"); read -r -a m0 <<<"$(machine_ticks)"; t0=$(now_ns)
  # A subshell, so that `times` reports wrk's CPU alone (its second line: children's user, sys).
  (
    BENCH_WRK_JSON=$wrk_json BENCH_WRK_THREADS=$WRK_THREADS \
      wrk -t"$WRK_THREADS" -c"$conns" -d"${RUN_SECONDS}s" --timeout 10s --latency \
      -s "bench/$script" "http://127.0.0.1:$PORT" >"$WORK/wrk-$tag.txt" 2>&1
    times >"$WORK/times-$tag.txt"
  ) || { cat "$WORK/wrk-$tag.txt" >&2; die "wrk failed in $scenario"; }
  t1=$(now_ns); s1=$(proc_ticks "$SPID"); read -r -a m1 <<<"$(machine_ticks)"; p1=$(pg_ticks)
  local rss wall wrk_cpu
  rss=$(proc_rss_kb "$SPID")
  wrk_cpu=$(awk 'NR == 2 {
      n = split($0, f, " "); s = 0
      for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] }
      print s }' "$WORK/times-$tag.txt")
  [[ -s "$wrk_json" ]] || { cat "$WORK/wrk-$tag.txt" >&2; die "wrk wrote no results for $scenario"; }
  awk -v b="$backend" -v sc="$scenario" -v c="$conns" -v wall_ns=$((t1 - t0)) \
      -v sd=$((s1 - s0)) -v pd=$((p1 - p0)) -v tck="$CLK_TCK" -v mb=$((m1[0] - m0[0])) -v mt=$((m1[1] - m0[1])) \
      -v ms=$((m1[2] - m0[2])) -v np="$NPROC" -v wc="$wrk_cpu" -v rss="$rss" '
    BEGIN { wall = wall_ns / 1e9 }
    { wrk = $0; sub(/\n$/, "", wrk) }
    END {
      printf "{\"backend\": \"%s\", \"scenario\": \"%s\", \"connections\": %d, \"wall_s\": %.3f, ", b, sc, c, wall
      printf "\"server_cpu_pct\": %.1f, \"wrk_cpu_pct\": %.1f, ", 100 * sd / tck / wall, 100 * wc / wall
      printf "\"postgres_cpu_pct\": %.1f, ", 100 * pd / tck / wall
      printf "\"machine_cpu_pct\": %.1f, \"steal_pct\": %.1f, ", (mt ? 100 * np * mb / mt : 0), (mt ? 100 * np * ms / mt : 0)
      printf "\"rss_after_kb\": %d, \"wrk\": %s}\n", rss, wrk
    }' "$wrk_json" >>"$WORK/attempts-$tag.jsonl"
  log "$(tail -n 1 "$WORK/attempts-$tag.jsonl" | awk '{
      match($0, /"rps": [0-9.]+/); rps = substr($0, RSTART + 7, RLENGTH - 7)
      match($0, /"p99": [0-9]+/); p99 = substr($0, RSTART + 7, RLENGTH - 7)
      match($0, /"non2xx": [0-9]+/); bad = substr($0, RSTART + 10, RLENGTH - 10)
      match($0, /"server_cpu_pct": [0-9.]+/); cpu = substr($0, RSTART + 18, RLENGTH - 18)
      printf "%s req/s, p99 %.1f ms, non-2xx %s, server CPU %s%%", rps, p99 / 1000, bad, cpu }') [$tag]"
}

fixture() { node bench/fixtures.mjs "$@"; }

# OAuth clients, made with the CLI on the running server's database (SQLite: the same file,
# which WAL lets a second process write; PostgreSQL: the same URL, and TESSERA_MASTER_KEY from
# the environment, as the server). Sets M2M_ID, M2M_BASIC, WEB_ID, WEB_SECRET, WEB_BASIC.
OAUTH_REDIRECT_URI=http://127.0.0.1:9/cb  # never called: the fixture reads the code from Location
admin_create_client() {
  local backend=$1 slug=$2; shift 2
  local args=(admin create-client --data-dir "$WORK/data-$backend" --public-url "http://127.0.0.1:$PORT"
              --app "$slug" --json "$@")
  [[ "$backend" == postgres ]] && args+=(--database-url "$PG_URL")
  "$BIN" "${args[@]}" 2>>"$WORK/admin-$backend.log" ||
    { cat "$WORK/admin-$backend.log" >&2; die "tessera admin create-client failed"; }
}
# shellcheck source=bench/oauth_clients.sh
source "$ROOT/bench/oauth_clients.sh"
make_oauth_clients() {
  local backend=$1 slug=$2 m2m_secret
  read -r M2M_ID m2m_secret < <(admin_create_client "$backend" "$slug" --name bench-m2m \
    --resource-server --grant client_credentials --scope bench:read | client_pair)
  read -r WEB_ID WEB_SECRET < <(admin_create_client "$backend" "$slug" --name bench-web --first-party \
    --redirect-uri "$OAUTH_REDIRECT_URI" --scope openid --scope profile --scope email \
    --scope offline_access --grant authorization_code --grant refresh_token | client_pair)
  [[ -n "$M2M_ID" && -n "$WEB_ID" ]] || die "cannot create the OAuth clients"
  M2M_BASIC=$(basic_auth "$M2M_ID" "$m2m_secret")
  WEB_BASIC=$(basic_auth "$WEB_ID" "$WEB_SECRET")
}
# oauth_grants ISSUER EMAIL N: one hosted-page sign-in, N authorization-code grants to bench-web;
# prints the first grant's access token, then the N refresh tokens, one a line.
oauth_grants() { fixture oauth "$1" "$PASSWORD" "$2" "$WEB_ID" "$WEB_SECRET" "$OAUTH_REDIRECT_URI" "$3"; }

# Of a scenario's attempts (JSON lines), prints the fastest, with a summary of all attempts
# added. Best of N: noise here (steal, neighbours, other processes) only ever slows a run.
keep_fastest() {
  node -e '
    const runs = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
    const best = runs.reduce((a, b) => (b.wrk.rps > a.wrk.rps ? b : a));
    best.attempts = runs.map((r) => ({ rps: r.wrk.rps, steal_pct: r.steal_pct, requests: r.wrk.requests,
                                      non2xx: r.wrk.non2xx, kept: r === best }));
    console.log(JSON.stringify(best));' "$1"
}

run_backend() {
  local backend=$1
  log "== $backend"
  start_server "$backend"
  sleep "$IDLE_SECONDS"
  local idle_start idle_end
  idle_start=$(proc_rss_kb "$SPID")
  log "idle RSS after start: $idle_start kB"
  local issuer_path=/apps/default issuer
  issuer=http://127.0.0.1:$PORT$issuer_path
  export BENCH_ISSUER_PATH=$issuer_path BENCH_PASSWORD=$PASSWORD BENCH_RUN_ID=$RUN_ID-$backend
  local owner
  owner=$(fixture users "$issuer" "$PASSWORD" "owner-$RUN_ID" 1)
  export BENCH_LOGIN_EMAILS
  BENCH_LOGIN_EMAILS=$(fixture users "$issuer" "$PASSWORD" "login-$RUN_ID" 4)
  [[ " $SCENARIOS " != *" oauth_"* ]] || make_oauth_clients "$backend" "${issuer_path##*/}"
  # Passes: every scenario once per pass, so that a scenario's attempts are minutes apart
  # and a burst of noise rarely spoils all of them.
  local scenario pass tokens
  for pass in $(seq 1 "$REPEAT"); do
    [[ "$REPEAT" == 1 ]] || log "pass $pass of $REPEAT"
    export BENCH_RUN_ID=$RUN_ID-$backend-$pass
    hash_attempt
    for scenario in $SCENARIOS; do
      case "$scenario" in
        healthz) run_wrk "$backend" healthz healthz.lua "$CONNS" ;;
        signup) run_wrk "$backend" signup signup.lua "$HASH_CONNS" ;;
        login) run_wrk "$backend" login login.lua "$HASH_CONNS" ;;
        refresh)
          # Fresh sessions for every attempt: a refresh token works once.
          export BENCH_REFRESH_TOKENS=$WORK/refresh-$backend.txt
          fixture sessions "$issuer" "$PASSWORD" "$owner" "$REFRESH_SEEDS" >"$BENCH_REFRESH_TOKENS"
          run_wrk "$backend" refresh refresh.lua "$CONNS" ;;
        me_jwt)
          BENCH_AUTH="Bearer $(fixture jwt "$issuer" "$PASSWORD" "$owner")" \
            run_wrk "$backend" me_jwt me.lua "$CONNS" ;;
        me_token)
          BENCH_AUTH="Bearer $(fixture apitoken "$issuer" "$PASSWORD" "$owner")" \
            run_wrk "$backend" me_token me.lua "$CONNS" ;;
        oauth_cc) BENCH_AUTH=$M2M_BASIC run_wrk "$backend" oauth_cc oauth_cc.lua "$CONNS" ;;
        oauth_introspect)
          # A fresh user access token (of a live session) every attempt; bench-m2m asks, as a
          # resource server would.
          tokens=$(oauth_grants "$issuer" "$owner" 1)
          BENCH_TOKEN=${tokens%%$'\n'*} BENCH_AUTH=$M2M_BASIC \
            run_wrk "$backend" oauth_introspect oauth_introspect.lua "$CONNS" ;;
        oauth_userinfo)
          tokens=$(oauth_grants "$issuer" "$owner" 1)
          BENCH_AUTH="Bearer ${tokens%%$'\n'*}" \
            run_wrk "$backend" oauth_userinfo oauth_userinfo.lua "$CONNS" ;;
        oauth_refresh)
          # Fresh grants for every attempt: a refresh token works once.
          export BENCH_REFRESH_TOKENS=$WORK/oauth-refresh-$backend.txt
          oauth_grants "$issuer" "$owner" "$REFRESH_SEEDS" | tail -n +2 >"$BENCH_REFRESH_TOKENS"
          BENCH_AUTH=$WEB_BASIC run_wrk "$backend" oauth_refresh oauth_refresh.lua "$CONNS" ;;
        *) die "unknown scenario $scenario" ;;
      esac
    done
  done
  for scenario in $SCENARIOS; do
    keep_fastest "$WORK/attempts-$backend-$scenario.jsonl" >>"$WORK/runs.jsonl"
  done
  sleep "$IDLE_SECONDS"
  idle_end=$(proc_rss_kb "$SPID")
  log "idle RSS after the runs: $idle_end kB"
  printf '{"backend": "%s", "server_command": "%s", "idle_rss_start_kb": %d, "idle_rss_end_kb": %d}\n' \
    "$backend" "$SERVER_CMD" "$idle_start" "$idle_end" >>"$WORK/backends.jsonl"
  stop_server
}

# The machine, before anything runs.
read -r _ LOAD1 LOAD5 _ < <(awk '{print "x", $1, $2}' /proc/loadavg)
log "machine: $NPROC cores, load average $LOAD1 (1 min) $LOAD5 (5 min) before the runs"

# One run of tessera_bench_hash; the fastest of all runs is kept in $WORK/hash.json. Called
# once per pass (before the scenarios), so that its attempts are spread like the scenarios'.
HASH_STEAL=0 HASH_OTHER=0 HASH_BEST=""
echo null >"$WORK/hash.json"
hash_attempt() {
  [[ "$HASH_SECONDS" != 0 ]] || return 0
  local h0 h1 steal other rate
  read -r -a h0 <<<"$(machine_ticks)"
  ("$HASH_BIN" --seconds "$HASH_SECONDS" >"$WORK/hash-try.json"; times >"$WORK/hash-times.txt")
  read -r -a h1 <<<"$(machine_ticks)"
  # steal, and "other": the machine's busy time not spent by the hash program nor stolen.
  read -r steal other < <(awk -v b=$((h1[0] - h0[0])) -v s=$((h1[2] - h0[2])) -v t=$((h1[1] - h0[1])) \
      -v np="$NPROC" -v tck="$CLK_TCK" 'NR == 2 {
        n = split($0, f, " "); c = 0
        for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub("s", "", p[2]); c += p[1] * 60 + p[2] }
        wall = t / np / tck
        o = 100 * np * (b - s) / t - 100 * c / wall
        printf "%.1f %.1f\n", 100 * np * s / t, (o > 0 ? o : 0) }' "$WORK/hash-times.txt")
  rate=$(grep -o '"hashes_per_s": [0-9.]*' "$WORK/hash-try.json" | tail -n 1 | awk '{print $2}')
  log "argon2id hash rate: $rate/s with $NPROC threads (steal $steal%, other CPU $other%)"
  if [[ -z "$HASH_BEST" ]] || awk -v a="$rate" -v b="$HASH_BEST" 'BEGIN { exit !(a > b) }'; then
    HASH_BEST=$rate HASH_STEAL=$steal HASH_OTHER=$other
    mv "$WORK/hash-try.json" "$WORK/hash.json"
  fi
}

: >"$WORK/runs.jsonl"
: >"$WORK/backends.jsonl"
for backend in $BACKENDS; do
  case "$backend" in
    sqlite) run_backend sqlite ;;
    postgres)
      PG_DIR=$(mktemp -d /tmp/tessera-bench-pg.XXXXXX)
      PG_URL=$(scripts/postgres-test-server.sh start "$PG_DIR" 2>"$WORK/pg-start.log") ||
        { cat "$WORK/pg-start.log" >&2; die "cannot start PostgreSQL"; }
      TESSERA_MASTER_KEY=$(head -c 32 /dev/urandom | base64) run_backend postgres
      scripts/postgres-test-server.sh stop "$PG_DIR" >/dev/null 2>>"$WORK/pg-start.log"
      rm -rf "$PG_DIR"; PG_DIR=""
      ;;
    *) die "unknown backend $backend" ;;
  esac
done

build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
write_meta() {
  printf '{"date": "%s", "nproc": %d, "cpu_model": "%s", "mem_total_kb": %d, ' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NPROC" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
  printf '"kernel": "%s", "build_type": "%s", "commit": "%s", "wrk": "%s", ' \
    "$(uname -r)" "$build_type" "$commit" "$(wrk --version 2>&1 | awk 'NR == 1 {print $2}')"
  printf '"load_before": [%s, %s], "seconds": %d, "connections": %d, "hash_connections": %d, ' \
    "$LOAD1" "$LOAD5" "$RUN_SECONDS" "$CONNS" "$HASH_CONNS"
  printf '"wrk_threads": %d, "log_level": "%s", "server_args": "%s", "refresh_seeds": %d, ' \
    "$WRK_THREADS" "$LOG_LEVEL" "$SERVER_ARGS" "$REFRESH_SEEDS"
  printf '"hash_rate_steal_pct": %s, "hash_rate_other_cpu_pct": %s, "repeat": %d, ' \
    "$HASH_STEAL" "$HASH_OTHER" "$REPEAT"
  printf '"binary_built": "%s"}\n' "$BIN_BUILT"
}
write_meta >"$WORK/meta.json"
mkdir -p "$(dirname "$OUT")"
node bench/report.mjs "$WORK" "$OUT"
log "results: $OUT"
