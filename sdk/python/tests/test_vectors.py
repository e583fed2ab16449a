"""The SDK against the shared golden vectors (tests/vectors/): every byte the
ledger hashes or signs, for the three key algorithms and both hashes."""
import base64
import json
import os
import unittest

from evidence_ledger import jcs, merkle, records
from evidence_ledger.case_id import canonical_case_id
from evidence_ledger.keys import PublicKey, SigningKey

VECTORS = os.environ.get("EVIDENCE_VECTORS_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "tests", "vectors")


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)


RECORDS = load("records/records.json")
KEYS = {name: key for name, key in RECORDS["keys"].items()}


def unsigned(record):
    return {k: v for k, v in record.items() if k != "sig"}


class Jcs(unittest.TestCase):
    def test_shared_vectors(self):
        for vector in load("records/jcs.json")["vectors"]:
            with self.subTest(vector["note"]):
                self.assertEqual(jcs.canonicalize(jcs.loads(vector["input"])).decode(),
                                 vector["canonical"])

    def test_refuses_what_has_no_canonical_form(self):
        for value in [1.5, 2**53, -(2**53), {1: 2}, "\ud800"]:
            with self.assertRaises(jcs.CanonicalJsonError):
                jcs.canonicalize(value)
        for text in ['{"a":1,"a":2}', "1.0", "1e3", "NaN"]:
            with self.assertRaises(jcs.CanonicalJsonError):
                jcs.loads(text)


class CaseIds(unittest.TestCase):
    def test_shared_vectors(self):
        for vector in load("records/case-ids.json")["vectors"]:
            with self.subTest(vector["note"]):
                self.assertEqual(canonical_case_id(vector["input"]), vector["canonical"])
                self.assertEqual(canonical_case_id(vector["canonical"]), vector["canonical"])

    def test_records_are_built_with_the_canonical_case_id(self):
        record = records.new_record(chain_id="c", agency="a", kind="other",
                                    case_id="（2026）鲁0831 行复12号", stage="filing",
                                    digest="sha256:" + "0" * 64, size=1, media_type="text/plain")
        self.assertEqual(record["case_id"], "(2026)鲁0831行复12号")


class Keys(unittest.TestCase):
    def test_key_ids_and_algorithms(self):
        for name, key in KEYS.items():
            with self.subTest(name):
                signing = SigningKey(key["private_pem"])
                self.assertEqual(signing.alg, name)
                self.assertEqual(signing.key_id, key["key_id"])
                self.assertEqual(PublicKey(key["public_pem"]).key_id, key["key_id"])

    def test_sign_and_verify_every_algorithm(self):
        for name, key in KEYS.items():
            with self.subTest(name):
                signing = SigningKey(key["private_pem"])
                signature = signing.sign(b"message")
                public = PublicKey(key["public_pem"])
                self.assertTrue(public.verify(b"message", signature))
                self.assertFalse(public.verify(b"other message", signature))
                if name != "ed25519":  # DER SEQUENCE, not raw r||s
                    self.assertEqual(signature[0], 0x30)


class Records(unittest.TestCase):
    def test_every_byte_of_every_record_vector(self):
        for vector in RECORDS["vectors"]:
            with self.subTest(vector["name"]):
                record, hash_name = vector["record"], vector["hash"]
                self.assertEqual(records.signing_bytes(record).decode(), vector["signing_bytes"])
                self.assertEqual(records.record_id(record, hash_name), vector["record_id"])
                self.assertEqual(jcs.canonicalize(record).decode(), vector["leaf"])
                H = merkle.hasher(hash_name)
                self.assertEqual(merkle.leaf_hash(H, vector["leaf"].encode()).hex(),
                                 vector["leaf_hash"])
                public = PublicKey(KEYS[vector["key"]]["public_pem"])
                self.assertTrue(public.verify(records.signing_bytes(record),
                                              base64.b64decode(record["sig"]["value"])))
                # Signing the unsigned record again: the same bytes, a signature that
                # verifies (and the very same one for deterministic Ed25519).
                signed = records.sign_record(SigningKey(KEYS[vector["key"]]["private_pem"]),
                                             unsigned(record), hash_name)
                self.assertEqual(signed.id, vector["record_id"])
                self.assertTrue(public.verify(records.signing_bytes(signed.record),
                                              base64.b64decode(signed.record["sig"]["value"])))
                if vector["key"] == "ed25519":
                    self.assertEqual(signed.body.decode(), vector["leaf"])

    def test_every_byte_of_every_batch_vector(self):
        for vector in load("records/batches.json")["vectors"]:
            with self.subTest(vector["hash"]):
                sent = json.loads(vector["body"])["records"]
                key = SigningKey(KEYS[vector["key"]]["private_pem"])
                batch = records.sign_batch(key, [unsigned(r) for r in sent], vector["hash"])
                self.assertEqual(batch.batch_id, vector["root"])
                self.assertEqual(batch.ids, [r["record_id"] for r in vector["records"]])
                self.assertEqual(records.batch_signing_bytes(vector["header"]).decode(),
                                 vector["header_signing_bytes"])
                for ours, theirs in zip(batch.records, sent):
                    self.assertEqual(ours["sig"]["batch"], theirs["sig"]["batch"])
                public = key.public_key
                header = vector["header_signing_bytes"].encode()
                self.assertTrue(public.verify(header, base64.b64decode(sent[0]["sig"]["value"])))
                self.assertTrue(public.verify(
                    header, base64.b64decode(batch.records[0]["sig"]["value"])))
                if vector["key"] == "ed25519":
                    self.assertEqual(batch.body.decode(), vector["body"])

    def test_a_batch_names_each_record_once_and_is_one_agencys(self):
        key = SigningKey(KEYS["ed25519"]["private_pem"])
        record = unsigned(RECORDS["vectors"][0]["record"])
        with self.assertRaises(records.RecordError):
            records.sign_batch(key, [record, record], "sha256")
        with self.assertRaises(records.RecordError):
            records.sign_batch(key, [record, dict(record, agency="other", time=1)], "sha256")

    def test_records_the_ledger_would_refuse_are_refused_before_signing(self):
        key = SigningKey(KEYS["ed25519"]["private_pem"])
        base = unsigned(RECORDS["vectors"][0]["record"])
        for change in [{"title": "x" * 1025}, {"stage": ""}, {"agency": "a b"},
                       {"digest": "md5:" + "0" * 32}, {"size": -1}, {"time": 2**53},
                       {"links": ["a" * 64, "a" * 64]}, {"title": "line\nbreak"},
                       {"extra": 1}, {"v": 2}, {"kind": "memo"}]:
            with self.subTest(change):
                with self.assertRaises(records.RecordError):
                    records.sign_record(key, dict(base, **change), "sha256")
        for vector in RECORDS["vectors"]:
            records.check_record(vector["record"])

    def test_large_sets_are_cut_into_batches_that_fit(self):
        key = SigningKey(KEYS["ed25519"]["private_pem"])
        base = unsigned(RECORDS["vectors"][0]["record"])
        many = [dict(base, time=base["time"] + i, title="x" * 1000) for i in range(6000)]
        batches = records.sign_batches(key, many, "sha256")
        self.assertGreater(len(batches), 1)
        self.assertEqual(sum(len(b.records) for b in batches), 6000)
        for batch in batches:
            self.assertLessEqual(len(batch.body), 8 * 1024 * 1024)


class Merkle(unittest.TestCase):
    def test_rfc6962_vectors(self):
        vectors = load("rfc6962-transparency-dev.json")
        H = merkle.hasher("sha256")
        for case in vectors["roots"]:
            leaves = [merkle.leaf_hash(H, bytes.fromhex(leaf)) for leaf in case["leaves"]]
            self.assertEqual(merkle.root(H, leaves).hex(), case["root"])
        for case in vectors["inclusion"]:
            got = merkle.root_from_inclusion(H, bytes.fromhex(case["leaf_hash"]), case["index"],
                                             case["size"], [bytes.fromhex(p) for p in case["proof"]])
            self.assertEqual(got is not None and got.hex() == case["root"], case["valid"])

    def test_proofs_we_make_verify(self):
        H = merkle.hasher("sm3")
        leaves = [merkle.leaf_hash(H, bytes([i])) for i in range(13)]
        top = merkle.root(H, leaves)
        for index in range(13):
            proof = merkle.inclusion_proof(H, leaves, index)
            self.assertEqual(merkle.root_from_inclusion(H, leaves[index], index, 13, proof), top)
            self.assertEqual(merkle.inclusion_proofs(H, leaves)[index], proof)


if __name__ == "__main__":
    unittest.main()
