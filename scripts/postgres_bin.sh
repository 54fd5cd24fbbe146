# Sourced by the scripts that start PostgreSQL servers (postgres-test-server.sh, cluster.sh).
# postgres_bindir prints the newest installed server version's bin directory (Debian's
# postgresql package: /usr/lib/postgresql/<version>/bin), or fails when there is none.
postgres_bindir() {
  local dir best=""
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/pg_basebackup" ]] || continue
    best=$(printf '%s\n%s\n' "$best" "$dir" | sed '/^$/d' | sort -V | tail -n 1)
  done
  [[ -n "$best" ]] && echo "$best"
}
