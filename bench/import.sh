#!/usr/bin/env bash
# The import's throughput and memory (`make bench-import`): a `manage.py dumpdata`-shaped
# fixture of N users (each with a PBKDF2 hash and a DRF token, so 2N records) is generated,
# then `tessera import django` runs three times into a fresh database: the first import, a
# re-run (every user updated, every token already there) and a --dry-run; each with its wall
# time and peak RSS (GNU time). On SQLite by default; BENCH_IMPORT_POSTGRES=1 also on a
# throw-away PostgreSQL (scripts/postgres-test-server.sh). Results: docs/benchmarks.md.
#
# Environment: BENCH_IMPORT_USERS [200000], TESSERA_BIN [build/tessera].
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${TESSERA_BIN:-$PWD/build/tessera}
N=${BENCH_IMPORT_USERS:-200000}
WORK=$(mktemp -d /tmp/tessera-bench-import.XXXXXX)
chmod 755 "$WORK"  # the postgres user writes its data folder in it
trap 'scripts/postgres-test-server.sh stop "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

python3 - "$N" "$WORK/dump.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
h = "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo="
with open(path, "w") as f:
    f.write("[\n")
    for i in range(1, n + 1):
        f.write(json.dumps({"model": "auth.user", "pk": i, "fields": {
            "password": h, "last_login": None, "is_superuser": False, "username": f"user{i}",
            "first_name": "First", "last_name": "Last", "email": f"user{i}@example.com",
            "is_staff": False, "is_active": True, "date_joined": "2020-01-02T03:04:05.678Z",
            "groups": [], "user_permissions": []}}) + ",\n")
        f.write(json.dumps({"model": "authtoken.token", "pk": "%040x" % i,
                            "fields": {"user": i, "created": "2021-01-01T00:00:00Z"}})
                + (",\n" if i < n else "\n"))
    f.write("]\n")
PY
echo "fixture: $N users, $((2 * N)) records, $(du -h "$WORK/dump.json" | cut -f1)"

run() {  # run LABEL ARGS…: one import, its wall time and peak RSS
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" import django --app default "$@" "$WORK/dump.json" \
    >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r secs kib <"$WORK/time"
  printf '| %s | %s | %.1f | %d | %d |\n' "$BACKEND" "$label" "$secs" \
    "$(python3 -c "print(round($((2 * N)) / max($secs, 0.01)))")" "$((kib / 1024))"
}

echo "| backend | run | seconds | records/s | peak RSS MiB |"
echo "|---|---|---:|---:|---:|"
BACKEND=sqlite
"$BIN" migrate --data-dir "$WORK/sqlite" >/dev/null 2>&1
DB=(--data-dir "$WORK/sqlite")
run "first import" "${DB[@]}"
run "re-run (updates)" "${DB[@]}"
run "--dry-run" "${DB[@]}" --dry-run
if [ "${BENCH_IMPORT_POSTGRES:-0}" = 1 ]; then
  mkdir -p "$WORK/pg"
  URL=$(scripts/postgres-test-server.sh start "$WORK/pg")
  BACKEND=postgres
  "$BIN" migrate --data-dir "$WORK/pgdata" --database-url "$URL" >/dev/null 2>&1
  DB=(--data-dir "$WORK/pgdata" --database-url "$URL")
  run "first import" "${DB[@]}"
  run "re-run (updates)" "${DB[@]}"
  run "--dry-run" "${DB[@]}" --dry-run
fi
