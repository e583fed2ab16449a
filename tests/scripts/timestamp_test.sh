#!/usr/bin/env bash
# ctest (issue 15): RFC 3161 tokens from all four institutions of a local network.
# A plain record and a batched record are committed; `evidence timestamp` fetches
# each one's token from every institution through one node (the others redirect);
# `openssl ts -verify -data DOCUMENT -in TOKEN -CAfile CA` passes for each with its
# own institution's CA, and fails for a changed document and for another
# institution's CA. A token of a record that is not committed is never given.
set -euo pipefail
ROOT=$1
export BUILD_DIR=$2
BIN="$BUILD_DIR/bin"
export LOCALNET_DIR
LOCALNET_DIR=$(mktemp -d /tmp/evidence_timestamp_XXXXXX)
# shellcheck source=localnet_port.sh
. "$ROOT/tests/scripts/localnet_port.sh"
cleanup() { "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true; rm -rf "$LOCALNET_DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ROOT/scripts/localnet.sh" up >/dev/null
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
NAMES=(justice-bureau procuratorate court notary-office)
work="$LOCALNET_DIR/work"
mkdir -p "$work/batch" "$work/receipts"
echo "decision of $(date +%s%N)" >"$work/plain.txt"
for k in 1 2 3; do echo "batched evidence $k $(date +%s%N)" >"$work/batch/evidence-$k.txt"; done

submit() {
  "$BIN/evidence" submit --node "$NODE1_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
    --kind enforcement_record --case "(2026)鲁0831行罚15号" --stage investigation --wait \
    --receipt-dir "$work/receipts" "$@"
}
plain_id=$(submit "$work/plain.txt" | awk '$2 == "committed" {print $1}')
[ ${#plain_id} = 64 ] || fail "the plain record did not commit"
batch_id=$(submit "$work/batch" | awk '$2 == "committed" && $3 ~ /evidence-2.txt$/ {print $1}')
[ ${#batch_id} = 64 ] || fail "the batched record did not commit"

# Pending or unknown: 404 problem+json, never a token.
unknown=$(printf '%064d' 7)
code=$(curl -s -o "$work/unknown.json" -w '%{http_code} %{content_type}' \
  "$NODE1_API/v1/records/$unknown/timestamp")
[ "$code" = "404 application/problem+json" ] || fail "unknown record answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NODE1_API/v1/records/$plain_id/timestamp?institution=nobody")
[ "$code" = 400 ] || fail "an unknown institution answered $code"

check_record() {  # id document
  local id=$1 document=$2 out="$work/tokens-$1"
  # Through node 2: its own token, and redirects to the three other nodes.
  "$BIN/evidence" timestamp "$id" --node "$NODE2_API" --out "$out" >"$work/timestamp.out"
  for i in 1 2 3 4; do
    local name=${NAMES[$((i - 1))]} ca_var="TSA_CA$i" other_var="TSA_CA$((i % 4 + 1))"
    local token="$out/$name.tsr"
    [ -s "$token" ] || fail "no token from $name for $id"
    openssl ts -verify -data "$document" -in "$token" -CAfile "${!ca_var}" >"$work/verify.out" 2>&1 ||
      { cat "$work/verify.out"; fail "$name's token of $id does not verify"; }
    grep -q "Verification: OK" "$work/verify.out" || fail "openssl did not say OK for $name"
    { cat "$document"; echo changed; } >"$work/changed.txt"
    if openssl ts -verify -data "$work/changed.txt" -in "$token" -CAfile "${!ca_var}" >/dev/null 2>&1; then
      fail "$name's token of $id verifies for a changed document"
    fi
    if openssl ts -verify -data "$document" -in "$token" -CAfile "${!other_var}" >/dev/null 2>&1; then
      fail "$name's token of $id verifies under another institution's CA"
    fi
    # The token says what the ledger fixed: the documented policy, this record
    # (extension), a serial derived from the record and the institution.
    openssl ts -reply -in "$token" -text >"$work/text.out" 2>&1
    grep -q "Policy OID: 2.25.107377499907852749600478480159805854700" "$work/text.out" ||
      fail "$name's token lacks the ledger's policy"
    grep -q "Status: Granted" "$work/text.out" || fail "$name's token is not granted"
    # The same token again from the institution's own node: the same TSTInfo.
    local direct="$work/direct.tsr" api_var="NODE${i}_API"
    curl -fsS -o "$direct" "${!api_var}/v1/records/$id/timestamp"
    diff <(openssl ts -reply -in "$direct" -text | grep -E "Serial number|Time stamp|Policy|Message data" -A2) \
      <(grep -E "Serial number|Time stamp|Policy|Message data" -A2 "$work/text.out") >/dev/null ||
      fail "$name issued two different TSTInfos for $id"
  done
  # Four institutions, four serial numbers. genTime is the commit time of the
  # commit each institution's node holds for the block (more than 2/3 of the
  # precommits, not always the same ones: tests/node/timestamps_test.cc pins the
  # exact value), so the four lie within the seconds of one commit round.
  [ "$(awk '{print $6}' "$work/timestamp.out" | sort -u | wc -l)" = 4 ] || fail "serials repeat"
  awk '{print substr($4, 1, 14)}' "$work/timestamp.out" | sort -u >"$work/seconds.out"
  first=$(head -1 "$work/seconds.out"); last=$(tail -1 "$work/seconds.out")
  [ $(( $(date -u -d "${last:0:8} ${last:8:2}:${last:10:2}:${last:12:2}" +%s) - \
        $(date -u -d "${first:0:8} ${first:8:2}:${first:10:2}:${first:12:2}" +%s) )) -le 60 ] ||
    fail "genTimes of one record are more than a minute apart: $first $last"
}
check_record "$plain_id" "$work/plain.txt"
check_record "$batch_id" "$work/batch/evidence-2.txt"
echo "timestamp_test: passed (base port $base; records $plain_id $batch_id)"
