#!/usr/bin/env bash
# Fuzzes every decoder (tests/fuzz/, libFuzzer under ASan and UBSan) for a while
# and prints one line per target: executions, speed, coverage (edges and
# features), corpus size and findings.
#
#   scripts/fuzz.sh [SECONDS] [--targets a,b,...] [--seeds]
#
# SECONDS per target (default 60). Targets run JOBS at a time (default: one per
# core). The build is its own (BUILD_DIR/fuzz, clang -O1: about three times the
# speed of the unoptimised smoke build of scripts/test.sh). The corpus of each
# target grows across runs in BUILD_DIR/fuzz/runs/<target>/corpus; the seeds in
# tests/fuzz/corpus/ are only read. A finding (crash, leak, slow input, failed
# property) leaves its input in BUILD_DIR/fuzz/runs/<target>/artifacts/ and makes
# the script exit 1; reproduce it with `BUILD_DIR/fuzz/bin/fuzz_<target> INPUT`.
# --seeds rewrites tests/fuzz/corpus/ with fuzz-seeds first (after a format change).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=""
seeds=false
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) targets=${2//,/ }; shift 2 ;;
    --seeds) seeds=true; shift ;;
    [0-9]*) seconds=$1; shift ;;
    *) echo "usage: $0 [SECONDS] [--targets a,b,...] [--seeds]" >&2; exit 2 ;;
  esac
done
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
dir="$BUILD_DIR/fuzz"

./scripts/setup.sh >/dev/null
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B "$dir" -DCMAKE_CXX_COMPILER=clang++ -DEVIDENCE_FUZZ=ON -DEVIDENCE_BUILD_TESTS=OFF \
  -DEVIDENCE_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" >/dev/null
cmake --build "$dir" -j "$JOBS" >/dev/null
if $seeds; then "$dir/bin/fuzz-seeds" tests/fuzz/corpus; fi
if [ -z "$targets" ]; then
  targets=$(ls tests/fuzz/*_fuzz.cc | sed 's#.*/##; s#_fuzz\.cc$##')
fi

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
run_one() {
  tests/fuzz/run_fuzz.sh "$dir/bin/fuzz_$1" "tests/fuzz/corpus/$1" "$dir/runs/$1" "$seconds"
}
failed=0
running=0
for target in $targets; do
  run_one "$target" >>"$summary" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
grep '^fuzz ' "$summary" | grep -v FAILED | sort
if [ $failed -ne 0 ]; then
  echo "fuzz: FINDINGS (details below)" >&2
  grep -v '^fuzz [a-z_]*: runs=' "$summary" >&2 || true
  exit 1
fi
echo "fuzz: no findings in $(echo $targets | wc -w) targets x ${seconds}s"
