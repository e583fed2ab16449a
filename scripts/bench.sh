#!/usr/bin/env bash
# Benchmarks of evidence-ledger against the machine's own limits and a peer (etcd),
# in one run (docs/performance.md has the method and the latest figures).
#
#   scripts/bench.sh [--quick] [--gm-only]
#
# --gm-only measures the limits and the 国密 single node only (no chart).
#
# Builds a Release build (BUILD_DIR, default build-release), then measures:
#   1. limits: openssl speed verifications/s (Ed25519: the --dev chain's agency key;
#      ECDSA P-256: the localnet agency key; SM2: a 国密 chain's agency key) on all
#      cores, and SHA-256 bytes/s;
#   2. single-node ingest against an evidence-node --dev chain (single records, then
#      batches), and the ceiling of single-record ingest over HTTP here
#      (evidence-verify-server: the node's HTTP stack and record checks alone); then
#      single records on a one-validator 国密 chain (SM3 hash, SM2 vote and agency
#      keys) against the SM2 verify limit;
#   3. four validators (scripts/localnet.sh) at 100% and 50% of their maximum,
#      single records and batches;
#   4. proof serving (GET /v1/digests/...);
#   5. a three-node etcd cluster (Debian etcd-server) through its HTTP gateway,
#      same payload size and connection count;
#   6. the supervision report over a year of 100,000 case trails (~800,000 records)
#      read through the store's indexes, and over one month of it (supervision_bench).
# Prints "ratio NAME X" and "result NAME VALUE UNIT" lines, writes
# bench/results/<date>.json and bench/results/<date>.png. Everything it starts is
# stopped on exit. Environment: BUILD_DIR, BENCH_BASE_PORT (default 19700),
# BENCH_CONNECTIONS (default 16), BENCH_OUT_DIR (default bench/results).
set -euo pipefail

QUICK=0 GM_ONLY=0
for argument in "$@"; do
  case "$argument" in
    --quick) QUICK=1 ;;
    --gm-only) GM_ONLY=1 ;;
    *) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Paths relative to the checkout in ccache's keys, so another clone reuses the cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
BUILD_DIR=${BUILD_DIR:-build-release}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
BIN="$BUILD_DIR/bin"
BASE_PORT=${BENCH_BASE_PORT:-19700}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
OUT_DIR=${BENCH_OUT_DIR:-$ROOT/bench/results}
STAMP=$(date -u +%Y-%m-%dT%H%MZ)
CORES=$(nproc)
if [ $QUICK = 1 ]; then
  SPEED_S=3; RUN_S=6; SINGLE_RECORDS=30000; CLUSTER_RECORDS=20000; BATCH=500
  BATCH_RECORDS=20000; ETCD_PUTS=8000; GETS=4000
else
  SPEED_S=10; RUN_S=20; SINGLE_RECORDS=60000; CLUSTER_RECORDS=30000; BATCH=1000
  BATCH_RECORDS=100000; ETCD_PUTS=40000; GETS=20000
fi

WORK=$(mktemp -d /tmp/evidence-bench.XXXXXX)
PIDS=()
LOCALNET_UP=0
cleanup() {
  set +e
  if [ $LOCALNET_UP = 1 ]; then
    BUILD_DIR="$BUILD_DIR" LOCALNET_DIR="$WORK/localnet" LOCALNET_BASE_PORT=$((BASE_PORT + 10)) \
      "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1
  fi
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
RESULTS="$WORK/results.txt"; RUNS="$WORK/runs.jsonl"; SERIES="$WORK/series.dat"
: >"$RESULTS"; : >"$RUNS"; : >"$SERIES"
result() { echo "result $1 $2 $3"; echo "$1 $2 $3" >>"$RESULTS"; }
ratio() { echo "ratio $1 $2"; echo "ratio:$1 $2 ratio" >>"$RESULTS"; }
# Arithmetic; large values as integers, small ones to 4 significant digits.
calc() { python3 -c "v = $1; print(round(v) if abs(v) >= 1000 else float(f'{v:.4g}'))"; }
field() { jq -r ".$2" <<<"$1"; }

install_tools() {
  local missing=()
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v jq >/dev/null || missing+=(jq)
  [ ${#missing[@]} = 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The Debian package starts a system etcd on 2379/2380; ours uses other ports,
  # but it should not compete for the cores.
  if [[ " ${missing[*]} " == *" etcd-server "* ]] && command -v systemctl >/dev/null; then
    systemctl stop etcd >/dev/null 2>&1 || true
  fi
}

build() {
  log "building (Release) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" --target evidence-node evidence-load evidence-verify-server -j2 >/dev/null
  # The CLI only makes the localnet keys and genesis: a stale one will do.
  if ! cmake --build "$BUILD_DIR" --target evidence -j2 >"$WORK/build-cli.log" 2>&1; then
    [ -x "$BIN/evidence" ] || die "the evidence CLI does not build: $(grep -m1 error "$WORK/build-cli.log")"
    log "warning: the evidence CLI does not build now; using the existing $BIN/evidence"
  fi
}

wait_http() {  # URL [seconds]
  local deadline=$((SECONDS + ${2:-60}))
  until curl -fsS --max-time 2 "$1" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$1 did not answer"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- 1. limits

measure_limits() {
  log "openssl speed on $CORES cores, ${SPEED_S}s each"
  local line
  line=$(openssl speed -mr -multi "$CORES" -seconds "$SPEED_S" ed25519 2>/dev/null | grep '^+F6:' | head -1)
  ED25519_VERIFY=$(cut -d: -f6 <<<"$line")
  line=$(openssl speed -mr -multi "$CORES" -seconds "$SPEED_S" ecdsap256 2>/dev/null | grep '^+F4:' | head -1)
  P256_VERIFY=$(cut -d: -f5 <<<"$line")  # +F4:index:bits:sign/s:verify/s
  line=$(openssl speed -mr -multi "$CORES" -seconds "$SPEED_S" sm2 2>/dev/null | grep '^+F7:' | head -1)
  SM2_VERIFY=$(cut -d: -f6 <<<"$line")  # +F7:index:bits:curve:sign/s:verify/s
  line=$(openssl speed -mr -multi "$CORES" -seconds "$SPEED_S" -bytes 16384 -evp sha256 2>/dev/null | grep '^+F:' | head -1)
  SHA256_BYTES=$(cut -d: -f4 <<<"$line")
  [ -n "$ED25519_VERIFY" ] && [ -n "$P256_VERIFY" ] && [ -n "$SM2_VERIFY" ] && [ -n "$SHA256_BYTES" ] ||
    die "openssl speed gave no figures"
  result limit_ed25519_verify "$(calc "$ED25519_VERIFY")" verifications/s
  result limit_p256_verify "$(calc "$P256_VERIFY")" verifications/s
  result limit_sm2_verify "$(calc "$SM2_VERIFY")" verifications/s
  result limit_sha256 "$(calc "$SHA256_BYTES")" bytes/s
}

# ---------------------------------------------------------------- load helpers

prepare() {  # NAME GENESIS AGENCY KEY RECORDS BATCH
  "$BIN/evidence-load" prepare --genesis "$2" --agency "$3" --key "$4" --records "$5" \
    --batch "$6" --out "$WORK/$1.bodies" --digests "$WORK/$1.digests"
}

load_run() {  # NAME SERIES URLS RATE [--batches]; prints the summary JSON
  local name=$1 series=$2 urls=$3 rate=$4; shift 4
  local summary
  summary=$("$BIN/evidence-load" run --url "$urls" --bodies "$WORK/$name.bodies" \
    --connections "$CONNECTIONS" --rate "$rate" "$@")
  jq -c --arg name "$name" '. + {name: $name}' <<<"$summary" >>"$RUNS"
  local committed; committed=$(field "$summary" committed_records_per_second)
  local offered=$rate; [ "$rate" = 0 ] && offered=$committed
  echo "$series $offered $committed $(field "$summary" commit_latency_p50_ms) $(field "$summary" commit_latency_p99_ms)" >>"$SERIES"
  local refused; refused=$(field "$summary" requests_refused)
  [ "$refused" = 0 ] || log "$name: $refused requests refused, first: $(field "$summary" first_refusal)"
  echo "$summary"
}

report_run() {  # RESULT_PREFIX SUMMARY
  result "${1}_committed" "$(calc "$(field "$2" committed_records_per_second)")" records/s
  result "${1}_commit_latency_p50" "$(calc "$(field "$2" commit_latency_p50_ms)")" ms
  result "${1}_commit_latency_p99" "$(calc "$(field "$2" commit_latency_p99_ms)")" ms
}

# ---------------------------------------------------------------- 2. single node

start_single_node() {
  local dir="$WORK/dev" port=$((BASE_PORT + 1))
  # --dev makes the chain (genesis, keys); it then runs from a node.toml over the same
  # files so the per-agency rate limit (1000 records/s by default) can be lifted.
  "$BIN/evidence-node" --dev --data "$dir" --api "127.0.0.1:$port" >"$WORK/dev-first.log" 2>&1 &
  local pid=$!
  wait_http "http://127.0.0.1:$port/readyz"
  kill -TERM $pid; wait $pid || true
  cat >"$dir/node.toml" <<TOML
[node]
genesis = "genesis.json"
data_dir = "data"
vote_key = "validator-vote.pem"
node_key = "validator-node.pem"
[p2p]
listen = "127.0.0.1:0"
[api]
listen = "127.0.0.1:$port"
agency_records_per_second = 0
[consensus]
timeout_propose_ms = 200
timeout_vote_ms = 200
TOML
  "$BIN/evidence-node" --config "$dir/node.toml" >"$WORK/dev.log" 2>&1 &
  PIDS+=($!)
  SINGLE_URL="http://127.0.0.1:$port"
  wait_http "$SINGLE_URL/readyz"
}

measure_single_node() {
  log "single node: $SINGLE_RECORDS records, $CONNECTIONS connections"
  start_single_node
  local dir="$WORK/dev"
  prepare single "$dir/genesis.json" dev-agency "$dir/agency.pem" "$SINGLE_RECORDS" 0 >/dev/null
  local summary; summary=$(load_run single single "$SINGLE_URL" 0)
  report_run single_node_ingest "$summary"
  SINGLE_RPS=$(field "$summary" committed_records_per_second)
  ratio single_node_ingest_vs_verify_limit "$(calc "$SINGLE_RPS / $ED25519_VERIFY")"
  log "proof serving: $GETS digest look-ups"
  summary=$("$BIN/evidence-load" get --url "$SINGLE_URL" --digests "$WORK/single.digests" \
    --requests "$GETS" --connections "$CONNECTIONS")
  jq -c '. + {name: "proofs"}' <<<"$summary" >>"$RUNS"
  result proof_serving "$(calc "$(field "$summary" answered_records_per_second)")" receipts/s
  result proof_latency_p50 "$(calc "$(field "$summary" answer_latency_p50_ms)")" ms
  result proof_latency_p99 "$(calc "$(field "$summary" answer_latency_p99_ms)")" ms
  # The same node fed batches (one signature per batch): how far past the
  # per-record verify limit an agency goes by batching.
  log "single node: $BATCH_RECORDS records in batches of $BATCH"
  prepare single_batches "$dir/genesis.json" dev-agency "$dir/agency.pem" "$BATCH_RECORDS" "$BATCH" >/dev/null
  summary=$(load_run single_batches single_batches "$SINGLE_URL" 0 --batches)
  report_run single_node_batched_ingest "$summary"
  ratio single_node_batched_ingest_vs_verify_limit \
    "$(calc "$(field "$summary" committed_records_per_second) / $ED25519_VERIFY")"
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" || true
  unset 'PIDS[-1]'
  measure_http_ceiling
}

# The same records, the same client and the node's own HTTP stack, with only the
# record checks (signature included) behind it: no mempool, block, vote, WAL or
# store. No node can ingest single records faster on this machine.
measure_http_ceiling() {
  local port=$((BASE_PORT + 2)) url
  log "single-record HTTP ceiling: evidence-verify-server, the same $SINGLE_RECORDS records"
  "$BIN/evidence-verify-server" --genesis "$WORK/dev/genesis.json" --listen "127.0.0.1:$port" \
    >"$WORK/verify-server.log" 2>&1 &
  PIDS+=($!)
  url="http://127.0.0.1:$port"
  wait_http "$url/v1/status"
  local summary; summary=$(load_run single ceiling "$url" 0)
  local ceiling; ceiling=$(field "$summary" committed_records_per_second)
  result single_record_http_ceiling "$(calc "$ceiling")" records/s
  ratio single_record_http_ceiling_vs_verify_limit "$(calc "$ceiling / $ED25519_VERIFY")"
  ratio single_node_ingest_vs_http_ceiling "$(calc "$SINGLE_RPS / $ceiling")"
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" || true
  unset 'PIDS[-1]'
}

# One validator of a 国密 chain: SM3 hash, SM2 vote key and SM2 agency key (the p2p
# key stays P-256: docs/operations.md §10), fed single records like the --dev node.
measure_gm_single_node() {
  local dir="$WORK/gm" port=$((BASE_PORT + 3))
  log "国密 single node: $SINGLE_RECORDS records, $CONNECTIONS connections"
  mkdir -p "$dir/data"
  "$BIN/evidence" keygen --alg sm2 --out "$dir/vote_key.pem" --pub "$dir/vote_key.pub.pem" >/dev/null
  "$BIN/evidence" keygen --alg p256 --out "$dir/node_key.pem" --pub "$dir/node_key.pub.pem" >/dev/null
  "$BIN/evidence" keygen --alg sm2 --out "$dir/agency.pem" --pub "$dir/agency.pub.pem" >/dev/null
  cat >"$dir/genesis-spec.toml" <<TOML
chain_id = "bench-gm"
hash = "sm3"
genesis_time_ms = $(date +%s%3N)

[[validator]]
name = "gm-validator"
institution = "bench"
vote_key = "vote_key.pub.pem"
node_key = "node_key.pub.pem"
address = "127.0.0.1:$((BASE_PORT + 4))"

[[agency]]
id = "gm-agency"
name = "bench"
institution = "bench"
keys = ["agency.pub.pem"]
TOML
  "$BIN/evidence" genesis --spec "$dir/genesis-spec.toml" --out "$dir/genesis.json" >/dev/null
  cat >"$dir/node.toml" <<TOML
[node]
name = "gm-validator"
genesis = "genesis.json"
data_dir = "data"
vote_key = "vote_key.pem"
node_key = "node_key.pem"
[p2p]
listen = "127.0.0.1:$((BASE_PORT + 4))"
[api]
listen = "127.0.0.1:$port"
agency_records_per_second = 0
[consensus]
timeout_propose_ms = 200
timeout_vote_ms = 200
TOML
  "$BIN/evidence-node" --config "$dir/node.toml" >"$WORK/gm.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/readyz"
  prepare gm "$dir/genesis.json" gm-agency "$dir/agency.pem" "$SINGLE_RECORDS" 0 >/dev/null
  local summary; summary=$(load_run gm gm "http://127.0.0.1:$port" 0)
  report_run single_node_gm_ingest "$summary"
  ratio single_node_gm_ingest_vs_sm2_verify_limit \
    "$(calc "$(field "$summary" committed_records_per_second) / $SM2_VERIFY")"
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" || true
  unset 'PIDS[-1]'
}

# ---------------------------------------------------------------- 3. four validators

localnet() {
  BUILD_DIR="$BUILD_DIR" LOCALNET_DIR="$WORK/localnet" LOCALNET_BASE_PORT=$((BASE_PORT + 10)) \
    "$ROOT/scripts/localnet.sh" "$@" >>"$WORK/localnet.out" 2>&1
}

start_cluster() {
  log "four validators (scripts/localnet.sh)"
  LOCALNET_UP=1
  localnet up || die "localnet did not start: $(tail -3 "$WORK/localnet.out")"
  localnet down
  # Lift the per-agency rate limit: the benchmark measures the chain, not the limiter.
  sed -i '/^\[api\]$/a agency_records_per_second = 0' "$WORK"/localnet/node*/node.toml
  localnet up || die "localnet did not restart: $(tail -3 "$WORK/localnet.out")"
  # shellcheck disable=SC1091
  source "$WORK/localnet/env"
  CLUSTER_URLS="$NODE1_API,$NODE2_API,$NODE3_API,$NODE4_API"
}

cluster_pair() {  # KIND(records|batches) RECORDS BATCH
  local kind=$1 records=$2 batch=$3 flag=() name
  [ "$kind" = batches ] && flag=(--batches)
  name="cluster_${kind}_max"
  prepare "$name" "$GENESIS" "$AGENCY" "$AGENCY_KEY" "$records" "$batch" >/dev/null
  local summary; summary=$(load_run "$name" "ours_$kind" "$CLUSTER_URLS" 0 "${flag[@]}")
  report_run "cluster4_${kind}_100pct" "$summary"
  local max; max=$(field "$summary" committed_records_per_second)
  local half; half=$(calc "$max / 2")
  local half_records; half_records=$(python3 -c "print(max($batch if $batch else 100, int($half * $RUN_S)))")
  name="cluster_${kind}_half"
  prepare "$name" "$GENESIS" "$AGENCY" "$AGENCY_KEY" "$half_records" "$batch" >/dev/null
  summary=$(load_run "$name" "ours_$kind" "$CLUSTER_URLS" "$half" "${flag[@]}")
  report_run "cluster4_${kind}_50pct" "$summary"
  result "cluster4_${kind}_50pct_offered" "$half" records/s
  eval "CLUSTER_${kind^^}_MAX=$max"
}

measure_cluster() {
  start_cluster
  log "cluster: single records ($CLUSTER_RECORDS at the maximum, then 50%)"
  cluster_pair records "$CLUSTER_RECORDS" 0
  ratio cluster4_ingest_vs_verify_limit_over_4 "$(calc "$CLUSTER_RECORDS_MAX / ($P256_VERIFY / 4)")"
  log "cluster: batches of $BATCH ($BATCH_RECORDS records at the maximum, then 50%)"
  cluster_pair batches "$BATCH_RECORDS" "$BATCH"
  RECORD_JCS_BYTES=$(jq -r '.record_jcs_bytes' < <(prepare size "$GENESIS" "$AGENCY" "$AGENCY_KEY" 1 0))
  localnet down
  LOCALNET_UP=0
}

# ---------------------------------------------------------------- 5. etcd

start_etcd() {
  local cluster="" i
  for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$((BASE_PORT + 60 + i))"; done
  ETCD_URLS=""
  for i in 1 2 3; do
    local client=$((BASE_PORT + 50 + i)) peer=$((BASE_PORT + 60 + i))
    etcd --name "e$i" --data-dir "$WORK/etcd/e$i" \
      --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
      --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token evidence-bench \
      --log-level error >"$WORK/etcd-e$i.log" 2>&1 &
    PIDS+=($!)
    ETCD_URLS+="${ETCD_URLS:+,}http://127.0.0.1:$client"
  done
  for i in 1 2 3; do wait_http "http://127.0.0.1:$((BASE_PORT + 50 + i))/health"; done
}

measure_etcd() {
  log "etcd: three members, $ETCD_PUTS puts of $RECORD_JCS_BYTES bytes"
  start_etcd
  local summary; summary=$("$BIN/evidence-load" etcd --url "$ETCD_URLS" --puts "$ETCD_PUTS" \
    --value-bytes "$RECORD_JCS_BYTES" --connections "$CONNECTIONS" --rate 0)
  jq -c '. + {name: "etcd_max"}' <<<"$summary" >>"$RUNS"
  ETCD_MAX=$(field "$summary" answered_records_per_second)
  echo "etcd $ETCD_MAX $ETCD_MAX $(field "$summary" answer_latency_p50_ms) $(field "$summary" answer_latency_p99_ms)" >>"$SERIES"
  result etcd3_put_100pct "$(calc "$ETCD_MAX")" puts/s
  result etcd3_put_100pct_latency_p50 "$(calc "$(field "$summary" answer_latency_p50_ms)")" ms
  result etcd3_put_100pct_latency_p99 "$(calc "$(field "$summary" answer_latency_p99_ms)")" ms
  local half; half=$(calc "$ETCD_MAX / 2")
  local puts; puts=$(python3 -c "print(max(100, int($half * $RUN_S)))")
  summary=$("$BIN/evidence-load" etcd --url "$ETCD_URLS" --puts "$puts" \
    --value-bytes "$RECORD_JCS_BYTES" --connections "$CONNECTIONS" --rate "$half")
  jq -c '. + {name: "etcd_half"}' <<<"$summary" >>"$RUNS"
  echo "etcd $half $(field "$summary" answered_records_per_second) $(field "$summary" answer_latency_p50_ms) $(field "$summary" answer_latency_p99_ms)" >>"$SERIES"
  result etcd3_put_50pct "$(calc "$(field "$summary" answered_records_per_second)")" puts/s
  result etcd3_put_50pct_latency_p50 "$(calc "$(field "$summary" answer_latency_p50_ms)")" ms
  result etcd3_put_50pct_latency_p99 "$(calc "$(field "$summary" answer_latency_p99_ms)")" ms
  ratio cluster4_batched_vs_etcd3 "$(calc "$CLUSTER_BATCHES_MAX / $ETCD_MAX")"
}

# ---------------------------------------------------------------- 6. supervision reports

measure_supervision() {
  log "supervision report over 100,000 cases (building the store takes a few minutes)"
  cmake --build "$BUILD_DIR" --target supervision_bench -j2 >/dev/null
  "$BIN/supervision_bench" --benchmark_format=json >"$WORK/supervision.json"
  local name
  for name in SupervisionReportYear100kCases SupervisionReportOneMonth; do
    local run; run=$(jq -c --arg n "$name" '.benchmarks[] | select(.name | startswith($n))' "$WORK/supervision.json")
    local key; key=$([ $name = SupervisionReportOneMonth ] && echo supervision_report_month || echo supervision_report_100k_cases)
    local unit; unit=$(field "$run" time_unit)
    local seconds; seconds=$(calc "$(field "$run" real_time) / $([ "$unit" = s ] && echo 1 || echo 1000)")
    result "$key" "$seconds" s
    result "${key}_cases" "$(calc "$(field "$run" cases_per_report)")" cases
    result "${key}_records_per_second" "$(calc "$(field "$run" records_per_second)")" records/s
  done
}

# ---------------------------------------------------------------- outputs

write_json() {
  mkdir -p "$OUT_DIR"
  local results; results=$(awk '{printf "%s{\"name\":\"%s\",\"value\":%s,\"unit\":\"%s\"}", (NR>1?",":""), $1, $2, $3}' "$RESULTS")
  jq -n --arg date "$STAMP" --argjson quick "$QUICK" --argjson cores "$CORES" \
    --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson connections "$CONNECTIONS" \
    --argjson results "[$results]" --slurpfile runs "$RUNS" \
    '{date: $date, quick: ($quick == 1), machine: {cores: $cores, cpu: $cpu, loadavg_at_end: $load},
      connections: $connections,
      ratios: ([$results[] | select(.name | startswith("ratio:")) | {key: (.name | ltrimstr("ratio:")), value: .value}] | from_entries),
      results: [$results[] | select(.name | startswith("ratio:") | not)], runs: $runs}' \
    >"$OUT_DIR/$STAMP.json"
  log "wrote $OUT_DIR/$STAMP.json"
}

write_chart() {
  local dat="$WORK/chart"
  for s in ours_records ours_batches etcd; do
    awk -v s=$s '$1 == s {print $2, $3, $4, $5}' "$SERIES" | sort -g >"$dat.$s"
  done
  gnuplot <<GNUPLOT
set terminal pngcairo size 1400,560 font ",10" noenhanced
set output "$OUT_DIR/$STAMP.png"
set multiplot layout 1,2 title "evidence-ledger (4 validators) vs etcd (3 members), $CORES cores, $STAMP"
set key top left
set grid
set xlabel "offered load (records or puts / s)"
set ylabel "committed (records or puts / s)"
set title "throughput"
plot "$dat.ours_records" using 1:2 with linespoints lw 2 title "ours, single records", \
     "$dat.ours_batches" using 1:2 with linespoints lw 2 title "ours, batches of $BATCH", \
     "$dat.etcd" using 1:2 with linespoints lw 2 title "etcd put", \
     x with lines dt 2 lc rgb "gray" title "offered"
set title "commit latency (p50 solid, p99 dashed)"
set ylabel "ms"
set logscale y
plot "$dat.ours_records" using 1:3 with linespoints lw 2 lc 1 title "ours records p50", \
     "$dat.ours_records" using 1:4 with linespoints lw 2 lc 1 dt 2 title "ours records p99", \
     "$dat.ours_batches" using 1:3 with linespoints lw 2 lc 2 title "ours batches p50", \
     "$dat.ours_batches" using 1:4 with linespoints lw 2 lc 2 dt 2 title "ours batches p99", \
     "$dat.etcd" using 1:3 with linespoints lw 2 lc 3 title "etcd p50", \
     "$dat.etcd" using 1:4 with linespoints lw 2 lc 3 dt 2 title "etcd p99"
unset multiplot
GNUPLOT
  log "wrote $OUT_DIR/$STAMP.png"
}

main() {
  local started=$SECONDS
  install_tools
  build
  measure_limits
  if [ $GM_ONLY = 1 ]; then
    measure_gm_single_node
    result bench_wall_time $((SECONDS - started)) s
    write_json
    return
  fi
  measure_single_node
  measure_gm_single_node
  measure_cluster
  measure_etcd
  measure_supervision
  result bench_wall_time $((SECONDS - started)) s
  write_json
  write_chart
}
main
