#!/usr/bin/env python3
"""End-to-end tests of a validator whose storage fails (issue 16; docs/reliability.md §3).

  storage_faults_test.py --node BIN --evidence CLI disk_full
      node 1's data directory is a small tmpfs. Filled below its reserve, node 1 logs one
      event=disk_full line, answers submissions 503 and /readyz 503, and writes no block
      while the others commit; space freed, it logs event=disk_space_returned, catches up
      and takes records again. Then, with no reserve, its disk filled to the last byte
      under load: it stops (crash-stop) when a write fails rather than go on with a store
      or WAL it could not write; space freed, it starts again, its store audits clean and
      it catches up.

  storage_faults_test.py --node BIN --evidence CLI --store-damage BIN damaged_store
      node 1 stopped; evidence-store-damage changes one block, one record index entry and
      one inner Merkle node (through LevelDB: every checksum still holds). Node 1 starts
      (its open-time checks cover the head only) but serves no proof of the three records
      they touch: 503 and event=store_damaged, while every other record's receipt proves what
      its peers' receipts prove. Then a Merkle node of the head's frontier: node 1 refuses to
      start, naming the damage and --resync. `evidence-node --resync` sets the store aside,
      keeps consensus.wal (the signer state is restored before the store has a block),
      rebuilds the store from the peers, serves every receipt again and takes part in
      consensus; no vote it signed conflicts with another; its new store audits clean.

disk_full needs root for the tmpfs mount (scripts/test.sh runs as root); without it the test says
so and exits 77 (ctest: skipped). Each test makes its own temporary directory and free
ports, and stops every process it started, even on failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster, wait_until  # noqa: E402
from e2e_test import check, run_cli, same_tree_head, submit, wait_committed  # noqa: E402

MIB = 1024 * 1024
SKIPPED = 77
TMPFS_BYTES = 96 * MIB
RESERVE_BYTES = 24 * MIB


def mount_tmpfs(path, size_bytes):
    os.makedirs(path, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0700",
                           "tmpfs", path], capture_output=True, text=True)
    return done.returncode == 0, done.stderr.strip()


def free_bytes(path):
    disk = os.statvfs(path)
    return disk.f_bavail * disk.f_frsize


def fill(path, leave_bytes):
    """Writes a filler file into `path` until at most `leave_bytes` are free (0: until
    the file system refuses). Returns the filler's path."""
    filler = os.path.join(path, "filler")
    chunk = b"\0" * MIB
    with open(filler, "ab", buffering=0) as out:
        while free_bytes(path) > leave_bytes:
            room = free_bytes(path) - leave_bytes
            try:
                out.write(chunk if room >= len(chunk) else chunk[:max(room, 4096)])
            except OSError:  # ENOSPC: full to the last block
                break
    return filler


def audit(evidence, cluster, i):
    out = run_cli(evidence, "audit", "--data", os.path.join(cluster.node_dir(i), "data"),
                  "--genesis", cluster.genesis_path)
    check(out.startswith("OK:"), f"audit of node {i + 1}: {out}")
    return out.strip()


def disk_full_lines(cluster, i):
    return cluster.log_text(i).count("event=disk_full")


def largest_tree_size(cluster, nodes):
    """The largest tree size any of nodes holds now. Once no record is in flight it is the
    size every node must reach: a node that waited for its own records may be a block ahead
    of one that did not, so no single node's size is the target."""
    return max((cluster.tree_head(i) or (0,))[0] for i in nodes)


def disk_full(cluster, evidence):
    victim, other = 0, 1
    data = os.path.join(cluster.node_dir(victim), "data")
    mounted, why = mount_tmpfs(data, TMPFS_BYTES)
    if not mounted:
        print(f"SKIPPED: cannot mount a tmpfs for the full disk ({why}); run as root")
        return SKIPPED
    try:
        paused(cluster, evidence, victim, other, data)
        crash_stop(cluster, evidence, victim, other, data)
    finally:
        cluster.close()
        subprocess.run(["umount", "-l", data], check=False)
    return 0


def paused(cluster, evidence, victim, other, data):
    """Below the reserve: 503, one log line, no block written; resumes when space returns."""
    all_nodes = range(4)
    cluster.write_config(victim, f"\n[disk]\nreserve_bytes = {RESERVE_BYTES}\n")
    cluster.start_all()
    cluster.wait_ready(all_nodes)
    before = submit(cluster, victim, 5, wait=True)

    filler = fill(data, RESERVE_BYTES // 2)
    wait_until("node 1 logs event=disk_full", lambda: disk_full_lines(cluster, victim) == 1, 30)
    record_id, record = cluster.make_record()
    status, body = cluster.api(victim, "POST", "/v1/records", record)
    check(status == 503 and body.get("type", "").endswith("/not-ready")
          and "disk is full" in body.get("detail", ""),
          f"a submission to the full node: HTTP {status} {body}")
    check(cluster.api(victim, "GET", "/readyz")[0] == 503, "the full node says it is ready")
    check(cluster.metric(victim, "evidence_disk_full") == 1, "evidence_disk_full is not 1")
    held_height = cluster.height(victim)

    # The three others go on; the full node writes no block meanwhile.
    during = submit(cluster, other, 8, wait=True)
    status, body = cluster.api(other, "POST", "/v1/records", record)  # the refused one, resent
    check(status in (201, 202), f"resent to node {other + 1}: HTTP {status} {body}")
    during[record_id] = record
    wait_committed(cluster, other, during)
    others_height = cluster.height(other)
    check(others_height > held_height, f"the others did not commit ({others_height})")
    check(cluster.height(victim) == held_height,
          f"the full node stored blocks: height {held_height} -> {cluster.height(victim)}")
    check(disk_full_lines(cluster, victim) == 1,
          f"event=disk_full logged {disk_full_lines(cluster, victim)} times, not once")
    print(f"disk full: node 1 paused at height {held_height} with "
          f"{free_bytes(data) // 1024} KiB free (reserve {RESERVE_BYTES // MIB} MiB); "
          f"submission answered 503; the others reached height {others_height}")

    os.remove(filler)
    wait_until("node 1 logs event=disk_space_returned",
               lambda: "event=disk_space_returned" in cluster.log_text(victim), 30)
    wait_committed(cluster, victim, {**before, **during})
    after = submit(cluster, victim, 5, wait=True)
    every = {**before, **during, **after}
    size = largest_tree_size(cluster, all_nodes)
    wait_until("the same tree head on all four", lambda: same_tree_head(cluster, all_nodes, size), 60)
    check(cluster.metric(victim, "evidence_disk_full") == 0, "evidence_disk_full is not 0")
    code = cluster.stop(victim)
    check(code == 0, f"node 1 exited {code} after SIGTERM")
    print(f"space returned: node 1 caught up and took records again ({len(every)} records "
          f"committed); {audit(evidence, cluster, victim)}")
    return every


def crash_stop(cluster, evidence, victim, other, data):
    """No reserve and a disk full to the last byte: a failed write stops the node; nothing
    it stored is damaged and it catches up once space returns."""
    cluster.write_config(victim, "\n[disk]\nreserve_bytes = 0\n")
    cluster.start(victim)
    cluster.wait_ready([victim])
    filler = fill(data, 0)
    committed = {}
    deadline = time.monotonic() + 90
    code = None
    while code is None and time.monotonic() < deadline:
        committed.update(submit(cluster, other, 5, wait=True))
        code = cluster.reap(victim)
    check(code is not None, f"node 1 still runs on a full disk after {len(committed)} records")
    log = cluster.log_text(victim)
    failed = [line for line in log.splitlines()
              if "event=wal_append_failed" in line or "event=store_append_failed" in line]
    check(failed, f"node 1 exited {code} on a full disk without naming the failed write")
    print(f"full to the last byte: node 1 stopped (exit {code}) after {len(committed)} more "
          f"records: {failed[0][:200]}")

    os.remove(filler)
    cluster.start(victim)
    cluster.wait_ready([victim])
    wait_committed(cluster, victim, committed)
    size = largest_tree_size(cluster, range(4))
    wait_until("the same tree head on all four", lambda: same_tree_head(cluster, range(4), size), 60)
    code = cluster.stop(victim)
    check(code == 0, f"node 1 exited {code} after SIGTERM")
    print(f"space returned: node 1 restarted, replayed its WAL and caught up; "
          f"{audit(evidence, cluster, victim)}")


def committed_one_by_one(cluster, node, count):
    """Records committed one at a time (each in a block of its own, mostly): {id: receipt}."""
    receipts = {}
    for _ in range(count):
        record_id, record = cluster.make_record()
        status, body = cluster.api(node, "POST", "/v1/records?wait=commit", record)
        check(status == 201, f"submit with wait: HTTP {status} {body}")
        receipts[record_id] = (record, body["receipt"])
    return receipts


def record_answer(cluster, node, record_id, record):
    return cluster.api(node, "GET", f"/v1/records/{record_id}?digest={record['digest']}", timeout_s=10)


def same_proof(mine, theirs):
    """Two receipts of one record prove the same: all but the commit's signatures equal (each
    node stores the quorum of precommits it collected)."""
    if mine is None or theirs is None:
        return False
    strip = lambda r: {k: v for k, v in r.items() if k != "commit"}  # noqa: E731
    return strip(mine) == strip(theirs) and \
        mine["commit"]["block_hash"] == theirs["commit"]["block_hash"]


def damage(tool, cluster, i, *what):
    out = subprocess.run([tool, "--store", os.path.join(cluster.node_dir(i), "data", "store"),
                          *map(str, what)], capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, f"evidence-store-damage {what}: {out.stdout}{out.stderr}")


def frontier_node(size):
    """(level, index) of the largest perfect subtree of a log of `size` leaves."""
    level = size.bit_length() - 1
    return level, 0


def damaged_store(cluster, evidence):
    from e2e_test import signed_votes
    victim, other = 0, 1
    all_nodes = range(4)
    cluster.start_all()
    cluster.wait_ready(all_nodes)
    receipts = committed_one_by_one(cluster, other, 10)
    size = cluster.tree_head(other)[0]
    wait_until("node 1 holds every record", lambda: same_tree_head(cluster, all_nodes, size), 60)
    head_height = cluster.height(victim)
    check(cluster.stop(victim) == 0, "node 1 did not stop cleanly")

    # Three records whose proofs cross the damage, none in the head block.
    by_leaf = sorted(receipts.items(), key=lambda item: item[1][1]["leaf_index"])
    below_head = [(rid, r) for rid, r in by_leaf if r[1]["block"]["height"] < head_height]
    odd = [(rid, r) for rid, r in below_head if r[1]["leaf_index"] % 2 == 1]
    check(len(below_head) >= 6 and odd, f"too few blocks below the head: {len(below_head)}")
    node_victim = odd[-1]
    node_leaf = node_victim[1][1]["leaf_index"] - 1  # its sibling leaf's hash: in its proof
    rest = [item for item in below_head if item[0] != node_victim[0]
            and item[1][1]["leaf_index"] != node_leaf]
    block_victim, index_victim = rest[0], rest[1]
    block_height = block_victim[1][1]["block"]["height"]
    check(index_victim[1][1]["block"]["height"] != block_height, "two damages in one block")
    damage(TOOL, cluster, victim, "block", block_height)
    damage(TOOL, cluster, victim, "index", index_victim[0])
    damage(TOOL, cluster, victim, "node", 0, node_leaf)
    damaged = {block_victim[0]: "a block", index_victim[0]: "a record index entry",
               node_victim[0]: "a Merkle node"}

    cluster.start(victim)
    cluster.wait_ready([victim])
    served = 0
    for record_id, (record, receipt) in receipts.items():
        status, body = record_answer(cluster, victim, record_id, record)
        if record_id in damaged:
            check(status == 503 and "store is damaged" in body.get("detail", "")
                  and "receipt" not in body,
                  f"node 1 answered {status} {body} for the record behind {damaged[record_id]}")
            detail = body["detail"]
            print(f"  {damaged[record_id]}: 503 ...{detail[detail.index('('):][:150]}")
        else:
            check(status == 200 and same_proof(body.get("receipt"), receipt),
                  f"node 1's receipt of an undamaged record differs: {status} {body}")
            served += 1
    log = cluster.log_text(victim)
    check("event=store_damaged" in log and "--resync" in log, "no event=store_damaged line")
    print(f"damaged {', '.join(damaged.values())}: node 1 runs, answers 503 for those 3 "
          f"records and serves the other {served} receipts (the same proofs as its peers')")

    # Damage the head's Merkle frontier: the open-time checks find it.
    check(cluster.stop(victim) == 0, "node 1 did not stop cleanly")
    level, index = frontier_node(size)
    damage(TOOL, cluster, victim, "node", level, index)
    cluster.start(victim)
    code = wait_until("node 1 refuses to start", lambda: cluster.reap(victim), 30)
    refusal = [line for line in cluster.log_text(victim).splitlines() if "event=start_failed" in line]
    check(code == 1 and refusal and "is damaged" in refusal[-1] and "--resync" in refusal[-1],
          f"node 1 exited {code}: {refusal}")
    print(f"damaged the frontier node ({level}, {index}): node 1 refuses to start: "
          f"{refusal[-1][:240]}")

    # --resync: the store is rebuilt from the peers; the WAL stays and is replayed.
    cluster.start(victim, ["--resync"])
    cluster.wait_ready([victim])
    log = cluster.log_text(victim)
    check("event=store_set_aside" in log, "no event=store_set_aside line")
    resynced = log[log.rindex("event=store_set_aside"):]
    restored = re.findall(r"event=wal_restored height=(\d+)", resynced)
    started = re.findall(r"event=node_started .*?height=(\d+)", resynced)
    check(restored and int(restored[0]) >= 1 and started and started[0] == "0",
          f"after --resync: wal_restored {restored}, node_started at height {started}")
    wait_until("node 1 rebuilt its store", lambda: same_tree_head(cluster, all_nodes, size), 60)
    for record_id, (record, receipt) in receipts.items():
        status, body = record_answer(cluster, victim, record_id, record)
        check(status == 200 and same_proof(body.get("receipt"), receipt),
              f"after --resync node 1 answered {status} {body}")
    after = committed_one_by_one(cluster, victim, 3)
    aside = [name for name in os.listdir(os.path.join(cluster.node_dir(victim), "data"))
             if name.startswith("store.damaged-")]
    check(len(aside) == 1, f"the damaged store was not kept aside: {aside}")
    check(cluster.stop(victim) == 0, "node 1 did not stop cleanly")
    conflicting = {key: blocks for key, blocks in signed_votes(cluster.log_text(victim)).items()
                   if len(blocks) > 1}
    check(not conflicting, f"node 1 signed conflicting votes: {conflicting}")
    print(f"--resync: store set aside ({aside[0]}), WAL kept (signer state restored at height "
          f"{restored[-1]}), every receipt served again, {len(after)} new records committed "
          f"through node 1, no conflicting vote; {audit(evidence, cluster, victim)}")
    return 0


TESTS = {"disk_full": disk_full, "damaged_store": damaged_store}
TOOL = None  # --store-damage


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--node", required=True, help="path of the evidence-node binary")
    parser.add_argument("--evidence", required=True, help="path of the evidence CLI")
    parser.add_argument("--store-damage", help="path of evidence-store-damage (damaged_store)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("test", choices=sorted(TESTS))
    args = parser.parse_args()
    global TOOL
    TOOL = args.store_damage and os.path.abspath(args.store_damage)
    work_dir = tempfile.mkdtemp(prefix=f"evidence-e2e-{args.test}-")
    cluster = Cluster(os.path.abspath(args.node), work_dir)
    code = 1
    try:
        code = TESTS[args.test](cluster, os.path.abspath(args.evidence))
    except Exception:
        traceback.print_exc()
    finally:
        cluster.close()
        if code not in (0, SKIPPED):
            for i in range(4):
                try:
                    tail = cluster.log_text(i).splitlines()[-30:]
                except OSError:
                    continue
                print(f"--- node {i + 1} log tail ---")
                print("\n".join(tail))
    if code == 0 and not args.keep:
        import shutil
        shutil.rmtree(work_dir, ignore_errors=True)
    else:
        print(f"kept {work_dir}")
    sys.exit(code)


if __name__ == "__main__":
    main()
