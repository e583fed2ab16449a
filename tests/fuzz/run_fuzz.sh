#!/usr/bin/env bash
# Runs one libFuzzer target over its seed corpus and then on mutations for a
# while, and prints one summary line (used by ctest's smoke runs and by
# scripts/fuzz.sh).
#
#   run_fuzz.sh BINARY SEED_DIR WORK_DIR SECONDS [libFuzzer options...]
#
# New inputs go to WORK_DIR/corpus (SEED_DIR is only read); a crash, leak,
# timeout or failed property leaves its input in WORK_DIR/artifacts/ and the
# script exits non-zero. The summary line:
#   fuzz NAME: runs=N execs_per_second=N cov=N ft=N corpus=N seconds=N findings=N
set -uo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 BINARY SEED_DIR WORK_DIR SECONDS [libFuzzer options...]" >&2
  exit 2
fi
binary=$1 seeds=$2 work=$3 seconds=$4
shift 4
name=$(basename "$binary")
name=${name#fuzz_}
mkdir -p "$work/corpus" "$work/artifacts"
log="$work/fuzz.log"
touch "$work/started"  # findings are the artifacts newer than this
# -timeout: an input that takes this long is a finding (a way to stall a node).
# -rss_limit_mb: an input that makes the process this large is one too.
"$binary" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds" >"$log" 2>&1
status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
findings=$(find "$work/artifacts" -type f -newer "$work/started" | wc -l)
echo "fuzz $name: runs=${runs:-0} execs_per_second=${speed:-0} cov=${cov:-0} ft=${ft:-0}" \
  "corpus=${corpus:-0} seconds=$seconds findings=$findings"
if [ $status -ne 0 ]; then
  echo "fuzz $name: FAILED (exit $status); the input is in $work/artifacts/; the log:" >&2
  tail -60 "$log" >&2
fi
exit $status
