#!/usr/bin/env python3
"""Chaos under load: four real validators, steady load from several clients, and N random
faults (docs/reliability.md §2).

  chaos.py --bin BUILD/bin [--events N] [--seed S] [--clients K] [--keep]

Four evidence-node processes on 127.0.0.1 (free ports, a temporary directory) talk p2p
through fault-injecting TCP proxies (fault_proxy.py), one per node and peer. K clients
submit signed records to random nodes (a quarter with ?wait=commit, which returns the
receipt), resending the same bytes to another node when a node does not answer. Meanwhile
N events, chosen by the seed, overlap at most two at a time:

  kill       SIGKILL a node, restart it after a pause
  pause      SIGSTOP a node, SIGCONT after a pause
  restart    SIGTERM a node (clean stop), start it again
  wipe       SIGTERM a node, delete its ledger store (its WAL stays), start it: it re-syncs
  drop       cut the link between two nodes (a partition of the pair), heal after a pause
  delay      delay the bytes on a link by 20..400 ms, heal after a pause
  one-way    discard the bytes from one node to another, heal after a pause
  isolate    cut every link of one node (a full partition of it), heal after a pause
  split      cut the network in two halves of two, heal after a pause

After the last event everything is healed and restarted, the load stops, and:

  - the network commits a new record within --recommit-bound-s of the heal;
  - all four nodes reach one tree head; walking every block on every node gives the same
    blocks (hash per height), each record id exactly once, and every record a client got
    201/202/200 for;
  - every receipt a client received verifies offline (`evidence verify` with genesis only);
  - no validator signed two different votes for one (height, round, type) (its
    vote_signed log lines across every restart), no node saw a duplicate vote, and no
    block carries duplicate-vote evidence;
  - after a clean stop, `evidence audit` passes on every node's store.

One summary line `chaos: PASS ...` or `chaos: FAIL ...`; exit 0 only on PASS. Failures
keep the directory and print the tail of each node's log.
"""
import argparse
import collections
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import VALIDATORS, Cluster, free_port, jcs, wait_until  # noqa: E402
from fault_proxy import FaultProxies  # noqa: E402

NODES = len(VALIDATORS)
PROCESS_EVENTS = ("kill", "pause", "restart", "wipe")
NETWORK_EVENTS = ("drop", "delay", "one-way", "isolate", "split")
EVENTS = PROCESS_EVENTS + NETWORK_EVENTS
VOTE_LINE = re.compile(r"event=vote_signed type=(\w+) height=(\d+) round=(\d+) block=(\w+)")


class Failure(Exception):
    pass


def record_id_of(record):
    """The record id: SHA-256 of the signing bytes (docs/api.md), from a block's record."""
    unsigned = {key: value for key, value in record.items() if key != "sig"}
    return hashlib.sha256(b"EVIDENCE-RECORD/v1\n" + jcs(unsigned).encode()).hexdigest()


def check(condition, message):
    if not condition:
        raise Failure(message)


class Load:
    """K client threads submitting records at a steady pace; remembers what was acknowledged."""

    def __init__(self, cluster, clients, rate_per_client, seed):
        self.cluster = cluster
        self.clients = clients
        self.interval_s = 1.0 / rate_per_client
        self.seed = seed
        self.lock = threading.Lock()
        self.acked = {}       # record id -> status code of the acknowledgement
        self.sent = set()     # every id sent at least once (maybe committed)
        self.documents = {}   # record id -> document bytes
        self.records = {}     # record id -> the signed record (kept to resend it)
        self.receipts = {}    # record id -> receipt a client received
        self.acked_by = {}    # record id -> (node, when) of the acknowledgement
        self.answers = collections.Counter()
        self.errors = []
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(k,), name=f"client-{k}")
                        for k in range(clients)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join()
        check(not self.errors, f"a client failed: {self.errors[:3]}")

    def _client(self, k):
        try:
            self._submit_loop(k)
        except Exception as error:  # reported by stop()
            with self.lock:
                self.errors.append(f"client {k}: {error!r}")
            self.stop_event.set()

    def _submit_loop(self, k):
        rng = random.Random(self.seed * 1000 + k)
        case_id = f"(2026)鲁0831行复{100 + k}号"
        next_at = time.monotonic()
        while not self.stop_event.is_set():
            record_id, record, document = self.cluster.make_record_with_document(case_id=case_id)
            with self.lock:
                self.documents[record_id] = document
                self.records[record_id] = record
            wait = rng.random() < 0.25
            path = "/v1/records?wait=commit&timeout_ms=15000" if wait else "/v1/records"
            node = rng.randrange(NODES)
            # Resend the same bytes to the next node when there is no answer (docs/api.md,
            # "Retries"): at most one entry whatever happens.
            for attempt in range(NODES):
                with self.lock:
                    self.sent.add(record_id)
                status, body = self.cluster.api((node + attempt) % NODES, "POST", path, record,
                                                timeout_s=20 if wait else 5)
                with self.lock:
                    self.answers[status] += 1
                    if status in (200, 201, 202):
                        check(body.get("id") == record_id,
                              f"a node answered id {body.get('id')} for {record_id}")
                        self.acked[record_id] = status
                        self.acked_by[record_id] = ((node + attempt) % NODES, time.monotonic())
                        if status == 201:
                            self.receipts[record_id] = body["receipt"]
                if status in (200, 201, 202):
                    break
                if self.stop_event.is_set():
                    break
            next_at += self.interval_s
            self.stop_event.wait(max(0.0, next_at - time.monotonic()))
            next_at = max(next_at, time.monotonic() - self.interval_s)


class Chaos:
    def __init__(self, args, work_dir):
        self.args = args
        self.rng = random.Random(args.seed)
        self.dir = work_dir
        proxy_ports = {(i, j): free_port() for i in range(NODES) for j in range(NODES) if i != j}
        self.cluster = Cluster(os.path.join(args.bin, "evidence-node"), work_dir,
                               peer_address=lambda i, j: f"127.0.0.1:{proxy_ports[(i, j)]}")
        self.proxies = FaultProxies(NODES, lambda j: self.cluster.p2p_ports[j],
                                    lambda i, j: proxy_ports[(i, j)])
        self.down = set()      # nodes whose process is stopped or killed
        self.paused = set()    # nodes SIGSTOPped
        self.busy = set()      # nodes with a process event in flight
        self.counts = collections.Counter()
        self.log_offsets = {}  # node -> size of its log when it was last started
        self.resyncing = {}    # wiped node -> the height it had: re-syncing until back there
        self.wipe_heights = {}  # node -> its height when may_wipe allowed its wipe
        self.load = None

    # ------------------------------------------------------------------ events

    def pick_event(self, active):
        """An event and its target that does not clash with the active ones."""
        busy_links = {link for event in active for link in event["links"]}
        for _ in range(50):
            kind = self.rng.choice(EVENTS)
            if kind in PROCESS_EVENTS:
                free = [i for i in range(NODES) if i not in self.busy]
                if not free:
                    continue
                node = self.rng.choice(free)
                if kind == "wipe" and not self.may_wipe(node):
                    continue
                return {"kind": kind, "node": node, "links": set()}
            if kind in ("drop", "delay", "one-way"):
                a, b = self.rng.sample(range(NODES), 2)
                links = {(min(a, b), max(a, b))}
            elif kind == "isolate":
                a, b = self.rng.randrange(NODES), None
                links = {(min(a, j), max(a, j)) for j in range(NODES) if j != a}
            else:
                half = set(self.rng.sample(range(NODES), 2))
                a, b = None, None
                links = {(x, y) for x in range(NODES) for y in range(x + 1, NODES)
                         if (x in half) != (y in half)}
            if links & busy_links:
                continue
            return {"kind": kind, "a": a, "b": b, "links": links}
        return None

    def may_wipe(self, node):
        """A wipe deletes blocks that only other stores can give back: a node may be wiped
        only while no wiped node is still re-syncing and a running peer holds every block
        it holds. (Wiping the stores of three validators that alone committed a height
        loses that block for good; their WALs then rightly keep them from deciding the
        height again, and the network stops: the data is gone, not a fault to survive.)"""
        for wiped, height in list(self.resyncing.items()):
            now = None if wiped in self.down or wiped in self.paused else self.cluster.height(wiped)
            if now is None or now < height:
                return False
            del self.resyncing[wiped]
        if node in self.down or node in self.paused:
            return False
        height = self.cluster.height(node)
        if height is None:
            return False
        for peer in range(NODES):
            if peer != node and peer not in self.down and peer not in self.paused:
                peer_height = self.cluster.height(peer)
                if peer_height is not None and peer_height >= height:
                    self.wipe_heights[node] = height
                    return True
        return False

    def begin(self, event):
        kind = event["kind"]
        self.counts[kind] += 1
        if kind in PROCESS_EVENTS:
            node = event["node"]
            self.busy.add(node)
            if kind == "kill":
                self.cluster.kill(node)
                self.down.add(node)
            elif kind == "pause":
                self.cluster.processes[node].send_signal(signal.SIGSTOP)
                self.paused.add(node)
            else:
                self.stop_cleanly(node)
                self.down.add(node)
                if kind == "wipe":
                    self.resyncing[node] = self.wipe_heights.pop(node)
                    # The ledger store goes; the signing log (consensus.wal) stays. A node
                    # stopped before it opened its store (just started) has none yet.
                    store = os.path.join(self.cluster.node_dir(node), "data", "store")
                    if os.path.exists(store):
                        shutil.rmtree(store)
        elif kind == "delay":
            event["delay_s"] = self.rng.uniform(0.02, 0.4)
            self.proxies.set_delay(event["a"], event["b"], event["delay_s"])
        elif kind == "one-way":
            self.proxies.set_one_way(event["a"], event["b"])
        else:
            for a, b in event["links"]:
                self.proxies.set_down(a, b)

    def start_node(self, node):
        path = self.log_path(node)
        self.log_offsets[node] = os.path.getsize(path) if os.path.exists(path) else 0
        self.cluster.start(node)

    def log_path(self, node):
        return os.path.join(self.cluster.node_dir(node), "node.log")

    def stop_cleanly(self, node):
        """SIGTERM; the node must exit 0. The one exception: a SIGTERM that reaches a
        process just started, before its main() blocked the signal, ends it by the
        default action (-15) before it wrote a line; nothing has been opened then."""
        code = self.cluster.stop(node, timeout_s=30)
        if code == -signal.SIGTERM and \
                os.path.getsize(self.log_path(node)) == self.log_offsets.get(node, -1):
            self.counts["sigterm-before-main"] += 1
            return
        check(code == 0, f"node {node + 1} did not stop cleanly on SIGTERM: {code}")

    def end(self, event):
        kind = event["kind"]
        if kind in PROCESS_EVENTS:
            node = event["node"]
            if kind == "pause":
                self.cluster.processes[node].send_signal(signal.SIGCONT)
                self.paused.discard(node)
            else:
                self.start_node(node)
                self.down.discard(node)
            self.busy.discard(node)
        else:
            for a, b in event["links"]:
                self.proxies.heal(a, b)

    def describe(self, event):
        kind = event["kind"]
        if kind in PROCESS_EVENTS:
            return f"{kind} node {event['node'] + 1}"
        if kind == "delay":
            return f"delay {event['a'] + 1}<->{event['b'] + 1} {event['delay_s'] * 1000:.0f}ms"
        if kind == "one-way":
            return f"one-way {event['a'] + 1}->{event['b'] + 1} dropped"
        if kind == "drop":
            return f"drop {event['a'] + 1}<->{event['b'] + 1}"
        if kind == "isolate":
            return f"isolate node {event['a'] + 1}"
        return "split " + " ".join(f"{a + 1}|{b + 1}" for a, b in sorted(event["links"]))

    def run_events(self):
        active = []   # (end time, sequence, event)
        started = 0
        sequence = 0
        next_start = time.monotonic()
        while started < self.args.events or active:
            now = time.monotonic()
            for item in [item for item in active if item[0] <= now]:
                active.remove(item)
                self.end(item[2])
                print(f"  {time.monotonic() - self.t0:7.1f}s end   {self.describe(item[2])}",
                      flush=True)
            if started < self.args.events and now >= next_start and len(active) < 2:
                event = self.pick_event([item[2] for item in active])
                if event is not None:
                    self.begin(event)
                    started += 1
                    sequence += 1
                    duration = self.rng.uniform(0.5, self.args.max_fault_s)
                    active.append((time.monotonic() + duration, sequence, event))
                    print(f"  {time.monotonic() - self.t0:7.1f}s begin {self.describe(event)} "
                          f"for {duration:.1f}s", flush=True)
                next_start = time.monotonic() + self.rng.uniform(0.3, self.args.max_gap_s)
            if started >= self.args.events and not active:
                break
            # Pace the schedule: the next thing to do is an event's end or the next start.
            wake = min([item[0] for item in active] +
                       ([next_start] if started < self.args.events else []))
            self.load.stop_event.wait(max(0.0, min(wake - time.monotonic(), 1.0)))
            for i in range(NODES):
                if i not in self.down:
                    check(self.cluster.running(i), f"node {i + 1} exited by itself: see its log")

    # ------------------------------------------------------------------ checks

    def heal_everything(self):
        self.proxies.heal_all()
        for i in list(self.paused):
            self.cluster.processes[i].send_signal(signal.SIGCONT)
        self.paused.clear()
        for i in sorted(self.down):
            self.start_node(i)
        self.down.clear()

    def recommit_after_heal(self, healed_at):
        record_id, record = self.cluster.make_record(case_id="(2026)鲁0831行复99号")

        def committed():
            status, body = self.cluster.api(self.rng.randrange(NODES), "POST",
                                            "/v1/records?wait=commit&timeout_ms=5000", record,
                                            timeout_s=10)
            return status == 201 or (status == 200 and body.get("status") == "committed")
        wait_until("a record committed after the heal", committed, self.args.recommit_bound_s,
                   0.2)
        return record_id, time.monotonic() - healed_at

    def walk_blocks(self, node):
        """[(height, hash, [record id]), ...] of every block, with the reader token."""
        blocks = []
        previous_size = 0
        next_from = 1
        headers = {"Authorization": f"Bearer {self.cluster.reader_token}"}
        while next_from is not None:
            status, body = self.cluster.api(node, "GET", f"/v1/blocks?from={next_from}&limit=200",
                                            headers=headers, timeout_s=30)
            check(status == 200, f"node {node + 1} blocks from {next_from}: HTTP {status} {body}")
            for block in body["blocks"]:
                ids = [record_id_of(record) for record in block.get("records", [])]
                log_size = block["header"]["log_size"]
                check(len(ids) == log_size - previous_size,
                      f"node {node + 1} block {block['height']}: {len(ids)} records, but the "
                      f"log grew from {previous_size} to {log_size}")
                previous_size = log_size
                check(block["commit"]["block_hash"] == block["hash"],
                      f"node {node + 1} block {block['height']}: its commit is for another block")
                blocks.append((block["height"], block["hash"], ids,
                               block["header"]["evidence_hash"]))
            next_from = body.get("next_from")
        return blocks

    def finish_clients(self):
        """What a client that keeps its signed records does (docs/api.md, "Retries"): a
        record answered 202 that is not committed once the network is whole again is
        sent again, same bytes, with ?wait=commit. A 202 is an admission to one node's
        mempool, which lives in memory: a node killed or wiped before it gossiped the
        record loses it. Returns how many records needed this."""
        load = self.load
        # Records still in some mempool get proposed once the network is whole: wait
        # until every mempool is empty, so that only records no node holds count.
        wait_until("every mempool empty after the heal",
                   lambda: all(self.cluster.metric(i, "evidence_mempool_records") == 0
                               for i in range(NODES)), self.args.recommit_bound_s, 0.2)
        committed = {record_id for block in self.walk_blocks(0) for record_id in block[2]}
        missing = [record_id for record_id in load.acked if record_id not in committed]
        lost = [record_id for record_id in missing if load.acked[record_id] == 201]
        check(not lost, f"records answered 201 (committed) are not in the ledger: {lost[:5]}")
        for record_id in missing:
            node, when = load.acked_by[record_id]
            print(f"  resend {record_id[:12]}: answered {load.acked[record_id]} by node "
                  f"{node + 1} at {when - self.t0:.1f}s, not committed after the heal",
                  flush=True)

            def resent():
                status, body = self.cluster.api(self.rng.randrange(NODES), "POST",
                                                "/v1/records?wait=commit&timeout_ms=10000",
                                                load.records[record_id], timeout_s=15)
                return status == 201 or (status == 200 and body.get("status") == "committed")
            wait_until(f"the resent record {record_id} committed", resent,
                       self.args.recommit_bound_s, 0.2)
        return len(missing)

    def check_ledgers(self):
        load = self.load
        acked = dict(load.acked)
        size = self.cluster.tree_head(0)[0]
        heads = wait_until("all four nodes at one tree head",
                           lambda: self.same_head(size), self.args.recommit_bound_s, 0.2)
        walks = [self.walk_blocks(i) for i in range(NODES)]
        for i in range(1, NODES):
            check([block[:2] for block in walks[i]] == [block[:2] for block in walks[0]],
                  f"node {i + 1} holds other blocks than node 1")
            check(walks[i] == walks[0], f"node {i + 1} holds other records than node 1")
        # No block carries duplicate-vote evidence: every block's evidence hash is the
        # empty list's, which the first block (made before any fault) has.
        with_evidence = [block[0] for block in walks[0] if block[3] != walks[0][0][3]]
        check(not with_evidence, f"blocks with duplicate-vote evidence: {with_evidence[:5]}")
        ids = [record_id for block in walks[0] for record_id in block[2]]
        counts = collections.Counter(ids)
        twice = [record_id for record_id, n in counts.items() if n > 1]
        check(not twice, f"records committed more than once: {twice[:5]}")
        missing = [record_id for record_id in acked if record_id not in counts]
        check(not missing, f"{len(missing)} acknowledged records not committed: {missing[:5]}")
        with load.lock:
            sent = set(load.sent)
        strangers = [record_id for record_id in counts
                     if record_id not in sent and record_id != self.probe_id]
        check(not strangers, f"records no client sent: {strangers[:5]}")
        check(heads[0][0] == len(ids), f"tree size {heads[0][0]} but {len(ids)} records in blocks")
        return heads[0], len(walks[0]), len(ids)

    def same_head(self, size):
        heads = [self.cluster.tree_head(i) for i in range(NODES)]
        if any(head is None for head in heads) or len({h[:2] for h in heads}) != 1:
            return False
        return heads if heads[0][0] >= size else False

    def check_receipts(self):
        load = self.load
        with load.lock:
            receipts = dict(load.receipts)
            documents = dict(load.documents)
        verify_dir = os.path.join(self.dir, "verify")
        os.makedirs(verify_dir, exist_ok=True)
        evidence = os.path.join(self.args.bin, "evidence")
        for record_id, receipt in receipts.items():
            document = os.path.join(verify_dir, f"{record_id}.pdf")
            with open(document, "wb") as out:
                out.write(documents[record_id])
            receipt_path = document + ".receipt.json"
            with open(receipt_path, "w", encoding="utf-8") as out:
                json.dump(receipt, out, ensure_ascii=False)
            result = subprocess.run([evidence, "verify", document, "--receipt", receipt_path,
                                     "--genesis", self.cluster.genesis_path],
                                    capture_output=True, text=True)
            check(result.returncode == 0,
                  f"the receipt of {record_id} does not verify: {result.stdout}{result.stderr}")
        return len(receipts)

    def check_votes(self):
        signed = 0
        for i in range(NODES):
            text = self.cluster.log_text(i)
            votes = {}
            for match in VOTE_LINE.finditer(text):
                key = (match.group(1), int(match.group(2)), int(match.group(3)))
                votes.setdefault(key, set()).add(match.group(4))
            conflicts = {key: hashes for key, hashes in votes.items() if len(hashes) > 1}
            check(not conflicts, f"validator {i + 1} signed conflicting votes: {conflicts}")
            check("event=duplicate_vote" not in text, f"node {i + 1} saw a duplicate vote")
            signed += len(votes)
        return signed

    def check_audits(self):
        evidence = os.path.join(self.args.bin, "evidence")
        for i in range(NODES):
            self.stop_cleanly(i)
        for i in range(NODES):
            result = subprocess.run([evidence, "audit", "--data",
                                     os.path.join(self.cluster.node_dir(i), "data"),
                                     "--genesis", self.cluster.genesis_path],
                                    capture_output=True, text=True)
            check(result.returncode == 0,
                  f"evidence audit of node {i + 1}: {result.stdout}{result.stderr}")

    # ------------------------------------------------------------------ the run

    def run(self):
        self.t0 = time.monotonic()
        self.probe_id = None
        for i in range(NODES):
            self.start_node(i)
        self.cluster.wait_ready(range(NODES))
        self.load = Load(self.cluster, self.args.clients, self.args.rate, self.args.seed)
        self.load.start()
        try:
            self.run_events()
        finally:
            self.load.stop()
        self.heal_everything()
        healed_at = time.monotonic()
        self.cluster.wait_ready(range(NODES), timeout_s=self.args.recommit_bound_s)
        self.probe_id, recommit_s = self.recommit_after_heal(healed_at)
        resent = self.finish_clients()
        head, blocks, records = self.check_ledgers()
        receipts = self.check_receipts()
        votes = self.check_votes()
        self.check_audits()
        answers = " ".join(f"{code}:{n}" for code, n in sorted(self.load.answers.items(),
                                                               key=lambda kv: str(kv[0])))
        events = " ".join(f"{kind}={self.counts[kind]}" for kind in EVENTS)
        if self.counts["sigterm-before-main"]:
            events += f" sigterm-before-main={self.counts['sigterm-before-main']}"
        return (f"seed={self.args.seed} events={self.args.events} ({events}) "
                f"acknowledged={len(self.load.acked)} resent-202s={resent} committed={records} "
                f"blocks={blocks} "
                f"height={head[2]} once-each=yes receipts-verified={receipts} "
                f"votes-signed={votes} conflicting=0 audits=4/4 "
                f"recommit-after-heal={recommit_s:.1f}s answers[{answers}] "
                f"elapsed={time.monotonic() - self.t0:.0f}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of evidence-node and evidence")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="default: from the clock")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=4.0, help="records/s per client")
    parser.add_argument("--max-fault-s", type=float, default=4.0, help="longest fault")
    parser.add_argument("--max-gap-s", type=float, default=2.0, help="longest gap between starts")
    parser.add_argument("--recommit-bound-s", type=float, default=60.0,
                        help="the network commits again within this time of the last heal")
    parser.add_argument("--keep", action="store_true", help="keep the directory on success")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = int(time.time()) % 100000
    args.bin = os.path.abspath(args.bin)
    print(f"chaos: seed {args.seed}, {args.events} events (rerun: --seed {args.seed})", flush=True)
    work_dir = tempfile.mkdtemp(prefix=f"evidence-chaos-{args.seed}-")
    chaos = None
    ok = False
    try:
        chaos = Chaos(args, work_dir)
        summary = chaos.run()
        ok = True
    except Exception as error:
        traceback.print_exc()
        summary = f"seed={args.seed} events={args.events}: {error}"
    finally:
        if chaos is not None:
            if chaos.load is not None:
                chaos.load.stop_event.set()
            for i in list(chaos.paused):
                chaos.cluster.processes[i].send_signal(signal.SIGCONT)
            chaos.cluster.close()
            chaos.proxies.close()
            if not ok:
                for i in range(NODES):
                    path = os.path.join(chaos.cluster.node_dir(i), "node.log")
                    if os.path.exists(path):
                        lines = chaos.cluster.log_text(i).splitlines()
                        print(f"----- node {i + 1} log (last 30 of {len(lines)} lines)")
                        print("\n".join(lines[-30:]))
    if ok and not args.keep:
        shutil.rmtree(work_dir, ignore_errors=True)
    else:
        print(f"files kept in {work_dir}")
    print(f"chaos: {'PASS' if ok else 'FAIL'} {summary}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
