#!/usr/bin/env bash
# A real Tessera cluster on one machine: a PostgreSQL primary and a streaming hot standby,
# NODES Tessera nodes (same master key, same public URL) and haproxy in front of them,
# checking each node's /readyz. Everything listens on 127.0.0.1; nothing is installed here
# (scripts/setup.sh installs postgresql and haproxy).
#
#   scripts/cluster.sh up DIR          start it all; writes DIR/cluster.env, prints the LB URL
#   scripts/cluster.sh down DIR        stop it all (idempotent)
#   scripts/cluster.sh kill-node DIR N     kill -9 node N (1-based)
#   scripts/cluster.sh start-node DIR N [BIN]  start node N again (with BIN: a rolling upgrade)
#   scripts/cluster.sh stop-node DIR N     stop node N gracefully (SIGTERM)
#   scripts/cluster.sh stop-db DIR primary|standby    fast shutdown of that server
#   scripts/cluster.sh start-db DIR primary|standby
#   scripts/cluster.sh promote DIR     promote the standby to primary
#
# Knobs: TESSERA_BIN [build/tessera], NODES [3], NODE_ARGS (extra `serve` arguments, e.g. the
# test suites' fast argon2 settings), SYNC_STANDBY [0] (1: synchronous replication),
# PG_STAT_STATEMENTS [0] (1: the primary preloads pg_stat_statements and the tessera database
# gets the extension, for bench/cluster.sh's statements per request).
#
# Nodes reach the database through a libpq multi-host URL with
# target_session_attrs=read-write: after a failover they find the promoted standby by
# themselves, with no reconfiguration. DIR/cluster.env holds what tests and benchmarks need:
# LB_URL, NODE_PORTS, DATABASE_URL, PRIMARY_URL, STANDBY_URL, MASTER_KEY_FILE.
set -euo pipefail

PROG=$(basename "$0")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DB_NAME=tessera

die() { echo "$PROG: $*" >&2; exit 1; }
usage() { sed -n '7,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

free_port() {
  python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if [[ $EUID -eq 0 ]]; then (cd "$DIR" && runuser -u postgres -- "$@"); else (cd "$DIR" && "$@"); fi
}
pg_user() { if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi; }

load_env() {
  [[ -f "$DIR/cluster.env" ]] || die "no cluster in $DIR (run '$PROG up $DIR')"
  # shellcheck disable=SC1091
  source "$DIR/cluster.env"
}

pg_start() {  # name port
  as_pg "$BINDIR/pg_ctl" start -D "$DIR/$1" -l "$DIR/$1.log" -w -t 60 -o "-p $2" >/dev/null
}

pg_up() {
  local user primary_port standby_port
  user=$(pg_user)
  primary_port=$(free_port)
  standby_port=$(free_port)
  mkdir -p "$DIR/socket"
  if [[ $EUID -eq 0 ]]; then chown postgres: "$DIR" "$DIR/socket"; fi
  as_pg "$BINDIR/initdb" -D "$DIR/primary" -U "$user" --auth=trust --encoding=UTF8 --no-locale \
    --no-sync >"$DIR/initdb.log" 2>&1 || { tail -20 "$DIR/initdb.log" >&2; die "initdb failed"; }
  # Streaming replication to one hot standby; asynchronous by default (SYNC_STANDBY=1 makes
  # every commit wait for the standby: no acknowledged write is lost in a failover, at the
  # price of a round trip per commit; docs/scaling.md).
  as_pg tee -a "$DIR/primary/postgresql.conf" >/dev/null <<EOF

# Added by $PROG
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/socket'
max_connections = 300
wal_level = replica
max_wal_senders = 4
wal_keep_size = 256MB
hot_standby = on
log_min_messages = warning
$( [[ "${PG_STAT_STATEMENTS:-0}" == 1 ]] && echo "shared_preload_libraries = 'pg_stat_statements'" )
EOF
  pg_start primary "$primary_port"
  as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$primary_port" -U "$user" "$DB_NAME"
  if [[ "${PG_STAT_STATEMENTS:-0}" == 1 ]]; then
    as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$primary_port" -U "$user" -d "$DB_NAME" -qAt \
      -c "CREATE EXTENSION pg_stat_statements" >/dev/null
  fi
  # The standby: a base backup that follows the primary (-R writes primary_conninfo).
  as_pg "$BINDIR/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U "$user" -D "$DIR/standby" \
    -R -X stream -c fast >/dev/null
  as_pg sed -i "s/^primary_conninfo = '/primary_conninfo = 'application_name=standby /" \
    "$DIR/standby/postgresql.auto.conf"
  pg_start standby "$standby_port"
  # Synchronous replication is turned on only now, on the primary alone: set before the standby
  # exists, it would block createdb and the base backup's own commits; and a standby whose copy
  # of the configuration named itself would, once promoted, wait forever for a standby of its
  # own. After a failover the new primary therefore runs alone (asynchronous: nobody to wait
  # for) until a new standby is attached.
  if [[ "${SYNC_STANDBY:-0}" == 1 ]]; then
    as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$primary_port" -U "$user" -d postgres -qAt \
      -c "ALTER SYSTEM SET synchronous_standby_names = 'standby'" -c "SELECT pg_reload_conf()" >/dev/null
    local state=""
    for _ in $(seq 1 300); do
      state=$(as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$primary_port" -U "$user" -d postgres -qAt \
        -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'")
      [[ "$state" == sync ]] && break
      sleep 0.1
    done
    [[ "$state" == sync ]] || die "the standby did not become synchronous (state: '$state')"
  fi
  PRIMARY_PORT=$primary_port
  STANDBY_PORT=$standby_port
  PG_USER=$user
}

node_start() {  # n
  local n=$1 port help drain=()
  port=$(echo "$NODE_PORTS" | cut -d' ' -f"$n")
  mkdir -p "$DIR/node$n"
  # A stopping node fails /readyz and serves on for 2 s before it closes its listener: haproxy
  # (a check every 0.5 s, out after 2 failures) has taken it out by then. (Versions before
  # --shutdown-delay stop at once.)
  # (Read whole first: `grep -q` closing the pipe early would fail the pipeline.)
  help=$("$TESSERA_BIN" serve --help 2>/dev/null || true)
  if [[ "$help" == *--shutdown-delay* ]]; then drain=(--shutdown-delay 2); fi
  # shellcheck disable=SC2086
  "$TESSERA_BIN" serve --listen "127.0.0.1:$port" --public-url "$LB_URL" \
    --database-url "$DATABASE_URL" --master-key-file "$MASTER_KEY_FILE" --data-dir "$DIR/node$n" \
    --trusted-proxies 127.0.0.1 "${drain[@]}" ${NODE_ARGS:-} >>"$DIR/node$n.log" 2>&1 &
  echo $! >"$DIR/node$n.pid"
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$DIR/node$n.pid")" 2>/dev/null || { tail -5 "$DIR/node$n.log" >&2; die "node $n exited"; }
    sleep 0.1
  done
  tail -5 "$DIR/node$n.log" >&2
  die "node $n did not become ready"
}

node_stop() {  # n: SIGTERM (a graceful stop: requests in flight finish), then wait
  local pid
  pid=$(cat "$DIR/node$1.pid")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  die "node $1 did not stop within 30 s"
}

haproxy_up() {
  local lb_port=$1 i=0 port
  {
    cat <<EOF
global
  maxconn 4096
  pidfile $DIR/haproxy.pid
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A node that refuses the connection (killed, restarting) costs the client nothing: the
  # request goes to another. Only failures before the request was sent are retried: a
  # POST that reached a node is never sent twice.
  retries 3
  option redispatch 1
  retry-on conn-failure
frontend tessera
  bind 127.0.0.1:$lb_port
  option forwardfor
  default_backend nodes
backend nodes
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
EOF
    for port in $NODE_PORTS; do
      i=$((i + 1))
      echo "  server node$i 127.0.0.1:$port check"
    done
  } >"$DIR/haproxy.cfg"
  haproxy -f "$DIR/haproxy.cfg" -D -q || die "haproxy did not start (config: $DIR/haproxy.cfg)"
}

cmd_up() {
  [[ ! -e "$DIR/cluster.env" ]] || die "$DIR already holds a cluster ('$PROG down $DIR' first)"
  [[ -x "$TESSERA_BIN" ]] || die "no tessera binary at $TESSERA_BIN (make build)"
  command -v haproxy >/dev/null || die "haproxy is not installed (scripts/setup.sh)"
  pg_up
  local lb_port ports="" n
  lb_port=$(free_port)
  for n in $(seq 1 "${NODES:-3}"); do ports="$ports $(free_port)"; done
  NODE_PORTS=${ports# }
  LB_URL="http://127.0.0.1:$lb_port"
  PRIMARY_URL="postgres://$PG_USER@127.0.0.1:$PRIMARY_PORT/$DB_NAME"
  STANDBY_URL="postgres://$PG_USER@127.0.0.1:$STANDBY_PORT/$DB_NAME"
  DATABASE_URL="postgres://$PG_USER@127.0.0.1:$PRIMARY_PORT,127.0.0.1:$STANDBY_PORT/$DB_NAME?target_session_attrs=read-write&connect_timeout=2"
  MASTER_KEY_FILE="$DIR/master.key"
  head -c 32 /dev/urandom | base64 >"$MASTER_KEY_FILE"
  chmod 600 "$MASTER_KEY_FILE"
  cat >"$DIR/cluster.env" <<EOF
LB_URL='$LB_URL'
NODE_PORTS='$NODE_PORTS'
DATABASE_URL='$DATABASE_URL'
PRIMARY_URL='$PRIMARY_URL'
STANDBY_URL='$STANDBY_URL'
PRIMARY_PORT=$PRIMARY_PORT
STANDBY_PORT=$STANDBY_PORT
MASTER_KEY_FILE='$MASTER_KEY_FILE'
TESSERA_BIN='$TESSERA_BIN'
NODE_ARGS='${NODE_ARGS:-}'
EOF
  "$TESSERA_BIN" migrate --database-url "$PRIMARY_URL" --master-key-file "$MASTER_KEY_FILE" \
    >"$DIR/migrate.log" 2>&1 || { cat "$DIR/migrate.log" >&2; die "migrate failed"; }
  for n in $(seq 1 "${NODES:-3}"); do node_start "$n"; done
  haproxy_up "$lb_port"
  for _ in $(seq 1 100); do
    curl -sf "$LB_URL/readyz" >/dev/null 2>&1 && { echo "$LB_URL"; return 0; }
    sleep 0.1
  done
  die "the balancer at $LB_URL did not answer"
}

cmd_down() {
  [[ -d "$DIR" ]] || return 0
  [[ -f "$DIR/haproxy.pid" ]] && kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true
  local f
  for f in "$DIR"/node*.pid; do
    [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true
  done
  for f in standby primary; do
    [[ -f "$DIR/$f/postmaster.pid" ]] && as_pg "$BINDIR/pg_ctl" stop -D "$DIR/$f" -m immediate >/dev/null 2>&1 || true
  done
  rm -f "$DIR/cluster.env"
}

[[ $# -ge 2 ]] || usage
COMMAND=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
[[ "$DIR" != *"'"* && "$DIR" != *" "* ]] || die "DIR must not contain quotes or spaces"
# shellcheck source=scripts/postgres_bin.sh
source "$ROOT/scripts/postgres_bin.sh"
BINDIR=$(postgres_bindir) || die "no PostgreSQL server under /usr/lib/postgresql/*/bin (scripts/setup.sh installs it)"
TESSERA_BIN=${TESSERA_BIN:-$ROOT/build/tessera}
case "$COMMAND" in
  up) cmd_up ;;
  down) cmd_down ;;
  kill-node) load_env; kill -9 "$(cat "$DIR/node$3.pid")" ;;
  start-node) load_env; [[ -n "${4:-}" ]] && TESSERA_BIN=$4; node_start "$3" ;;
  stop-node) load_env; node_stop "$3" ;;
  stop-db) load_env; as_pg "$BINDIR/pg_ctl" stop -D "$DIR/$3" -m fast -w -t 60 >/dev/null ;;
  start-db) load_env
    if [[ "$3" == primary ]]; then pg_start primary "$PRIMARY_PORT"; else pg_start standby "$STANDBY_PORT"; fi ;;
  promote) load_env; as_pg "$BINDIR/pg_ctl" promote -D "$DIR/standby" -w -t 60 >/dev/null ;;
  *) usage ;;
esac
