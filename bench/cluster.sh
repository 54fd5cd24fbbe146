#!/usr/bin/env bash
# `make bench-cluster`: Tessera on PostgreSQL behind haproxy, 1 node against 3 nodes, on this
# machine (issue 17). For each configuration it starts a fresh scripts/cluster.sh cluster
# (PostgreSQL primary + streaming standby, NODES Tessera nodes on the multi-host URL, haproxy
# round robin in front) with PG_STAT_STATEMENTS=1, creates the same fixtures through the
# balancer, and drives each scenario with wrk through the balancer, with the same settings
# for both configurations. Per run it keeps:
#   - wrk's numbers (bench/common.lua): req/s, latency percentiles, non-2xx, socket errors;
#   - the database's work: pg_stat_statements is reset right before wrk starts and read right
#     after it ends; an idle baseline of the same length (the nodes' own background work:
#     haproxy's /readyz checks, the mail worker's polls, any other periodic work) is measured
#     first and subtracted statement by statement (queryid), scaled to the run's length.
#     What is left, divided by the requests wrk completed, is the statements per request;
#   - the connections the nodes hold on the primary (pg_stat_activity, sampled every 0.5 s);
#   - CPU (utime+stime) of the nodes, haproxy, the primary's and the standby's processes, wrk,
#     the whole machine and its steal; /proc/loadavg before and after.
# Then pgbench on the last configuration's primary: select-only (-S) and simple-update (-N),
# prepared, on a small scale: the statements/s and write transactions/s that the capacity
# table of docs/scaling.md divides by the per-request costs (bench/cluster_report.mjs).
#
# Scenarios (the lua scripts of bench/run.sh):
#   login            POST {issuer}/api/login, 4 users round robin, BENCH_HASH_CONNECTIONS;
#                    the nodes' default argon2id (19 MiB, t=2) unless BENCH_NODE_ARGS says else
#   oauth_refresh    POST {issuer}/oauth/token grant_type=refresh_token, a fresh (rotating)
#                    token per request, seeded by BENCH_REFRESH_SEEDS authorization-code grants
#   me_jwt           GET {issuer}/api/me with one access JWT
#   oauth_cc         POST {issuer}/oauth/token grant_type=client_credentials
#   oauth_introspect POST {issuer}/oauth/introspect of a user's access token
#   me_jwt_direct    me_jwt straight to node 1, bypassing haproxy (the balancer's cost)
#
# Environment (defaults in brackets):
#   TESSERA_BIN [build/tessera]   copied first: a rebuild during the run changes nothing
#   BENCH_CLUSTER_NODES ["1 3"]   the configurations, in this order
#   BENCH_REPEAT [2]              passes over the configurations (1, 3, 1, 3, …), each on a
#                                 fresh cluster; per configuration and scenario the report
#                                 keeps the fastest attempt (noise here only slows a run down)
#                                 and lists every attempt
#   BENCH_SECONDS [10]            each wrk run, and the idle baseline
#   BENCH_CONNECTIONS [32]        wrk connections, except login
#   BENCH_HASH_CONNECTIONS [8]    wrk connections for login
#   BENCH_WRK_THREADS [1]
#   BENCH_SCENARIOS ["login oauth_refresh me_jwt oauth_cc oauth_introspect me_jwt_direct"]
#   BENCH_NODE_ARGS [--log-level warn]   extra `tessera serve` flags for every node
#   BENCH_REFRESH_SEEDS [2 x BENCH_CONNECTIONS]
#   BENCH_PGBENCH_SECONDS [10]    each pgbench run; 0 skips pgbench
#   BENCH_PGBENCH_CLIENTS [16]    pgbench -c
#   BENCH_PGBENCH_SCALE [10]      pgbench -i -s (10: 1M accounts, 150 MB)
#   BENCH_OUT [bench/results/cluster-<UTC stamp>]
# Whole run with the defaults: about 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SRC_BIN=${TESSERA_BIN:-$ROOT/build/tessera}
CONFIGS=${BENCH_CLUSTER_NODES:-"1 3"}
REPEAT=${BENCH_REPEAT:-2}
RUN_SECONDS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
HASH_CONNS=${BENCH_HASH_CONNECTIONS:-8}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
SCENARIOS=${BENCH_SCENARIOS:-"login oauth_refresh me_jwt oauth_cc oauth_introspect me_jwt_direct"}
BENCH_NODE_ARGS=${BENCH_NODE_ARGS---log-level warn}
REFRESH_SEEDS=${BENCH_REFRESH_SEEDS:-$((2 * CONNS))}
PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-10}
PGBENCH_CLIENTS=${BENCH_PGBENCH_CLIENTS:-16}
PGBENCH_SCALE=${BENCH_PGBENCH_SCALE:-10}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-bench/results/cluster-$STAMP}
[[ "$OUT" == /* ]] || OUT=$ROOT/$OUT
SETTLE_SECONDS=1

PASSWORD="bench-Passw0rd-$RANDOM$RANDOM"
RUN_ID=$(date +%s)
export BENCH_DIR=$ROOT/bench

log() { echo "bench-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

for tool in wrk node psql pgbench haproxy awk curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (run scripts/setup.sh)"
done
[[ -x "$SRC_BIN" ]] || die "no tessera binary at $SRC_BIN (make build, or TESSERA_BIN=…)"

WORK=$(mktemp -d /tmp/tessera-bench-cluster.XXXXXX)
chmod 755 "$WORK"  # as root, PostgreSQL runs as postgres and must reach its directory
cp "$SRC_BIN" "$WORK/tessera"
BIN=$WORK/tessera
BIN_BUILT=$(date -u -r "$SRC_BIN" +%Y-%m-%dT%H:%M:%SZ)
BIN_SHA=$(sha256sum "$BIN" | cut -c1-16)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src 2>/dev/null && [[ -z "$(git ls-files --others --exclude-standard src 2>/dev/null)" ]] ||
  commit="$commit+uncommitted-src"
# The binary says nothing of its sources: flag a build older than a source file.
[[ -z "$(find src CMakeLists.txt -newer "$SRC_BIN" -type f 2>/dev/null | head -n 1)" ]] ||
  commit="$commit (binary older than src/)"
mkdir -p "$OUT"

CDIR=""       # the running cluster's directory
SAMPLER=""    # the connection sampler's pid
cleanup() {
  [[ -z "$SAMPLER" ]] || { kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; }
  if [[ -n "$CDIR" ]]; then
    scripts/cluster.sh down "$CDIR" >/dev/null 2>&1 || true
    rm -rf "$CDIR"
  fi
  if [[ -n "${BENCH_KEEP:-}" ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
now_ns() { date +%s%N; }
loadavg() { awk '{printf "[%s, %s, %s]", $1, $2, $3}' /proc/loadavg; }
# utime+stime (ticks) of the given pids; a pid that is gone counts 0.
ticks_of() {
  local p t=0 line
  for p in "$@"; do
    { read -r line <"/proc/$p/stat"; } 2>/dev/null || continue
    line=${line##*) }
    t=$((t + $(awk '{print $12 + $13}' <<<"$line")))
  done
  echo "$t"
}
# A PostgreSQL server's CPU ticks: the postmaster's and its live children's (backends,
# walsender/walreceiver, checkpointer, …) utime+stime, plus the postmaster's cutime+cstime,
# which holds the children that exited (pgbench's and psql's backends).
pg_ticks() {
  local pm line p t=0
  pm=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || { echo 0; return 0; }
  { read -r line <"/proc/$pm/stat"; } 2>/dev/null || { echo 0; return 0; }
  line=${line##*) }
  t=$(awk '{print $12 + $13 + $14 + $15}' <<<"$line")
  for p in $(ps -o pid= --ppid "$pm" 2>/dev/null); do t=$((t + $(ticks_of "$p"))); done
  echo "$t"
}
node_pids() { local f; for f in "$CDIR"/node*.pid; do cat "$f"; done; }
# Machine: "busy total steal" in ticks over all cores.
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9, $9; exit}' /proc/stat; }
# "nodes haproxy primary standby" ticks.
cpu_sample() {
  # shellcheck disable=SC2046
  echo "$(ticks_of $(node_pids)) $(ticks_of "$(cat "$CDIR/haproxy.pid")") \
$(pg_ticks "$CDIR/primary") $(pg_ticks "$CDIR/standby")"
}

sql() { psql "$PRIMARY_URL" -XqAt -v ON_ERROR_STOP=1 -c "$1"; }
STATS_SQL="SELECT coalesce(json_agg(json_build_object('queryid', s.queryid::text, 'query', s.query,
  'calls', s.calls, 'rows', s.rows, 'ms', round(s.total_exec_time::numeric, 3)) ORDER BY s.calls DESC), '[]')
  FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'tessera'"
stats_reset() { sql "SELECT pg_stat_statements_reset()" >/dev/null; }
# stats_snapshot FILE: the statements run since the reset, as JSON.
stats_snapshot() { sql "$STATS_SQL" >"$1"; }

# Connections of the nodes on the primary (psql's, this script's own, excluded), every 0.5 s:
# "unix_ms total active" per line.
start_sampler() {
  local file=$1
  (
    while :; do
      sql "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint, count(*),
             count(*) FILTER (WHERE state = 'active')
           FROM pg_stat_activity WHERE datname = 'tessera' AND application_name <> 'psql'" |
        tr '|' ' ' >>"$file" 2>/dev/null || true
      sleep 0.5
    done
  ) &
  SAMPLER=$!
}
stop_sampler() {
  [[ -n "$SAMPLER" ]] || return 0
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  SAMPLER=""
}

# run_wrk CONFIG SCENARIO SCRIPT CONNECTIONS URL — the script's environment already exported.
run_wrk() {
  local cfg=$1 scenario=$2 script=$3 conns=$4 url=$5
  local tag=n$cfg-p$PASS-$scenario
  local wrk_json=$OUT/wrk-$tag.json
  sleep "$SETTLE_SECONDS"
  local load0 load1 t0 t1 c0 c1 m0 m1
  load0=$(loadavg)
  stats_reset
  start_sampler "$OUT/connections-$tag.txt"
  read -r -a c0 <<<"$(cpu_sample)"; read -r -a m0 <<<"$(machine_ticks)"; t0=$(now_ns)
  (
    BENCH_WRK_JSON=$wrk_json BENCH_WRK_THREADS=$WRK_THREADS \
      wrk -t"$WRK_THREADS" -c"$conns" -d"${RUN_SECONDS}s" --timeout 10s --latency \
      -s "bench/$script" "$url" >"$OUT/wrk-$tag.txt" 2>&1
    times >"$WORK/times-$tag.txt"
  ) || { cat "$OUT/wrk-$tag.txt" >&2; die "wrk failed in $tag"; }
  t1=$(now_ns); read -r -a m1 <<<"$(machine_ticks)"; read -r -a c1 <<<"$(cpu_sample)"
  stats_snapshot "$OUT/statements-$tag.json"
  local t2; t2=$(now_ns)
  stop_sampler
  load1=$(loadavg)
  local wrk_cpu
  wrk_cpu=$(awk 'NR == 2 {
      n = split($0, f, " "); s = 0
      for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] }
      print s }' "$WORK/times-$tag.txt")
  [[ -s "$wrk_json" ]] || { cat "$OUT/wrk-$tag.txt" >&2; die "wrk wrote no results for $tag"; }
  awk -v cfg="$cfg" -v sc="$scenario" -v c="$conns" -v url="$url" -v wall_ns=$((t1 - t0)) \
      -v stats_ns=$((t2 - t0)) -v tck="$CLK_TCK" -v np="$NPROC" -v wc="$wrk_cpu" \
      -v nd=$((c1[0] - c0[0])) -v hd=$((c1[1] - c0[1])) -v pd=$((c1[2] - c0[2])) -v sd=$((c1[3] - c0[3])) \
      -v mb=$((m1[0] - m0[0])) -v mt=$((m1[1] - m0[1])) -v ms=$((m1[2] - m0[2])) \
      -v l0="$load0" -v l1="$load1" -v pass="$PASS" '
    BEGIN { wall = wall_ns / 1e9 }
    { wrk = $0; sub(/\n$/, "", wrk) }
    END {
      printf "{\"nodes\": %d, \"pass\": %d, \"scenario\": \"%s\", \"connections\": %d, ", cfg, pass, sc, c
      printf "\"url\": \"%s\", ", url
      printf "\"wall_s\": %.3f, \"stats_window_s\": %.3f, ", wall, stats_ns / 1e9
      printf "\"cpu_pct\": {\"nodes\": %.1f, \"haproxy\": %.1f, \"pg_primary\": %.1f, \"pg_standby\": %.1f, ", \
        100 * nd / tck / wall, 100 * hd / tck / wall, 100 * pd / tck / wall, 100 * sd / tck / wall
      machine = mt ? 100 * np * mb / mt : 0; steal = mt ? 100 * np * ms / mt : 0
      other = machine - steal - 100 * (nd + hd + pd + sd) / tck / wall - 100 * wc / wall
      printf "\"wrk\": %.1f, \"machine\": %.1f, \"steal\": %.1f, \"other\": %.1f}, ", 100 * wc / wall, \
        machine, steal, (other > 0 ? other : 0)
      printf "\"load_before\": %s, \"load_after\": %s, \"wrk\": %s}\n", l0, l1, wrk
    }' "$wrk_json" >>"$OUT/runs.jsonl"
  # shellcheck disable=SC2016  # JavaScript, not shell
  log "$(tail -n 1 "$OUT/runs.jsonl" | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8")), w = r.wrk, e = w.socket_errors;
    console.log(`${w.rps} req/s, p99 ${(w.latency_us.p99 / 1000).toFixed(1)} ms, non-2xx ${w.non2xx}, ` +
      `socket errors ${e.connect + e.read + e.write + e.timeout}, CPU nodes ${r.cpu_pct.nodes}% ` +
      `haproxy ${r.cpu_pct.haproxy}% pg ${r.cpu_pct.pg_primary}% steal ${r.cpu_pct.steal}%`)') [$tag]"
}

# The idle baseline: what the nodes make the database do with no request but haproxy's checks,
# and the CPU the idle cluster (and the connection sampler) costs, measured like a run.
idle_baseline() {
  local cfg=$1 t0 t1 load0 load1 c0 c1
  sleep "$SETTLE_SECONDS"
  load0=$(loadavg)
  stats_reset
  start_sampler "$OUT/connections-n$cfg-p$PASS-idle.txt"
  read -r -a c0 <<<"$(cpu_sample)"; t0=$(now_ns)
  sleep "$RUN_SECONDS"
  read -r -a c1 <<<"$(cpu_sample)"
  stats_snapshot "$OUT/statements-n$cfg-p$PASS-idle.json"
  t1=$(now_ns)
  stop_sampler
  load1=$(loadavg)
  awk -v cfg="$cfg" -v pass="$PASS" -v d=$((t1 - t0)) -v tck="$CLK_TCK" -v l0="$load0" -v l1="$load1" \
      -v nd=$((c1[0] - c0[0])) -v hd=$((c1[1] - c0[1])) -v pd=$((c1[2] - c0[2])) -v sd=$((c1[3] - c0[3])) '
    BEGIN {
      w = d / 1e9
      printf "{\"nodes\": %d, \"pass\": %d, \"scenario\": \"idle\", \"stats_window_s\": %.3f, ", cfg, pass, w
      printf "\"cpu_pct\": {\"nodes\": %.1f, \"haproxy\": %.1f, \"pg_primary\": %.1f, \"pg_standby\": %.1f}, ", \
        100 * nd / tck / w, 100 * hd / tck / w, 100 * pd / tck / w, 100 * sd / tck / w
      printf "\"load_before\": %s, \"load_after\": %s}\n", l0, l1
    }' >>"$OUT/idle.jsonl"
  log "idle baseline: $(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(s.filter((q) => !/pg_stat_/.test(q.query)).reduce((a, q) => a + Number(q.calls), 0))' \
    "$OUT/statements-n$cfg-p$PASS-idle.json") statements in ${RUN_SECONDS} s [n$cfg-p$PASS]"
}

fixture() { node bench/fixtures.mjs "$@"; }
OAUTH_REDIRECT_URI=http://127.0.0.1:9/cb
admin_create_client() {
  "$BIN" admin create-client --data-dir "$CDIR/admin" --database-url "$PRIMARY_URL" \
    --master-key-file "$MASTER_KEY_FILE" --public-url "$LB_URL" --app default --json "$@" \
    2>>"$WORK/admin.log" || { cat "$WORK/admin.log" >&2; die "tessera admin create-client failed"; }
}
# shellcheck source=bench/oauth_clients.sh
source "$ROOT/bench/oauth_clients.sh"

run_config() {
  local cfg=$1
  log "== $cfg node(s) behind haproxy, pass $PASS of $REPEAT"
  CDIR=$(mktemp -d "$WORK/cluster-n$cfg.XXXXXX")
  chmod 755 "$CDIR"
  PG_STAT_STATEMENTS=1 NODES=$cfg TESSERA_BIN=$BIN NODE_ARGS=$BENCH_NODE_ARGS \
    scripts/cluster.sh up "$CDIR" >/dev/null 2>"$WORK/cluster-up-n$cfg.log" ||
    { cat "$WORK/cluster-up-n$cfg.log" >&2; die "scripts/cluster.sh up failed"; }
  # shellcheck disable=SC1091
  source "$CDIR/cluster.env"
  local node1_url="http://127.0.0.1:${NODE_PORTS%% *}"
  local issuer_path=/apps/default
  local issuer=$LB_URL$issuer_path
  export BENCH_ISSUER_PATH=$issuer_path BENCH_PASSWORD=$PASSWORD BENCH_RUN_ID=$RUN_ID-n$cfg
  local owner
  owner=$(fixture users "$issuer" "$PASSWORD" "owner-$RUN_ID-n$cfg-p$PASS" 1)
  export BENCH_LOGIN_EMAILS
  BENCH_LOGIN_EMAILS=$(fixture users "$issuer" "$PASSWORD" "login-$RUN_ID-n$cfg-p$PASS" 4)
  local m2m_id m2m_secret web_id web_secret
  # bench-m2m is a resource server: it may introspect every access token of the app.
  read -r m2m_id m2m_secret < <(admin_create_client --name bench-m2m --resource-server \
    --grant client_credentials --scope bench:read | client_pair)
  read -r web_id web_secret < <(admin_create_client --name bench-web --first-party \
    --redirect-uri "$OAUTH_REDIRECT_URI" --scope openid --scope profile --scope email \
    --scope offline_access --grant authorization_code --grant refresh_token | client_pair)
  local m2m_basic web_basic jwt tokens
  m2m_basic=$(basic_auth "$m2m_id" "$m2m_secret")
  web_basic=$(basic_auth "$web_id" "$web_secret")
  jwt=$(fixture jwt "$issuer" "$PASSWORD" "$owner")
  idle_baseline "$cfg"
  local scenario
  for scenario in $SCENARIOS; do
    case "$scenario" in
      login) run_wrk "$cfg" login login.lua "$HASH_CONNS" "$LB_URL" ;;
      oauth_refresh)
        # Fresh grants: a refresh token works once.
        export BENCH_REFRESH_TOKENS=$WORK/refresh-n$cfg-p$PASS.txt
        fixture oauth "$issuer" "$PASSWORD" "$owner" "$web_id" "$web_secret" "$OAUTH_REDIRECT_URI" \
          "$REFRESH_SEEDS" | tail -n +2 >"$BENCH_REFRESH_TOKENS"
        BENCH_AUTH=$web_basic run_wrk "$cfg" oauth_refresh oauth_refresh.lua "$CONNS" "$LB_URL" ;;
      me_jwt) BENCH_AUTH="Bearer $jwt" run_wrk "$cfg" me_jwt me.lua "$CONNS" "$LB_URL" ;;
      me_jwt_direct) BENCH_AUTH="Bearer $jwt" run_wrk "$cfg" me_jwt_direct me.lua "$CONNS" "$node1_url" ;;
      oauth_cc) BENCH_AUTH=$m2m_basic run_wrk "$cfg" oauth_cc oauth_cc.lua "$CONNS" "$LB_URL" ;;
      oauth_introspect)
        tokens=$(fixture oauth "$issuer" "$PASSWORD" "$owner" "$web_id" "$web_secret" "$OAUTH_REDIRECT_URI" 1)
        BENCH_TOKEN=${tokens%%$'\n'*} BENCH_AUTH=$m2m_basic \
          run_wrk "$cfg" oauth_introspect oauth_introspect.lua "$CONNS" "$LB_URL" ;;
      *) die "unknown scenario $scenario" ;;
    esac
  done
  # What the nodes hold on the primary, and the server's settings.
  sql "SELECT count(*) FROM pg_stat_activity WHERE datname = 'tessera' AND application_name <> 'psql'" \
    >"$OUT/connections-n$cfg-p$PASS-after.txt"
  sql "SHOW max_connections" >"$OUT/pg-max-connections.txt"
  [[ "$cfg" != "${CONFIGS##* }" || "$PASS" != "$REPEAT" ]] || run_pgbench
  scripts/cluster.sh down "$CDIR" >/dev/null 2>&1 || true
  rm -rf "$CDIR"
  CDIR=""
}

# pgbench on the primary the nodes use (in a database of its own; the nodes stay up, idle):
# what this machine's PostgreSQL carries in simple statements and in write transactions.
run_pgbench() {
  [[ "$PGBENCH_SECONDS" != 0 ]] || return 0
  local url=${PRIMARY_URL%/*}/pgbench mode
  sql "CREATE DATABASE pgbench" >/dev/null
  log "pgbench -i -s $PGBENCH_SCALE"
  pgbench -i -q -s "$PGBENCH_SCALE" "$url" >"$OUT/pgbench-init.txt" 2>&1
  for mode in S N; do
    sleep "$SETTLE_SECONDS"
    local load0 load1 c0 c1 m0 m1 t0 t1
    load0=$(loadavg)
    read -r -a c0 <<<"$(cpu_sample)"; read -r -a m0 <<<"$(machine_ticks)"; t0=$(now_ns)
    pgbench -n -M prepared -"$mode" -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_SECONDS" "$url" \
      >"$OUT/pgbench-$mode.txt" 2>&1
    t1=$(now_ns); read -r -a m1 <<<"$(machine_ticks)"; read -r -a c1 <<<"$(cpu_sample)"
    load1=$(loadavg)
    awk -v mode="$mode" -v wall_ns=$((t1 - t0)) -v tck="$CLK_TCK" -v np="$NPROC" \
        -v pd=$((c1[2] - c0[2])) -v sd=$((c1[3] - c0[3])) -v mb=$((m1[0] - m0[0])) \
        -v mt=$((m1[1] - m0[1])) -v ms=$((m1[2] - m0[2])) -v l0="$load0" -v l1="$load1" \
        -v clients="$PGBENCH_CLIENTS" -v scale="$PGBENCH_SCALE" '
      /^tps = / { tps = $3 }
      /^latency average = / { lat = $4 }
      /^number of transactions actually processed: / { n = $6 }
      END {
        wall = wall_ns / 1e9
        printf "{\"mode\": \"-%s\", \"clients\": %d, \"scale\": %d, \"tps\": %.1f, \"transactions\": %d, ", \
          mode, clients, scale, tps, n
        printf "\"latency_avg_ms\": %s, \"cpu_pct\": {\"pg_primary\": %.1f, \"pg_standby\": %.1f, ", \
          (lat == "" ? "null" : lat), 100 * pd / tck / wall, 100 * sd / tck / wall
        printf "\"machine\": %.1f, \"steal\": %.1f}, \"load_before\": %s, \"load_after\": %s}\n", \
          (mt ? 100 * np * mb / mt : 0), (mt ? 100 * np * ms / mt : 0), l0, l1
      }' "$OUT/pgbench-$mode.txt" >>"$OUT/pgbench.jsonl"
    log "pgbench -$mode: $(grep '^tps' "$OUT/pgbench-$mode.txt")"
  done
}

LOAD_START=$(loadavg)
log "machine: $NPROC cores, load $LOAD_START; results in ${OUT#"$ROOT"/}"
: >"$OUT/runs.jsonl"
: >"$OUT/idle.jsonl"
: >"$OUT/pgbench.jsonl"
for PASS in $(seq 1 "$REPEAT"); do
  for cfg in $CONFIGS; do run_config "$cfg"; done
done

{
  printf '{"date": "%s", "stamp": "%s", "nproc": %d, "cpu_model": "%s", "mem_total_kb": %d, ' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$STAMP" "$NPROC" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
  printf '"kernel": "%s", "commit": "%s", "binary": "%s", "binary_built": "%s", "binary_sha256_16": "%s", ' \
    "$(uname -r)" "$commit" "$SRC_BIN" "$BIN_BUILT" "$BIN_SHA"
  printf '"wrk": "%s", "postgres": "%s", "haproxy": "%s", ' \
    "$(wrk --version 2>&1 | awk 'NR == 1 {print $2}')" "$(psql --version | awk '{print $3}')" \
    "$(haproxy -v | awk 'NR == 1 {print $3}')"
  printf '"configs": "%s", "repeat": %d, "scenarios": "%s", "seconds": %d, "connections": %d, "hash_connections": %d, ' \
    "$CONFIGS" "$REPEAT" "$SCENARIOS" "$RUN_SECONDS" "$CONNS" "$HASH_CONNS"
  printf '"wrk_threads": %d, "node_args": "%s", "refresh_seeds": %d, ' \
    "$WRK_THREADS" "$BENCH_NODE_ARGS" "$REFRESH_SEEDS"
  printf '"pgbench": {"seconds": %d, "clients": %d, "scale": %d}, ' "$PGBENCH_SECONDS" "$PGBENCH_CLIENTS" "$PGBENCH_SCALE"
  printf '"load_start": %s, "load_end": %s}\n' "$LOAD_START" "$(loadavg)"
} >"$OUT/meta.json"
node bench/cluster_report.mjs "$OUT"
log "results: ${OUT#"$ROOT"/}"
