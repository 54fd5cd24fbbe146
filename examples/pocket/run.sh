#!/usr/bin/env bash
# The Pocket blog on Tessera, in one command: builds what is missing (build/tessera,
# build/pocket_server), starts a Tessera on SQLite in examples/pocket/var (unless TESSERA_URL is
# given), creates the app `pocket` with "first user to sign up becomes admin", a public client
# for the front end and a resource-server client for the backend (it checks API tokens and the
# old blog's imported tokens by introspection), then runs the Pocket backend in the
# foreground. Ctrl-C stops both.
#
#   examples/pocket/run.sh
#
# Settings (environment):
#   POCKET_PORT=8090          where Pocket listens (http://127.0.0.1:PORT/)
#   TESSERA_PORT=8080         where the local Tessera listens
#   POCKET_DATA=<dir>         Tessera's data dir and Pocket's database (default examples/pocket/var;
#                             delete it to start over)
#   BUILD_DIR=<dir>           the CMake build dir (default build/)
#   TESSERA_URL=https://id.example.com
#                             use that Tessera instead of starting one; then also give
#   POCKET_CLIENT_ID=…        the client made there (README.md says how), and optionally
#   POCKET_APP=pocket         the app's slug, and
#   POCKET_INTROSPECTION_CLIENT_ID=… POCKET_INTROSPECTION_CLIENT_SECRET=…
#                             a resource-server client made there, for API tokens
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$repo/build}"
tessera_bin="${TESSERA_BIN:-$build/tessera}"
pocket_bin="${POCKET_SERVER_BIN:-$build/pocket_server}"
data="${POCKET_DATA:-$here/var}"
pocket_port="${POCKET_PORT:-8090}"
tessera_port="${TESSERA_PORT:-8080}"
slug="${POCKET_APP:-pocket}"
origin="http://127.0.0.1:$pocket_port"
python=/usr/bin/python3
[ -x "$python" ] || python=python3

say() { printf 'pocket: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
json_field() { "$python" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# 1. Build what is missing: only the targets needed.
targets=()
[ -n "${TESSERA_URL:-}" ] || [ -x "$tessera_bin" ] || targets+=(tessera)
[ -x "$pocket_bin" ] || targets+=(pocket_server)
if [ ${#targets[@]} -gt 0 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    say "configuring $build (scripts/setup.sh installs the packages if this fails)"
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$repo" -B "$build" "${generator[@]}"
  fi
  say "building ${targets[*]}"
  cmake --build "$build" --target "${targets[@]}" -j"${JOBS:-2}"
fi

mkdir -p "$data"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${TESSERA_URL:-}" ]; then
  # 2a. A Tessera that runs elsewhere: its app and client were made there.
  issuer="${TESSERA_URL%/}/apps/$slug"
  [ -n "${POCKET_CLIENT_ID:-}" ] || die "with TESSERA_URL, set POCKET_CLIENT_ID too: a public client of app '$slug' with
  redirect URIs $origin/index.html and $origin/admin.html, post-logout redirect URI $origin/index.html,
  scopes 'openid profile email roles' (examples/pocket/README.md, \"Your own Tessera\")"
  client_id="$POCKET_CLIENT_ID"
else
  # 2b. A local Tessera on SQLite in $data/tessera.
  tessera_url="http://127.0.0.1:$tessera_port"
  issuer="$tessera_url/apps/$slug"
  mkdir -p "$data/tessera"
  admin() { "$tessera_bin" admin "$@" --data-dir "$data/tessera" --public-url "$tessera_url"; }
  if curl -fsS -o /dev/null "$tessera_url/readyz" 2>/dev/null; then
    die "something already listens on $tessera_url: stop it or set TESSERA_PORT (or TESSERA_URL)"
  fi
  say "starting Tessera on $tessera_url (data in $data/tessera, log in $data/tessera.log)"
  "$tessera_bin" serve --listen "127.0.0.1:$tessera_port" --public-url "$tessera_url" \
    --data-dir "$data/tessera" >"$data/tessera.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$tessera_url/readyz" 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || die "Tessera stopped: $(tail -5 "$data/tessera.log")"
    sleep 0.1
  done
  curl -fsS -o /dev/null "$tessera_url/readyz" || die "Tessera is not ready: see $data/tessera.log"

  # The app, once; "first user to sign up becomes admin" every time (idempotent).
  if ! admin create-app --slug "$slug" --name "Pocket" --json >"$data/app.json" 2>"$data/app.err"; then
    grep -qi "exist" "$data/app.err" || die "create-app failed: $(cat "$data/app.err")"
  fi
  admin update-app --app "$slug" --first-user-admin true --json >/dev/null

  # The front end's public client (PKCE, no secret), made again when the port changes.
  client_file="$data/client-$pocket_port.json"
  if [ ! -s "$client_file" ]; then
    admin create-client --app "$slug" --name "Pocket" --public --first-party \
      --redirect-uri "$origin/index.html" --redirect-uri "$origin/admin.html" \
      --post-logout-redirect-uri "$origin/index.html" \
      --scope "openid profile email roles" --json >"$client_file.tmp"
    mv "$client_file.tmp" "$client_file"
  fi
  client_id="$(json_field client_id <"$client_file")"

  # The backend's own confidential client, flagged resource server: Tessera's introspection
  # endpoint tells only such a client about API tokens. Made once; its secret stays in a file
  # only we may read, handed to Pocket by name (a secret in the arguments is public to `ps`).
  api_client_file="$data/api-client.json"
  if [ ! -s "$api_client_file" ]; then
    (umask 077
     admin create-client --app "$slug" --name "Pocket API" --resource-server \
       --grant client_credentials --json >"$api_client_file.tmp"
     mv "$api_client_file.tmp" "$api_client_file")
  fi
  (umask 077; json_field client_secret <"$api_client_file" >"$data/introspection.secret")
  POCKET_INTROSPECTION_CLIENT_ID="$(json_field client_id <"$api_client_file")"
  export POCKET_INTROSPECTION_CLIENT_ID POCKET_INTROSPECTION_SECRET_FILE="$data/introspection.secret"
fi

# 3. The Pocket backend, which also serves the front end.
say "Pocket: open $origin/  (the first account you create there becomes the admin)"
say "Tessera app: $issuer   client: $client_id"
[ -z "${POCKET_INTROSPECTION_CLIENT_ID:-}" ] ||
  say "API tokens by introspection as client ${POCKET_INTROSPECTION_CLIENT_ID}"
"$pocket_bin" --issuer "$issuer" --client-id "$client_id" --listen "127.0.0.1:$pocket_port" \
  --db "$data/pocket.db" --web-dir "$here/web" &
pids+=($!)
wait "${pids[-1]}"
