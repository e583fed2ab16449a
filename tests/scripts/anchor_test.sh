#!/usr/bin/env bash
# ctest anchor_outside (issue 15): anchoring a local network's checkpoint with an
# outside RFC 3161 TSA run here with `openssl ts -reply` behind a tiny HTTP
# wrapper (outside_tsa.py). `evidence anchor` gets a token over the checkpoint
# body and posts it; the node (trusting that TSA's CA: node.toml [anchor]) keeps
# it across a restart; `openssl ts -verify` checks the stored token against the
# checkpoint body. Bad anchors — a token over another text, garbage bytes, too
# large, from a TSA the node does not trust, the same tree size again, a node
# that trusts no TSA — are refused with problem+json and store nothing.
set -euo pipefail
ROOT=$1
export BUILD_DIR=$2
BIN="$BUILD_DIR/bin"
export LOCALNET_DIR
LOCALNET_DIR=$(mktemp -d /tmp/evidence_anchor_XXXXXX)
# shellcheck source=localnet_port.sh
. "$ROOT/tests/scripts/localnet_port.sh"
tsa_pid=
cleanup() {
  [ -n "$tsa_pid" ] && kill "$tsa_pid" 2>/dev/null
  "$ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true
  rm -rf "$LOCALNET_DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

work="$LOCALNET_DIR/work"
mkdir -p "$work"

# An outside TSA (and a stranger's): a CA, a TSA certificate with the critical
# extended key usage timeStamping, and an `openssl ts` configuration.
make_outside_tsa() {  # name
  local d="$work/$1"
  mkdir -p "$d"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" \
    -out "$d/ca.pem" -days 30 -subj "/O=Outside/CN=$1 CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/tsa.key" \
    -out "$d/tsa.csr" -subj "/O=Outside/CN=$1 TSA" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=critical,timeStamping" >"$d/tsa.ext"
  openssl x509 -req -in "$d/tsa.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial 7 -days 30 \
    -extfile "$d/tsa.ext" -out "$d/tsa.pem" 2>/dev/null
  echo 01 >"$d/serial"
  cat >"$d/ts.cnf" <<EOF
[ tsa_config1 ]
serial = $d/serial
crypto_device = builtin
signer_cert = $d/tsa.pem
signer_key = $d/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
EOF
}
make_outside_tsa outside
make_outside_tsa stranger

"$ROOT/scripts/localnet.sh" up >/dev/null
# shellcheck disable=SC1091
. "$LOCALNET_DIR/env"
# Node 1 trusts the outside TSA's CA for anchoring; the others trust none.
printf '\n[anchor]\ntsa_ca = "%s"\n' "$work/outside/ca.pem" >>"$LOCALNET_DIR/node1/node.toml"
"$ROOT/scripts/localnet.sh" stop 1 >/dev/null
"$ROOT/scripts/localnet.sh" start 1 >/dev/null

submit() {
  echo "evidence $1 $(date +%s%N)" >"$work/$1.txt"
  "$BIN/evidence" submit --node "$NODE1_API" --key "$AGENCY_KEY" --agency "$AGENCY" \
    --kind enforcement_record --case "(2026)鲁0831行罚17号" --stage investigation --wait \
    --receipt-dir "$work" "$work/$1.txt" >/dev/null
}
total() { curl -fsS "$NODE1_API/v1/anchors" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
# POST a body to node N's /v1/anchors; prints "<HTTP status> <problem type>".
post() {  # node-url body-file
  local code
  code=$(curl -sS -o "$work/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$2" "$1/v1/anchors")
  echo "$code $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("type", "-").rsplit("/", 1)[-1])' "$work/answer.json" 2>/dev/null || echo '-')"
}
request_json() {  # tree-size token-file out
  /usr/bin/python3 -c 'import base64,json,sys; print(json.dumps({"tree_size": int(sys.argv[1]), "token": base64.b64encode(open(sys.argv[2],"rb").read()).decode()}))' "$1" "$2" >"$3"
}
# An offline token of TSA `name` over the bytes of `file`.
offline_token() {  # name file out
  openssl ts -query -data "$2" -sha256 -cert -no_nonce -out "$work/q.tsq" 2>/dev/null
  openssl ts -reply -config "$work/$1/ts.cnf" -section tsa_config1 -queryfile "$work/q.tsq" \
    -out "$3" 2>/dev/null
}

submit one
rm -f "$work/tsa.port"
/usr/bin/python3 "$ROOT/tests/scripts/outside_tsa.py" "$work/outside/ts.cnf" "$work" "$work/tsa.port" &
tsa_pid=$!
for _ in $(seq 1 100); do [ -f "$work/tsa.port" ] && break; sleep 0.1; done
[ -f "$work/tsa.port" ] || fail "the outside TSA did not start"
TSA_URL="http://127.0.0.1:$(cat "$work/tsa.port")"

"$BIN/evidence" anchor --node "$NODE1_API" --tsa "$TSA_URL" --out "$work/anchor.tsr" >"$work/anchor.out" \
  || fail "evidence anchor failed: $(cat "$work/anchor.out")"
grep -q "^anchored tree size " "$work/anchor.out" || fail "anchor output: $(cat "$work/anchor.out")"
# What was hashed is the checkpoint body: the first three lines of /checkpoint.
curl -fsS "$NODE1_API/checkpoint" | head -3 >"$work/body"
cmp -s "$work/body" "$work/anchor.tsr.checkpoint" || fail "the anchored body is not the checkpoint's text"
openssl ts -verify -data "$work/anchor.tsr.checkpoint" -in "$work/anchor.tsr" \
  -CAfile "$work/outside/ca.pem" >/dev/null 2>&1 || fail "openssl ts -verify of the --out token failed"
size=$(sed -n 2p "$work/body")
[ "$(total)" = 1 ] || fail "GET /v1/anchors does not list the anchor"

# Bad anchors: refused with problem+json, nothing stored.
echo "a document that is not the checkpoint" >"$work/other.txt"
offline_token outside "$work/other.txt" "$work/other.tsr"
request_json "$size" "$work/other.tsr" "$work/bad-other.json"
[ "$(post "$NODE1_API" "$work/bad-other.json")" = "400 bad-request" ] || fail "a token over another text: $(cat "$work/answer.json")"
printf 'garbage bytes' >"$work/garbage.bin"
request_json "$size" "$work/garbage.bin" "$work/bad-garbage.json"
[ "$(post "$NODE1_API" "$work/bad-garbage.json")" = "400 bad-request" ] || fail "garbage: $(cat "$work/answer.json")"
head -c 40000 /dev/zero >"$work/large.bin"
request_json "$size" "$work/large.bin" "$work/bad-large.json"
[ "$(post "$NODE1_API" "$work/bad-large.json")" = "413 too-large" ] || fail "too large: $(cat "$work/answer.json")"
offline_token stranger "$work/body" "$work/stranger.tsr"
request_json "$size" "$work/stranger.tsr" "$work/bad-stranger.json"
[ "$(post "$NODE1_API" "$work/bad-stranger.json")" = "400 bad-request" ] || fail "an untrusted TSA: $(cat "$work/answer.json")"
offline_token outside "$work/body" "$work/again.tsr"
request_json "$size" "$work/again.tsr" "$work/bad-again.json"
[ "$(post "$NODE1_API" "$work/bad-again.json")" = "400 bad-request" ] || fail "the same size again: $(cat "$work/answer.json")"
[ "$(post "$NODE2_API" "$work/bad-again.json")" = "403 forbidden" ] || fail "a node that trusts no TSA: $(cat "$work/answer.json")"
[ "$(total)" = 1 ] || fail "a refused anchor was stored"

# The anchor survives a restart, and the stored token verifies against the stored body.
"$ROOT/scripts/localnet.sh" stop 1 >/dev/null
"$ROOT/scripts/localnet.sh" start 1 >/dev/null
curl -fsS "$NODE1_API/v1/anchors" >"$work/anchors.json"
/usr/bin/python3 - "$work" <<'EOF'
import base64, json, sys
work = sys.argv[1]
listed = json.load(open(f"{work}/anchors.json"))
assert listed["total"] == 1, listed
anchor = listed["anchors"][0]
open(f"{work}/stored.tsr", "wb").write(base64.b64decode(anchor["token"]))
open(f"{work}/stored.checkpoint", "w").write(anchor["checkpoint"])
assert anchor["tsa"].endswith("CN=outside TSA") or "outside TSA" in anchor["tsa"], anchor["tsa"]
assert anchor["gen_time"].endswith("Z"), anchor["gen_time"]
EOF
cmp -s "$work/stored.tsr" "$work/anchor.tsr" || fail "the stored token is not the TSA's"
cmp -s "$work/stored.checkpoint" "$work/body" || fail "the stored checkpoint is not the body"
openssl ts -verify -data "$work/stored.checkpoint" -in "$work/stored.tsr" \
  -CAfile "$work/outside/ca.pem" >/dev/null 2>&1 || fail "openssl ts -verify of the stored token failed"
if openssl ts -verify -data "$work/other.txt" -in "$work/stored.tsr" -CAfile "$work/outside/ca.pem" >/dev/null 2>&1; then
  fail "the stored token verifies for another text"
fi

# A later checkpoint is anchored too.
submit two
"$BIN/evidence" anchor --node "$NODE1_API" --tsa "$TSA_URL" >/dev/null || fail "the second anchor failed"
[ "$(total)" = 2 ] || fail "the second anchor is not listed"
echo "anchor_outside: OK (tree size $size anchored, bad anchors refused, kept across a restart)"
