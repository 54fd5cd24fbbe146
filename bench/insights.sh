#!/usr/bin/env bash
# The consoles' Insights at 10 million audit events (`make bench-insights`): a SQLite database
# is filled with BENCH_INSIGHTS_EVENTS events (default 10,000,000) over the last 120 days of
# 5 apps — sign-ins by password, mail and a provider, failed sign-ins, sign-ups and other
# actions, 50,000 users per app — then `tessera admin insights` runs three times: the first
# rolls up every complete day (the catch-up a server does in the background, 31 days every
# ten minutes), the next two only read 90 days of counters and count today live (what an
# Insights page does). Wall time and peak RSS of each (GNU time). Results: docs/benchmarks.md.
#
# Environment: BENCH_INSIGHTS_EVENTS [10000000], TESSERA_BIN [build/tessera].
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${TESSERA_BIN:-$PWD/build/tessera}
N=${BENCH_INSIGHTS_EVENTS:-10000000}
WORK=$(mktemp -d /tmp/tessera-bench-insights.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$BIN" migrate --data-dir "$WORK" >/dev/null
for i in 1 2 3 4 5; do "$BIN" admin create-app --data-dir "$WORK" --slug "bench-$i" --name "Bench $i" >/dev/null; done
DB="$WORK/tessera.db"
[ -f "$DB" ] || DB=$(ls "$WORK"/*.db | head -1)
NOW_MS=$(( $(date +%s) * 1000 ))
start=$(date +%s.%N)
sqlite3 "$DB" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TEMP TABLE bench_apps AS SELECT id, ROW_NUMBER() OVER (ORDER BY slug) - 1 AS n FROM apps WHERE slug LIKE 'bench-%';
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < $N - 1)
INSERT INTO audit_events (id, app_id, at, action, actor_type, actor_id, subject_type, subject_id, ip, user_agent, outcome, details_json)
SELECT printf('bench-%010d', i),
       (SELECT id FROM bench_apps WHERE n = i % 5),
       $NOW_MS - (i * 1037 % (120 * 86400000)),
       CASE WHEN i % 100 < 60 THEN 'user.login' WHEN i % 100 < 66 THEN 'user.login_failed'
            WHEN i % 100 < 70 THEN 'user.signup' WHEN i % 100 < 80 THEN 'session.logout'
            ELSE 'user.profile_updated' END,
       'user', printf('u%d', i % 50000), 'user', printf('u%d', i % 50000), '203.0.113.7', 'bench',
       CASE WHEN i % 100 >= 60 AND i % 100 < 66 THEN 'failure' ELSE 'success' END,
       CASE WHEN i % 100 < 40 THEN '{"method":"password"}' WHEN i % 100 < 52 THEN '{"method":"email"}'
            WHEN i % 100 < 60 THEN '{"method":"github"}' ELSE '{}' END
FROM seq;
SQL
echo "filled: $N events in $(echo "$(date +%s.%N) - $start" | bc) s; database $(du -h "$DB" | cut -f1)"

run() {  # label, then the command
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %M KiB peak RSS" "$@" > "$WORK/out.json"
}
run "first (rolls up every complete day, then reads)" "$BIN" admin insights --data-dir "$WORK" --app bench-1 --days 90 --json
run "page read, one app, 90 days" "$BIN" admin insights --data-dir "$WORK" --app bench-1 --days 90 --json
run "page read, every app, 90 days" "$BIN" admin insights --data-dir "$WORK" --days 90 --json
python3 - "$WORK/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"every app, 90 days: {d['logins']} sign-ins, {d['logins_failed']} failed, {d['signups']} sign-ups, "
      f"{d['monthly_active']} monthly active; methods {d['sign_in_methods']}")
PY
