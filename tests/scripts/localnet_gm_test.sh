#!/usr/bin/env bash
# ctest: LOCALNET_CRYPTO=gm scripts/localnet.sh up makes a 国密 chain (SM3 hash, SM2 vote
# and agency keys, P-256 node keys) of four nodes; records signed with the SM2 agency key
# are submitted with the CLI, committed, and their receipts verify offline.
set -euo pipefail
ROOT=$1
export BUILD_DIR=$2
BIN="$BUILD_DIR/bin"
export LOCALNET_DIR LOCALNET_CRYPTO=gm
LOCALNET_DIR=$(mktemp -d /tmp/evidence_localnet_gm_XXXXXX)
# shellcheck source=localnet_port.sh
. "$ROOT/tests/scripts/localnet_port.sh"
cleanup() { "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true; rm -rf "$LOCALNET_DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ROOT/scripts/localnet.sh" up
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
[ "$HASH" = sm3 ] || fail "env HASH is $HASH"
grep -q '"hash":"sm3"' "$LOCALNET_DIR/genesis.json" || fail "genesis is not an SM3 chain"
for i in 1 2 3 4; do
  openssl pkey -in "$LOCALNET_DIR/node$i/vote_key.pem" -noout -text | grep -qi "SM2" ||
    fail "node $i vote key is not SM2"
done
openssl pkey -in "$AGENCY_KEY" -noout -text | grep -qi "SM2" || fail "the agency key is not SM2"
openssl pkey -in "$ADMIN_KEY1" -noout -text | grep -qi "SM2" || fail "the admin keys are not SM2"
mkdir -p "$LOCALNET_DIR/docs"
for n in 1 2 3; do echo "行政处罚决定书 $n $RANDOM" >"$LOCALNET_DIR/docs/decision-$n.txt"; done
"$BIN/evidence" submit --node "$NODE2_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
  --kind enforcement_record --case "(2027)鲁0831行罚9号" --stage decision --wait \
  --receipt-dir "$LOCALNET_DIR/docs" "$LOCALNET_DIR/docs"
for n in 1 2 3; do
  receipt="$LOCALNET_DIR/docs/decision-$n.txt.receipt.json"
  grep -q '"sm3:' "$receipt" || fail "receipt $n has no SM3 digest"
  "$BIN/evidence" verify "$LOCALNET_DIR/docs/decision-$n.txt" --receipt "$receipt" \
    --genesis "$GENESIS" | grep -q "^VALID" || fail "receipt $n does not verify"
done
echo "tampered" >>"$LOCALNET_DIR/docs/decision-1.txt"
"$BIN/evidence" verify "$LOCALNET_DIR/docs/decision-1.txt" \
  --receipt "$LOCALNET_DIR/docs/decision-1.txt.receipt.json" --genesis "$GENESIS" && fail "a changed file verified"
size=$(curl -fsS "$NODE4_API/v1/tree-head" | jq -r .size)
[ "$size" = 3 ] || fail "node 4 tree size $size"
echo "localnet_gm_test: passed (base port $base)"
