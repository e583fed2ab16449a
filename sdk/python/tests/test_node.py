"""The SDK against a real node (`evidence-node --dev`), as an integrator uses it.
Needs EVIDENCE_NODE_BIN (the evidence-node program); ctest sets it."""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

from dev_node import DevNode

from evidence_ledger import (Client, Genesis, ProblemError, ReceiptError, SigningKey, jcs,
                             new_record, record_for_file, sign_batch, sign_record,
                             parse_receipt, signing_bytes, verify_receipt)

SDK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
NODE_BIN = os.environ.get("EVIDENCE_NODE_BIN")


def write(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


@unittest.skipUnless(NODE_BIN, "set EVIDENCE_NODE_BIN to the evidence-node program")
class AgainstANode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = DevNode(NODE_BIN).__enter__()
        cls.client = Client(cls.node.url)
        cls.chain = cls.client.status()
        cls.genesis = Genesis.load(cls.node.genesis)
        cls.files = tempfile.mkdtemp(prefix="evidence-sdk-files-")

    @classmethod
    def tearDownClass(cls):
        cls.node.__exit__(None, None, None)
        subprocess.run(["rm", "-rf", cls.files], check=False)

    def record(self, name, text, case_id="(2026)鲁0831行罚7号", **fields):
        path = write(self.files, name, text)
        return path, record_for_file(path, chain_id=self.chain["chain_id"],
                                     hash_name=self.chain["hash"], agency="dev-agency",
                                     kind="enforcement_record", case_id=case_id,
                                     stage=fields.pop("stage", "filing"), **fields)

    def test_every_key_algorithm_gets_a_receipt_that_verifies_offline(self):
        for alg in ("ed25519", "p256", "sm2"):
            with self.subTest(alg):
                key = SigningKey.load(self.node.key(alg))
                path, record = self.record(f"{alg}.pdf", f"document signed with {alg}")
                signed = sign_record(key, record, self.chain["hash"])
                answer = self.client.submit(signed, wait=True)
                self.assertEqual(answer["id"], signed.id)
                self.assertEqual(answer["status"], "committed")
                with open(path, "rb") as f:
                    facts = verify_receipt(answer["receipt"], self.genesis, document=f.read())
                self.assertEqual(facts["record_id"], signed.id)
                with self.assertRaises(ReceiptError) as refused:
                    verify_receipt(answer["receipt"], self.genesis, document=b"another document")
                self.assertEqual(refused.exception.check, "receipt.digest_mismatch")
                # The same bytes again: one entry, answered as known.
                again = self.client.submit(signed)
                self.assertTrue(again["already_known"])
                self.assertEqual(again["id"], signed.id)

    def test_each_check_of_a_receipt_catches_its_tampering(self):
        key = SigningKey.load(self.node.key("ed25519"))
        path, record = self.record("tamper.pdf", "a receipt to tamper with")
        receipt = self.client.submit(sign_record(key, record, self.chain["hash"]),
                                     wait=True)["receipt"]
        with open(path, "rb") as f:
            document = f.read()
        verify_receipt(receipt, self.genesis, document=document)

        def tampered(change):
            copy = json.loads(json.dumps(receipt))
            change(copy)
            return copy
        cases = {
            "receipt.unsupported_version": lambda r: r.update(v=3),  # v 2 lacks "governance": malformed
            "receipt.malformed": lambda r: r.update(leaf_index=-1),
            "receipt.wrong_chain": lambda r: r["block"].update(chain_id="another-chain"),
            "receipt.bad_record_signature": lambda r: r["record"].update(title="changed"),
            "receipt.bad_inclusion": lambda r: r.update(leaf_index=r["leaf_index"] + 1),
            "receipt.header_mismatch": lambda r: r["block"].update(time_ms=r["block"]["time_ms"] + 1),
            "receipt.bad_commit": lambda r: r["commit"].update(signatures=[]),
            "receipt.validator_set_mismatch": lambda r: r.update(validator_set_hash="00" * 32),
        }
        for check, change in cases.items():
            with self.subTest(check):
                with self.assertRaises(ReceiptError) as refused:
                    verify_receipt(tampered(change), self.genesis, document=document)
                self.assertEqual(refused.exception.check, check)

    def test_a_receipt_file_is_read_as_strictly_as_evidence_verify_reads_it(self):
        key = SigningKey.load(self.node.key("ed25519"))
        _, record = self.record("strict.pdf", "a receipt read strictly")
        receipt = self.client.submit(sign_record(key, record, self.chain["hash"]),
                                     wait=True)["receipt"]
        text = jcs.canonicalize(receipt).decode()
        self.assertEqual(parse_receipt(text), receipt)
        self.assertEqual(parse_receipt(json.dumps(receipt, indent=2).encode()), receipt)
        broken = {
            "duplicate member": text.replace('"tree_size":', '"tree_size":1,"tree_size":', 1),
            "fraction": text.replace(f'"leaf_index":{receipt["leaf_index"]}',
                                     f'"leaf_index":{receipt["leaf_index"]}.0'),
            "2^53": text.replace('"round":0', '"round":9007199254740992'),
            "unknown member": text[:-1] + ',"extra":1}',
            "missing member": text.replace(f',"tree_size":{receipt["tree_size"]}', ""),
            "byte order mark": "\ufeff" + text,
            "lone surrogate": text.replace('"title":"', '"title":"\\ud800', 1),
            "trailing data": text + "{}",
            "too deep": text[:-1] + ',"x":' + "[" * 8 + "]" * 8 + "}",
            "not JSON": text[:100],
            "record rule": text.replace('"v":1}', '"v":7}', 1),
            "too large": text + " " * (256 * 1024),
        }
        for name, changed in broken.items():
            with self.subTest(name):
                with self.assertRaises(ReceiptError) as refused:
                    parse_receipt(changed)
                self.assertEqual(refused.exception.check, "receipt.malformed")
        self.assertRaises(ReceiptError, parse_receipt, text.encode() + b"\xff")

    def test_a_batch_with_a_link_inside_is_committed_and_every_receipt_verifies(self):
        key = SigningKey.load(self.node.key("sm2"))
        paths, unsigned = [], []
        for stage in ("filing", "investigation", "decision"):
            path, record = self.record(f"batch-{stage}.pdf", f"batch {stage}",
                                       case_id="（2026）鲁0831行罚9号", stage=stage)
            paths.append(path)
            unsigned.append(record)
        first_id = sign_record(key, unsigned[0], self.chain["hash"]).id  # the id needs no sig
        unsigned[2]["links"] = [first_id]
        batch = sign_batch(key, unsigned, self.chain["hash"])
        self.assertEqual(batch.ids[0], first_id)
        dry = self.client.submit_batch(batch, dry_run=True)
        self.assertTrue(dry["valid"])
        answer = self.client.submit_batch(batch, wait=True)
        self.assertEqual(answer["batch_id"], batch.batch_id)
        for path, record_id, outcome, record in zip(paths, batch.ids, answer["records"],
                                                    batch.records):
            self.assertEqual(outcome["id"], record_id)
            receipt = outcome.get("receipt") or self.client.receipt(record_id,
                                                                    digest=record["digest"])
            with open(path, "rb") as f:
                verify_receipt(receipt, self.genesis, document=f.read())
        # The trail, asked for in another spelling of the case id.
        trail = self.client.case("(2026) 鲁0831行罚9号", self.node.reader_token)
        self.assertEqual(trail["case_id"], "(2026)鲁0831行罚9号")
        self.assertEqual([r["id"] for r in trail["records"]], batch.ids)
        resent = self.client.submit_batch(batch)
        self.assertTrue(all(r["already_known"] for r in resent["records"]))

    def test_refusals_say_what_the_node_computed(self):
        key = SigningKey.load(self.node.key("p256"))
        _, record = self.record("refused.pdf", "refused")
        signed = sign_record(key, record, self.chain["hash"])
        tampered = dict(signed.record, title="changed after signing")
        signed.body = jcs.canonicalize(tampered)
        with self.assertRaises(ProblemError) as refused:
            self.client.submit(signed, dry_run=True)
        problem = refused.exception.problem
        self.assertEqual(refused.exception.name, "bad-signature")
        self.assertEqual(problem["code"], "record.bad_signature")
        self.assertTrue(problem["dry_run"])
        self.assertTrue(problem["signing_bytes"].startswith("EVIDENCE-RECORD/v1\n"))
        self.assertEqual(len(problem["record_id"]), 64)
        # A raw r||s P-256 signature, as WebCrypto gives it: the node names it.
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
        der = base64.b64decode(sign_record(key, record, self.chain["hash"]).record["sig"]["value"])
        r, s = decode_dss_signature(der)
        raw = dict(record, sig={"alg": "p256", "key": key.key_id,
                                "value": base64.b64encode(r.to_bytes(32, "big") +
                                                          s.to_bytes(32, "big")).decode()})
        signed.body = jcs.canonicalize(raw)
        with self.assertRaises(ProblemError) as raw_refused:
            self.client.submit(signed)
        self.assertIn("P-256 signatures are DER", raw_refused.exception.detail)
        # A case id the SDK did not canonicalise.
        odd = dict(record, case_id="（2026）鲁0831行罚7号")
        odd_signed = sign_record(key, odd, self.chain["hash"])
        with self.assertRaises(ProblemError) as odd_refused:
            self.client.submit(odd_signed)
        self.assertEqual(odd_refused.exception.name, "case-id-not-canonical")
        self.assertIn('"(2026)鲁0831行罚7号"', odd_refused.exception.detail)

    def test_the_readme_example_runs_as_written(self):
        with open(os.path.join(SDK, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        code = re.search(r"<!-- example: runs in tests/test_node.py -->\n```python\n(.*?)```",
                         readme, re.S).group(1)
        directory = tempfile.mkdtemp(prefix="evidence-sdk-readme-")
        write(directory, "decision.pdf", "行政处罚决定书\n")
        environment = dict(os.environ, PYTHONPATH=SDK, EVIDENCE_NODE=self.node.url,
                           EVIDENCE_KEY=self.node.key("ed25519"), EVIDENCE_GENESIS=self.node.genesis)
        done = subprocess.run([sys.executable, "-c", code], cwd=directory, env=environment,
                              capture_output=True, text=True, timeout=120, check=False)
        subprocess.run(["rm", "-rf", directory], check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"^[0-9a-f]{64} committed in block \d+\n$")

    def test_the_example_notarizes_a_directory_and_prints_the_receipts(self):
        directory = tempfile.mkdtemp(prefix="evidence-sdk-dir-")
        names = [f"笔录-{i}.pdf" for i in range(12)]
        for name in names:
            write(directory, name, f"document {name}")
        done = subprocess.run(
            [sys.executable, os.path.join(SDK, "examples", "notarize_dir.py"), "--node",
             self.node.url, "--key", self.node.key("p256"), "--agency", "dev-agency", "--case",
             "（2026）鲁0831行罚11号", "--genesis", self.node.genesis, directory],
            capture_output=True, text=True, timeout=180, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        self.assertEqual([line["file"] for line in lines], sorted(names))
        for line in lines:
            with open(os.path.join(directory, line["file"]), "rb") as f:
                facts = verify_receipt(line["receipt"], self.genesis, document=f.read())
            self.assertEqual(facts["record_id"], line["record_id"])
            self.assertEqual(facts["case_id"], "(2026)鲁0831行罚11号")
        subprocess.run(["rm", "-rf", directory], check=False)


@unittest.skipUnless(NODE_BIN, "set EVIDENCE_NODE_BIN to the evidence-node program")
class OnAnSm3Chain(unittest.TestCase):
    """A 国密 chain: SM3 record ids, leaves, blocks and validator set, SM2 agency keys."""

    def test_sm2_records_and_batches_get_receipts_that_verify_offline(self):
        with DevNode(NODE_BIN, hash_name="sm3") as node:
            client = Client(node.url)
            chain = client.status()
            self.assertEqual(chain["hash"], "sm3")
            genesis = Genesis.load(node.genesis)
            key = SigningKey.load(node.key("sm2"))
            documents = [f"国密 document {i}".encode() for i in range(4)]
            unsigned = [new_record(chain_id=chain["chain_id"], agency="dev-agency",
                                   kind="review_opinion", case_id="(2026)鲁0831行复3号",
                                   stage="legal_review", digest="sm3:" +
                                   hashlib.new("sm3", document).hexdigest(),
                                   size=len(document), media_type="application/ofd")
                        for document in documents]
            single = sign_record(key, unsigned[0], "sm3")
            self.assertEqual(single.id, hashlib.new("sm3", signing_bytes(single.record)).hexdigest())
            answer = client.submit(single, wait=True)
            verify_receipt(answer["receipt"], genesis, document=documents[0])
            batch = sign_batch(key, unsigned[1:], "sm3")
            answer = client.submit_batch(batch, wait=True)
            for document, record_id, outcome in zip(documents[1:], batch.ids, answer["records"]):
                receipt = outcome.get("receipt") or client.receipt(record_id)
                self.assertEqual(verify_receipt(receipt, genesis, document=document)["record_id"],
                                 record_id)


class FlakyNode(BaseHTTPRequestHandler):
    """Drops the first POST without an answer, then answers 429 once, then 202."""
    bodies = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FlakyNode.bodies.append(body)
        if len(FlakyNode.bodies) == 1:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if len(FlakyNode.bodies) == 2:
            self.send_response(429)
            self.send_header("Retry-After", "3")
            self.send_header("Content-Type", "application/problem+json")
            self.end_headers()
            self.wfile.write(b'{"type":"https://evidence-ledger.org/problems/too-many"}')
            return
        answer = json.dumps({"id": "x", "status": "pending", "already_known": False}).encode()
        self.send_response(202)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class Retries(unittest.TestCase):
    def test_a_retry_resends_the_same_bytes(self):
        server = HTTPServer(("127.0.0.1", 0), FlakyNode)
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        pauses = []
        try:
            client = Client(f"http://127.0.0.1:{server.server_port}", sleep=pauses.append)
            vectors = os.environ.get("EVIDENCE_VECTORS_DIR",
                                     os.path.join(SDK, "..", "..", "tests", "vectors"))
            with open(os.path.join(vectors, "records", "records.json"), encoding="utf-8") as f:
                key = SigningKey(json.load(f)["keys"]["ed25519"]["private_pem"])
            record = new_record(chain_id="c", agency="a", kind="other", case_id="C", stage="s",
                                digest="sha256:" + "0" * 64, size=1, media_type="text/plain")
            signed = sign_record(key, record, "sha256")
            answer = client.submit(signed)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
        self.assertEqual(answer["status"], "pending")
        self.assertEqual(FlakyNode.bodies, [signed.body] * 3)
        self.assertEqual(pauses, [1.0, 3.0])  # the transport back-off, then Retry-After


if __name__ == "__main__":
    unittest.main()
