#!/usr/bin/env bash
# ctest: scripts/localnet.sh up/status/kill/start/wipe/down on free ports in a temporary
# directory; checks the env file, that every node serves, and that everything stops.
set -euo pipefail
ROOT=$1
export BUILD_DIR=$2
export LOCALNET_DIR
LOCALNET_DIR=$(mktemp -d /tmp/evidence_localnet_XXXXXX)
# shellcheck source=localnet_port.sh
. "$ROOT/tests/scripts/localnet_port.sh"
cleanup() { "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true; rm -rf "$LOCALNET_DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

LOCALNET_PAST_WINDOW_DAYS=400 "$ROOT/scripts/localnet.sh" up
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
for v in CHAIN_ID NODE1_API NODE2_API NODE3_API NODE4_API AGENCY AGENCY_KEY READER_TOKEN \
         SUPERVISOR_TOKEN RECONSIDERATION_AGENCY RECONSIDERATION_KEY; do
  [ -n "${!v:-}" ] || fail "env lacks $v"
done
[ -f "$LOCALNET_DIR/genesis.json" ] || fail "no genesis.json"
# A version-2 genesis: each institution holds one admin key, the env file names its private
# PEM (ADMIN_KEY1..4), and 3 of 4 institutions sign a governance action.
[ "$(jq -r .v "$LOCALNET_DIR/genesis.json")" = 2 ] || fail "genesis is not version 2"
[ "$(jq -r .params.governance_threshold "$LOCALNET_DIR/genesis.json")" = 3 ] || fail "threshold is not 3"
for i in 1 2 3 4; do
  v=ADMIN_KEY$i
  [ -f "${!v:-}" ] || fail "env $v is not a key file: '${!v:-}'"
  pub=$(openssl pkey -in "${!v}" -pubout)
  [ "$(jq -r --argjson i "$i" '.admins[$i - 1].keys[0]' "$LOCALNET_DIR/genesis.json")" = "$pub" ] ||
    fail "genesis admins[$((i - 1))] is not the public key of $v"
done
for i in 1 2 3 4; do [ -d "$LOCALNET_DIR/node$i/data" ] || fail "no node$i/data"; done
[ "$NODE3_API" = "http://127.0.0.1:$((base + 3))" ] || fail "NODE3_API is $NODE3_API"
node4=$(curl -fsS "$NODE4_API/v1/status")
grep -q "$CHAIN_ID" <<<"$node4" || fail "node 4 status lacks the chain id: $node4"

# The record window follows LOCALNET_PAST_WINDOW_DAYS; the supervision office's reader reads
# reports, the court's may not.
grep -q "\"record_past_window_ms\":$((400 * 86400000))[,}]" "$LOCALNET_DIR/genesis.json" || fail "no 400-day window"
report="$NODE1_API/v1/reports/supervision?from=2026-01-01&to=2026-12-31"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SUPERVISOR_TOKEN" "$report")" = 200 ] ||
  fail "the supervisor may not read a report"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $READER_TOKEN" "$report")" = 403 ] ||
  fail "the court reader may read a report"
LOCALNET_PAST_WINDOW_DAYS=0 "$ROOT/scripts/localnet.sh" up 2>/dev/null && fail "a 0-day window accepted"
# The window is fixed in genesis: another one over this network is refused, none keeps it.
LOCALNET_PAST_WINDOW_DAYS=30 "$ROOT/scripts/localnet.sh" up 2>/dev/null && fail "a changed window accepted"
"$ROOT/scripts/localnet.sh" up >/dev/null || fail "up without a window refused"

"$ROOT/scripts/localnet.sh" kill 2
status=$("$ROOT/scripts/localnet.sh" status)
grep -q "node 2 procuratorate: stopped" <<<"$status" || fail "node 2 not stopped: $status"
"$ROOT/scripts/localnet.sh" start 2
"$ROOT/scripts/localnet.sh" wipe 3
[ ! -e "$LOCALNET_DIR/node3/data/store" ] || fail "node 3 store not wiped"
"$ROOT/scripts/localnet.sh" start 3
[ "$("$ROOT/scripts/localnet.sh" status | grep -c running)" = 4 ] || fail "not all running"
"$ROOT/scripts/localnet.sh" down
[ "$("$ROOT/scripts/localnet.sh" status | grep -c stopped)" = 4 ] || fail "not all stopped"
"$ROOT/scripts/localnet.sh" kill 9 && fail "kill 9 accepted"
echo "localnet_test: passed (base port $base)"
