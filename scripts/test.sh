#!/usr/bin/env bash
# Runs every test: unit and store-conformance tests (ctest) on SQLite and on a real
# PostgreSQL server started here on a loopback port, then the black-box HTTP tests (node)
# against the real binary on both backends, the Debian package installed, run, upgraded and
# purged on this machine (tests/package; skipped unless root with dpkg), and the fuzz
# targets briefly over their seed corpora (scripts/fuzz.sh ci). Prints one summary line at
# the end.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=$(mktemp -d /tmp/tessera-test.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  scripts/postgres-test-server.sh stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting PostgreSQL for the tests"
mkdir -p "$WORK/pg"
PG_URL=$(scripts/postgres-test-server.sh start "$WORK/pg") || { echo "cannot start PostgreSQL"; exit 1; }
export TESSERA_TEST_POSTGRES_URL="$PG_URL"
echo "   $PG_URL"

status=0
echo "== unit and store conformance tests (ctest)"
ctest_out="$WORK/ctest.log"
(cd "$BUILD" && ctest --output-on-failure -j2 --timeout 300) 2>&1 | tee "$ctest_out"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# ctest ends with "N% tests passed, F tests failed out of T".
c_fail=$(grep -oP '\d+(?= tests failed out of)' "$ctest_out" | tail -1)
c_total=$(grep -oP 'tests failed out of \K\d+' "$ctest_out" | tail -1)

# The black-box tests' npm packages (an OIDC client library, playwright-core for the browser
# tests): installed exactly from package-lock.json when missing or older than the lock file.
E2E=tests/e2e
if [ ! -d "$E2E/node_modules" ] || [ "$E2E/package-lock.json" -nt "$E2E/node_modules" ]; then
  echo "== installing the black-box tests' npm packages (npm ci)"
  if npm ci --prefix "$E2E" --no-audit --no-fund; then
    touch "$E2E/node_modules"
  else
    echo "npm ci failed: the tests that need its packages will fail"
    status=1
  fi
fi

echo "== black-box HTTP tests (node --test) against $BUILD/tessera"
node_out="$WORK/node.log"
TESSERA_BIN="$PWD/$BUILD/tessera" node --test --test-concurrency=2 tests/e2e/ 2>&1 | tee "$node_out"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
n_pass=$(grep -oP '^# pass \K\d+' "$node_out" | tail -1)
n_fail=$(grep -oP '^# fail \K\d+' "$node_out" | tail -1)

# The Debian package (tests/package/package_test.sh): built from $BUILD by cpack, installed
# with dpkg, started (by systemd, or by the unit's own command where systemd is not running),
# upgraded to a higher revision and purged; the machine is left as it was. One test; it
# skips, with a message, when not root or without dpkg.
echo "== the Debian package (tests/package/package_test.sh)"
pkg_out="$WORK/package.log"
BUILD_DIR="$BUILD" bash tests/package/package_test.sh 2>&1 | tee "$pkg_out"
p_rc=${PIPESTATUS[0]}
p_pass=0
p_fail=0
if [ "$p_rc" -ne 0 ]; then
  status=1
  p_fail=1
elif ! grep -q '^package: .*(skipped)' "$pkg_out"; then
  p_pass=1
fi

# The fuzz targets (fuzz/): a clang build, then each target over its seed corpus (past
# findings among the seeds) and a few seconds of fuzzing; one test per target.
echo "== fuzz targets over their seed corpora (scripts/fuzz.sh ci)"
fuzz_out="$WORK/fuzz.log"
bash scripts/fuzz.sh ci 2>&1 | tee "$fuzz_out"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
f_pass=$(grep -oP '^fuzz: \K\d+(?= passed)' "$fuzz_out" | tail -1)
f_fail=$(grep -oP '^fuzz: \d+ passed, \K\d+' "$fuzz_out" | tail -1)

passed=$(( ${c_total:-0} - ${c_fail:-0} + ${n_pass:-0} + p_pass + ${f_pass:-0} ))
failed=$(( ${c_fail:-0} + ${n_fail:-0} + p_fail + ${f_fail:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed"
exit $status
