#!/usr/bin/env python3
"""End-to-end tests with real evidence-node processes on 127.0.0.1 (DESIGN.md §9).

  e2e_test.py --node BIN crash_recovery     four validators; records; SIGKILL one and keep
                                            committing; restart it; wipe another and restart
                                            it; all four reach the same tree head holding
                                            every committed record
  e2e_test.py --node BIN no_double_sign     a validator SIGKILLed again and again while it
                                            votes never signs two different votes for one
                                            (height, round, type), as it and its peers saw
  e2e_test.py --node BIN stranger_refused   a TLS client whose key is not in genesis cannot
                                            talk to the p2p port; a genesis node key can
  e2e_test.py --node BIN --evidence CLI backup_restore
                                            `evidence backup` of a running validator while
                                            records pour in; the validator's disk is lost;
                                            `evidence restore` into a fresh directory audits
                                            clean; the node warns it has no WAL, catches up
                                            from its peers and holds every record

Each test makes its own temporary directory and free ports, and stops every process it
started, even on failure. Exit 0 on success; on failure the tail of each node's log is
printed.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import socket
import ssl
import sys
import tempfile
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster, Ed25519Key, wait_until  # noqa: E402


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def submit(cluster, node, count, wait=False):
    """Submits `count` records to `node`; returns {record id: record}."""
    submitted = {}
    for _ in range(count):
        record_id, record = cluster.make_record()
        path = "/v1/records?wait=commit" if wait else "/v1/records"
        status, body = cluster.api(node, "POST", path, record)
        check(status in (201, 202), f"submit to node {node + 1}: HTTP {status} {body}")
        check(body.get("id") == record_id, f"node computed id {body.get('id')}, expected {record_id}")
        submitted[record_id] = record
    return submitted


def wait_committed(cluster, node, ids, timeout_s=60):
    def all_committed():
        for record_id in ids:
            status, body = cluster.api(node, "GET", f"/v1/records/{record_id}", timeout_s=5)
            if status != 200 or body.get("status") != "committed":
                return False
        return True
    wait_until(f"{len(ids)} records committed on node {node + 1}", all_committed, timeout_s, 0.2)


def same_tree_head(cluster, nodes, size):
    heads = [cluster.tree_head(i) for i in nodes]
    if any(head is None for head in heads):
        return False
    return heads if len({h[:2] for h in heads}) == 1 and heads[0][0] == size else False


# ---------------------------------------------------------------------- tests

def crash_recovery(cluster):
    all_nodes = range(4)
    cluster.start_all()
    cluster.wait_ready(all_nodes)
    started = time.monotonic()
    committed = {}
    committed.update(submit(cluster, 0, 30))
    committed.update(submit(cluster, 1, 1, wait=True))
    wait_committed(cluster, 2, committed)
    phase1 = time.monotonic() - started

    print("SIGKILL node 4; keep committing through nodes 1-3")
    cluster.kill(3)
    batch = submit(cluster, 1, 20)
    batch.update(submit(cluster, 2, 1, wait=True))
    wait_committed(cluster, 0, batch)
    committed.update(batch)

    print("restart node 4 (it catches up by sync)")
    cluster.start(3)
    cluster.wait_ready([3])
    wait_committed(cluster, 3, committed)

    print("wipe node 3 and restart it")
    code = cluster.stop(2)
    check(code == 0, f"node 3 did not stop cleanly on SIGTERM: {code}")
    check("event=node_stopped" in cluster.log_text(2), "node 3 logged no clean stop")
    cluster.wipe(2)
    batch = submit(cluster, 0, 20)
    batch.update(submit(cluster, 3, 1, wait=True))
    committed.update(batch)
    cluster.start(2)
    cluster.wait_ready([2])
    committed.update(submit(cluster, 2, 10, wait=False))

    heads = wait_until("all four nodes at one tree head holding every record",
                       lambda: same_tree_head(cluster, all_nodes, len(committed)), 90, 0.2)
    for i in all_nodes:
        wait_committed(cluster, i, committed)
    total = time.monotonic() - started
    print(f"tree head size={heads[0][0]} root={heads[0][1]} height={heads[0][2]} on all four; "
          f"{len(committed)} records; first 31 committed in {phase1:.2f}s "
          f"({31 / phase1:.1f} records/s with ?wait=commit round trips); whole test {total:.1f}s")

    # Throughput: pre-signed records submitted by 8 clients spread over the four nodes.
    load = [cluster.make_record() for _ in range(400)]
    size_before = len(committed)
    checks_before = [cluster.metric(i, "evidence_signature_checks_total") for i in all_nodes]
    started = time.monotonic()

    def client(k):
        for j in range(k, len(load), 8):
            status, body = cluster.api(j % 4, "POST", "/v1/records", load[j][1])
            check(status == 202, f"load submit: HTTP {status} {body}")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(client, range(8)))
    submitted_s = time.monotonic() - started
    committed.update(dict(load))
    wait_until("the load committed on node 1",
               lambda: (cluster.tree_head(0) or (0,))[0] == size_before + len(load), 60, 0.05)
    load_s = time.monotonic() - started
    print(f"load: {len(load)} records submitted in {submitted_s:.2f}s, all committed after "
          f"{load_s:.2f}s: {len(load) / load_s:.0f} records/s")
    heads = wait_until("all four nodes at one tree head after the load",
                       lambda: same_tree_head(cluster, all_nodes, len(committed)), 60, 0.1)
    # Gossip reached every node: none dropped a peer's frame (dropped gossip leaves
    # records with their entry node only, and rounds time out on empty proposers).
    for i in all_nodes:
        dropped = cluster.metric(i, "evidence_peer_frames_dropped_total")
        check(dropped == 0, f"node {i + 1} dropped {dropped} peer frames under the load")
        dropped = cluster.metric(i, "evidence_peer_send_frames_dropped_total")
        check(dropped == 0, f"node {i + 1} dropped {dropped} frames from its send queues")
    # Every node verified every record of the load itself, and only once: whether a
    # record reached it first by gossip, by its API or inside a proposal.
    for i in all_nodes:
        checks = cluster.metric(i, "evidence_signature_checks_total") - checks_before[i]
        check(checks == len(load),
              f"node {i + 1} made {checks:.0f} signature checks for {len(load)} records")

    # A consistency proof from an early head to the final one, served by the wiped node.
    status, proof = cluster.api(2, "GET", f"/v1/consistency?from=31&to={len(committed)}")
    check(status == 200 and proof.get("proof"), f"consistency proof: HTTP {status} {proof}")
    # The case trail needs an authorised reader.
    case_path = "/v1/cases/" + urllib.parse.quote("(2026)鲁0831行复12号", safe="")
    status, _ = cluster.api(0, "GET", case_path)
    check(status == 401, f"case trail without a token: HTTP {status}")
    status, trail = cluster.api(0, "GET", case_path,
                                headers={"Authorization": f"Bearer {cluster.reader_token}"})
    check(status == 200 and len(trail.get("records", [])) == len(committed),
          f"case trail: HTTP {status}, {len(trail.get('records', [])) if status == 200 else trail}")
    for i in all_nodes:
        check(cluster.running(i), f"node {i + 1} exited")


VOTE_LINE = re.compile(r"event=vote_signed .*type=(\w+) height=(\d+) round=(\d+) block=(\w+)")


def signed_votes(log_text):
    votes = {}
    for match in VOTE_LINE.finditer(log_text):
        key = (match.group(1), int(match.group(2)), int(match.group(3)))
        votes.setdefault(key, set()).add(match.group(4))
    return votes


def stalled_restart(cluster, victim, committed):
    """The victim signs at a height that cannot finish (two validators down), is
    SIGKILLed there and restarted: it must come back with what it signed (WAL) and
    sign nothing conflicting once the others return."""
    others_down = [i for i in range(4) if i not in (0, victim)]
    for i in others_down:
        cluster.stop(i)
    height = cluster.height(victim) + 1
    record_id, record = cluster.make_record()
    status, body = cluster.api(0, "POST", "/v1/records", record)
    check(status == 202, f"submit while stalled: HTTP {status} {body}")
    wait_until(f"the victim signed a vote at the stalled height {height}",
               lambda: re.search(rf"event=vote_signed .* height={height} ", cluster.log_text(victim)),
               30)
    cluster.kill(victim)
    cluster.start(victim)
    wait_until("the victim restored its signer state from the WAL",
               lambda: re.search(rf"event=wal_restored height={height} ", cluster.log_text(victim)),
               30)
    for i in others_down:
        cluster.start(i)
    committed[record_id] = record
    wait_committed(cluster, victim, [record_id])
    return height


def no_double_sign(cluster):
    cluster.start_all()
    cluster.wait_ready(range(4))
    victim = 1
    committed = {}
    stalled_height = stalled_restart(cluster, victim, committed)
    cluster.wait_ready(range(4))
    for crash in range(5):
        # Records flow through the other nodes while the victim votes; it dies mid-height.
        batch = submit(cluster, 0, 5)
        batch.update(submit(cluster, 2, 1, wait=True))
        committed.update(batch)
        wait_until("the victim signed votes", lambda: VOTE_LINE.search(cluster.log_text(victim)), 30)
        batch = submit(cluster, 3, 3)
        cluster.kill(victim)
        committed.update(batch)
        cluster.start(victim)
        cluster.wait_ready([victim])
    wait_committed(cluster, victim, committed)
    votes = signed_votes(cluster.log_text(victim))
    check(votes, "the victim's log shows no signed votes")
    conflicts = {key: hashes for key, hashes in votes.items() if len(hashes) > 1}
    check(not conflicts, f"the victim signed conflicting votes: {conflicts}")
    for i in range(4):
        check("event=duplicate_vote" not in cluster.log_text(i),
              f"node {i + 1} saw a duplicate vote")
    stalled = sorted(k for k in votes if k[1] == stalled_height)
    print(f"victim SIGKILLed while stalled at height {stalled_height} after signing {stalled}, "
          f"restored from its WAL, and 5 more times under load; "
          f"{len(votes)} (type, height, round) signed, "
          f"never two block hashes for one; no peer saw a duplicate vote; "
          f"{len(committed)} records committed")


def tls_talk(port, key_pem_path, cert_path, protocols=("evidence-p2p/1",)):
    """Connects with this client key, offering these p2p protocols (ALPN); returns the
    bytes the node sent (b'' when refused)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(cert_path, key_pem_path)
    if protocols:
        context.set_alpn_protocols(list(protocols))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw) as tls:
                tls.settimeout(5)
                return tls.recv(65536)
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
            return b""


def stranger_refused(cluster):
    # Node 4 is not started: its genesis node key is the positive control.
    for i in range(3):
        cluster.start(i)
    cluster.wait_ready(range(3))
    port = cluster.p2p_ports[0]
    stranger = Ed25519Key(os.path.join(cluster.dir, "stranger.pem"))
    stranger_cert = os.path.join(cluster.dir, "stranger.crt")
    stranger.self_signed_certificate(stranger_cert, "stranger")
    check(tls_talk(port, stranger.path, stranger_cert) == b"",
          "a key not in genesis was let in and sent data")
    member = cluster.node_keys[3]
    member_cert = os.path.join(cluster.dir, "member.crt")
    member.self_signed_certificate(member_cert, "notary-office")
    check(tls_talk(port, member.path, member_cert) != b"",
          "the genesis node key of node 4 was refused (the control failed)")
    check("event=p2p_refused" in cluster.log_text(0), "node 1 did not log the refusal")
    # The right key, but another p2p protocol version, or none (an older release).
    check(tls_talk(port, member.path, member_cert, ("evidence-p2p/2",)) == b"",
          "a peer of p2p protocol evidence-p2p/2 was let in")
    # The node logs a refusal after it closed the connection: wait for the line.
    wait_until("node 1 names the protocol versions",
               lambda: "peer speaks p2p protocol evidence-p2p/2, this node evidence-p2p/1"
               in cluster.log_text(0), 30)
    check(tls_talk(port, member.path, member_cert, ()) == b"",
          "a peer without a p2p protocol version was let in and sent data")
    wait_until("node 1 says the peer speaks no protocol version",
               lambda: "speaks no p2p protocol version, this node evidence-p2p/1"
               in cluster.log_text(0), 30)
    print("stranger refused at the TLS handshake; genesis node key accepted and sent a frame; "
          "other and missing p2p protocol versions refused by name")


def run_cli(evidence, *args):
    import subprocess
    done = subprocess.run([evidence, *args], capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"evidence {' '.join(args)}: exit {done.returncode}\n"
                                f"{done.stdout}{done.stderr}")
    return done.stdout


def backup_restore(cluster, evidence):
    all_nodes = range(4)
    victim = 1
    cluster.start_all()
    cluster.wait_ready(all_nodes)
    committed = submit(cluster, 0, 20, wait=False)
    wait_committed(cluster, victim, committed)

    # Load: records keep arriving at node 1 while the backup of node 2 is taken.
    import threading
    stop = threading.Event()
    during = {}

    def load():
        while not stop.is_set():
            during.update(submit(cluster, 0, 5))

    loader = threading.Thread(target=load)
    loader.start()
    try:
        wait_until("records committed during the load",
                   lambda: len(during) >= 20 and cluster.height(victim) is not None, 60)
        backup_file = os.path.join(cluster.dir, "node2.backup")
        out = run_cli(evidence, "backup", "--node-data", os.path.join(cluster.node_dir(victim), "data"),
                      "--out", backup_file)
        print(out.strip())
        check("wrote " + backup_file in out and "sha256" in out, out)
        backup_height = int(re.search(r"height (\d+)", out).group(1))
        check(backup_height >= 1, out)
        wait_until("more records during the load", lambda: len(during) >= 60, 60)
    finally:
        stop.set()
        loader.join()
    check("event=backup_served" in cluster.log_text(victim) or
          '"event":"backup_served"' in cluster.log_text(victim), "node 2 did not log the backup")

    # The server is lost: the node is dead (SIGKILL) and its disk gone, WAL included.
    cluster.kill(victim)
    cluster.wipe(victim)
    after = submit(cluster, 0, 10, wait=True)
    data_dir = os.path.join(cluster.node_dir(victim), "data")
    restored = run_cli(evidence, "restore", backup_file, "--data", data_dir,
                       "--genesis", cluster.genesis_path)
    print(restored.strip())
    check("audit OK" in restored and f"height {backup_height}" in restored, restored)
    check("no consensus.wal" in restored, restored)
    audit = run_cli(evidence, "audit", "--data", os.path.join(data_dir, "store"),
                    "--genesis", cluster.genesis_path)
    check(audit.startswith("OK:"), audit)

    cluster.start(victim)
    cluster.wait_ready([victim])
    every = {**committed, **during, **after}
    wait_committed(cluster, 0, every)
    size = cluster.tree_head(0)[0]
    heads = wait_until("node 2 caught up with the same tree head",
                       lambda: same_tree_head(cluster, all_nodes, size), 60)
    wait_committed(cluster, victim, every)
    log = cluster.log_text(victim)
    check("wal_missing" in log, "the restored node did not warn about its missing WAL")
    print(f"backup at height {backup_height}; restored node caught up to {heads[0]} "
          f"with {len(every)} records")


TESTS = {"crash_recovery": crash_recovery, "no_double_sign": no_double_sign,
         "stranger_refused": stranger_refused, "backup_restore": backup_restore}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--node", required=True, help="path of the evidence-node binary")
    parser.add_argument("--evidence", help="path of the evidence CLI (backup_restore)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("test", choices=sorted(TESTS))
    args = parser.parse_args()
    work_dir = tempfile.mkdtemp(prefix=f"evidence-e2e-{args.test}-")
    cluster = Cluster(os.path.abspath(args.node), work_dir)
    ok = False
    try:
        if args.test == "backup_restore":
            TESTS[args.test](cluster, os.path.abspath(args.evidence))
        else:
            TESTS[args.test](cluster)
        ok = True
    except Exception:
        traceback.print_exc()
    finally:
        cluster.close()
        if not ok:
            for i in range(4):
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
