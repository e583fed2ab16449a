#!/usr/bin/env python3
"""ctest localnet_governance: governance end to end on a real four-node network, under load.

scripts/localnet.sh up (a version-2 genesis, one admin key per institution: ADMIN_KEY1..4 in
the env file) on free ports in a temporary directory; a load thread keeps submitting records
of the market agency to all four nodes the whole time. The four institutions' admins then,
with `evidence gov propose | sign | submit --wait` only:

- add an agency (signed by 3 of 4) and submit records signed by it;
- rotate its key (add-agency-key, revoke-agency-key --reason rotated): a record signed with
  the old key is refused (key-revoked); the record from before still verifies, and its
  receipt fetched again says the key was revoked after it;
- revoke a key --reason compromised --effective T: verify warns for the record claimed
  after T;
- rotate the notary office's admin key (add-admin-key, revoke-admin-key);
- add a reader (a court clerk's token) who may then read a case, and remove it again;
- send each bad action of issue 12 over HTTP (too few signatures, a revoked admin key, an
  unknown action, a replayed and a skipping seq, removing an agency that does not exist,
  leaving fewer than 4 validators, a set with no quorum when one is down; also an unknown
  admin key, an edited signed action, another chain's action): `gov submit` exits non-zero
  naming the problem type, and `gov show` shows the register unchanged;
- narrow the record window (set-params): a record older than the new window is refused;
- remove an agency: its records are refused from then on, its earlier record still verifies
  and says the agency was removed after it.

At the end every receipt, from before and after every change, verifies with `evidence
verify` and the ORIGINAL genesis file (its bytes checked unchanged); every load record is
committed on every node; `evidence audit` passes on every node's store.

Usage: governance_test.py ROOT BUILD_DIR
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT, BUILD_DIR = sys.argv[1], sys.argv[2]
BIN = os.path.join(BUILD_DIR, "bin")
EVIDENCE = os.path.join(BIN, "evidence")
LOCALNET = os.path.join(ROOT, "scripts", "localnet.sh")
# Every wait below is for an event the network makes happen within a few blocks; the
# bound is only there so that a broken network fails the test instead of hanging it.
DEADLINE_S = 60
# The governance actions the test commits.
ACTIONS = 11


def fail(message):
    raise AssertionError(message)


def run(args, env=None, check=True):
    """Runs a command; returns the CompletedProcess (text). check: exit 0 required."""
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    if check and result.returncode != 0:
        fail(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def evidence(*args, check=True):
    return run([EVIDENCE, *args], check=check)


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def post(url, body):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until(what, predicate):
    """Polls `predicate` (real processes are watched over HTTP: there is no event to wait on)."""
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():
        if time.monotonic() > deadline:
            fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def rfc3339(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Load(threading.Thread):
    """Submits records of the market agency to the four nodes in turn until stopped."""

    def __init__(self, net):
        super().__init__(daemon=True)
        self.net = net
        self.stop = threading.Event()
        self.accepted = 0
        self.failures = []
        self.dir = os.path.join(net.dir, "load")
        os.makedirs(self.dir)

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            # Each round: a directory of 4 documents, sent as one signed batch.
            batch = os.path.join(self.dir, f"round-{n}")
            os.makedirs(batch)
            for k in range(4):
                with open(os.path.join(batch, f"load-{k}.txt"), "w") as f:
                    f.write(f"行政执法记录 load {n}.{k} {time.time_ns()}\n")
            node = self.net.env[f"NODE{n % 4 + 1}_API"]
            result = run([EVIDENCE, "submit", "--node", node, "--key", self.net.env["AGENCY_KEY"],
                          "--agency", self.net.env["AGENCY"], "--kind", "enforcement_record",
                          "--case", "(2026)鲁0831行罚100号", batch], check=False)
            if result.returncode == 0:
                self.accepted += 4
            else:
                self.failures.append(result.stderr.strip())
            # A steady trickle (a few records a second), not a flood: the two shared cores
            # also run the four nodes.
            self.stop.wait(0.1)


class Net:
    def __init__(self, work):
        self.dir = os.path.join(work, "net")
        port = run(["bash", "-c", f". '{ROOT}/tests/scripts/localnet_port.sh'; "
                    "echo $LOCALNET_BASE_PORT"]).stdout.strip()
        self.shell_env = dict(os.environ, BUILD_DIR=BUILD_DIR, LOCALNET_DIR=self.dir,
                              LOCALNET_BASE_PORT=port)
        self.shell_env.pop("LOCALNET_PAST_WINDOW_DAYS", None)
        self.shell_env.pop("LOCALNET_CRYPTO", None)
        self.keys = os.path.join(work, "keys")
        self.actions = os.path.join(work, "actions")
        self.docs = os.path.join(work, "docs")
        for d in (self.keys, self.actions, self.docs):
            os.makedirs(d)
        self.env = {}
        self.up = False
        self.refusals = 0

    def localnet(self, *args):
        return run([LOCALNET, *args], env=self.shell_env)

    def start(self):
        self.up = True
        self.localnet("up")
        with open(os.path.join(self.dir, "env")) as f:
            for line in f:
                name, _, value = line.rstrip("\n").partition("=")
                self.env[name] = value
        for i in range(1, 5):
            admin = self.env.get(f"ADMIN_KEY{i}", "")
            if not os.path.isfile(admin):
                fail(f"env ADMIN_KEY{i} is not a key file: {admin!r}")
        self.genesis = self.env["GENESIS"]
        with open(self.genesis, "rb") as f:
            self.genesis_sha256 = hashlib.sha256(f.read()).hexdigest()

    def down(self):
        if self.up:
            run([LOCALNET, "down"], env=self.shell_env, check=False)
            self.up = False

    def admin(self, i):
        return self.env[f"ADMIN_KEY{i}"] if isinstance(i, int) else i

    def api(self, i=1):
        return self.env[f"NODE{i}_API"]

    def keygen(self, name, alg="p256"):
        private = os.path.join(self.keys, f"{name}.pem")
        public = os.path.join(self.keys, f"{name}.pub.pem")
        evidence("keygen", "--alg", alg, "--out", private, "--pub", public)
        return private, public

    # Governance.
    def propose(self, name, action, seq, *flags, signers=(1, 2, 3)):
        path = os.path.join(self.actions, f"{seq}-{name}.json")
        evidence("gov", "propose", action, "--genesis", self.genesis, "--seq", str(seq), *flags,
                 "--out", path)
        for admin in signers:
            evidence("gov", "sign", path, "--key", self.admin(admin))
        return path

    def governance(self, node=1):
        return get_json(self.api(node) + "/v1/governance")

    def enact(self, name, action, seq, *flags, signers=(1, 2, 3)):
        """Proposes, signs, submits with --wait, then waits until it is in force on all nodes."""
        path = self.propose(name, action, seq, *flags, signers=signers)
        result = evidence("gov", "submit", path, "--node", self.api(seq % 4 + 1), "--wait",
                          "--timeout-ms", str(DEADLINE_S * 1000))
        if "committed in block" not in result.stdout:
            fail(f"gov submit --wait of {name}: {result.stdout}")
        for node in range(1, 5):
            wait_until(f"{name} (seq {seq}) in force on node {node}",
                       lambda: self.governance(node)["register"]["next_seq"] > seq)
        return path

    def show(self):
        """What a refused action must not change: the registers and the actions."""
        shown = json.loads(evidence("gov", "show", "--node", self.api(), "--json").stdout)
        return {"state": shown["state_hash"], "latest": shown["latest"],
                "actions_total": shown["actions_total"], "pending": shown["pending"]}

    def refused(self, path, problem, exit_code=1):
        before = self.show()
        result = evidence("gov", "submit", path, "--node", self.api(), "--wait", check=False)
        if result.returncode != exit_code or problem not in result.stderr:
            fail(f"gov submit {os.path.basename(path)}: want exit {exit_code} and {problem}, got "
                 f"exit {result.returncode}: {result.stdout}{result.stderr}")
        after = self.show()
        if before != after:
            fail(f"a refused action ({problem}) changed the register: {before} -> {after}")
        self.refusals += 1
        print(f"refused as {problem}: {os.path.basename(path)}")

    # Records.
    def submit(self, name, key, agency, *flags, node=2, check=True):
        """Submits one document with --wait; returns (record id, receipt path) or the result."""
        path = os.path.join(self.docs, name)
        with open(path, "w") as f:
            f.write(f"行政处罚决定书 {name} {time.time_ns()}\n")
        result = evidence("submit", "--node", self.api(node), "--key", key, "--agency", agency,
                          "--kind", "enforcement_record", "--case", "(2026)鲁0831行罚7号",
                          "--stage", "decision", "--wait", *flags, path, check=check)
        if not check:
            return result
        return result.stdout.split()[0], path + ".receipt.json"

    def refetch(self, record_id, name):
        """The receipt of a record fetched again now (it carries every governance block)."""
        out = os.path.join(self.docs, name + ".again.receipt.json")
        evidence("receipt", record_id, "--node", self.api(3), "--file",
                 os.path.join(self.docs, name), "--out", out)
        return out

    def read_case(self, token):
        """HTTP status of reading the test's case trail with a reader token."""
        case = urllib.parse.quote("(2026)鲁0831行罚7号", safe="")
        request = urllib.request.Request(f"{self.api(4)}/v1/cases/{case}",
                                         headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def verify(self, name, receipt):
        result = evidence("verify", os.path.join(self.docs, name), "--receipt", receipt,
                          "--genesis", self.genesis)
        if not result.stdout.startswith("VALID"):
            fail(f"{receipt}: {result.stdout}")
        return result.stdout


def main():
    work = tempfile.mkdtemp(prefix="evidence_gov_e2e_")
    net = Net(work)
    load = None
    started = time.monotonic()
    try:
        net.start()
        traffic1, traffic1_pub = net.keygen("traffic-1")
        traffic2, traffic2_pub = net.keygen("traffic-2")
        traffic3, traffic3_pub = net.keygen("traffic-3")
        admin4b, admin4b_pub = net.keygen("admin-4b", "ed25519")
        notary = "泗水县公证处"
        load = Load(net)
        load.start()

        # A record before any change: its receipt is version 1.
        before_id, before_receipt = net.submit("before.txt", net.env["AGENCY_KEY"],
                                               net.env["AGENCY"])
        # A record 3 days old: inside genesis's window of 7 days (step 7 narrows it).
        three_days_ago = int(time.time() * 1000) - 3 * 86400000
        _, old_receipt = net.submit("old.txt", net.env["AGENCY_KEY"], net.env["AGENCY"],
                                         "--time", rfc3339(three_days_ago))

        # 1. A new agency, signed by three of the four institutions.
        net.enact("add-traffic", "add-agency", 1, "--id", "sishui-traffic-police", "--name",
                  "泗水县公安局交通管理大队", "--institution", "泗水县公安局", "--key", traffic1_pub,
                  signers=(1, 2, 3))
        a_id, a_receipt = net.submit("traffic-a.txt", traffic1, "sishui-traffic-police")
        recon = (net.env["RECONSIDERATION_KEY"], net.env["RECONSIDERATION_AGENCY"])
        recon_id, recon_receipt = net.submit("reconsideration.txt", *recon)

        # 2. Key rotation: the new key, then the old one revoked (rotated).
        net.enact("add-traffic-2", "add-agency-key", 2, "--agency", "sishui-traffic-police",
                  "--key", traffic2_pub, signers=(2, 3, 4))
        net.enact("rotate-traffic-1", "revoke-agency-key", 3, "--agency", "sishui-traffic-police",
                  "--key", traffic1_pub, "--reason", "rotated", signers=(1, 3, 4))
        refused = net.submit("traffic-old-key.txt", traffic1, "sishui-traffic-police", check=False)
        if refused.returncode == 0 or "(key-revoked, HTTP 400)" not in refused.stderr:
            fail(f"a record signed with the rotated key: {refused.stdout}{refused.stderr}")
        b_id, b_receipt = net.submit("traffic-b.txt", traffic2, "sishui-traffic-police")
        a_again = net.refetch(a_id, "traffic-a.txt")
        said = net.verify("traffic-a.txt", a_again)
        if "revoked (rotated)" not in said or "after this record was committed" not in said:
            fail(f"verify of the record before the rotation has no revocation note: {said}")

        # 3. A stolen key: revoked as compromised from a time before record B was claimed.
        net.enact("add-traffic-3", "add-agency-key", 4, "--agency", "sishui-traffic-police",
                  "--key", traffic3_pub, signers=(1, 2, 4))
        with open(b_receipt) as f:
            b_time = json.load(f)["record"]["time"]
        net.enact("compromise-traffic-2", "revoke-agency-key", 5, "--agency",
                  "sishui-traffic-police", "--key", traffic2_pub, "--reason", "compromised",
                  "--effective", rfc3339(b_time - 1000), signers=(2, 3, 4))
        b_again = net.refetch(b_id, "traffic-b.txt")
        said = net.verify("traffic-b.txt", b_again)
        if "WARNING:" not in said or "revoked (compromised)" not in said:
            fail(f"verify of a record claimed after a compromise has no warning: {said}")
        c_id, c_receipt = net.submit("traffic-c.txt", traffic3, "sishui-traffic-police")

        # 4. The notary office's admin key rotated: a new one added, the old one revoked.
        net.enact("add-admin-4b", "add-admin-key", 6, "--institution", notary, "--key",
                  admin4b_pub, signers=(1, 2, 3))
        admin4_pub = net.env["ADMIN_KEY4"].replace(".pem", ".pub.pem")
        net.enact("revoke-admin-4", "revoke-admin-key", 7, "--institution", notary, "--key",
                  admin4_pub, signers=(1, 2, admin4b))

        # 5. A new reader (a second court clerk, by the SHA-256 of a token), then removed.
        token_file = os.path.join(net.keys, "court-reader-2.token")
        with open(token_file, "w") as f:
            f.write(os.urandom(24).hex())
        with open(token_file) as f:
            token = f.read()
        if net.read_case(token) != 401:
            fail("an unregistered reader token may read a case")
        net.enact("add-reader-2", "add-reader", 8, "--id", "court-reader-2", "--role", "court",
                  "--token-file", token_file, signers=(1, 2, admin4b))
        if net.read_case(token) != 200:
            fail("the added reader may not read a case")
        net.enact("remove-reader-2", "remove-reader", 9, "--id", "court-reader-2",
                  signers=(3, 2, admin4b))
        if net.read_case(token) != 401:
            fail("the removed reader may still read a case")

        # 6. Bad actions over HTTP: each refused with its problem type, nothing changed.
        reader = ("--id", "court-reader-3", "--role", "court", "--token-sha256", "ab" * 32)
        net.refused(net.propose("too-few", "add-reader", 10, *reader, signers=(1, 2)),
                    "(too-few-signatures, HTTP 400)")
        net.refused(net.propose("revoked-admin", "add-reader", 10, *reader, signers=(1, 2, 4)),
                    "(admin-key-revoked, HTTP 400)")
        net.refused(os.path.join(net.actions, "1-add-traffic.json"), "(bad-sequence, HTTP 409)")
        net.refused(net.propose("skips", "add-reader", 11, *reader, signers=(1, 2, 3)),
                    "(bad-sequence, HTTP 409)")
        net.refused(net.propose("remove-nobody", "remove-agency", 10, "--agency",
                                "sishui-no-such-agency", signers=(1, 3, admin4b)),
                    "(unknown-entry, HTTP 400)")
        net.refused(net.propose("three-validators", "remove-validator", 10, "--name", "court",
                                signers=(1, 2, 3)),
                    "(unsafe-validator-set, HTTP 400)")
        net.refused(net.propose("court-power-2", "set-power", 10, "--name", "court", "--power",
                                "2", signers=(1, 2, 3)),
                    "(unsafe-validator-set, HTTP 400)")  # 2 of 5: no quorum with court down
        stranger, _ = net.keygen("stranger-admin", "ed25519")
        net.refused(net.propose("stranger", "add-reader", 10, *reader, signers=(1, 2, stranger)),
                    "(unknown-admin-key, HTTP 400)")
        edited = net.propose("edited", "remove-reader", 10, "--id", "court-reader", signers=(1, 2, 3))
        with open(edited) as f:
            action = json.load(f)
        action["reader_id"] = "supervision-office"
        with open(edited, "w") as f:
            json.dump(action, f)
        net.refused(edited, "(bad-signature, HTTP 400)")
        other_chain = os.path.join(net.actions, "10-other-chain.json")
        evidence("gov", "propose", "add-reader", "--chain-id", "another-chain", "--seq", "10",
                 *reader, "--out", other_chain)
        for admin in (1, 2, 3):
            evidence("gov", "sign", other_chain, "--key", net.admin(admin))
        net.refused(other_chain, "(wrong-chain, HTTP 400)")
        unknown = os.path.join(net.actions, "10-unknown.json")
        with open(unknown, "w") as f:
            json.dump({"v": 1, "chain_id": net.env["CHAIN_ID"], "seq": 10, "action": "frobnicate",
                       "sigs": []}, f)
        # `gov submit` reads the file as a node would and refuses it before sending (exit 2)...
        net.refused(unknown, "governance.unknown_action", exit_code=2)
        # ... and the node, sent it over HTTP, refuses it with its problem type.
        with open(unknown, "rb") as f:
            status, problem = post(net.api() + "/v1/governance", f.read())
        if status != 400 or not problem.get("type", "").endswith("/unknown-action"):
            fail(f"POST of an unknown action: {status} {problem}")

        # 7. A narrower record window (1 day): a record 3 days old is refused from then on.
        net.enact("window-1-day", "set-params", 10, "--records-past-window-ms", str(86400000),
                  signers=(2, 3, admin4b))
        if net.governance(2)["register"]["params"]["record_past_window_ms"] != 86400000:
            fail("set-params did not change the window")
        refused = net.submit("too-old.txt", net.env["AGENCY_KEY"], net.env["AGENCY"], "--time",
                             rfc3339(int(time.time() * 1000) - 3 * 86400000), check=False)
        if refused.returncode == 0 or "(time-out-of-window, HTTP 400)" not in refused.stderr:
            fail(f"a record outside the new window: {refused.stdout}{refused.stderr}")
        hour_id, hour_receipt = net.submit("hour-old.txt", net.env["AGENCY_KEY"],
                                           net.env["AGENCY"], "--time",
                                           rfc3339(int(time.time() * 1000) - 3600000))

        # 8. An agency removed: it can submit no more; its records stay valid, with a note.
        net.enact("remove-reconsideration", "remove-agency", 11, "--agency", recon[1],
                  signers=(1, 3, admin4b))
        refused = net.submit("recon-after.txt", *recon, check=False)
        if refused.returncode == 0 or "(unknown-agency, HTTP 400)" not in refused.stderr:
            fail(f"a record of a removed agency: {refused.stdout}{refused.stderr}")
        recon_again = net.refetch(recon_id, "reconsideration.txt")
        said = net.verify("reconsideration.txt", recon_again)
        if f'agency "{recon[1]}" was removed by governance action 11' not in said:
            fail(f"verify of a removed agency's record has no note: {said}")

        # 9. Every receipt verifies with the original genesis file alone.
        load.stop.set()
        load.join()
        if load.failures:
            fail(f"{len(load.failures)} load submissions failed, e.g. {load.failures[0]}")
        receipts = {
            "before.txt": [before_receipt, net.refetch(before_id, "before.txt")],
            "old.txt": [old_receipt],
            "traffic-a.txt": [a_receipt, a_again],
            "traffic-b.txt": [b_receipt, b_again],
            "traffic-c.txt": [c_receipt, net.refetch(c_id, "traffic-c.txt")],
            "hour-old.txt": [hour_receipt],
            "reconsideration.txt": [recon_receipt, recon_again],
        }
        versions = set()
        for name, paths in receipts.items():
            for receipt in paths:
                net.verify(name, receipt)
                with open(receipt) as f:
                    versions.add(json.load(f).get("v", 1))
        if versions != {1, 2}:
            fail(f"receipt versions {versions}: want receipts from before (v1) and after (v2)")
        with open(net.genesis, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != net.genesis_sha256:
                fail("the genesis file changed")

        # 10. Every load record committed on every node, then the stores audited.
        records = len(receipts) + load.accepted
        for node in range(1, 5):
            wait_until(f"node {node} holding all {records} records",
                       lambda: get_json(net.api(node) + "/v1/status")["tree_size"] == records)
        sizes = {get_json(net.api(n) + "/v1/tree-head")["size"] for n in range(1, 5)}
        net.down()
        for node in range(1, 5):
            result = evidence("audit", "--data", os.path.join(net.dir, f"node{node}", "data"),
                              "--genesis", net.genesis)
            said = result.stdout.strip().splitlines()[-1]
            if f" {records} records, {ACTIONS} governance actions," not in said:
                fail(f"audit of node {node}: {said}")
            print(f"audit node {node}: {said}")
        print(f"governance_test: passed: {ACTIONS} actions, {net.refusals} refused, {load.accepted} load records, "
              f"tree sizes {sorted(sizes)}, {time.monotonic() - started:.0f} s")
    finally:
        if load is not None:
            load.stop.set()
        net.down()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        sys.exit(1)
