#!/usr/bin/env bash
# The MonthlySpecs example on Tessera, in one command:
#
#   examples/monthlyspecs/run.sh [DUMP.json]
#
# 1. starts a Tessera (TESSERA_BIN, else build/tessera) on a free loopback port with SQLite in a
#    temporary folder — or uses the one at TESSERA_URL (then the admin CLI needs that server's
#    database: TESSERA_DATA_DIR, or TESSERA_DATABASE_URL and its master key, as for `tessera admin`);
# 2. creates the app (MONTHLYSPECS_APP, default monthlyspecs) unless it exists, the dashboard's
#    OpenID Connect client (confidential, first-party, redirect URI …/oidc/callback/), the API's
#    resource-server client (introspection) and an API key, with the admin CLI;
# 3. with DUMP.json (the original's `manage.py dumpdata auth.user account.emailaddress
#    authtoken.token api.customer api.company api.item`): `tessera import django` (users,
#    passwords, verified addresses, DRF keys, profiles; mapping.json) and `manage.py
#    load_original` (customers, companies, items and the user rows they point at);
# 4. migrates Django's SQLite database and starts the dev server on 127.0.0.1
#    (MONTHLYSPECS_PORT, else a free port), printing its URL. Ctrl-C stops everything it started.
#
# Other settings: MONTHLYSPECS_WORKDIR (kept; default: a temporary folder, removed at the end),
# PYTHON (default /usr/bin/python3: Debian's Django 3.2, DRF, Authlib, PyJWT, requests).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
TESSERA_BIN="${TESSERA_BIN:-$REPO/build/tessera}"
APP="${MONTHLYSPECS_APP:-monthlyspecs}"
DUMP="${1:-}"

say() { printf 'run.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -x "$TESSERA_BIN" ]] || die "no Tessera binary at $TESSERA_BIN (make build, or set TESSERA_BIN)"
"$PYTHON" -c 'import django, rest_framework, authlib, jwt, requests' 2>/dev/null ||
  die "$PYTHON lacks Django, DRF, Authlib, PyJWT or requests (Debian: apt-get install python3-django python3-djangorestframework python3-authlib python3-jwt python3-requests)"
[[ -z "$DUMP" || -r "$DUMP" ]] || die "cannot read the dump $DUMP"
[[ -z "$DUMP" ]] || DUMP="$(cd "$(dirname "$DUMP")" && pwd)/$(basename "$DUMP")"

if [[ -n "${MONTHLYSPECS_WORKDIR:-}" ]]; then
  WORK="$MONTHLYSPECS_WORKDIR"; mkdir -p "$WORK"; OWN_WORK=0
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/monthlyspecs.XXXXXX")"; OWN_WORK=1
fi
chmod 700 "$WORK"

TESSERA_PID="" DJANGO_PID=""
cleanup() {
  trap - EXIT INT TERM
  set +e  # a process that is gone already (or exits non-zero) must not stop the cleanup
  for pid in "$DJANGO_PID" "$TESSERA_PID"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [[ "$OWN_WORK" == 1 ]] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # URL, seconds, pid to watch
  local url="$1" deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [[ -z "${3:-}" ]] || kill -0 "$3" 2>/dev/null || return 1
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}
json_field() { "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# --- 1. Tessera ---------------------------------------------------------------------------
DB_ARGS=()
if [[ -n "${TESSERA_URL:-}" ]]; then
  PUBLIC="${TESSERA_URL%/}"
  [[ -n "${TESSERA_DATA_DIR:-}${TESSERA_DATABASE_URL:-}" ]] ||
    die "TESSERA_URL is set: give its database too (TESSERA_DATA_DIR, or TESSERA_DATABASE_URL and TESSERA_MASTER_KEY[_FILE]) so that the admin CLI can create the clients"
  curl -fsS -o /dev/null "$PUBLIC/readyz" || die "no Tessera answering at $PUBLIC/readyz"
else
  TPORT="$(free_port)"
  PUBLIC="http://127.0.0.1:$TPORT"
  DB_ARGS=(--data-dir "$WORK/tessera")
  mkdir -p "$WORK/tessera"
  say "starting Tessera at $PUBLIC (data in $WORK/tessera, log $WORK/tessera.log)"
  env -u TESSERA_DATABASE_URL -u TESSERA_DATA_DIR -u TESSERA_PUBLIC_URL -u TESSERA_LISTEN \
    "$TESSERA_BIN" serve --listen "127.0.0.1:$TPORT" --public-url "$PUBLIC" "${DB_ARGS[@]}" \
    >"$WORK/tessera.log" 2>&1 &
  TESSERA_PID=$!
  wait_for "$PUBLIC/readyz" 20 "$TESSERA_PID" || { tail -20 "$WORK/tessera.log" >&2; die "Tessera did not start"; }
fi
ISSUER="$PUBLIC/apps/$APP"
tessera() { "$TESSERA_BIN" "$@" "${DB_ARGS[@]}" --public-url "$PUBLIC" 2>>"$WORK/admin.log"; }

# --- 2. the app, its clients and key ----------------------------------------------------------
if curl -fsS -o /dev/null "$ISSUER/.well-known/openid-configuration" 2>/dev/null; then
  say "app $APP exists at $ISSUER"
else
  tessera admin create-app --slug "$APP" --name "MonthlySpecs" --json >/dev/null ||
    die "could not create the app $APP (see $WORK/admin.log)"
  say "created the app $APP: $ISSUER"
fi
PORT="${MONTHLYSPECS_PORT:-$(free_port)}"
SITE="http://127.0.0.1:$PORT"
web="$(tessera admin create-client --app "$APP" --name "MonthlySpecs dashboard" --first-party \
  --redirect-uri "$SITE/oidc/callback/" --post-logout-redirect-uri "$SITE/" \
  --scope "openid profile email roles" --json)" || die "create-client failed (see $WORK/admin.log)"
api="$(tessera admin create-client --app "$APP" --name "MonthlySpecs API" --resource-server \
  --grant client_credentials --json)" || die "create-client --resource-server failed (see $WORK/admin.log)"
key="$(tessera admin create-api-key --app "$APP" --name "MonthlySpecs Django" --json)" ||
  die "create-api-key failed (see $WORK/admin.log)"

ENV_FILE="$WORK/monthlyspecs.env"
OLD_UMASK="$(umask)"
umask 077
cat >"$ENV_FILE" <<EOF
MONTHLYSPECS_ISSUER=$ISSUER
MONTHLYSPECS_WEB_CLIENT_ID=$(json_field client_id <<<"$web")
MONTHLYSPECS_WEB_CLIENT_SECRET=$(json_field client_secret <<<"$web")
MONTHLYSPECS_API_CLIENT_ID=$(json_field client_id <<<"$api")
MONTHLYSPECS_API_CLIENT_SECRET=$(json_field client_secret <<<"$api")
MONTHLYSPECS_API_KEY=$(json_field key <<<"$key")
MONTHLYSPECS_SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')
MONTHLYSPECS_DATABASE=$WORK/django.sqlite3
MONTHLYSPECS_ALLOWED_HOSTS=127.0.0.1,localhost
EOF
umask "$OLD_UMASK"
set -a
# shellcheck disable=SC1090  # written just above
. "$ENV_FILE"
set +a
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
say "clients and key created; settings in $ENV_FILE"

# --- 3. the original's data ---------------------------------------------------------------------
manage() { "$PYTHON" "$HERE/manage.py" "$@"; }
manage migrate --verbosity 0
if [[ -n "$DUMP" ]]; then
  tessera import django --app "$APP" --mapping "$HERE/mapping.json" --json "$DUMP" \
    >"$WORK/import-summary.json" || die "tessera import django failed (see $WORK/admin.log)"
  "$PYTHON" - "$WORK/import-summary.json" >&2 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"run.sh: imported into Tessera: {s['records']} records; users {s['users_created']} created, "
      f"{s['users_updated']} updated; DRF keys {s['tokens_imported']} new, {s['tokens_unchanged']} "
      f"already there; {s['skipped_count']} skipped, {s['warning_count']} warnings")
for w in s["warnings"][:20]:
    print("run.sh:   warning:", w)
for r in s["skipped"][:20]:
    print(f"run.sh:   skipped line {r['line']} ({r['record']}): {r['reason']}")
EOF
  manage load_original "$DUMP" | sed 's/^/run.sh: /' >&2
fi

# --- 4. Django --------------------------------------------------------------------------------
# --noreload: one process to stop; --insecure: the admin site's static files with DEBUG off.
"$PYTHON" "$HERE/manage.py" runserver "127.0.0.1:$PORT" --noreload --insecure >"$WORK/django.log" 2>&1 &
DJANGO_PID=$!
wait_for "$SITE/" 30 "$DJANGO_PID" || { tail -30 "$WORK/django.log" >&2; die "Django did not start"; }
echo "MonthlySpecs is running at $SITE/  (dashboard $SITE/dashboard/, API $SITE/api/)"
echo "Tessera: $ISSUER  (hosted sign-in $ISSUER/login)"
echo "Logs: $WORK/django.log${TESSERA_PID:+, $WORK/tessera.log}. Ctrl-C stops."
wait "$DJANGO_PID"
