"""Offline verification of receipts v1 (docs/receipt-format.md), with only the
document (or its digest), the receipt and the chain's genesis file.

    genesis = Genesis.load("genesis.json")
    facts = verify_receipt(parse_receipt(open("R.json", "rb").read()), genesis,
                           document=open("decision.pdf", "rb").read())

The checks run in the order of docs/receipt-format.md §7 and the first that
fails raises ReceiptError, whose ``check`` is that check's name
(malformed, digest_mismatch, bad_record_signature, bad_inclusion,
header_mismatch, bad_commit, validator_set_mismatch), as `evidence verify`
prints it.
"""
import base64
import binascii
import hashlib
import json
import re
import struct

from . import jcs, merkle, records
from .keys import KeyFormatError, PublicKey

_HEX64 = re.compile(r"[0-9a-f]{64}")


class ReceiptError(Exception):
    def __init__(self, check, reason):
        self.check = check
        self.reason = reason
        super().__init__(f"INVALID ({check}): {reason}")


def _fail(check, reason):
    raise ReceiptError(check, reason)


def _hex32(value, what):
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        _fail("malformed", f"{what} is not 64 lower-case hex digits")
    return bytes.fromhex(value)


def _integer(value, what):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        _fail("malformed", f"{what} is not a non-negative integer")
    return value


def _base64(value, what, check):
    if not isinstance(value, str) or len(value) % 4:
        _fail(check, f"{what} is not padded base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        _fail(check, f"{what} is not base64")


RECEIPT_BYTES_MAX = 256 * 1024
COMMIT_SIGNATURES_MAX = 1000
VOTE_SIGNATURE_BYTES_MAX = 256
UINT32_MAX = 2**32 - 1
_HEADER_HASHES = ("previous_hash", "log_root", "leaves_root", "validators_hash",
                  "evidence_hash", "last_commit_hash")


def _members(value, where, names):
    if not isinstance(value, dict):
        _fail("malformed", f"{where} is not a JSON object")
    if set(value) != set(names):
        extra, missing = set(value) - set(names), set(names) - set(value)
        _fail("malformed", f"{where}: unknown member {sorted(extra)[0]!r}" if extra
              else f"{where}: missing member {sorted(missing)[0]!r}")


def _signed(value, what):
    if not isinstance(value, int) or isinstance(value, bool):
        _fail("malformed", f"{what} is not an integer")
    return value


def check_receipt(receipt):
    """The receipt's shape (docs/receipt-format.md §6): exactly its members, of
    their types; the record by the ledger's record rules. ReceiptError "malformed"."""
    _members(receipt, "receipt", ("v", "record", "leaf_index", "tree_size", "inclusion_proof",
                                  "block", "commit", "validator_set_hash"))
    if _signed(receipt["v"], "v") != 1:
        _fail("malformed", f"receipt version {receipt['v']} is not 1")
    try:
        records.check_record(receipt["record"])
    except records.RecordError as error:
        _fail("malformed", f"record: {error}")
    _integer(receipt["leaf_index"], "leaf_index")
    _integer(receipt["tree_size"], "tree_size")
    proof = receipt["inclusion_proof"]
    if not isinstance(proof, list) or len(proof) > 64:
        _fail("malformed", "inclusion_proof is not a list of at most 64 hashes")
    for p in proof:
        _hex32(p, "inclusion_proof")
    header = receipt["block"]
    _members(header, "block", ("chain_id", "height", "time_ms", "log_size", "proposer")
             + _HEADER_HASHES)
    if not isinstance(header["chain_id"], str) or \
            not 1 <= len(header["chain_id"].encode()) <= 64:
        _fail("malformed", "block.chain_id must be 1..64 bytes")
    _integer(header["height"], "block.height")
    _signed(header["time_ms"], "block.time_ms")
    _integer(header["log_size"], "block.log_size")
    if _integer(header["proposer"], "block.proposer") > UINT32_MAX:
        _fail("malformed", "block.proposer out of range")
    for name in _HEADER_HASHES:
        _hex32(header[name], f"block.{name}")
    commit = receipt["commit"]
    _members(commit, "commit", ("height", "round", "block_hash", "signatures"))
    _integer(commit["height"], "commit.height")
    if _integer(commit["round"], "commit.round") > UINT32_MAX:
        _fail("malformed", "commit.round out of range")
    _hex32(commit["block_hash"], "commit.block_hash")
    signatures = commit["signatures"]
    if not isinstance(signatures, list) or len(signatures) > COMMIT_SIGNATURES_MAX:
        _fail("malformed", "commit.signatures is not a list of at most 1000")
    for i, s in enumerate(signatures):
        _members(s, f"commit.signatures[{i}]", ("validator", "timestamp_ms", "signature"))
        if _integer(s["validator"], "validator") > UINT32_MAX:
            _fail("malformed", "validator index out of range")
        _signed(s["timestamp_ms"], "timestamp_ms")
        if len(_base64(s["signature"], "signature", "malformed")) > VOTE_SIGNATURE_BYTES_MAX:
            _fail("malformed", "a precommit signature is over 256 bytes")
    _hex32(receipt["validator_set_hash"], "validator_set_hash")


def parse_receipt(text):
    """A receipt file's text (str or bytes) read strictly, as `evidence verify`
    reads it; ReceiptError "malformed" otherwise."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(data) > RECEIPT_BYTES_MAX:
        _fail("malformed", f"a receipt is at most {RECEIPT_BYTES_MAX} bytes")
    try:
        receipt = jcs.loads(data)
    except jcs.CanonicalJsonError as error:
        _fail("malformed", str(error))
    check_receipt(receipt)
    return receipt


class Genesis:
    """What a verifier trusts: the chain id, its hash, the validators and the
    agencies' keys, read once from a genesis file."""

    def __init__(self, document):
        try:
            self.chain_id = document["chain_id"]
            self.hash_name = document["hash"]
            self.H = merkle.hasher(self.hash_name)
            self.validators = [(PublicKey(v["vote_key"]), v["power"])
                               for v in document["validators"]]
            self.agency_keys = {a["id"]: [PublicKey(k) for k in a["keys"]]
                                for a in document["agencies"]}
        except (KeyError, TypeError, ValueError, KeyFormatError) as error:
            raise ValueError(f"not a usable genesis: {error}") from None
        lines = "".join(f"{key.key_id}:{power}\n" for key, power in self.validators)
        self.validator_set_hash = self.H(lines.encode())

    @classmethod
    def load(cls, path):
        with open(path, "rb") as f:
            return cls(json.loads(f.read()))


def header_bytes(header):
    """The block header bytes of docs/receipt-format.md §4."""
    chain = header["chain_id"].encode()
    if not 1 <= len(chain) <= 64:
        _fail("malformed", "block.chain_id must be 1..64 bytes")
    return (b"EVIDENCE-BLOCK/v1\n" + bytes([len(chain)]) + chain +
            struct.pack(">Qq", _integer(header["height"], "block.height"), header["time_ms"]) +
            _hex32(header["previous_hash"], "block.previous_hash") +
            struct.pack(">Q", _integer(header["log_size"], "block.log_size")) +
            _hex32(header["log_root"], "block.log_root") +
            _hex32(header["leaves_root"], "block.leaves_root") +
            _hex32(header["validators_hash"], "block.validators_hash") +
            struct.pack(">I", _integer(header["proposer"], "block.proposer")) +
            _hex32(header["evidence_hash"], "block.evidence_hash") +
            _hex32(header["last_commit_hash"], "block.last_commit_hash"))


def vote_bytes(chain_id, height, round_, block_hash, timestamp_ms):
    """A precommit's signed bytes (docs/receipt-format.md §5)."""
    chain = chain_id.encode()
    return (b"EVIDENCE-VOTE/v1\n" + bytes([len(chain)]) + chain + b"\x02" +
            struct.pack(">QI", height, round_) + block_hash + struct.pack(">q", timestamp_ms))


def _check_record_signature(record, genesis):
    H = genesis.H
    sig = record.get("sig") or {}
    key = next((k for k in genesis.agency_keys.get(record.get("agency"), [])
                if k.key_id == sig.get("key")), None)
    if key is None:
        _fail("bad_record_signature", "the key sig.key is not registered for the agency")
    if key.alg != sig.get("alg"):
        _fail("bad_record_signature", f"sig.alg is {sig.get('alg')!r}, the key is {key.alg!r}")
    signature = _base64(sig.get("value"), "sig.value", "bad_record_signature")
    if "batch" in sig:
        batch = sig["batch"]
        record_id = H(records.signing_bytes(record))
        path = [_hex32(p, "sig.batch.path") for p in batch["path"]]
        batch_root = merkle.root_from_inclusion(H, merkle.leaf_hash(H, record_id),
                                                batch["index"], batch["size"], path)
        if batch_root is None or batch_root.hex() != batch["root"]:
            _fail("bad_record_signature", "the record is not in its batch")
        signed = records.batch_signing_bytes({"agency": record["agency"],
                                              "chain_id": record["chain_id"],
                                              "root": batch["root"], "size": batch["size"],
                                              "v": 1})
    else:
        signed = records.signing_bytes(record)
    if not key.verify(signed, signature):
        _fail("bad_record_signature", "the signature does not verify")


def _check_commit(commit, header, genesis, block_hash):
    height = _integer(commit.get("height"), "commit.height")
    if height < 1 or block_hash == bytes(32):
        _fail("bad_commit", "commit height or block hash is empty")
    total = sum(power for _, power in genesis.validators)
    power, last = 0, -1
    for s in commit.get("signatures", []):
        i = _integer(s.get("validator"), "commit validator")
        if i <= last or i >= len(genesis.validators):
            _fail("bad_commit", "validator indexes are not increasing or not in genesis")
        last = i
        vote = vote_bytes(header["chain_id"], height, _integer(commit.get("round"), "round"),
                          block_hash, s["timestamp_ms"])
        key, validator_power = genesis.validators[i]
        if not key.verify(vote, _base64(s.get("signature"), "signature", "bad_commit")):
            _fail("bad_commit", f"the precommit of validator {i} does not verify")
        power += validator_power
    if not 3 * power > 2 * total:
        _fail("bad_commit", f"signers hold {power} of {total} voting power, not more than 2/3")


def verify_receipt(receipt, genesis, *, document=None, digest=None):
    """Checks a receipt (dict) against genesis (Genesis) and the document's bytes
    or its digest ("sha256:<hex>"). Returns what it proves as a dict; raises
    ReceiptError naming the first check that fails."""
    try:
        return _verify(receipt, genesis, document, digest)
    except (KeyError, TypeError, AttributeError, ValueError, struct.error) as error:
        if isinstance(error, ReceiptError):
            raise
        raise ReceiptError("malformed", f"the receipt is not a v1 receipt: {error!r}") from None


def _verify(receipt, genesis, document, digest):
    check_receipt(receipt)
    record, header, commit = receipt["record"], receipt["block"], receipt["commit"]
    if receipt.get("v") != 1 or record.get("chain_id") != genesis.chain_id or \
            header.get("chain_id") != genesis.chain_id:
        _fail("malformed", "not a v1 receipt of this chain")
    algorithm, _, hex_digest = record["digest"].partition(":")
    if document is not None:
        if algorithm not in ("sha256", "sm3") or \
                hashlib.new(algorithm, document).hexdigest() != hex_digest:
            _fail("digest_mismatch", "the document is not the one recorded")
    elif digest is not None and digest != record["digest"]:
        _fail("digest_mismatch", "the digest is not the one recorded")
    _check_record_signature(record, genesis)
    H = genesis.H
    if receipt["tree_size"] != header["log_size"]:
        _fail("bad_inclusion", "tree_size is not the block's log_size")
    leaf = merkle.leaf_hash(H, jcs.canonicalize(record))
    proof = [_hex32(p, "inclusion_proof") for p in receipt["inclusion_proof"]]
    log_root = merkle.root_from_inclusion(H, leaf, _integer(receipt["leaf_index"], "leaf_index"),
                                          receipt["tree_size"], proof)
    if log_root is None or log_root.hex() != header["log_root"]:
        _fail("bad_inclusion", "the inclusion proof does not lead to the block's log root")
    block_hash = H(header_bytes(header))
    if block_hash.hex() != commit.get("block_hash") or commit.get("height") != header["height"]:
        _fail("header_mismatch", "the header is not the committed block")
    _check_commit(commit, header, genesis, block_hash)
    if receipt["validator_set_hash"] != genesis.validator_set_hash.hex() or \
            header["validators_hash"] != genesis.validator_set_hash.hex():
        _fail("validator_set_mismatch", "the block was not committed by the genesis validators")
    return {"record_id": H(records.signing_bytes(record)).hex(), "agency": record["agency"],
            "case_id": record["case_id"], "digest": record["digest"],
            "agency_time_ms": record["time"], "block_time_ms": header["time_ms"],
            "height": header["height"], "leaf_index": receipt["leaf_index"],
            "tree_size": receipt["tree_size"], "log_root": header["log_root"]}
