#!/usr/bin/env bash
# The Debian package, for real, on this machine (issue 20, "Installable"):
#   1. build the package (cpack, revision 1) from the build directory's binary;
#   2. dpkg -i it: files, modes, the service user, the conffile, `tessera version` on PATH,
#      the unit (systemd-analyze verify, when it can run here);
#   3. start the service — with systemd where it is the running init, else the unit's own
#      command (its ExecStart=, User=, Group=, WorkingDirectory=, Environment=,
#      EnvironmentFile=, UMask=, LimitNOFILE=, without privileges) — on a free loopback
#      port written into /etc/tessera/tessera.env as an operator would; sign a user up, log in;
#   4. stop it; package the same build again as revision 2 and dpkg -i it (an upgrade): the
#      edited configuration is kept (conffile), the version is new, and, started again, the
#      same user logs in, the access token from before still works (same database, master
#      key and signing keys);
#   5. dpkg -P (purge): everything is gone; the service user made here is removed.
# The machine is left as it was, on failure too (trap). Needs root and dpkg: otherwise it
# says so and skips. Fails at once, touching nothing, where a tessera package, /etc/tessera
# or /var/lib/tessera is already there (it would purge them).
# Prints PASS/FAIL lines and, last, "package: N passed, F failed" (read by scripts/test.sh).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD_DIR:-build}
UNIT=/lib/systemd/system/tessera.service
CONF=/etc/tessera/tessera.env
STATE=/var/lib/tessera
APP_API=/apps/default/api
START=$(date +%s)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {  # check "what" command…
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
summary() {
  echo "package: $passed passed, $failed failed ($(($(date +%s) - START)) s)"
}
skip() {
  echo "SKIP: the package test: $*"
  echo "package: 0 passed, 0 failed (skipped)"
  exit 0
}
die() {  # a step the rest depends on failed
  fail "$*"
  summary
  exit 1
}

[ "$(id -u)" -eq 0 ] || skip "not root (installing a package needs root)"
if ! command -v dpkg >/dev/null || ! command -v dpkg-deb >/dev/null; then skip "dpkg is missing"; fi
for tool in cpack curl python3 setpriv; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh installs it)"
done
if dpkg-query -W -f='${Status}' tessera 2>/dev/null | grep -qv "not-installed"; then
  die "a tessera package is already on this machine ($(dpkg-query -W -f='${Status} ${Version}' tessera)): the test would purge it; remove it first"
fi
[ -e /etc/tessera ] && die "/etc/tessera exists: the test would delete it; move it away first"
[ -e "$STATE" ] && die "$STATE exists: the test would delete it; move it away first"

WITH_SYSTEMD=0
[ -d /run/systemd/system ] && WITH_SYSTEMD=1
WORK=$(mktemp -d /tmp/tessera-package.XXXXXX)
USER_EXISTED=0
getent passwd tessera >/dev/null && USER_EXISTED=1
SERVER_PID=
INSTALLED=0

stop_server() {
  if [ "$WITH_SYSTEMD" = 1 ]; then
    systemctl stop tessera.service >/dev/null 2>&1 || true
  elif [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
cleanup() {
  stop_server
  if [ "$INSTALLED" = 1 ]; then
    DEBIAN_FRONTEND=noninteractive dpkg -P tessera >"$WORK/cleanup-purge.log" 2>&1 ||
      cat "$WORK/cleanup-purge.log"
  fi
  if [ "$USER_EXISTED" = 0 ] && getent passwd tessera >/dev/null; then
    userdel tessera 2>/dev/null || true
  fi
  if [ "$USER_EXISTED" = 0 ] && getent group tessera >/dev/null; then
    groupdel tessera 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. build the packages ------------------------------------------------------------------
echo "== building the binary and the packages from $BUILD"
[ -f "$BUILD/build.ninja" ] || die "no build in $BUILD (make build first)"
cmake --build "$BUILD" --target tessera >"$WORK/build.log" 2>&1 ||
  { cat "$WORK/build.log"; die "cmake --build $BUILD --target tessera"; }
make_deb() {  # make_deb REVISION → path of the .deb
  local out="$WORK/deb$1"
  (cd "$BUILD" && TESSERA_PACKAGE_REVISION=$1 cpack -G DEB -B "$out") >"$out.log" 2>&1 ||
    { cat "$out.log" >&2; return 1; }
  ls "$out"/tessera_*-"$1"_*.deb
}
DEB1=$(make_deb 1) || die "cpack (revision 1)"
pass "package built: $(basename "$DEB1") ($(du -h "$DEB1" | cut -f1))"
DEB2=$(make_deb 2) || die "cpack (revision 2)"
pass "package rebuilt with a higher revision: $(basename "$DEB2")"
VERSION=$(dpkg-deb -f "$DEB1" Version)
VERSION2=$(dpkg-deb -f "$DEB2" Version)
check "$VERSION2 is newer than $VERSION" dpkg --compare-versions "$VERSION2" gt "$VERSION"

contents=$(dpkg-deb -c "$DEB1" | awk '{print $6}')
for f in ./usr/bin/tessera ./lib/systemd/system/tessera.service ./etc/tessera/tessera.env \
         ./usr/share/doc/tessera/copyright ./usr/share/doc/tessera/deployment.md; do
  check "the package holds $f" grep -qx "$f" <<<"$contents"
done
check "the package holds nothing but the binary, unit, configuration and docs" \
  test -z "$(grep -v -E '^\./(usr/bin/tessera|lib/systemd/system/tessera\.service|etc/tessera/tessera\.env|usr/share/doc/tessera/.*|(usr|usr/bin|usr/share|usr/share/doc|lib|lib/systemd|lib/systemd/system|etc|etc/tessera)/)$' <<<"$contents")"
depends=$(dpkg-deb -f "$DEB1" Depends)
echo "   Depends: $depends"
check "Depends computed from the binary's libraries (libc6, libsqlite3, libpq) and adduser" \
  bash -c '[[ "$1" == *libc6* && "$1" == *libsqlite3* && "$1" == *libpq5* && "$1" == *adduser* ]]' _ "$depends"
check "conffiles lists /etc/tessera/tessera.env" \
  bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles | grep -qx /etc/tessera/tessera.env' _ "$DEB1"

# --- 2. install -----------------------------------------------------------------------------
echo "== dpkg -i $(basename "$DEB1") (systemd running: $([ "$WITH_SYSTEMD" = 1 ] && echo yes || echo no))"
INSTALLED=1
if ! DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB1" </dev/null >"$WORK/install.log" 2>&1; then
  # Missing dependencies: let apt bring them (the build machine has them, so rarely).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB1" </dev/null >>"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log"; die "dpkg -i $DEB1"; }
fi
pass "installed $VERSION"
check "dpkg -s tessera: installed, version $VERSION" \
  bash -c '[ "$(dpkg-query -W -f="\${Status} \${Version}" tessera)" = "install ok installed $1" ]' _ "$VERSION"
check "tessera is on PATH at /usr/bin/tessera" test "$(command -v tessera)" = /usr/bin/tessera
check "tessera version prints ${VERSION%-*}" test "$(tessera version)" = "tessera ${VERSION%-*}"
check "the binary is stripped" bash -c 'file -L /usr/bin/tessera | grep -q ", stripped"'
check "the unit is at $UNIT" test -f "$UNIT"
check "the service user tessera: a system user, no login shell, home $STATE" \
  bash -c 'IFS=: read -r _ _ uid _ _ home shell < <(getent passwd tessera) &&
           [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/tessera ] && [ "$shell" = /usr/sbin/nologin ]'
check "$CONF: root:tessera 0640" test "$(stat -c '%U:%G %a' "$CONF")" = "root:tessera 640"
check "$STATE: tessera:tessera 0700" test "$(stat -c '%U:%G %a' "$STATE")" = "tessera:tessera 700"
check "dpkg registered $CONF as a conffile" \
  bash -c 'dpkg-query -W -f="\${Conffiles}\n" tessera | grep -q "^ /etc/tessera/tessera.env "'
check "the unit is hardened (User=tessera, NoNewPrivileges, ProtectSystem=strict, empty capabilities, StateDirectory)" \
  bash -c 'for l in User=tessera NoNewPrivileges=yes ProtectSystem=strict CapabilityBoundingSet= \
                   StateDirectory=tessera EnvironmentFile=/etc/tessera/tessera.env \
                   SystemCallFilter=@system-service MemoryDenyWriteExecute=yes; do
             grep -qx "$l" "$1" || { echo "   missing: $l"; exit 1; }; done' _ "$UNIT"
# Enabled at install, by deb-systemd-helper, with or without a running systemd.
check "the unit is enabled (multi-user.target wants it)" \
  test -L /etc/systemd/system/multi-user.target.wants/tessera.service
# Where systemd runs, the postinst starts the service unless policy-rc.d forbids it (as in
# Docker-style images, whose /usr/sbin/policy-rc.d exits 101).
policy_allows() {
  [ -x /usr/sbin/policy-rc.d ] || return 0
  local rc=0
  /usr/sbin/policy-rc.d tessera.service "$1" >/dev/null 2>&1 || rc=$?
  [ "$rc" != 101 ]
}
if [ "$WITH_SYSTEMD" = 1 ]; then
  if policy_allows start; then
    check "the postinst started the service" \
      test -n "$(systemctl show -p InvocationID --value tessera.service)"
  else
    echo "SKIP: the postinst's start: /usr/sbin/policy-rc.d forbids starting services here"
  fi
fi
# systemd-analyze verify works on a unit file without a running systemd; where it cannot run
# at all (no systemd-analyze, or it fails for want of systemd itself) that one check is skipped.
if command -v systemd-analyze >/dev/null; then
  if systemd-analyze verify "$UNIT" >"$WORK/verify.log" 2>&1; then
    pass "systemd-analyze verify $UNIT"
  elif grep -qiE "bus|connect|not booted|No such file or directory.*/run/systemd" "$WORK/verify.log"; then
    echo "SKIP: systemd-analyze verify cannot run here: $(head -1 "$WORK/verify.log")"
  else
    cat "$WORK/verify.log"; fail "systemd-analyze verify $UNIT"
  fi
  exposure=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null | grep -oP 'Overall exposure level.*' || true)
  [ -n "$exposure" ] && echo "   systemd-analyze security: $exposure"
else
  echo "SKIP: systemd-analyze verify (systemd-analyze is not installed)"
fi

# --- 3. configure as an operator, start, sign up ----------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
# The operator's edit: another listen address (and a comment of theirs).
sed -i "s|^TESSERA_LISTEN=.*|# Changed by the package test.\nTESSERA_LISTEN=127.0.0.1:$PORT|" "$CONF"
grep -qx "TESSERA_LISTEN=127.0.0.1:$PORT" "$CONF" || die "editing $CONF"
EDITED_SUM=$(sha256sum "$CONF" | cut -d' ' -f1)

# The value of one directive of the unit's [Service] section (the last one wins).
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }
# A file in systemd's EnvironmentFile= syntax, as NAME=value lines with quotes removed.
read_env_file() {
  local line name value
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* || "$line" == \;* ]] && continue
    [[ "$line" == *=* ]] || continue
    name="${line%%=*}"; value="${line#*=}"
    name="${name%"${name##*[![:space:]]}"}"
    value="${value#"${value%%[![:space:]]*}"}"
    if [[ "$value" =~ ^\"(.*)\"[[:space:]]*$ || "$value" =~ ^\'(.*)\'[[:space:]]*$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      value="${value%"${value##*[![:space:]]}"}"
    fi
    printf '%s=%s\n' "$name" "$value"
  done <"$1"
}
# Without systemd: the unit's own command, as the unit's user, in its directory, with its
# environment (Environment= then EnvironmentFile=, as systemd orders them), umask and
# descriptor limit, no new privileges and no capabilities.
start_unit_command() {
  local exec user group wd umask nofile envfile optional line
  exec=$(unit_value ExecStart); user=$(unit_value User); group=$(unit_value Group)
  wd=$(unit_value WorkingDirectory); umask=$(unit_value UMask); nofile=$(unit_value LimitNOFILE)
  local -a cmd env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
  read -r -a cmd <<<"$exec"
  while IFS= read -r line; do env+=("$line"); done < <(sed -n 's/^Environment=//p' "$UNIT")
  while IFS= read -r envfile; do
    optional=0
    [[ "$envfile" == -* ]] && { optional=1; envfile=${envfile#-}; }
    if [ -f "$envfile" ]; then
      while IFS= read -r line; do env+=("$line"); done < <(read_env_file "$envfile")
    elif [ "$optional" = 0 ]; then
      echo "   EnvironmentFile $envfile is missing"; return 1
    fi
  done < <(sed -n 's/^EnvironmentFile=//p' "$UNIT")
  # The unit's descriptor limit, or this machine's hard limit if that is lower (raising it
  # needs CAP_SYS_RESOURCE, which systemd has and a container may not).
  if [ -n "$nofile" ] && ! (ulimit -n "$nofile") 2>/dev/null; then
    echo "   LimitNOFILE=$nofile is above this machine's hard limit: $(ulimit -Hn) instead"
    nofile=$(ulimit -Hn)
  fi
  echo "   running the unit's command: ${cmd[*]} (User=$user, WorkingDirectory=$wd)"
  (
    cd "${wd:-/}" || exit 1
    [ -n "$umask" ] && umask "$umask"
    [ -n "$nofile" ] && ulimit -n "$nofile"
    exec env -i "${env[@]}" setpriv --reuid="$user" --regid="${group:-$user}" --init-groups \
      --no-new-privs --inh-caps=-all --bounding-set=-all -- "${cmd[@]}"
  ) >>"$WORK/server.log" 2>&1 </dev/null &
  SERVER_PID=$!
}
start_server() {
  if [ "$WITH_SYSTEMD" = 1 ]; then
    systemctl reset-failed tessera.service 2>/dev/null || true
    systemctl restart tessera.service
  else
    start_unit_command
  fi
}
wait_healthy() {
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && return 0
    if [ "$WITH_SYSTEMD" = 0 ] && ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "   the server did not answer /healthz; its output:"
  if [ "$WITH_SYSTEMD" = 1 ]; then
    journalctl -u tessera.service -n 30 --no-pager | sed 's/^/   /'
  else
    tail -n 30 "$WORK/server.log" | sed 's/^/   /'
  fi
  return 1
}
# http METHOD PATH [JSON] [TOKEN] → the status; the body in $WORK/body
http() {
  local -a args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$1" "$BASE$2")
  [ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data "$3")
  [ -n "${4:-}" ] && args+=(-H "Authorization: Bearer $4")
  curl "${args[@]}"
}
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/body" "$1"; }

EMAIL="package-test-$$@example.com"
PASSWORD="a package test passphrase $$"
CREDENTIALS="{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}"

echo "== starting $VERSION on $BASE"
start_server || die "starting the service"
wait_healthy || die "the service answers /healthz on $BASE (the port from $CONF)"
pass "the service answers /healthz on $BASE (the port from $CONF)"
server_pid() {
  if [ "$WITH_SYSTEMD" = 1 ]; then systemctl show -p MainPID --value tessera.service; else echo "$SERVER_PID"; fi
}
check "it runs as tessera" test "$(ps -o user= -p "$(server_pid)")" = tessera
check "the SQLite database and the generated master key are in $STATE, tessera's, 0600" \
  bash -c 'for f in /var/lib/tessera/tessera.db /var/lib/tessera/master.key; do
             [ "$(stat -c "%U %a" "$f")" = "tessera 600" ] || { ls -l "$f"; exit 1; }; done'
status=$(http POST "$APP_API/signup" "$CREDENTIALS")
[ "$status" = 201 ] || { cat "$WORK/body"; echo; die "sign-up: HTTP $status (want 201)"; }
pass "a user signed up ($EMAIL)"
status=$(http POST "$APP_API/login" "$CREDENTIALS")
[ "$status" = 200 ] || { cat "$WORK/body"; echo; die "log-in: HTTP $status (want 200)"; }
TOKEN=$(json_field access_token)
pass "the user logged in"
check "GET /me with the access token" test "$(http GET "$APP_API/me" "" "$TOKEN")" = 200
KEY_SUM=$(sha256sum "$STATE/master.key" | cut -d' ' -f1)
stop_server
pass "the service stopped"

# --- 4. upgrade -----------------------------------------------------------------------------
echo "== upgrading to $VERSION2 (dpkg -i $(basename "$DEB2"))"
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB2" </dev/null >"$WORK/upgrade.log" 2>&1 ||
  { cat "$WORK/upgrade.log"; die "dpkg -i $DEB2 (upgrade)"; }
pass "upgraded"
check "dpkg -s tessera: installed, version $VERSION2" \
  bash -c '[ "$(dpkg-query -W -f="\${Status} \${Version}" tessera)" = "install ok installed $1" ]' _ "$VERSION2"
check "the edited $CONF is kept, not replaced (conffile)" \
  test "$(sha256sum "$CONF" | cut -d' ' -f1)" = "$EDITED_SUM"
check "$CONF: still root:tessera 0640" test "$(stat -c '%U:%G %a' "$CONF")" = "root:tessera 640"
check "$STATE: still tessera:tessera 0700" test "$(stat -c '%U:%G %a' "$STATE")" = "tessera:tessera 700"
check "the master key is the same" test "$(sha256sum "$STATE/master.key" | cut -d' ' -f1)" = "$KEY_SUM"
if [ "$WITH_SYSTEMD" = 1 ] && policy_allows restart; then
  # The postinst restarted it.
  if wait_healthy; then pass "the postinst restarted the service"; else fail "the postinst restarted the service"; fi
else
  [ "$WITH_SYSTEMD" = 1 ] &&
    echo "SKIP: the postinst's restart: /usr/sbin/policy-rc.d forbids it here; starting it by hand"
  start_server || die "starting the service after the upgrade"
  wait_healthy || die "the upgraded service answers /healthz"
  pass "the upgraded service answers /healthz"
fi
check "the access token from before the upgrade still works (same signing keys)" \
  test "$(http GET "$APP_API/me" "" "$TOKEN")" = 200
check "the same user logs in after the upgrade (data kept)" \
  test "$(http POST "$APP_API/login" "$CREDENTIALS")" = 200
check "signing up the same address again is refused: 409 (the account is still there)" \
  test "$(http POST "$APP_API/signup" "$CREDENTIALS")" = 409
stop_server

# --- 5. purge -------------------------------------------------------------------------------
echo "== dpkg -P tessera"
if DEBIAN_FRONTEND=noninteractive dpkg -P tessera </dev/null >"$WORK/purge.log" 2>&1; then
  INSTALLED=0
  pass "purged"
else
  cat "$WORK/purge.log"; fail "dpkg -P tessera"
fi
check "dpkg knows no tessera package any more" \
  bash -c '! dpkg-query -W -f="\${Status}" tessera 2>/dev/null | grep -q installed'
for p in /usr/bin/tessera "$UNIT" /etc/tessera "$STATE"; do
  check "$p is gone" test ! -e "$p"
done
check "the service user is kept by the purge (Debian practice; removed by this test next)" \
  bash -c 'getent passwd tessera >/dev/null'

summary
[ "$failed" -eq 0 ]
