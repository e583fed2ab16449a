"""The SDK's receipt verifier against the shared corpus (tests/vectors/receipts/):
for every case the same answer as `evidence verify`: the code of the first failed
check (or none), unusable input or not, and for a valid receipt the time it
proves (existed_by_ms)."""
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
    """(code, exit, existed_by_ms) of the SDK for one case, as evidence verify gives them."""
    try:
        genesis = Genesis.parse(read(case["genesis"]))
        receipt = parse_receipt(read(case["receipt"]))
        if by_digest:
            facts = verify_receipt(receipt, genesis, digest=case["document_digest"])
        else:
            facts = verify_receipt(receipt, genesis, document=read(case["document"]))
    except ReceiptError as error:
        return error.check, 2 if error.unusable else 1, None
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


if __name__ == "__main__":
    unittest.main()
