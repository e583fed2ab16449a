#!/usr/bin/env bash
# ctest (issue 15): an outside witness against a local network, then against a log
# that serves a forked checkpoint. The witness checks the validators' signature on
# GET /checkpoint, cosigns, and its cosignature appears in /checkpoint; after more
# records it checks the consistency proof and cosigns again. A log signed by the
# same validator key but with another root at the same size, and one that is
# larger but not consistent, are reported as forks: exit 3, both signed
# checkpoints in the state directory, nothing posted.
set -euo pipefail
ROOT=$1
export BUILD_DIR=$2
BIN="$BUILD_DIR/bin"
export LOCALNET_DIR
LOCALNET_DIR=$(mktemp -d /tmp/evidence_witness_XXXXXX)
# shellcheck source=localnet_port.sh
. "$ROOT/tests/scripts/localnet_port.sh"
fork_pid=
cleanup() {
  [ -n "$fork_pid" ] && kill "$fork_pid" 2>/dev/null
  "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true
  rm -rf "$LOCALNET_DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ROOT/scripts/localnet.sh" up >/dev/null
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
work="$LOCALNET_DIR/work" state="$LOCALNET_DIR/witness-state"
mkdir -p "$work"
submit() {
  echo "evidence $1 $(date +%s%N)" >"$work/$1.txt"
  "$BIN/evidence" submit --node "$NODE1_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
    --kind enforcement_record --case "(2026)鲁0831行罚16号" --stage investigation --wait \
    --receipt-dir "$work" "$work/$1.txt" >/dev/null
}
witness() {
  "$BIN/evidence" witness --log "$1" --genesis "$GENESIS" --key "$WITNESS_KEY" \
    --name "$WITNESS_NAME" --state "$state" --metrics-file "$work/witness.prom" --once
}
metric() { sed -n "s/^$1 //p" "$work/witness.prom"; }

submit one
witness "$NODE1_API" >"$work/w1.out" || fail "the witness did not cosign the honest log"
curl -fsS "$NODE1_API/checkpoint" >"$work/checkpoint1"
grep -q "^— $WITNESS_NAME " "$work/checkpoint1" || fail "no cosignature in /checkpoint: $(cat "$work/checkpoint1")"
grep -q "^— $CHAIN_ID/justice-bureau " "$work/checkpoint1" || fail "no validator signature in /checkpoint"
size1=$(sed -n 2p "$work/checkpoint1")

submit two
witness "$NODE1_API" >"$work/w2.out" || fail "the witness did not cosign the grown log"
curl -fsS "$NODE1_API/checkpoint" >"$work/checkpoint2"
size2=$(sed -n 2p "$work/checkpoint2")
[ "$size2" -gt "$size1" ] || fail "the log did not grow: $size1 -> $size2"
grep -q "^— $WITNESS_NAME " "$work/checkpoint2" || fail "no cosignature on the grown checkpoint"
cmp -s <(head -3 "$state/checkpoint") <(head -3 "$work/checkpoint2") || fail "the state is not the last checkpoint"

[ "$(metric evidence_witness_fork_detected)" = 0 ] || fail "fork metric set on an honest log"
[ "$(metric evidence_witness_checkpoint_size)" = "$size2" ] || fail "checkpoint size metric: $(cat "$work/witness.prom")"

# The node keeps the cosignature across a restart (cosignatures.json in its data directory).
"$ROOT/scripts/localnet.sh" stop 1 >/dev/null
"$ROOT/scripts/localnet.sh" start 1 >/dev/null
curl -fsS "$NODE1_API/checkpoint" >"$work/checkpoint2b"
grep -q "^— $WITNESS_NAME " "$work/checkpoint2b" || fail "the cosignature did not survive a restart: $(cat "$work/checkpoint2b")"

# A stranger's cosignature is refused (403) and stores nothing.
"$BIN/evidence" keygen --alg ed25519 --out "$work/stranger.pem" >/dev/null
code=$("$BIN/evidence" witness --log "$NODE1_API" --genesis "$GENESIS" --key "$work/stranger.pem" \
  --name "$WITNESS_NAME" --state "$work/stranger-state" --once 2>&1 >/dev/null || true)
grep -q "forbidden" <<<"$code" || fail "a stranger's cosignature was not refused: $code"
[ "$(curl -fsS "$NODE1_API/checkpoint" | grep -c "^— $WITNESS_NAME ")" = 1 ] || fail "the stranger's line was stored"

start_fork_log() {  # size
  rm -f "$work/port"
  /usr/bin/python3 "$ROOT/tests/scripts/fork_log.py" "$LOCALNET_DIR/node1/vote_key.pem" \
    "$CHAIN_ID/justice-bureau" "$CHAIN_ID" "$1" "$work/port" &
  fork_pid=$!
  for _ in $(seq 1 100); do [ -f "$work/port" ] && break; sleep 0.1; done
  [ -f "$work/port" ] || fail "the forked log did not start"
}
stop_fork_log() { kill "$fork_pid"; wait "$fork_pid" 2>/dev/null || true; fork_pid=; }

check_fork() {  # what
  local code=0
  witness "http://127.0.0.1:$(cat "$work/port")" >/dev/null 2>"$work/fork.err" || code=$?
  [ "$code" = 3 ] || fail "$1: the witness exited $code, not 3: $(cat "$work/fork.err")"
  grep -q "FORK" "$work/fork.err" || fail "$1: the witness did not report the fork"
  local dir; dir=$(ls -d "$state"/fork-* | tail -1)
  [ -f "$dir/previous.checkpoint" ] && [ -f "$dir/conflicting.checkpoint" ] || fail "$1: no proof in $dir"
  cmp -s "$dir/previous.checkpoint" "$state/checkpoint" || fail "$1: previous.checkpoint is not the state"
  grep -q "^— $CHAIN_ID/justice-bureau " "$dir/conflicting.checkpoint" || fail "$1: the conflicting one is unsigned"
  cmp -s "$dir/previous.checkpoint" "$dir/conflicting.checkpoint" && fail "$1: the two checkpoints are the same"
  [ "$(metric evidence_witness_fork_detected)" = 1 ] || fail "$1: fork metric not set: $(cat "$work/witness.prom")"
  rm -rf "$dir"
}
# Same size, another root.
start_fork_log "$size2"
check_fork "split view"
stop_fork_log
# Larger, but the consistency proof fails.
start_fork_log "$((size2 + 3))"
check_fork "inconsistent growth"
stop_fork_log
cmp -s <(head -3 "$state/checkpoint") <(head -3 "$work/checkpoint2") || fail "a fork replaced the state"
echo "witness_test: passed (base port $base; sizes $size1 $size2)"
