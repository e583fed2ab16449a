"""The SDK's receipt verifier against the shared corpus (tests/vectors/receipts/):
for every case the same answer as `evidence verify`: the code of the first failed
check (or none), unusable input or not, and for a valid receipt the time it
proves (existed_by_ms); for the receipts v2 of manifest-v2.json also the number
of notes and warnings."""
import json
import os
import unittest

from evidence_ledger import Genesis, ReceiptError, parse_receipt, verify_receipt

VECTORS = os.environ.get("EVIDENCE_VECTORS_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "tests", "vectors")
CORPUS = os.environ.get("EVIDENCE_RECEIPT_CORPUS") or os.path.join(VECTORS, "receipts")


def read(name):
    with open(os.path.join(CORPUS, name), "rb") as f:
        return f.read()


def answer(case, by_digest):
    """(code, exit, existed_by_ms[, notes, warnings]) of the SDK for one case, as
    evidence verify gives them (the counts when the case has them)."""
    try:
        genesis = Genesis.parse(read(case["genesis"]))
        receipt = parse_receipt(read(case["receipt"]))
        if by_digest:
            facts = verify_receipt(receipt, genesis, digest=case["document_digest"])
        else:
            facts = verify_receipt(receipt, genesis, document=read(case["document"]))
    except ReceiptError as error:
        return error.check, 2 if error.unusable else 1, None
    if "notes" in case:
        return None, 0, facts["existed_by_ms"], len(facts["notes"]), len(facts["warnings"])
    return None, 0, facts["existed_by_ms"]


class Corpus(unittest.TestCase):
    def test_every_case_gets_the_corpus_answer(self):
        manifest = json.loads(read("manifest.json"))
        self.assertEqual(manifest["version"], 1)
        cases = manifest["cases"]
        self.assertGreater(len(cases), 100)
        for case in cases:
            for by_digest in (False, True):
                with self.subTest(case["name"], by_digest=by_digest):
                    self.assertEqual(answer(case, by_digest),
                                     (case["code"], case["exit"], case["existed_by_ms"]),
                                     case["description"])

    def test_every_receipt_v2_case_gets_the_corpus_answer(self):
        manifest = json.loads(read("manifest-v2.json"))
        self.assertEqual(manifest["version"], 1)
        cases = manifest["cases"]
        self.assertGreater(len(cases), 30)
        self.assertTrue(any(c.get("warnings") for c in cases) and any(c.get("notes") for c in cases))
        for case in cases:
            expected = (case["code"], case["exit"], case["existed_by_ms"])
            if "notes" in case:
                expected += (case["notes"], case["warnings"])
            for by_digest in (False, True):
                with self.subTest(case["name"], by_digest=by_digest):
                    self.assertEqual(answer(case, by_digest), expected, case["description"])

    def test_a_v2_receipt_names_the_register_and_the_warning(self):
        genesis = Genesis.parse(read("genesis/governed.json"))
        facts = verify_receipt(parse_receipt(read("receipts/governed-new-validator-set.json")),
                               genesis, document=read("documents/gov-new-set.txt"))
        self.assertEqual((facts["receipt_version"], facts["governance_blocks"],
                          facts["governance_changes_in_force"], facts["last_change_height"]),
                         (2, 3, 3, 6))
        warned = verify_receipt(
            parse_receipt(read("receipts/governed-compromised-key-warning.json")), genesis,
            document=read("documents/gov-compromised-after.txt"))
        self.assertEqual(warned["notes"], [])
        self.assertIn("stolen key", warned["warnings"][0])


if __name__ == "__main__":
    unittest.main()
