#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests.
#
#   scripts/postgres-test-server.sh start DIR   # prints postgres://USER@127.0.0.1:PORT/tessera
#   scripts/postgres-test-server.sh stop DIR    # idempotent
#
# `start` runs initdb into DIR/pgdata (trust auth, loopback only, fsync off), starts the
# server on a free port of 127.0.0.1 with its unix socket inside DIR, creates the database
# `tessera`, and prints the URL as the only line on stdout. Server output goes to
# DIR/postgres.log. As root, the server runs as the `postgres` system user (initdb refuses
# to run as root) and DIR is handed over to it. Installs nothing: the server binaries come
# from Debian's postgresql package (/usr/lib/postgresql/<version>/bin).
set -euo pipefail

PROG=$(basename "$0")
DB_NAME=tessera

die() {
  echo "$PROG: $*" >&2
  exit 1
}

usage() {
  echo "usage: $PROG start DIR | stop DIR" >&2
  exit 2
}

# Runs a server command as the user that owns the cluster, from a directory it can enter.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    (cd "$DIR" && runuser -u postgres -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

pg_user() {
  if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
  fi
  # No python3: a pseudo-random port in the ephemeral range; a clash makes pg_ctl fail
  # and the caller tries another.
  echo $((20000 + RANDOM % 30000))
}

server_running() {
  [[ -f "$PGDATA/postmaster.pid" ]] || return 1
  as_pg "$BINDIR/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

cmd_start() {
  [[ "$DIR" != *"'"* && "$DIR" != *'\'* ]] || die "DIR must not contain quotes or backslashes: $DIR"
  if [[ -e "$PGDATA" ]]; then
    if server_running; then
      die "a server is already running in $PGDATA (run '$PROG stop $DIR' first)"
    fi
    die "$PGDATA already exists; remove it or choose another DIR"
  fi
  local user
  user=$(pg_user)
  mkdir -p "$DIR/socket"
  if [[ $EUID -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user"
    chown -R postgres: "$DIR"
    chmod 700 "$DIR"
    runuser -u postgres -- test -w "$DIR" -a -x "$DIR" ||
      die "user postgres cannot write to $DIR (a parent directory is not searchable by it?)"
  fi

  : >"$LOG" || die "cannot write $LOG"
  [[ $EUID -ne 0 ]] || chown postgres: "$LOG"

  if ! as_pg "$BINDIR/initdb" -D "$PGDATA" -U "$user" --auth=trust --encoding=UTF8 \
      --no-locale --no-sync >>"$LOG" 2>&1; then
    tail -n 20 "$LOG" >&2
    die "initdb failed (see $LOG)"
  fi

  # Test-speed settings; durability does not matter for a throw-away cluster.
  cat >>"$PGDATA/postgresql.conf" <<EOF

# Added by $PROG
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
EOF

  local port="" attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$BINDIR/pg_ctl" start -D "$PGDATA" -l "$LOG" -w -t 60 -o "-p $port" >&2; then
      break
    fi
    port=""
    # Another process may have taken the port between the probe and the start.
    if grep -q "could not bind\|Address already in use" "$LOG"; then
      echo "$PROG: port clash, retrying" >&2
      continue
    fi
    break
  done
  if [[ -z "$port" ]]; then
    tail -n 20 "$LOG" >&2
    die "the server did not start (see $LOG)"
  fi

  if ! as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$DB_NAME" >&2; then
    as_pg "$BINDIR/pg_ctl" stop -D "$PGDATA" -m immediate >&2 || true
    die "createdb $DB_NAME failed"
  fi
  echo "postgres://$user@127.0.0.1:$port/$DB_NAME"
}

cmd_stop() {
  if [[ ! -d "$PGDATA" ]] || ! server_running; then
    return 0  # never started, or already stopped
  fi
  as_pg "$BINDIR/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >&2 || die "pg_ctl stop failed (see $LOG)"
}

[[ $# -eq 2 && -n "$2" ]] || usage
COMMAND=$1
[[ "$COMMAND" == start || "$COMMAND" == stop ]] || usage
if [[ "$COMMAND" == stop && ! -d "$2" ]]; then
  exit 0  # nothing was ever started there
fi
mkdir -p "$2" || die "cannot create $2"
DIR=$(cd "$2" && pwd)
PGDATA="$DIR/pgdata"
LOG="$DIR/postgres.log"
# shellcheck source=scripts/postgres_bin.sh
source "$(dirname "$0")/postgres_bin.sh"
BINDIR=$(postgres_bindir) || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin (install the postgresql package)"

if [[ "$COMMAND" == start ]]; then cmd_start; else cmd_stop; fi
