#!/usr/bin/env bash
# `make bench-peers`: Tessera side by side with the Django stack of the original projects and
# node-oidc-provider, through the team's harness (../shared/peers/run_all.sh: each peer in
# turn, the same wrk settings -t1 -c16 -d10s, 3 accepted runs, medians, noise control), then,
# in the same invocation and with the same settings, Tessera's /healthz (the HTTP ceiling the
# refresh target is a share of) and the argon2id hash rate (the sign-in ceiling). Writes the
# ratios into docs/benchmarks.md between the bench-peers markers (bench/peers_report.py) and
# keeps the raw data in bench/results/peers-<UTC stamp>/.
#   make bench-peers                         all three peers (about 20 minutes)
#   PEERS="tessera django-seed" make bench-peers
# Knobs: PEERS_DIR [../shared/peers], PEERS_WORK (the harness's copy when PEERS_DIR is
# read-only), BUILD_DIR [build], and the harness's own (RUNS, DURATION, CONNS, THREADS).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/${BUILD_DIR:-build}
BIN=$BUILD/tessera
[ -x "$BIN" ] || { echo "no $BIN: make build first" >&2; exit 1; }
SRC=$(cd "${PEERS_DIR:-$ROOT/../shared/peers}" && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/peers-$STAMP
mkdir -p "$OUT"
# A copy of the binary: a rebuild during the run cannot change what is measured.
cp "$BIN" "$OUT/tessera.bin"
export TESSERA_BIN=$OUT/tessera.bin
read -r -a PEERS <<<"${PEERS:-tessera django-seed node-oidc-provider}"

# The hash rate is measured right before the run too: Tessera goes first and signs in within
# minutes, and this machine's speed drifts by 2x within the quarter hour the run takes.
[ -x "$BUILD/tessera_bench_hash" ] || cmake --build "$BUILD" --target tessera_bench_hash >&2
echo "== argon2id hash rate before the run (build/tessera_bench_hash)" >&2
"$BUILD/tessera_bench_hash" --seconds 5 | tee "$OUT/hash_rate_before.json" >&2

echo "== peers: ${PEERS[*]} (log: $OUT/run_all.log)" >&2
# run_all.sh's exit status is its last summary line's (1 when a peer has no pbkdf2.txt): what
# counts is that each peer left a result folder, checked below.
"$SRC/run_all.sh" "${PEERS[@]}" 2>&1 | tee "$OUT/run_all.log" >&2 || true
# run_all.sh names each peer's result folder: "## <peer>  (<dir>/)"; relative to where it ran.
HARNESS=$SRC
{ [ -n "${PEERS_WORK:-}" ] || [ ! -w "$SRC" ]; } && HARNESS=${PEERS_WORK:-/tmp/tessera-peers}
grep '^## ' "$OUT/run_all.log" | sed -E 's/^## ([^ ]+)  \((.*)\/?\)$/\1 \2/' | while read -r peer dir; do
  cp -r "$HARNESS/${dir%/}" "$OUT/$peer"
done
for p in "${PEERS[@]}"; do
  [ -s "$OUT/$p/summary.md" ] || { echo "no results from $p: see $OUT/run_all.log" >&2; exit 1; }
done

echo "== tessera /healthz, same wrk settings" >&2
"$HARNESS/tessera/start.sh" >&2
trap '"$HARNESS/tessera/stop.sh" >/dev/null 2>&1 || true' EXIT
for run in 1 2 3; do
  wrk -t"${THREADS:-1}" -c"${CONNS:-16}" -d"${DURATION:-10s}" --latency -s "$HARNESS/common/lua/get_auth.lua" \
    http://127.0.0.1:18100 -- /healthz "Bearer none" | grep '^RESULT' | tee -a "$OUT/healthz.txt" >&2
  sleep 2
done
"$HARNESS/tessera/stop.sh" >/dev/null 2>&1 || true
trap - EXIT

echo "== argon2id hash rate after the run (build/tessera_bench_hash)" >&2
"$BUILD/tessera_bench_hash" --seconds 5 | tee "$OUT/hash_rate.json" >&2

{
  echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes')"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
} > "$OUT/meta.txt"
python3 bench/peers_report.py "$OUT" docs/benchmarks.md
echo "== written: docs/benchmarks.md (bench-peers section), raw data in $OUT" >&2
