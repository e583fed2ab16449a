#!/usr/bin/env bash
# A four-institution evidence-ledger network on 127.0.0.1, for trying it out and for tests.
#
#   scripts/localnet.sh up        keys, genesis, configs (first time), start the nodes, wait until ready
#   scripts/localnet.sh down      stop every node (SIGTERM)
#   scripts/localnet.sh status    one line per node: running or not, height, tree size
#   scripts/localnet.sh kill N    SIGKILL node N
#   scripts/localnet.sh stop N    SIGTERM node N
#   scripts/localnet.sh start N   start node N (again)
#   scripts/localnet.sh wipe N    stop node N and delete its ledger data (it re-syncs on start)
#   scripts/localnet.sh add       a fifth node (泗水县审计局), admitted by governance as an
#                                 observer (add-observer signed with ADMIN_KEY1..3) and started:
#                                 API on base+5; NODE5_* appended to the env file
# status, kill, stop, start and wipe take 5 once it is added.
#
# Environment: BUILD_DIR (default build), LOCALNET_DIR (default .localnet),
# LOCALNET_BASE_PORT (default 8700: node N serves its API on base+N and P2P on base+100+N),
# LOCALNET_PAST_WINDOW_DAYS (default 7: how old a record's time may be; demo cases need 400).
# The genesis is version 2 (docs/governance.md): each of the four institutions holds one
# admin key (keys/admin-N.pem, its public half keys/admin-N.pub.pem; the env file names the
# private ones ADMIN_KEY1..ADMIN_KEY4), three of the four sign a governance action
# (`evidence gov`). The window is a chain param of that genesis: it is fixed when the
# network is made (later only `evidence gov propose set-params` changes it); `up` with
# another value over an existing network refuses.
# LOCALNET_CRYPTO (default: sha256 chain, ed25519 vote keys; gm: a 国密 chain, SM3 hash
# with SM2 vote, agency and admin keys; p2p node keys stay P-256 since TLS 1.3 in OpenSSL 3.0
# has no SM2 — docs/operations.md §10). Read when the network is first generated.
# Each institution gets a CA and a time-stamping certificate (openssl); genesis names the CA
# certificates ([[tsa]]) and one outside witness key ([[witness]], docs/witness.md), and the
# env file names them TSA_CA1..TSA_CA4, WITNESS_KEY and WITNESS_NAME (docs/timestamps.md).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
LOCALNET_DIR=${LOCALNET_DIR:-.localnet}
case "$LOCALNET_DIR" in /*) ;; *) LOCALNET_DIR="$PWD/$LOCALNET_DIR" ;; esac
BASE_PORT=${LOCALNET_BASE_PORT:-8700}
BIN="$BUILD_DIR/bin"
READY_TIMEOUT_S=${LOCALNET_READY_TIMEOUT_S:-60}
PAST_WINDOW_DAYS=${LOCALNET_PAST_WINDOW_DAYS:-7}
if ! [[ "$PAST_WINDOW_DAYS" =~ ^[1-9][0-9]{0,3}$ ]] || [ "$PAST_WINDOW_DAYS" -gt 3650 ]; then
  echo "localnet: LOCALNET_PAST_WINDOW_DAYS must be a number of days from 1 to 3650" >&2
  exit 1
fi

# The four validators; index 4 is the fifth node `add` makes (an observer).
NAMES=(justice-bureau procuratorate court notary-office audit-bureau)
INSTITUTIONS=("泗水县司法局" "泗水县人民检察院" "泗水县人民法院" "泗水县公证处" "泗水县审计局")
CHAIN_ID=${LOCALNET_CHAIN_ID:-localnet-sishui}
WITNESS_NAME=witness.localnet/w1
case "${LOCALNET_CRYPTO:-default}" in
  default) HASH=sha256 VOTE_ALG=ed25519 NODE_ALG=ed25519 AGENCY_ALG=p256 ADMIN_ALG=ed25519 ;;
  gm) HASH=sm3 VOTE_ALG=sm2 NODE_ALG=p256 AGENCY_ALG=sm2 ADMIN_ALG=sm2 ;;
  *) echo "localnet: LOCALNET_CRYPTO must be gm or unset, got '$LOCALNET_CRYPTO'" >&2; exit 2 ;;
esac

die() { echo "localnet: $*" >&2; exit 1; }
api_port() { echo $((BASE_PORT + $1)); }
p2p_port() { echo $((BASE_PORT + 100 + $1)); }
node_dir() { echo "$LOCALNET_DIR/node$1"; }
pid_of() {
  local f; f="$(node_dir "$1")/node.pid"
  [ -f "$f" ] || return 1
  local pid; pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}
# An existing network keeps the record window of its genesis; asking for another one
# (LOCALNET_PAST_WINDOW_DAYS set) is refused rather than silently ignored.
check_window() {
  [ -n "${LOCALNET_PAST_WINDOW_DAYS:-}" ] || return 0
  local ms=$((PAST_WINDOW_DAYS * 86400000)) genesis="$LOCALNET_DIR/genesis.json"
  if grep -q '"record_past_window_ms":' "$genesis"; then
    grep -Eq "\"record_past_window_ms\":$ms[,}]" "$genesis" && return 0
  else
    [ "$PAST_WINDOW_DAYS" = 7 ] && return 0
  fi
  die "the network in $LOCALNET_DIR was made with another record window (a chain param in its genesis), not $PAST_WINDOW_DAYS days: 'localnet.sh down', remove $LOCALNET_DIR and 'up' again"
}
# The nodes of this network: 1 to 4, and 5 once `add` made it.
nodes() {
  echo 1 2 3 4
  [ ! -f "$(node_dir 5)/node.toml" ] || echo 5
}
check_index() {
  local i=${1:-}
  if [[ "$i" =~ ^[1-4]$ ]] || { [ "$i" = 5 ] && [ -f "$(node_dir 5)/node.toml" ]; }; then
    return 0
  fi
  die "node number must be 1 to 4 (5 after 'localnet.sh add'), got '$i'"
}

need_binaries() {
  for b in evidence evidence-node; do
    [ -x "$BIN/$b" ] || die "$BIN/$b is missing: build first (cmake --build $BUILD_DIR)"
  done
}

write_node_config() {
  local i=$1 dir; dir=$(node_dir "$i")
  {
    echo "# evidence-node configuration of node $i (${NAMES[$((i - 1))]}), written by localnet.sh"
    echo "[node]"
    echo "name = \"${NAMES[$((i - 1))]}\""
    echo "data_dir = \"data\""
    echo "genesis = \"../genesis.json\""
    # Node 5 holds a vote key that is in no validator set yet: it observes until
    # governance adds it as a validator (add-validator), then votes.
    echo "vote_key = \"vote_key.pem\""
    echo "node_key = \"node_key.pem\""
    echo
    echo "[p2p]"
    echo "listen = \"127.0.0.1:$(p2p_port "$i")\""
    echo
    echo "[api]"
    echo "listen = \"127.0.0.1:$(api_port "$i")\""
    echo
    # The four validators sign RFC 3161 tokens; the observer has no TSA of its own.
    if [ "$i" != 5 ]; then
      echo "[timestamp]"
      echo "key = \"tsa_key.pem\""
      echo "cert = \"tsa_cert.pem\""
      local peers="" j
      for j in 1 2 3 4; do
        [ "$j" = "$i" ] && continue
        peers+="${peers:+, }${NAMES[$((j - 1))]} = \"http://127.0.0.1:$(api_port "$j")\""
      done
      echo "peers = { $peers }"
    fi
    echo
    echo "[log]"
    echo "level = \"info\""
  } >"$dir/node.toml"
}

# Institution i's certificate authority (its CA key stays in keys/, as a real
# institution keeps it offline) and its time-stamping authority: a P-256 key and
# a certificate with the critical extended key usage timeStamping, which the
# node signs RFC 3161 tokens with (docs/timestamps.md).
make_tsa() {
  local i=$1 dir; dir=$(node_dir "$i")
  local institution=${INSTITUTIONS[$((i - 1))]} name=${NAMES[$((i - 1))]}
  local ca_key="$LOCALNET_DIR/keys/tsa-ca$i.key" ca="$LOCALNET_DIR/keys/tsa-ca$i.pem"
  local ext="$LOCALNET_DIR/keys/tsa$i.ext"
  (
    umask 077
    openssl req -x509 -new -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$ca_key" -out "$ca" -days 3650 -subj "/O=$institution/CN=$institution CA" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -new -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$dir/tsa_key.pem" -out "$dir/tsa.csr" \
      -subj "/O=$institution/CN=$institution TSA ($name)" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=critical,timeStamping" >"$ext"
    openssl x509 -req -in "$dir/tsa.csr" -CA "$ca" -CAkey "$ca_key" -set_serial "$i" \
      -days 3650 -extfile "$ext" -out "$dir/tsa_cert.pem" 2>/dev/null
  ) || die "cannot create the TSA certificates of node $i (is openssl installed?)"
  chmod 644 "$ca" "$dir/tsa_cert.pem"
  rm -f "$dir/tsa.csr" "$ext"
}

generate() {
  need_binaries
  mkdir -p "$LOCALNET_DIR/keys"
  # An outside witness (docs/witness.md) whose cosignatures the nodes accept.
  "$BIN/evidence" keygen --alg ed25519 --out "$LOCALNET_DIR/keys/witness.pem" >/dev/null
  "$BIN/evidence" witness --key "$LOCALNET_DIR/keys/witness.pem" --name "$WITNESS_NAME" --vkey \
    >"$LOCALNET_DIR/keys/witness.vkey"
  local spec="$LOCALNET_DIR/genesis-spec.toml"
  {
    echo "chain_id = \"$CHAIN_ID\""
    echo "hash = \"$HASH\""
    # A new local chain starts now (a real network fixes its start in the spec).
    echo "genesis_time_ms = $(date +%s%3N)"
    echo
    echo "[params]"
    echo "record_past_window_ms = $((PAST_WINDOW_DAYS * 86400000))"
  } >"$spec"
  for i in 1 2 3 4; do
    local dir; dir=$(node_dir "$i")
    mkdir -p "$dir/data"
    "$BIN/evidence" keygen --alg "$VOTE_ALG" --out "$dir/vote_key.pem" >/dev/null
    "$BIN/evidence" keygen --alg "$NODE_ALG" --out "$dir/node_key.pem" >/dev/null
    write_node_config "$i"
    make_tsa "$i"
    {
      echo
      echo "[[validator]]"
      echo "name = \"${NAMES[$((i - 1))]}\""
      echo "institution = \"${INSTITUTIONS[$((i - 1))]}\""
      echo "vote_key = \"node$i/vote_key.pem\""
      echo "node_key = \"node$i/node_key.pem\""
      echo "power = 1"
      echo "address = \"127.0.0.1:$(p2p_port "$i")\""
      # The institution's admin key: only its public half goes into the spec, as a real
      # institution hands over only admin.pub.pem (docs/governance.md §4).
      "$BIN/evidence" keygen --alg "$ADMIN_ALG" --out "$LOCALNET_DIR/keys/admin-$i.pem" \
        --pub "$LOCALNET_DIR/keys/admin-$i.pub.pem" >/dev/null
      echo
      echo "[[admin]]"
      echo "institution = \"${INSTITUTIONS[$((i - 1))]}\""
      echo "keys = [\"keys/admin-$i.pub.pem\"]"
      echo
      echo "[[tsa]]"
      echo "institution = \"${INSTITUTIONS[$((i - 1))]}\""
      echo "ca_cert = \"keys/tsa-ca$i.pem\""
    } >>"$spec"
  done
  local agency_key="$LOCALNET_DIR/keys/sishui-market-supervision.pem"
  "$BIN/evidence" keygen --alg "$AGENCY_ALG" --out "$agency_key" >/dev/null
  "$BIN/evidence" keygen --alg sm2 --out "$LOCALNET_DIR/keys/sishui-reconsideration-office.pem" >/dev/null
  for reader in court-reader supervision-office; do
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$LOCALNET_DIR/keys/$reader.token"
    chmod 600 "$LOCALNET_DIR/keys/$reader.token"
  done
  {
    echo
    echo "[[witness]]"
    echo "name = \"$WITNESS_NAME\""
    echo "key = \"keys/witness.pem\""
  } >>"$spec"
  cat >>"$spec" <<'EOF'

[[agency]]
id = "sishui-market-supervision"
name = "泗水县市场监督管理局"
institution = "泗水县人民政府"
keys = ["keys/sishui-market-supervision.pem"]

[[agency]]
id = "sishui-reconsideration-office"
name = "泗水县人民政府行政复议办公室"
institution = "泗水县人民政府"
keys = ["keys/sishui-reconsideration-office.pem"]

[[reader]]
id = "court-reader"
role = "court"
token_file = "keys/court-reader.token"

[[reader]]
id = "supervision-office"
role = "supervisor"
token_file = "keys/supervision-office.token"
EOF
  "$BIN/evidence" genesis --spec "$spec" --out "$LOCALNET_DIR/genesis.json" >/dev/null
  {
    echo "CHAIN_ID=$CHAIN_ID"
    echo "HASH=$HASH"
    for i in 1 2 3 4; do echo "NODE${i}_API=http://127.0.0.1:$(api_port "$i")"; done
    echo "AGENCY=sishui-market-supervision"
    echo "AGENCY_KEY=$agency_key"
    echo "READER_TOKEN=$(cat "$LOCALNET_DIR/keys/court-reader.token")"
    echo "SUPERVISOR_TOKEN=$(cat "$LOCALNET_DIR/keys/supervision-office.token")"
    echo "RECONSIDERATION_AGENCY=sishui-reconsideration-office"
    echo "RECONSIDERATION_KEY=$LOCALNET_DIR/keys/sishui-reconsideration-office.pem"
    echo "GENESIS=$LOCALNET_DIR/genesis.json"
    for i in 1 2 3 4; do echo "TSA_CA${i}=$LOCALNET_DIR/keys/tsa-ca$i.pem"; done
    echo "WITNESS_KEY=$LOCALNET_DIR/keys/witness.pem"
    echo "WITNESS_NAME=$WITNESS_NAME"
    for i in 1 2 3 4; do echo "ADMIN_KEY${i}=$LOCALNET_DIR/keys/admin-$i.pem"; done
  } >"$LOCALNET_DIR/env"
}

start_node() {
  local i=$1 dir; dir=$(node_dir "$i")
  [ -f "$dir/node.toml" ] || die "node $i is not configured: run 'localnet.sh up' first"
  if pid=$(pid_of "$i"); then echo "node $i is already running (pid $pid)"; return 0; fi
  mkdir -p "$dir/data"
  (
    cd "$dir" || exit 1
    setsid "$BIN/evidence-node" --config node.toml >>node.log 2>&1 </dev/null &
    echo $! >node.pid
  )
  echo "node $i (${NAMES[$((i - 1))]}) started: API http://127.0.0.1:$(api_port "$i"), log $dir/node.log"
}

wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  for i in "$@"; do
    until curl -fsS "http://127.0.0.1:$(api_port "$i")/readyz" >/dev/null 2>&1; do
      pid_of "$i" >/dev/null || die "node $i exited; see $(node_dir "$i")/node.log"
      [ $SECONDS -lt $deadline ] || die "node $i not ready after ${READY_TIMEOUT_S}s; see $(node_dir "$i")/node.log"
      sleep 0.2
    done
  done
}

# True while `pid` is a live process (a zombie awaiting its reaper counts as gone).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state; state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
  [ "$state" != Z ] && [ "$state" != gone ]
}

signal_node() {
  local i=$1 sig=$2 pid
  if pid=$(pid_of "$i"); then
    kill "-$sig" "$pid"
    # Wait for the exit either way: a node started again before the old process is gone
    # would find its store still locked.
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then echo "node $i ignored SIG$sig for 10s; killing"; kill -KILL "$pid"; fi
    echo "node $i: sent SIG$sig"
  else
    echo "node $i is not running"
  fi
  rm -f "$(node_dir "$i")/node.pid"
}

status() {
  for i in $(nodes); do
    local url="http://127.0.0.1:$(api_port "$i")"
    if pid=$(pid_of "$i"); then
      local s; s=$(curl -fsS --max-time 2 "$url/v1/status" 2>/dev/null || echo '{}')
      echo "node $i ${NAMES[$((i - 1))]}: running (pid $pid) $url $(echo "$s" | jq -c '{height, tree_size, peers, mempool}' 2>/dev/null || echo "$s")"
    else
      echo "node $i ${NAMES[$((i - 1))]}: stopped"
    fi
  done
}

# The governance state a node answers (GET /v1/governance), or nothing.
governance() { curl -fsS --max-time 5 "http://127.0.0.1:$(api_port "$1")/v1/governance" 2>/dev/null; }

# `add`: node 5 of a fifth institution (泗水县审计局). Its keys are made here (the
# public halves go into the env file for a later add-validator); governance admits
# its node key as an observer (add-observer, signed by the admins of 司法局, 检察院
# and 法院 with ADMIN_KEY1..3, submitted to node 1 with --wait); once the action
# is in force (two blocks after the one committing it) node 5 starts and syncs.
add_node5() {
  local dir env="$LOCALNET_DIR/env" name=${NAMES[4]} institution=${INSTITUTIONS[4]}
  dir=$(node_dir 5)
  [ -f "$LOCALNET_DIR/genesis.json" ] || die "no network in $LOCALNET_DIR: 'localnet.sh up' first"
  # shellcheck disable=SC1090
  . "$env"
  [ -n "${ADMIN_KEY1:-}" ] ||
    die "the network in $LOCALNET_DIR was made before governance (no admin keys in its genesis): 'localnet.sh down', remove $LOCALNET_DIR and 'up' again"
  pid_of 1 >/dev/null || die "node 1 is not running: 'localnet.sh up' first"
  if [ ! -f "$dir/node.toml" ]; then
    mkdir -p "$dir/data" "$LOCALNET_DIR/actions"
    [ -f "$dir/vote_key.pem" ] ||
      "$BIN/evidence" keygen --alg "$VOTE_ALG" --out "$dir/vote_key.pem" --pub "$dir/vote_key.pub.pem" >/dev/null
    [ -f "$dir/node_key.pem" ] ||
      "$BIN/evidence" keygen --alg "$NODE_ALG" --out "$dir/node_key.pem" --pub "$dir/node_key.pub.pem" >/dev/null
    local state seq action="$LOCALNET_DIR/actions/add-observer-$name.json"
    state=$(governance 1) || die "node 1 does not answer GET /v1/governance"
    # Unless an earlier `add` got as far as committing the admission.
    if ! jq -e --arg n "$name" '[.actions[]?.action | select(.action == "add-observer")
                                | .observer.name] | index($n)' <<<"$state" >/dev/null; then
      seq=$(jq -r .latest.next_seq <<<"$state")
      "$BIN/evidence" gov propose add-observer --genesis "$LOCALNET_DIR/genesis.json" --seq "$seq"         --name "$name" --institution "$institution" --node-key "$dir/node_key.pub.pem"         --address "127.0.0.1:$(p2p_port 5)" --out "$action" --force >/dev/null
      for k in 1 2 3; do
        local admin="ADMIN_KEY$k"
        "$BIN/evidence" gov sign "$action" --key "${!admin}" >/dev/null
      done
      "$BIN/evidence" gov submit "$action" --node "$NODE1_API" --wait ||
        die "governance did not admit node 5 (the action is in $action)"
    fi
    # In force two blocks after the one that committed it (the validators make the
    # block after it by themselves when no record waits).
    local deadline=$((SECONDS + READY_TIMEOUT_S))
    until governance 1 | jq -e --arg n "$name" '.register.observers | map(.name) | index($n)' >/dev/null; do
      [ $SECONDS -lt $deadline ] ||
        die "the admission of node 5 is committed but not in force after ${READY_TIMEOUT_S}s (see the nodes' logs; 'localnet.sh add' again goes on from here)"
      sleep 0.2
    done
    write_node_config 5
  fi
  grep -q '^NODE5_API=' "$env" || {
    echo "NODE5_API=http://127.0.0.1:$(api_port 5)"
    echo "NODE5_VOTE_KEY=$dir/vote_key.pub.pem"
    echo "NODE5_NODE_KEY=$dir/node_key.pub.pem"
    echo "NODE5_P2P=127.0.0.1:$(p2p_port 5)"
    echo "NODE5_NAME=$name"
    echo "NODE5_INSTITUTION=$institution"
  } >>"$env"
  start_node 5
  wait_ready 5
  echo "localnet: node 5 ($name, $institution) is an observer; NODE5_* in $env"
}

command=${1:-}
case "$command" in
  up)
    need_binaries
    if [ -f "$LOCALNET_DIR/genesis.json" ]; then check_window; else generate; fi
    for i in $(nodes); do start_node "$i"; done
    # shellcheck disable=SC2046
    wait_ready $(nodes)
    echo "localnet: $(nodes | wc -w) nodes ready; settings in $LOCALNET_DIR/env"
    ;;
  add) need_binaries; add_node5 ;;
  down) for i in $(nodes); do signal_node "$i" TERM; done ;;
  status) status ;;
  kill) check_index "${2:-}"; signal_node "$2" KILL ;;
  stop) check_index "${2:-}"; signal_node "$2" TERM ;;
  start) check_index "${2:-}"; start_node "$2"; wait_ready "$2" ;;
  wipe)
    check_index "${2:-}"
    pid_of "$2" >/dev/null && signal_node "$2" TERM
    # The ledger store goes; the validator's own signing log (consensus.wal) stays, so
    # that after the wipe it still never signs a vote conflicting with an earlier one.
    # LOCALNET_WIPE_WAL=1 deletes it too (a lost disk; safe only once the chain has
    # moved past every height the validator signed at).
    rm -rf "$(node_dir "$2")/data/store"
    if [ "${LOCALNET_WIPE_WAL:-0}" = 1 ]; then rm -rf "$(node_dir "$2")/data"; fi
    mkdir -p "$(node_dir "$2")/data"
    echo "node $2: ledger data deleted; 'localnet.sh start $2' re-syncs it from its peers"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$command" ] || exit 2
    ;;
esac
