#!/usr/bin/env bash
# ctest localnet_observer: `scripts/localnet.sh add` on a running network. Governance admits a
# fifth node (泗水县审计局) as an observer; it starts, syncs the chain, serves the read API
# (a receipt it gives verifies with the original genesis), takes a record and forwards it to
# the validators; `status`, `stop`, `start`, `wipe` and `kill` take 5; `down` stops it.
# Then its institution gets an admin key (the action sent to the observer, which passes it
# on to the validators) and the observer becomes the fifth validator
# (add-admin-key, add-validator with the NODE5_* keys): with node 1 stopped a record commits
# by 4 of 5, so only with node 5's vote; every receipt verifies with the original genesis
# and `evidence audit` passes on all five stores.
# `add` runs on a quiet network (an action takes effect without records: the validators make
# the block after it by themselves); records keep arriving while node 5 becomes a validator.
set -euo pipefail
ROOT=$1
export BUILD_DIR=$2
BIN="$BUILD_DIR/bin"
export LOCALNET_DIR
LOCALNET_DIR=$(mktemp -d /tmp/evidence_localnet_observer_XXXXXX)
# shellcheck source=localnet_port.sh
. "$ROOT/tests/scripts/localnet_port.sh"
load_pid=
cleanup() {
  [ -z "$load_pid" ] || kill "$load_pid" 2>/dev/null || true
  "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true
  rm -rf "$LOCALNET_DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tree_size() { curl -fsS "$1/v1/status" | jq -r .tree_size; }
# Waits (bounded) until node 5 holds at least $1 records.
wait_node5() {
  local deadline=$((SECONDS + 60))
  until [ "$(tree_size "$NODE5_API" 2>/dev/null || echo 0)" -ge "$1" ]; do
    [ $SECONDS -lt $deadline ] || fail "node 5 holds $(tree_size "$NODE5_API") records, not $1"
    sleep 0.2
  done
}

"$ROOT/scripts/localnet.sh" up >/dev/null
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
"$ROOT/scripts/localnet.sh" start 5 2>/dev/null && fail "start 5 accepted before add"
mkdir -p "$LOCALNET_DIR/docs"

"$ROOT/scripts/localnet.sh" add

# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
[ "$NODE5_API" = "http://127.0.0.1:$((base + 5))" ] || fail "NODE5_API is $NODE5_API"
[ "$NODE5_P2P" = "127.0.0.1:$((base + 105))" ] || fail "NODE5_P2P is $NODE5_P2P"
[ "$NODE5_NAME" = audit-bureau ] || fail "NODE5_NAME is $NODE5_NAME"
# The env names the public halves of node 5's keys (for a later add-validator).
for pair in "NODE5_VOTE_KEY vote_key" "NODE5_NODE_KEY node_key"; do
  read -r var key <<<"$pair"
  grep -q "PRIVATE KEY" "${!var}" && fail "$var is a private key"
  [ "$(openssl pkey -pubin -in "${!var}" -outform DER | sha256sum)" = \
    "$(openssl pkey -in "$LOCALNET_DIR/node5/$key.pem" -pubout -outform DER | sha256sum)" ] ||
    fail "$var is not the public half of node5/$key.pem"
done
[ "$(grep -c '^NODE5_API=' "$LOCALNET_DIR/env")" = 1 ] || fail "NODE5_API twice in env"
curl -fsS "$NODE1_API/v1/governance" |
  jq -e '.register.observers | map(select(.name == "audit-bureau" and .institution == "泗水县审计局")) | length == 1' >/dev/null ||
  fail "the register in force has no observer audit-bureau"
curl -fsS "$NODE1_API/v1/validators" | jq -e '.validators | length == 4' >/dev/null ||
  fail "an observer became a validator"
status=$("$ROOT/scripts/localnet.sh" status)
grep -q "node 5 audit-bureau: running" <<<"$status" || fail "status: $status"

# It syncs and serves reads: a receipt from node 5 verifies with the original genesis.
wait_node5 "$(tree_size "$NODE1_API")"
echo "行政处罚决定书 observer $RANDOM" >"$LOCALNET_DIR/docs/decision.txt"
out=$("$BIN/evidence" submit --node "$NODE5_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
  --kind enforcement_record --case "(2026)鲁0831行罚21号" --stage decision --wait \
  "$LOCALNET_DIR/docs/decision.txt") || fail "a record sent to the observer: $out"
id=$(cut -d' ' -f1 <<<"$out")
"$BIN/evidence" receipt "$id" --node "$NODE5_API" --file "$LOCALNET_DIR/docs/decision.txt" \
  --out "$LOCALNET_DIR/docs/decision.from5.json"
"$BIN/evidence" verify "$LOCALNET_DIR/docs/decision.txt" --receipt "$LOCALNET_DIR/docs/decision.from5.json" \
  --genesis "$GENESIS" | grep -q "^VALID" || fail "node 5's receipt does not verify"
curl -fsS "$NODE1_API/v1/records/$id?digest=$("$BIN/evidence" hash "$LOCALNET_DIR/docs/decision.txt" | cut -d' ' -f1)" \
  >/dev/null || fail "node 1 does not hold the record sent to node 5"

# The operations take 5; a wiped observer syncs again.
"$ROOT/scripts/localnet.sh" stop 5 >/dev/null
grep -q "node 5 audit-bureau: stopped" <<<"$("$ROOT/scripts/localnet.sh" status)" || fail "stop 5"
"$ROOT/scripts/localnet.sh" wipe 5 >/dev/null
[ ! -e "$LOCALNET_DIR/node5/data/store" ] || fail "node 5 store not wiped"
"$ROOT/scripts/localnet.sh" start 5 >/dev/null
wait_node5 "$(tree_size "$NODE1_API")"
"$ROOT/scripts/localnet.sh" kill 5 >/dev/null
"$ROOT/scripts/localnet.sh" up >/dev/null   # starts all five again
[ "$("$ROOT/scripts/localnet.sh" status | grep -c running)" = 5 ] || fail "up did not start node 5"
"$ROOT/scripts/localnet.sh" add >/dev/null  # again: nothing new, node 5 keeps running
[ "$(grep -c '^NODE5_API=' "$LOCALNET_DIR/env")" = 1 ] || fail "a second add appended NODE5_* again"
curl -fsS "$NODE1_API/v1/governance" | jq -e '.actions_total == 1' >/dev/null ||
  fail "a second add proposed another action"
"$ROOT/scripts/localnet.sh" kill 6 2>/dev/null && fail "kill 6 accepted"

# The fifth institution joins governance (its admin key) and its observer becomes the
# fifth validator (add-validator with NODE5_*'s keys); then, with node 1 stopped, a
# record commits only with node 5's vote (5 equal powers: 4 must sign).
gov() {  # gov NODE_API NAME ACTION FLAGS...: propose, sign by 3 admins, submit --wait
  local seq node=$1 name=$2 action=$3
  shift 3
  seq=$(curl -fsS "$NODE1_API/v1/governance" | jq -r .latest.next_seq)
  "$BIN/evidence" gov propose "$action" --genesis "$GENESIS" --seq "$seq" "$@"     --out "$LOCALNET_DIR/actions/$name.json" >/dev/null
  for k in 1 2 3; do
    admin="ADMIN_KEY$k"
    "$BIN/evidence" gov sign "$LOCALNET_DIR/actions/$name.json" --key "${!admin}" >/dev/null
  done
  "$BIN/evidence" gov submit "$LOCALNET_DIR/actions/$name.json" --node "$node" --wait >/dev/null ||
    fail "gov submit $name"
}
in_force() {  # jq test on GET /v1/governance of node 2, bounded wait
  local deadline=$((SECONDS + 60))
  until curl -fsS "$NODE2_API/v1/governance" | jq -e "$1" >/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "not in force: $1"
    sleep 0.2
  done
}
(
  n=0
  while :; do
    n=$((n + 1))
    echo "行政执法记录 joining $n $RANDOM" >"$LOCALNET_DIR/docs/join-$n.txt"
    "$BIN/evidence" submit --node "$NODE2_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
      --kind enforcement_record --case "(2026)鲁0831行罚20号" \
      "$LOCALNET_DIR/docs/join-$n.txt" >/dev/null 2>&1 || true
    sleep 0.2
  done
) &
load_pid=$!
"$BIN/evidence" keygen --alg ed25519 --out "$LOCALNET_DIR/keys/admin-5.pem" \
  --pub "$LOCALNET_DIR/keys/admin-5.pub.pem" >/dev/null
# Sent to the observer, which passes actions on to the validators.
gov "$NODE5_API" add-admin-5 add-admin-key --institution "$NODE5_INSTITUTION" --key "$LOCALNET_DIR/keys/admin-5.pub.pem"
in_force '.register.admins | length == 5'
gov "$NODE1_API" add-validator-5 add-validator --name "$NODE5_NAME" --institution "$NODE5_INSTITUTION" \
  --vote-key "$NODE5_VOTE_KEY" --node-key "$NODE5_NODE_KEY" --power 1 --address "$NODE5_P2P"
in_force '(.register.validators | length == 5) and (.register.observers | length == 0)'
kill "$load_pid"
wait "$load_pid" 2>/dev/null || true
load_pid=
"$ROOT/scripts/localnet.sh" stop 1 >/dev/null
echo "行政处罚决定书 after the join $RANDOM" >"$LOCALNET_DIR/docs/joined.txt"
"$BIN/evidence" submit --node "$NODE3_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
  --kind enforcement_record --case "(2026)鲁0831行罚21号" --stage service --wait --timeout 60 \
  "$LOCALNET_DIR/docs/joined.txt" >/dev/null || fail "no commit without node 1: node 5 does not vote"
said=$("$BIN/evidence" verify "$LOCALNET_DIR/docs/joined.txt" \
  --receipt "$LOCALNET_DIR/docs/joined.txt.receipt.json" --genesis "$GENESIS")
grep -q "^VALID" <<<"$said" || fail "the receipt after the join does not verify: $said"
grep -q "committed by: validators holding 4 of 5 voting power" <<<"$said" ||
  fail "not committed by 4 of 5: $said"
# The receipt from node 5 of before the join still verifies, fetched again too.
"$BIN/evidence" receipt "$id" --node "$NODE5_API" --file "$LOCALNET_DIR/docs/decision.txt" \
  --out "$LOCALNET_DIR/docs/decision.again.json"
for r in decision.from5.json decision.again.json; do
  "$BIN/evidence" verify "$LOCALNET_DIR/docs/decision.txt" --receipt "$LOCALNET_DIR/docs/$r" \
    --genesis "$GENESIS" | grep -q "^VALID" || fail "$r does not verify after the join"
done
"$ROOT/scripts/localnet.sh" start 1 >/dev/null

"$ROOT/scripts/localnet.sh" down >/dev/null
[ "$("$ROOT/scripts/localnet.sh" status | grep -c stopped)" = 5 ] || fail "not all five stopped"
for i in 1 2 3 4 5; do
  "$BIN/evidence" audit --data "$LOCALNET_DIR/node$i/data" --genesis "$GENESIS" 2>/dev/null |
    grep -q "^OK: .* 3 governance actions," || fail "audit of node $i"
done
echo "localnet_observer_test: passed (base port $base)"
