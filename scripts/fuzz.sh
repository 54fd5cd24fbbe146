#!/usr/bin/env bash
# The fuzz targets (fuzz/, docs/security.md "Fuzzing"): builds them with clang
# (-fsanitize=fuzzer,address,undefined) in $FUZZ_BUILD_DIR (default build-fuzz), then
#   scripts/fuzz.sh run [target...]   fuzzes each target for FUZZ_SECONDS (default 60) on its
#                                     corpus, one at a time, at nice 19 (`make fuzz`)
#   scripts/fuzz.sh ci                runs each target over its seed corpus (the regression
#                                     inputs of past findings among them), then fuzzes it for
#                                     FUZZ_CI_SECONDS (default 5); one line per target and a
#                                     summary line "fuzz: N passed, F failed" (scripts/test.sh)
#   scripts/fuzz.sh build             only builds
# New inputs go to $FUZZ_BUILD_DIR/corpus/<target> (the seeds in fuzz/corpus/<target> are
# read, never written); a finding is saved as $FUZZ_BUILD_DIR/findings/<target>/crash-… .
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
MODE=${1:-run}
shift || true

build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null || return 1
  fi
  nice ninja -C "$BUILD" -j "${JOBS:-2}" >"$BUILD/build.log" 2>&1 || { tail -40 "$BUILD/build.log"; return 1; }
}

targets() {
  if [ $# -gt 0 ]; then printf '%s\n' "$@"; return; fi
  for f in fuzz/targets/*.cc; do basename "$f" .cc; done
}

# fuzz_one TARGET SECONDS WORK: the seeds (and WORK's inputs) first, then fuzzing, new inputs
# written to WORK; 0 when nothing was found.
fuzz_one() {
  local t=$1 seconds=$2 work=$3
  local found="$BUILD/findings/$t"
  mkdir -p "$work" "$found"
  local dict=() max_len=8192
  [ "$t" = http_request ] && max_len=20000  # past the 16 KiB header limit
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  # -rss_limit_mb: a leak or a blow-up is a finding, not a swapping machine.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    nice -n 19 "$BUILD/fuzz_$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$found/" \
    "$work" "fuzz/corpus/$t" >"$BUILD/$t.log" 2>&1
}

stats() {  # "<execs> runs, <execs/s>/s" from libFuzzer's final stats
  local log="$BUILD/$1.log"
  local runs speed
  runs=$(grep -oP 'stat::number_of_executed_units:\s+\K\d+' "$log" | tail -1)
  speed=$(grep -oP 'stat::average_exec_per_sec:\s+\K\d+' "$log" | tail -1)
  echo "${runs:-?} runs, ${speed:-?}/s"
}

case "$MODE" in
  build) build ;;
  run)
    build || exit 1
    status=0
    for t in $(targets "$@"); do
      if fuzz_one "$t" "${FUZZ_SECONDS:-60}" "$BUILD/corpus/$t"; then
        echo "fuzz $t: ok ($(stats "$t"))"
      else
        echo "fuzz $t: FINDING ($(stats "$t")), see $BUILD/$t.log and $BUILD/findings/$t/"
        status=1
      fi
    done
    exit $status
    ;;
  ci)
    if ! build; then echo "fuzz: 0 passed, 1 failed (the clang build failed)"; exit 1; fi
    passed=0 failed=0
    for t in $(targets "$@"); do
      rm -rf "$BUILD/ci-corpus/$t"  # CI: the seeds alone, as committed
      if fuzz_one "$t" "${FUZZ_CI_SECONDS:-5}" "$BUILD/ci-corpus/$t"; then
        passed=$((passed + 1)); echo "fuzz $t: ok ($(stats "$t"))"
      else
        failed=$((failed + 1)); echo "fuzz $t: FAILED ($(stats "$t"))"; tail -30 "$BUILD/$t.log"
      fi
    done
    echo "fuzz: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    ;;
  *) echo "usage: scripts/fuzz.sh [run [target...] | ci | build]" >&2; exit 2 ;;
esac
