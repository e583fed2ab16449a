#!/usr/bin/env bash
# Sets up, builds, and starts a four-institution evidence-ledger network on 127.0.0.1
# (justice bureau, procuratorate, court, notary office), then says where to point a
# browser (the portal's URL first), curl and the CLI. Honours BUILD_DIR (default build), LOCALNET_DIR (default
# .localnet) and LOCALNET_BASE_PORT (default 8700). Stop it with: scripts/localnet.sh down
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
./scripts/setup.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target evidence evidence-node
./scripts/localnet.sh up

LOCALNET_DIR=${LOCALNET_DIR:-.localnet}
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
BIN="$BUILD_DIR/bin"
cat <<EOT

Portal (verify a file in your browser): $NODE1_API/

evidence-ledger is running: four validators on 127.0.0.1.

Browser:
  $NODE1_API/                 the portal: verify a file, explorer, case trails, certificates
  $NODE1_API/evidence-verify.html  the offline verifier (one HTML file, no network)
  $NODE1_API/v1/status        node state
  $NODE1_API/v1/tree-head     the latest signed tree head
  $NODE1_API/openapi.yaml     the API description
  $NODE1_API/metrics          Prometheus metrics

Notarize a file and get a receipt (the agency key is in $LOCALNET_DIR):
  echo "行政处罚决定书 demo" > /tmp/decision.txt
  $BIN/evidence submit --node $NODE1_API --key $AGENCY_KEY --agency $AGENCY \\
      --kind enforcement_record --case "(2026)鲁0831行罚1号" --stage decision --wait /tmp/decision.txt
  $BIN/evidence verify /tmp/decision.txt --receipt /tmp/decision.txt.receipt.json --genesis $GENESIS

With curl (sign offline, then post):
  $BIN/evidence sign --key $AGENCY_KEY --agency $AGENCY --chain-id $CHAIN_ID \\
      --kind enforcement_record --case "(2026)鲁0831行罚1号" /tmp/decision.txt > /tmp/record.json
  curl -s -X POST "$NODE1_API/v1/records?wait=commit" -H 'Content-Type: application/json' --data-binary @/tmp/record.json
  curl -s "$NODE1_API/v1/digests/\$($BIN/evidence hash /tmp/decision.txt | cut -d' ' -f1)"
  curl -s -H "Authorization: Bearer $READER_TOKEN" "$NODE1_API/v1/cases/(2026)%E9%B2%810831%E8%A1%8C%E7%BD%9A1%E5%8F%B7"

Operate:  scripts/localnet.sh status | kill N | stop N | start N | wipe N | down
Docs:     README.md, docs/api.md, docs/cli.md, docs/operations.md
EOT
