"""The register across governance actions (evidence_ledger/governance.py), the
twin of ledger/governance*.cc: the state hash of the corpus' governed chain as
the C++ wrote it into its headers, and each rule of ApplyAction with the C++
code, on a version-2 genesis made here from Ed25519 keys of fixed seeds."""
import base64
import hashlib
import json
import os
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from evidence_ledger import governance, jcs, merkle
from evidence_ledger.governance import GovernanceError, GovernanceHistory
from evidence_ledger.keys import PublicKey

VECTORS = os.environ.get("EVIDENCE_VECTORS_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "tests", "vectors")
CORPUS = os.path.join(VECTORS, "receipts")
H = merkle.hasher("sha256")
CHAIN = "governance-test"
INSTITUTIONS = ["泗水县司法局", "泗水县人民检察院", "泗水县人民法院", "泗水县公证处"]


def key_pair(seed):
    secret = ed25519.Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"governance test key {seed}".encode()).digest())
    pem = secret.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return secret, PublicKey(pem).canonical_pem(), PublicKey(pem).key_id


VOTE = [key_pair(f"vote {i}") for i in range(4)]
NODE = [key_pair(f"node {i}") for i in range(4)]
ADMIN = [key_pair(f"admin {i}") for i in range(4)]
AGENCY = key_pair("agency")
SPARE = [key_pair(f"spare {i}") for i in range(3)]

GENESIS = {
    "v": 2, "chain_id": CHAIN, "genesis_time_ms": 1767225600000, "hash": "sha256",
    "validators": [{"name": f"validator-{i}", "institution": INSTITUTIONS[i],
                    "vote_key": VOTE[i][1], "node_key": NODE[i][1], "power": 1,
                    "address": f"127.0.0.1:{26656 + i}"} for i in range(4)],
    "agencies": [{"id": "sishui-market-supervision", "name": "泗水县市场监督管理局",
                  "institution": "泗水县人民政府", "keys": [AGENCY[1]]}],
    "readers": [],
    "params": {"batch_records_max": 10000, "block_bytes_max": 16777216,
               "block_records_max": 10000, "governance_threshold": 3,
               "record_future_skew_ms": 300000, "record_past_window_ms": 604800000},
    "admins": [{"institution": INSTITUTIONS[i], "keys": [ADMIN[i][1]]} for i in range(4)],
    "observers": [],
}


def leaf(seq, action, operands, signers=(0, 1, 2), chain_id=CHAIN):
    """The leaf of an action signed by the admins of institutions ``signers``."""
    value = {"v": 1, "chain_id": chain_id, "seq": seq, "action": action, **operands}
    signing = b"EVIDENCE-GOVERNANCE/v1\n" + jcs.canonicalize(value)
    value["sigs"] = sorted(({"alg": "ed25519", "key": ADMIN[i][2],
                             "value": base64.b64encode(ADMIN[i][0].sign(signing)).decode()}
                            for i in signers), key=lambda s: s["key"])
    return jcs.canonicalize(value).decode()


def add_tax(seq=1, signers=(0, 1, 2)):
    return leaf(seq, "add-agency", {"agency": {"id": "sishui-tax-bureau", "name": "泗水县税务局",
                                               "institution": "泗水县人民政府",
                                               "keys": [SPARE[0][1]]}}, signers)


def genesis_register(document=None):
    return governance.register_from_genesis(document or GENESIS, H)


def refusal(leaves, on=None):
    try:
        governance.apply_action_leaves(on or genesis_register(), leaves, 5, 1767225700000)
        return None
    except GovernanceError as error:
        return error.code


class Register(unittest.TestCase):
    def test_the_state_hash_is_the_one_the_cpp_put_into_the_governed_chains_headers(self):
        with open(os.path.join(CORPUS, "genesis", "governed.json"), encoding="utf-8") as f:
            governed = json.load(f)
        with open(os.path.join(CORPUS, "receipts", "governed-new-validator-set.json"),
                  encoding="utf-8") as f:
            blocks = json.load(f)["governance"]
        history = GovernanceHistory(genesis_register(governed))
        for block in blocks:
            header = block["block"]
            self.assertEqual(history.latest().hash, header["state_hash"])
            self.assertEqual(history.latest().validator_set_hash, header["next_validators_hash"])
            history.apply(header["height"], header["time_ms"], block["actions"])
        self.assertEqual(history.change_heights(), [2, 4, 6])
        self.assertEqual(history.in_force(7).next_seq, 5)
        self.assertEqual(history.in_force(8).next_seq, 6)

    def test_an_action_of_the_threshold_changes_a_copy(self):
        before = genesis_register()
        after = governance.apply_action_leaves(before, [add_tax()], 5, 1767225700000)
        self.assertEqual(after.next_seq, 2)
        self.assertNotEqual(after.hash, before.hash)
        self.assertIsNotNone(after.active_agency_key("sishui-tax-bureau", SPARE[0][2]))
        self.assertIsNone(before.active_agency_key("sishui-tax-bureau", SPARE[0][2]))
        revoked = governance.apply_action_leaves(after, [leaf(2, "revoke-agency-key", {
            "agency_id": "sishui-market-supervision", "key_id": AGENCY[2],
            "reason": "compromised", "effective_ms": 1767225650000})], 6, 1767225800000)
        self.assertIsNone(revoked.active_agency_key("sishui-market-supervision", AGENCY[2]))
        self.assertEqual(revoked.agency_key("sishui-market-supervision", AGENCY[2])["revoked"],
                         {"reason": "compromised", "effective_ms": 1767225650000, "seq": 2,
                          "height": 6, "time_ms": 1767225800000})

    def test_the_authority_checks_refuse_with_the_cpp_codes(self):
        v1 = {k: v for k, v in GENESIS.items() if k not in ("v", "params", "admins", "observers")}
        self.assertEqual(refusal([add_tax()], genesis_register(v1)), "governance.not_governed")
        self.assertEqual(refusal([leaf(1, "remove-agency", {"agency_id": "x"}, chain_id="other")]),
                         "governance.chain_mismatch")
        self.assertEqual(refusal([add_tax(2)]), "governance.bad_sequence")
        self.assertEqual(refusal([add_tax(), add_tax(1)]), "governance.bad_sequence")
        self.assertEqual(refusal([add_tax(1, (0, 1))]), "governance.too_few_signatures")
        forged = json.loads(add_tax())
        forged["agency"]["name"] = "泗水县税务局（伪）"
        self.assertEqual(refusal([jcs.canonicalize(forged).decode()]), "governance.bad_signature")
        unknown = json.loads(add_tax())
        unknown["sigs"][0]["key"] = SPARE[2][2]
        unknown["sigs"].sort(key=lambda s: s["key"])
        self.assertEqual(refusal([jcs.canonicalize(unknown).decode()]),
                         "governance.unknown_admin_key")
        self.assertEqual(refusal([leaf(1, "dissolve-chain", {})]), "governance.unknown_action")
        self.assertEqual(refusal([add_tax().replace("{", "{ ", 1)]), "governance.malformed")

    def test_each_operations_rules_refuse_with_the_cpp_codes(self):
        with_tax = governance.apply_action_leaves(genesis_register(), [add_tax()], 5, 1767225700000)
        self.assertEqual(refusal([leaf(2, "add-agency-key", {
            "agency_id": "sishui-market-supervision", "key": SPARE[0][1]})], with_tax),
            "governance.conflict")
        self.assertEqual(refusal([leaf(1, "remove-agency", {"agency_id": "no-such-agency"})]),
                         "governance.unknown_entry")
        self.assertEqual(refusal([leaf(1, "remove-validator", {"name": "validator-3"})]),
                         "governance.unsafe_validator_set")
        self.assertEqual(refusal([leaf(1, "set-power", {"name": "validator-0", "power": 2})]),
                         "governance.unsafe_validator_set")
        self.assertEqual(refusal([leaf(1, "set-params", {"params": {"governance_threshold": 5}})]),
                         "governance.malformed")
        self.assertEqual(refusal([leaf(1, "set-params", {"params": {"governance_threshold": 3}})]),
                         "governance.conflict")
        self.assertEqual(refusal([leaf(1, "revoke-admin-key", {
            "institution": INSTITUTIONS[0], "key_id": ADMIN[0][2]})]), "governance.conflict")

    def test_a_vote_key_rotation_changes_the_set_two_blocks_later(self):
        history = GovernanceHistory(genesis_register())
        history.apply(5, 1767225700000, [leaf(1, "rotate-validator-keys", {
            "name": "validator-3", "vote_key": SPARE[2][1]})])
        rotated = history.latest()
        self.assertEqual(rotated.validators_since, 7)
        self.assertEqual(rotated.retired_keys, [VOTE[3][2]])
        self.assertEqual(history.in_force(6).validator_set_hash,
                         genesis_register().validator_set_hash)
        self.assertEqual(history.in_force(7).validator_set_hash, rotated.validator_set_hash)
        self.assertEqual(refusal([leaf(2, "rotate-validator-keys", {
            "name": "validator-2", "vote_key": VOTE[3][1]})], rotated), "governance.conflict")


    def test_the_tsas_and_witnesses_give_the_cpp_state_hashes_of_the_trusted_time_chain(self):
        with open(os.path.join(CORPUS, "genesis", "governed-trusted-time.json"),
                  encoding="utf-8") as f:
            document = json.load(f)
        with open(os.path.join(CORPUS, "receipts", "trusted-time-after-removal.json"),
                  encoding="utf-8") as f:
            receipt = json.load(f)
        history = GovernanceHistory(genesis_register(document))
        for block in receipt["governance"]:
            self.assertEqual(history.latest().hash, block["block"]["state_hash"])
            history.apply(block["block"]["height"], block["block"]["time_ms"], block["actions"])
        last = history.latest()
        self.assertEqual(last.hash, receipt["block"]["state_hash"])
        self.assertEqual([w["name"] for w in last.witnesses], ["witness.example.org/w2"])
        self.assertEqual(len(last.tsas), 2)
        self.assertNotEqual(last.tsas[0]["ca_cert"], document["tsas"][0]["ca_cert"])
        self.assertIn(PublicKey(document["witnesses"][0]["key"]).key_id, last.retired_keys)

    def test_the_trusted_time_actions_refuse_with_the_cpp_codes(self):
        def witness(seq, name, pem):
            return leaf(seq, "add-witness", {"witness": {"name": name, "key": pem}})
        with_witness = governance.apply_action_leaves(
            genesis_register(), [witness(1, "w.example/1", SPARE[0][1])], 5, 1767225700000)
        self.assertEqual(len(with_witness.witnesses), 1)
        self.assertEqual(refusal([witness(2, "w.example/1", SPARE[1][1])], with_witness),
                         "governance.conflict")
        self.assertEqual(refusal([witness(2, "w.example/2", SPARE[0][1])], with_witness),
                         "governance.conflict")
        self.assertEqual(refusal([witness(1, "w example", SPARE[1][1])]), "governance.malformed")
        self.assertEqual(refusal([witness(1, "w.example/3", ADMIN[0][1])]), "governance.conflict")
        removed = governance.apply_action_leaves(
            with_witness, [leaf(2, "remove-witness", {"name": "w.example/1"})], 5, 1767225700000)
        self.assertEqual(removed.witnesses, [])
        self.assertEqual(refusal([witness(3, "w.example/1", SPARE[0][1])], removed),
                         "governance.conflict")
        self.assertEqual(refusal([leaf(2, "remove-witness", {"name": "w.example/9"})], with_witness),
                         "governance.unknown_entry")
        self.assertEqual(refusal([leaf(1, "set-tsa-ca", {"institution": INSTITUTIONS[0],
                                                          "ca_cert": "not a certificate"})]),
                         "governance.malformed")


if __name__ == "__main__":
    unittest.main()
