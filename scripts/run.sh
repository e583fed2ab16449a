#!/usr/bin/env bash
# Sets up, builds, and starts a four-institution evidence-ledger network on 127.0.0.1
# (justice bureau, procuratorate, court, notary office), then says where to point a
# browser (the portal's URL first), curl and the CLI. It also writes a year of demo case
# trails (evidence demo-cases, with a few violations planted) and the supervision report
# over them, so the report is there to look at at once; RUN_DEMO_CASES=0 leaves them out.
# Honours BUILD_DIR (default build), LOCALNET_DIR (default .localnet), LOCALNET_BASE_PORT
# (default 8700) and LOCALNET_PAST_WINDOW_DAYS (default here 400 for a new network, so that
# the demo's year of history is accepted). Stop it with: scripts/localnet.sh down
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
./scripts/setup.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target evidence evidence-node
# The window is fixed when the network is made (a chain param): 400 days for a new one.
if [ ! -f "${LOCALNET_DIR:-.localnet}/genesis.json" ]; then
  export LOCALNET_PAST_WINDOW_DAYS=${LOCALNET_PAST_WINDOW_DAYS:-400}
fi
./scripts/localnet.sh up

LOCALNET_DIR=${LOCALNET_DIR:-.localnet}
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
BIN="$BUILD_DIR/bin"
REPORT_DIR="$LOCALNET_DIR/supervision-report"
REPORT_FROM=$(date -d '-370 days' +%F)
REPORT_TO=$(date +%F)

# Demo cases of both agencies (the same seeds write the same records again) and the
# supervision report over them.
if [ "${RUN_DEMO_CASES:-1}" = 1 ] && [ -n "${SUPERVISOR_TOKEN:-}" ]; then
  echo "run: writing a year of demo case trails (evidence demo-cases) ..."
  "$BIN/evidence" demo-cases --node "$NODE1_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
    --kinds enforcement --cases 160 --seed 2026 \
    --plant decision_within_90_days=3,legal_review_before_major_decision=2,service_within_7_working_days=4,publicity_within_7_working_days=3,hearing_request_within_5_working_days=1,hearing_notice_7_working_days_before=2,missing_stage=2,out_of_order=2 \
    >/dev/null
  "$BIN/evidence" demo-cases --node "$NODE1_API" --key "$RECONSIDERATION_KEY" \
    --agency "$RECONSIDERATION_AGENCY" --kinds reconsideration --cases 40 --seed 2027 \
    --plant reconsideration_acceptance_within_5_working_days=2,reconsideration_reply_within_17_working_days=2,reconsideration_decision_within_60_days=1 \
    >/dev/null
  "$BIN/evidence" report --node "$NODE1_API" --token "$SUPERVISOR_TOKEN" \
    --from "$REPORT_FROM" --to "$REPORT_TO" --out "$REPORT_DIR" >/dev/null
elif [ -z "${SUPERVISOR_TOKEN:-}" ]; then
  echo "run: $LOCALNET_DIR was made before the supervision office's reader existed;"
  echo "     stop the network (scripts/localnet.sh down), remove $LOCALNET_DIR and run again for the demo report"
fi
cat <<EOT

Portal (verify a file in your browser): $NODE1_API/
Supervision report (行政执法监督报告): file://$(realpath "$REPORT_DIR" 2>/dev/null || echo "$REPORT_DIR")/report.html
  or $NODE1_API/reports with the supervisor token $SUPERVISOR_TOKEN

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

The supervision report again, for any period (report.json, findings.csv, report.html):
  $BIN/evidence report --node $NODE1_API --token $SUPERVISOR_TOKEN \\
      --from $REPORT_FROM --to $REPORT_TO --out /tmp/supervision-report
EOT
# Networks made before governance (a version-1 genesis) have no admin keys.
if [ -n "${ADMIN_KEY1:-}" ]; then
  cat <<EOT

Governance (治理): each institution's admin key is ADMIN_KEY1..ADMIN_KEY4 in $LOCALNET_DIR/env;
three of the four sign a change (docs/governance.md walks through each one):
  $BIN/evidence gov show --node $NODE1_API
  $BIN/evidence gov propose add-agency --genesis $GENESIS --seq 1 --id ... --name ... \\
      --institution ... --key AGENCY.pub.pem --out add-agency.json
  $BIN/evidence gov sign add-agency.json --key $ADMIN_KEY1    (then ADMIN_KEY2, ADMIN_KEY3)
  $BIN/evidence gov submit add-agency.json --node $NODE1_API --wait
EOT
fi
cat <<EOT

Operate:  scripts/localnet.sh status | kill N | stop N | start N | wipe N | add | down
Docs:     README.md, docs/api.md, docs/cli.md, docs/operations.md, docs/governance.md, docs/supervision.md
EOT
