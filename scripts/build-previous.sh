#!/usr/bin/env bash
# Builds the `tessera` binary of an earlier commit, for the rolling-upgrade test of
# `make test-cluster` (tests/e2e/cluster_upgrade.test.mjs): nodes of that version serve while a
# node of this one starts and migrates the database under them.
#
#   scripts/build-previous.sh [REV]     prints the binary's path
#
# REV defaults to the commit before the one that added the newest schema migration, so the
# upgrade always crosses a migration. The source comes from `git archive` (the working tree is
# not touched); the result is kept in build-previous/<rev>/ and reused.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
newest=$(find src/store/migrations/postgres -name '*.sql' | sort | tail -1)
added=$(git log -1 --diff-filter=A --format=%H -- "$newest")
[[ -n "$added" ]] || { echo "build-previous: $newest is not committed yet" >&2; exit 1; }
REV=$(git rev-parse --short=12 "${1:-$added^}")
OUT="$ROOT/build-previous/$REV"
if [[ -x "$OUT/tessera" ]]; then echo "$OUT/tessera"; exit 0; fi
rm -rf "$OUT"
mkdir -p "$OUT/src"
git archive "$REV" | tar -x -C "$OUT/src"
# Its npm assets (Swagger UI), exactly from its own lock file.
(cd "$OUT/src/docs/swagger-ui" && npm ci --no-audit --no-fund >"$OUT/npm.log" 2>&1) \
  || { tail -20 "$OUT/npm.log" >&2; exit 1; }
cmake -S "$OUT/src" -B "$OUT/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTESSERA_BUILD_TESTS=OFF >"$OUT/configure.log" 2>&1 || { tail -20 "$OUT/configure.log" >&2; exit 1; }
cmake --build "$OUT/build" --target tessera -j "$(nproc)" >"$OUT/build.log" 2>&1 \
  || { tail -30 "$OUT/build.log" >&2; exit 1; }
cp "$OUT/build/tessera" "$OUT/tessera.tmp"
mv "$OUT/tessera.tmp" "$OUT/tessera"
rm -rf "$OUT/build" "$OUT/src"  # 1+ GB of objects; the binary is all the test needs
echo "$OUT/tessera"
