#!/usr/bin/env python3
"""A fifth institution's node joins a running network, with real processes, under load.

Four validators (genesis v2, one admin key per institution, threshold 3) and a fifth node
whose node and vote keys genesis does not know. Under a steady record load:

1. The fifth node is refused by the others (a stranger) until governance admits its node
   key: `add-observer` (seq 1) and `add-admin-key` for its institution (seq 2), proposed,
   signed by 3 institutions and submitted with the `evidence` CLI. Once in force it syncs
   and serves reads; a record posted to it reaches a block (it forwards by gossip).
2. `add-validator` promoting it (seq 3) is submitted to the observer itself (governance
   actions are gossiped to the validators). Once in force it votes without a restart.
3. An original validator stops: with 5 equal powers the quorum is 4, so the new node's
   vote is needed, and blocks keep committing.
4. `remove-validator` of the stopped one (seq 4): four validators again, still committing.
5. `rotate-validator-keys` of the new validator's vote key (seq 5): its node holds the next
   key (`next_vote_key`) and signs with it from the activation height without a restart;
   court stops, so the rotated key's precommit is needed (3 of 4).
6. `rotate-validator-keys` of its node key (seq 6): at the activation height the others drop
   the old key; the node restarts with the new one and the chain, which needs its vote,
   commits again.

Receipts of records committed in every phase verify with `evidence verify` and the
original genesis file only; `evidence audit` passes on every store.

Usage: governance_join_test.py --node evidence-node --evidence evidence
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import VALIDATORS, Cluster, Ed25519Key, free_port, jcs, wait_until  # noqa: E402

NEW = 4  # the fifth node's index in the cluster's lists
NEW_NAME = "audit-bureau"
NEW_INSTITUTION = "泗水县审计局"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Load:
    """Posts records to the running nodes in turn, about 20 a second, until stopped."""

    def __init__(self, cluster, nodes):
        self.cluster = cluster
        self.nodes = list(nodes)
        self.accepted = 0
        self.refused = 0
        self.deferred = 0
        self.phases = []  # (phase, records accepted during it)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def set_nodes(self, nodes):
        with self.lock:
            self.nodes = list(nodes)

    def _run(self):
        turn = 0
        while not self.stopping.is_set():
            with self.lock:
                node = self.nodes[turn % len(self.nodes)]
            turn += 1
            _, record = self.cluster.make_record(case_id=f"(2026)鲁0831行罚{turn}号")
            status, body = self.cluster.api(node, "POST", "/v1/records", record, timeout_s=5)
            if status in (201, 202):
                self.accepted += 1
            elif node not in self.nodes:
                pass  # in flight to a node taken out of the load (it stops next)
            elif status in (429, 503):
                self.deferred += 1  # back-pressure (a busy machine): try later is an answer
            else:
                self.refused += 1
                print(f"load: node {node + 1} refused a record: HTTP {status} {str(body)[:200]}")
            self.stopping.wait(0.05)

    def phase_done(self, name):
        """Notes how many records the load put in since the previous phase ended."""
        before = sum(count for _, count in self.phases)
        self.phases.append((name, self.accepted - before))

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=30)


class Governance:
    """Proposes, signs (3 institutions) and submits actions with the evidence CLI."""

    def __init__(self, evidence, cluster, admin_keys):
        self.evidence = evidence
        self.cluster = cluster
        self.admin_keys = admin_keys
        self.seq = 0

    def run(self, *args):
        result = subprocess.run([self.evidence, *args], capture_output=True, text=True,
                                timeout=120)
        check(result.returncode == 0,
              f"evidence {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def submit(self, node, action, *flags, wait=True):
        self.seq += 1
        path = os.path.join(self.cluster.dir, f"action{self.seq}.json")
        self.run("gov", "propose", action, "--genesis", self.cluster.genesis_path,
                 "--seq", str(self.seq), "--out", path, *flags)
        for key in self.admin_keys[:3]:
            self.run("gov", "sign", path, "--key", key.path)
        args = ["gov", "submit", path, "--node", f"http://127.0.0.1:{self.cluster.api_ports[node]}"]
        if wait:
            args += ["--wait", "--timeout-ms", "60000"]
        return self.run(*args)


def governance_height(cluster, node, seq):
    """The height of the block that committed action `seq`, as node `node` lists it."""
    status, body = cluster.api(node, "GET", "/v1/governance", timeout_s=5)
    if status != 200:
        return None
    for action in body.get("actions", []):
        if action.get("seq") == seq and "height" in action:
            return action["height"]
    return None


def commit_receipt(cluster, node, label, receipts):
    """Submits one record to `node` with ?wait=commit and keeps its receipt under `label`."""
    record_id, record, document = cluster.make_record_with_document(case_id=f"(2026)鲁0831{label}号")
    status, body = cluster.api(node, "POST", "/v1/records?wait=commit", record, timeout_s=60)
    check(status in (201, 202),
          f"{label}: record refused by node {node + 1}: HTTP {status} {str(body)[:300]}")
    if status == 202:  # the node's wait ended first (a slow machine): follow the record
        def committed():
            code, view = cluster.api(node, "GET", f"/v1/records/{record_id}?digest={record['digest']}",
                                     timeout_s=5)
            return view if code == 200 and view.get("status") == "committed" else None
        body = wait_until(f"{label}: record committed on node {node + 1}", committed, 90, 0.2)
    receipts[label] = (record_id, body["receipt"], document)
    return body["receipt"]


def validators_in_force(cluster, node):
    status, body = cluster.api(node, "GET", "/v1/validators", timeout_s=5)
    check(status == 200, f"GET /v1/validators on node {node + 1}: HTTP {status} {body}")
    return body


def voting_as(cluster, node):
    """The validator name node `node` votes as at its height (None: it does not vote)."""
    status, body = cluster.api(node, "GET", "/v1/status", timeout_s=5)
    return body.get("validator") if status == 200 else None


def make_v2_genesis(cluster, admin_keys):
    """Rewrites the cluster's version-1 genesis as version 2 with one admin key per institution."""
    with open(cluster.genesis_path, encoding="utf-8") as f:
        genesis = json.load(f)
    genesis["v"] = 2
    genesis["observers"] = []
    genesis["params"] = {"batch_records_max": 10000, "block_bytes_max": 16777216,
                         "block_records_max": 10000, "governance_threshold": 3,
                         "record_future_skew_ms": 300000, "record_past_window_ms": 604800000}
    genesis["admins"] = [{"institution": institution, "keys": [admin_keys[i].public_pem]}
                         for i, (_, institution) in enumerate(VALIDATORS)]
    with open(cluster.genesis_path, "w", encoding="utf-8") as out:
        out.write(jcs(genesis) + "\n")


def add_fifth_node(cluster):
    """Keys, ports and node.toml of the fifth node (genesis does not name it)."""
    directory = cluster.node_dir(NEW)
    os.makedirs(directory, exist_ok=True)
    cluster.api_ports.append(free_port())
    cluster.p2p_ports.append(free_port())
    vote = Ed25519Key(os.path.join(directory, "vote.pem"))
    next_vote = Ed25519Key(os.path.join(directory, "vote-next.pem"))
    node = Ed25519Key(os.path.join(directory, "node.pem"))
    for key, name in ((vote, "vote.pub.pem"), (next_vote, "vote-next.pub.pem"),
                      (node, "node.pub.pem")):
        with open(os.path.join(directory, name), "w") as out:
            out.write(key.public_pem)
    propose_ms, vote_ms = cluster.timeouts_ms
    with open(os.path.join(directory, "node.toml"), "w") as out:
        out.write(f"""# the fifth node: an observer until governance adds its vote key
[node]
name = "{NEW_NAME}"
genesis = "{cluster.genesis_path}"
data_dir = "{os.path.join(directory, 'data')}"
vote_key = "{vote.path}"
next_vote_key = "{next_vote.path}"
node_key = "{node.path}"

[p2p]
listen = "127.0.0.1:{cluster.p2p_ports[NEW]}"

[api]
listen = "127.0.0.1:{cluster.api_ports[NEW]}"

[consensus]
timeout_propose_ms = {propose_ms}
timeout_vote_ms = {vote_ms}
""")
    return (os.path.join(directory, "vote.pub.pem"), os.path.join(directory, "node.pub.pem"),
            os.path.join(directory, "vote-next.pub.pem"))


def test(cluster, evidence):
    started = time.monotonic()
    admin_keys = [Ed25519Key(os.path.join(cluster.dir, f"admin{i + 1}.pem")) for i in range(5)]
    make_v2_genesis(cluster, admin_keys)
    vote_pub, node_pub, next_vote_pub = add_fifth_node(cluster)
    with open(os.path.join(cluster.dir, "admin5.pub.pem"), "w") as out:
        out.write(admin_keys[4].public_pem)
    gov = Governance(evidence, cluster, admin_keys)
    receipts = {}

    cluster.start_all()
    cluster.start(NEW)
    cluster.wait_ready(range(4), timeout_s=30)
    load = None
    try:
        commit_receipt(cluster, 0, "before-any-change", receipts)
        # A stranger: the others refuse its node key at the handshake.
        wait_until("node 1 refuses the fifth node's key",
                   lambda: "not the node key of any node in the register" in cluster.log_text(0), 30)
        height_new = wait_until("the fifth node's API answers",
                                lambda: cluster.height(NEW) is not None and [cluster.height(NEW)], 30)
        check(height_new == [0], f"the fifth node synced before it was admitted: {height_new}")

        # 1. Admitted as an observer (its institution gets an admin key too, for step 2).
        # The load starts after it: this block carries the action and no record.
        gov.submit(0, "add-observer", "--name", NEW_NAME, "--institution", NEW_INSTITUTION,
                   "--node-key", node_pub, "--address", f"127.0.0.1:{cluster.p2p_ports[NEW]}")
        wait_until("a block that carries the action alone",
                   lambda: any("records=0 governance_actions=1" in cluster.log_text(i)
                               for i in range(4)), 10)
        # Still no records: the nodes make the one more block the action needs to take
        # effect by themselves (an empty one), and admit the observer's node key.
        for i in range(4):
            wait_until(f"node {i + 1} admits the observer on a quiet network",
                       lambda i=i: "event=peer_admitted peer=audit-bureau" in cluster.log_text(i), 15)
        load = Load(cluster, range(4))
        gov.submit(1, "add-admin-key", "--institution", NEW_INSTITUTION,
                   "--key", os.path.join(cluster.dir, "admin5.pub.pem"))
        wait_until("the observer syncs", lambda: (cluster.height(NEW) or 0) >= (cluster.height(0) or 1) - 1
                   and (cluster.height(NEW) or 0) > 2, 60, 0.2)
        check(voting_as(cluster, NEW) is None, "the observer votes")
        commit_receipt(cluster, NEW, "posted-to-the-observer", receipts)
        status, body = cluster.api(NEW, "GET", "/v1/governance", timeout_s=5)
        check(status == 200, f"the observer does not serve GET /v1/governance: HTTP {status}")
        load.phase_done("observer admitted")
        load.set_nodes([0, 1, 2, 3, NEW])

        # 2. Promoted to validator: the action is posted to the observer, which forwards it.
        gov.submit(NEW, "add-validator", "--name", NEW_NAME, "--institution", NEW_INSTITUTION,
                   "--vote-key", vote_pub, "--node-key", node_pub, "--power", "1",
                   "--address", f"127.0.0.1:{cluster.p2p_ports[NEW]}")
        wait_until("the fifth node votes", lambda: voting_as(cluster, NEW) == NEW_NAME, 60, 0.2)
        in_force = validators_in_force(cluster, 0)
        print("validators in force:", json.dumps(in_force, ensure_ascii=False)[:400])
        commit_receipt(cluster, 1, "after-add-validator", receipts)

        load.phase_done("fifth validator added")
        # 3. An original validator stops: 4 of 5 equal powers is exactly the quorum, so
        # every block from now on carries the new validator's precommit.
        load.set_nodes([0, 1, 2, NEW])
        cluster.stop(3)
        height_at_stop = max(cluster.height(i) or 0 for i in (0, 1, 2, NEW))
        receipt = commit_receipt(cluster, 2, "quorum-needs-the-new-validator", receipts)
        signers = sorted(signature["validator"] for signature in receipt["commit"]["signatures"])
        check(4 in signers and 3 not in signers,
              f"the commit after notary-office stopped was signed by validators {signers}")
        print(f"commit at height {receipt['commit']['height']} signed by validators {signers}")
        wait_until("blocks keep committing without notary-office",
                   lambda: (cluster.height(0) or 0) >= height_at_stop + 5, 60, 0.2)

        load.phase_done("quorum with the new validator")
        # 4. The stopped validator is removed: four validators again.
        removal = gov.submit(0, "remove-validator", "--name", VALIDATORS[3][0])
        print(removal.strip())
        removed_at = wait_until("remove-validator committed", lambda: governance_height(cluster, 0, 4), 30)
        wait_until("the removal is in force",
                   lambda: (cluster.height(0) or 0) >= removed_at + 3, 60, 0.2)
        commit_receipt(cluster, NEW, "after-remove-validator", receipts)
        # The others dropped the removed validator: its slot is gone and its key refused.
        for i in (0, 1, 2, NEW):
            wait_until(f"node {i + 1} drops notary-office",
                       lambda i=i: "event=peer_removed peer=notary-office" in cluster.log_text(i), 10)
        check(len(validators_in_force(cluster, 0)["validators"]) == 4, "not four validators in force")

        load.phase_done("validator removed")
        # 5. The new validator's vote key is rotated (seq 5); its node holds the next key
        # (next_vote_key) and signs with it from the activation height, without a restart.
        # Then court stops: 3 of 4 is the quorum, so the rotated key's precommit is needed.
        gov.submit(1, "rotate-validator-keys", "--name", NEW_NAME, "--vote-key", next_vote_pub)
        rotated_at = wait_until("rotation committed", lambda: governance_height(cluster, 0, 5), 30)
        wait_until("the rotation is in force",
                   lambda: (cluster.height(0) or 0) >= rotated_at + 3, 60, 0.2)
        load.set_nodes([0, 1, NEW])
        cluster.stop(2)
        receipt = commit_receipt(cluster, NEW, "after-vote-key-rotation", receipts)
        signers = sorted(signature["validator"] for signature in receipt["commit"]["signatures"])
        check(signers == [0, 1, 3], f"the commit after the rotation was signed by {signers}")
        check("event=node_started" in cluster.log_text(NEW)
              and cluster.log_text(NEW).count("event=node_started") == 1, "the fifth node restarted")

        load.phase_done("vote key rotated")
        # 6. Its node key is rotated (seq 6). At the activation height the others refuse the
        # old key and accept the new one; its vote is needed (court is down), so the chain
        # waits until the node restarts with the new key, then commits again.
        new_node_key = Ed25519Key(os.path.join(cluster.node_dir(NEW), "node-next.pem"))
        new_node_pub = os.path.join(cluster.node_dir(NEW), "node-next.pub.pem")
        with open(new_node_pub, "w") as out:
            out.write(new_node_key.public_pem)
        gov.submit(0, "rotate-validator-keys", "--name", NEW_NAME, "--node-key", new_node_pub)
        for i in (0, 1):
            wait_until(f"node {i + 1} refuses the old node key",
                       lambda i=i: "event=peer_removed peer=audit-bureau" in cluster.log_text(i), 30)
        load.set_nodes([0, 1])
        cluster.stop(NEW)
        config = os.path.join(cluster.node_dir(NEW), "node.toml")
        with open(config) as f:
            text = f.read()
        with open(config, "w") as out:
            out.write(text.replace(f'node_key = "{cluster.node_dir(NEW)}/node.pem"',
                                   f'node_key = "{new_node_key.path}"'))
        cluster.start(NEW)
        receipt = commit_receipt(cluster, 0, "after-node-key-rotation", receipts)
        signers = sorted(signature["validator"] for signature in receipt["commit"]["signatures"])
        check(signers == [0, 1, 3], f"the commit after the node key rotation was signed by {signers}")
        load.phase_done("node key rotated")
    finally:
        if load is not None:
            load.stop()
    print(f"load: {load.accepted} records accepted, {load.deferred} deferred (429/503), "
          f"{load.refused} refused; by phase: {load.phases}")
    check(load.refused == 0, f"{load.refused} records of the load were refused")
    # Steady load: records went in while each change was made.
    check(all(count > 0 for _, count in load.phases), f"a phase ran without load: {load.phases}")
    # The load's records reach blocks (those taken by notary-office just before it stopped
    # may still be in its mempool only).
    wait_until("the load's records committed",
               lambda: (cluster.tree_head(0) or (0,))[0] >= 0.9 * load.accepted + len(receipts), 30, 0.2)

    # Every receipt verifies with the original genesis file alone.
    for label, (record_id, receipt, document) in receipts.items():
        path = os.path.join(cluster.dir, f"receipt-{label}.json")
        with open(path, "w", encoding="utf-8") as out:
            json.dump(receipt, out, ensure_ascii=False)
        document_path = os.path.join(cluster.dir, f"document-{label}.pdf")
        with open(document_path, "wb") as out:
            out.write(document)
        output = gov.run("verify", document_path, "--receipt", path, "--genesis",
                         cluster.genesis_path)
        print(f"verify {label} ({record_id[:12]}, receipt v{receipt.get('v')}): "
              f"{output.strip().splitlines()[0] if output.strip() else ''}")

    # Every store passes the audit (the stopped one, and the others once stopped).
    for i in (0, 1, NEW):
        cluster.stop(i)
    for i in (0, 1, 2, 3, NEW):
        output = gov.run("audit", "--data", os.path.join(cluster.node_dir(i), "data"),
                         "--genesis", cluster.genesis_path)
        print(f"audit node {i + 1}: {output.strip().splitlines()[-1] if output.strip() else ''}")
    print(f"took {time.monotonic() - started:.1f}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--node", required=True, help="path of the evidence-node binary")
    parser.add_argument("--evidence", required=True, help="path of the evidence CLI")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    work_dir = tempfile.mkdtemp(prefix="evidence-e2e-governance-join-")
    cluster = Cluster(os.path.abspath(args.node), work_dir)
    ok = False
    try:
        test(cluster, os.path.abspath(args.evidence))
        ok = True
    except Exception:
        traceback.print_exc()
    finally:
        cluster.close()
        if not ok:
            for i in range(5):
                path = os.path.join(cluster.node_dir(i), "node.log")
                if os.path.exists(path):
                    lines = cluster.log_text(i).splitlines()
                    print(f"----- node {i + 1} log (last 40 of {len(lines)} lines)")
                    print("\n".join(lines[-40:]))
        if ok and not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            print(f"files kept in {work_dir}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
