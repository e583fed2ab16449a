#!/usr/bin/env bash
# The Debian package, end to end on this machine (root): build it (scripts/package.sh
# --lintian), install it with dpkg -i, check what it installed, verify the unit with
# systemd-analyze, run the unit's ExecStartPre and ExecStart command lines exactly as
# systemd would (user evidence, WorkingDirectory, %i) against configs/node.toml and a
# genesis from configs/genesis-spec.toml, commit a record with the installed CLI, stop the
# node, then purge the package and check that it left nothing behind.
#
#   package_test.sh SOURCE_DIR BUILD_DIR
#
# ctest label `package` (not in the default run: dpkg takes a machine-wide lock and the
# test installs into /usr): `ctest -L package`. Refuses to run when evidence-ledger is
# already installed, so it never replaces an operator's package.
set -euo pipefail
source_dir=$1 build_dir=$2
die() { echo "package_test: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (dpkg -i)"
for tool in dpkg-deb lintian help2man systemd-analyze curl setpriv; do
  command -v $tool >/dev/null || die "$tool is missing: run scripts/setup.sh"
done
if dpkg-query -W -f='${Status}' evidence-ledger 2>/dev/null | grep -q "install ok"; then
  die "evidence-ledger is installed on this machine already; remove it first (dpkg -r evidence-ledger)"
fi

chain=pkgtest$$
work=$(mktemp -d /tmp/package-test.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work" "/etc/evidence/$chain" "/var/lib/evidence/$chain" "/var/log/evidence/$chain"
  if dpkg-query -W -f='${Status}' evidence-ledger 2>/dev/null | grep -q "install ok"; then
    dpkg --purge evidence-ledger >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

echo "== build and lintian"
deb=$(BUILD_DIR="$build_dir" "$source_dir/scripts/package.sh" --lintian | tail -1)
[ -f "$deb" ] || die "no .deb from scripts/package.sh"
dpkg-deb --field "$deb" Depends | tee "$work/depends"
for dependency in adduser libssl3 libleveldb1d libc6 libstdc++6; do
  grep -q "$dependency" "$work/depends" || die "Depends lacks $dependency"
done

echo "== install"
dpkg -i "$deb"
for file in /usr/bin/evidence /usr/bin/evidence-node /lib/systemd/system/evidence-node@.service \
            /usr/share/man/man1/evidence-node.1.gz /usr/share/man/man1/evidence.1.gz \
            /usr/share/evidence-ledger/evidence-verify.html \
            /usr/share/doc/evidence-ledger/operations.md.gz /usr/share/doc/evidence-ledger/copyright \
            /usr/share/doc/evidence-ledger/examples/node.toml \
            /usr/share/doc/evidence-ledger/examples/genesis-spec.toml \
            /usr/share/doc/evidence-ledger/examples/prometheus/alerts.yml \
            /usr/share/doc/evidence-ledger/examples/grafana/evidence-ledger.json; do
  [ -e "$file" ] || die "the package did not install $file"
done
getent passwd evidence >/dev/null || die "postinst made no evidence user"
[ "$(stat -c '%U:%G %a' /var/lib/evidence)" = "evidence:evidence 750" ] || die "/var/lib/evidence: $(stat -c '%U:%G %a' /var/lib/evidence)"
/usr/bin/evidence-node --version | grep -q "evidence-node 0" || die "evidence-node --version"
/usr/bin/evidence --version | grep -q "evidence 0" || die "evidence --version"
unit=/lib/systemd/system/evidence-node@.service
systemd-analyze verify "$unit" 2>&1 | tee "$work/verify"
if grep -v "is not executable\|man evidence-node" "$work/verify" | grep -q .; then
  die "systemd-analyze verify complained about the unit"
fi
grep -q "^ProtectSystem=strict" "$unit" && grep -q "^NoNewPrivileges=yes" "$unit" &&
  grep -q "^User=evidence" "$unit" && grep -q "^WorkingDirectory=/var/lib/evidence/%i" "$unit" ||
  die "the unit lost its hardening"

echo "== a one-validator chain from configs/, laid out as the unit expects"
mkdir -p "$work/keys"
examples=/usr/share/doc/evidence-ledger/examples
# The example spec with its first validator only (one node commits on its own).
awk '/^\[\[validator\]\]/{n++} !(/^\[\[validator\]\]/ && n>1) && !(n>1 && !/^\[\[(agency|reader)\]\]/ && !seen) {print} /^\[\[(agency|reader)\]\]/{seen=1}' \
  "$examples/genesis-spec.toml" | sed '/^\[\[reader\]\]/,$d' >"$work/genesis-spec.toml"
grep -c '^\[\[validator\]\]' "$work/genesis-spec.toml" | grep -qx 1 || die "spec cut wrong"
for key in $(grep -o '"keys/[^"]*\.pub\.pem"' "$work/genesis-spec.toml" | tr -d '"'); do
  alg=ed25519; case $key in *node*) alg=p256 ;; esac
  /usr/bin/evidence keygen --alg $alg --out "$work/${key%.pub.pem}.pem" --pub "$work/$key" >/dev/null
done
sed -i 's/^genesis_time_ms = .*/genesis_time_ms = '"$(($(date +%s) * 1000 - 60000))"'/' "$work/genesis-spec.toml"
/usr/bin/evidence genesis --spec "$work/genesis-spec.toml" --out "$work/genesis.json" | tee "$work/genesis.out"
conf=/etc/evidence/$chain
install -d -o root -g evidence -m 0750 "$conf"
install -o root -g evidence -m 0640 "$work/genesis.json" "$conf/genesis.json"
install -o root -g evidence -m 0640 "$work/keys/justice-bureau-vote.pem" "$conf/vote_key.pem"
install -o root -g evidence -m 0640 "$work/keys/justice-bureau-node.pem" "$conf/node_key.pem"
api_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s|^name = \"court\".*|name = \"justice-bureau\"|" \
    -e "s|^data_dir = \"/var/lib/evidence/main\".*|data_dir = \"/var/lib/evidence/$chain\"|" \
    -e "s|^listen = \"0.0.0.0:8801\".*|listen = \"127.0.0.1:0\"|" \
    -e "s|^listen = \"127.0.0.1:8701\".*|listen = \"127.0.0.1:$api_port\"|" \
    -e "s|^timeout_propose_ms = 3000|timeout_propose_ms = 300|" \
    "$examples/node.toml" >"$conf/node.toml"
chmod 0640 "$conf/node.toml"; chgrp evidence "$conf/node.toml"
# StateDirectory= and LogsDirectory= would make these.
install -d -o evidence -g evidence -m 0750 "/var/lib/evidence/$chain" "/var/log/evidence/$chain"

# As User=evidence/Group=evidence would: setpriv execs the command itself, so signals
# reach the node (no su-like parent in between).
as_evidence() { setpriv --reuid evidence --regid evidence --init-groups --no-new-privs -- "$@"; }
command_of() { sed -n "s/^$1=//p" "$unit" | sed "s/%i/$chain/g"; }
echo "== ExecStartPre: $(command_of ExecStartPre)"
(cd "/var/lib/evidence/$chain" && as_evidence $(command_of ExecStartPre)) | tee "$work/check"
grep -q ": OK" "$work/check" || die "--check did not pass"
grep -q "$(sha256sum "$conf/genesis.json" | cut -d' ' -f1)" "$work/check" || die "--check shows another genesis sha256"
grep -q "genesis file sha256 $(sha256sum "$conf/genesis.json" | cut -d' ' -f1)" "$work/genesis.out" ||
  die "evidence genesis printed another hash than the file's sha256"

echo "== ExecStart: $(command_of ExecStart)"
cd "/var/lib/evidence/$chain"
# Not through the function: $! must be the node itself (setpriv execs it).
setpriv --reuid evidence --regid evidence --init-groups --no-new-privs -- \
  $(command_of ExecStart) 2>"$work/node.log" &
pid=$!
cd /
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$work/node.log"; die "the node exited"; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$api_port/readyz" >/dev/null || { cat "$work/node.log"; die "not ready"; }
echo "a document" >"$work/document.txt"
/usr/bin/evidence submit --node "http://127.0.0.1:$api_port" --key "$work/keys/sishui-market-supervision.pem" \
  --agency sishui-market-supervision --kind enforcement_record --case "(2027)鲁0831行罚1号" --stage decision \
  --wait --receipt-dir "$work" "$work/document.txt"
/usr/bin/evidence verify "$work/document.txt" --receipt "$work/document.txt.receipt.json" --genesis "$conf/genesis.json"
head -c 300 "$work/node.log"; echo
grep -q '"event":"node_started"' "$work/node.log" || die "the node's log is not JSON lines"
[ -O "/var/lib/evidence/$chain/store" ] && die "the store belongs to root"
[ "$(stat -c %U "/var/lib/evidence/$chain/store")" = evidence ] || die "the store is not the evidence user's"
[ "$(readlink /proc/$pid/exe)" = /usr/bin/evidence-node ] || die "pid $pid is not the node"
kill -TERM $pid
wait $pid && code=0 || code=$?
pid=
[ "$code" = 0 ] || die "SIGTERM: exit code $code"

echo "== purge"
rm -rf "/etc/evidence/$chain" "/var/lib/evidence/$chain" "/var/log/evidence/$chain"
dpkg --purge evidence-ledger
for file in /usr/bin/evidence /usr/bin/evidence-node /lib/systemd/system/evidence-node@.service \
            /usr/share/doc/evidence-ledger; do
  [ ! -e "$file" ] || die "$file is left after purge"
done
getent passwd evidence >/dev/null && die "the evidence user is left after purge"
echo "package_test: OK ($(basename "$deb"))"
