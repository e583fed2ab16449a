"""Offline verification of receipts v1 and v2 (docs/receipt-format.md), with
only the document (or its digest), the receipt and the chain's genesis file.

    genesis = Genesis.load("genesis.json")
    receipt = parse_receipt(open("decision.pdf.receipt.json", "rb").read())
    facts = verify_receipt(receipt, genesis, document=open("decision.pdf", "rb").read())
    facts["existed_by_ms"]   # the document existed no later than this (Unix ms)

Every refusal raises ReceiptError, whose ``check`` is the code `evidence verify`
prints: genesis.invalid (the genesis file breaks a rule of §2),
receipt.malformed and receipt.unsupported_version (not a well-formed v1 or v2
receipt), then the checks of §7 in order: receipt.wrong_chain,
receipt.digest_mismatch, receipt.bad_record_signature, receipt.bad_inclusion,
receipt.header_mismatch, receipt.bad_commit, receipt.validator_set_mismatch.
A v2 receipt (§11, after a governance change) carries the chain's governance
blocks: after the chain ids they are replayed from genesis
(receipt.bad_governance when one does not hold or is missing), and the record
is then checked against the register in force at its block; the facts then
name that register and carry the notes (a key revoked after the record) and
warnings (a key compromised from before the record's claimed time).
``ReceiptError.unusable`` tells the first three (exit status 2: unusable input)
from the others (exit 1: the receipt does not prove the document). The shared
corpus tests/vectors/receipts/ holds one case per rule with its answer; the
SDK's tests run all of them.
"""
import base64
import binascii
import hashlib
import re
import struct

from . import governance, jcs, merkle, records
from .keys import KeyFormatError, PublicKey

RECEIPT_BYTES_MAX = 256 * 1024   # version 1
RECEIPT_V2_BYTES_MAX = 8 * 1024 * 1024
RECEIPT_GOVERNANCE_BLOCKS_MAX = 4096
GOVERNANCE_ACTIONS_PER_BLOCK_MAX = 16
GOVERNANCE_ACTION_BYTES_MAX = 16 * 1024
GENESIS_BYTES_MAX = 4 * 1024 * 1024
COMMIT_SIGNATURES_MAX = 1000
VALIDATORS_MAX = 1000
AGENCIES_MAX = 10_000
AGENCY_KEYS_MAX = 16
READERS_MAX = 10_000
READER_ROLES = ("court", "procuratorate", "reconsideration", "supervisor")  # ledger/roles.h
OBSERVERS_MAX = 1000             # version 2 (docs/governance.md)
ADMIN_INSTITUTIONS_MAX = 64
ADMIN_KEYS_MAX = 16              # per institution
NAME_BYTES_MAX = 256
VOTE_SIGNATURE_BYTES_MAX = 256
TOTAL_POWER_MAX = 2**60
UINT32_MAX = 2**32 - 1
UNUSABLE = ("genesis.invalid", "receipt.malformed", "receipt.unsupported_version")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]+")
_HEADER_HASHES = ("previous_hash", "log_root", "leaves_root", "validators_hash",
                  "evidence_hash", "last_commit_hash")
_V2_HEADER_HASHES = ("actions_root", "next_validators_hash", "state_hash")


class ReceiptError(Exception):
    """A refusal: ``check`` is its code (e.g. "receipt.bad_inclusion"), ``reason``
    says why, ``unusable`` is true for unusable input (exit status 2)."""

    def __init__(self, check, reason):
        self.check = check
        self.reason = reason
        self.unusable = check in UNUSABLE
        super().__init__(f"INVALID ({check}): {reason}")


def _fail(check, reason):
    raise ReceiptError(check, reason)


# ------------------------------------------------------------------ shapes

def _members(value, where, names, code, optional=()):
    if not isinstance(value, dict):
        _fail(code, f"{where} is not a JSON object")
    extra = set(value) - set(names) - set(optional)
    missing = set(names) - set(value)
    if missing:
        _fail(code, f"{where}: missing member {sorted(missing)[0]!r}")
    if extra:
        _fail(code, f"{where}: unknown member {sorted(extra)[0]!r}")


def _integer(value, what, code="receipt.malformed", low=0, high=jcs.INTEGER_MAX):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        _fail(code, f"{what} is not an integer {low}..{high}")
    return value


def _string(value, what, code):
    if not isinstance(value, str):
        _fail(code, f"{what} is not a string")
    return value


def _hex32(value, what, code="receipt.malformed"):
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        _fail(code, f"{what} is not 64 lower-case hex digits")
    return bytes.fromhex(value)


def _base64(value, what, code):
    """Strict RFC 4648 base64: padded, canonical (the text it decodes from is the
    text the bytes encode to)."""
    if not isinstance(value, str):
        _fail(code, f"{what} is not a string")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        _fail(code, f"{what} is not base64")
    if base64.b64encode(data).decode() != value:
        _fail(code, f"{what} is not canonical base64")
    return data


# ------------------------------------------------------------------ genesis

def _name(value, where, identifier=False):
    text = _string(value, where, "genesis.invalid")
    size = len(text.encode("utf-8", "surrogatepass"))
    if not 1 <= size <= NAME_BYTES_MAX:
        _fail("genesis.invalid", f"{where} must be 1..{NAME_BYTES_MAX} bytes")
    if identifier and not _IDENTIFIER.fullmatch(text):
        _fail("genesis.invalid", f"{where} may hold only A-Z a-z 0-9 . _ -")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        _fail("genesis.invalid", f"{where} has a control character")
    return text


def _key(value, where):
    """A key as genesis holds it: the canonical PEM text of a P-256, Ed25519 or SM2
    key (a valid point, uncompressed, named curve; base64 lines of 64; "\\n")."""
    pem = _string(value, where, "genesis.invalid")
    try:
        key = PublicKey(pem)
    except KeyFormatError as error:
        _fail("genesis.invalid", f"{where}: {error}")
    if key.canonical_pem() != pem:
        _fail("genesis.invalid", f"{where} is not in canonical PEM form")
    return key


class Genesis:
    """What a verifier trusts, read once from a genesis file, by the rules of
    docs/receipt-format.md §2 (ReceiptError "genesis.invalid" otherwise)."""

    def __init__(self, document):
        invalid = "genesis.invalid"
        members = ("chain_id", "genesis_time_ms", "hash", "validators", "agencies", "readers")
        # Version 2 ("v": 2, docs/governance.md) adds params, admins and observers;
        # version 1 has no "v".
        version = document.get("v") if isinstance(document, dict) else None
        if isinstance(document, dict) and "v" in document:
            if type(version) is not int or version != 2:
                _fail(invalid, 'v must be 2 (version 1 has no "v")')
            members += ("v", "params", "admins", "observers")
        optional = ("tsas", "witnesses") if version == 2 else ()
        _members(document, "genesis", members, invalid, optional)
        self.document = document
        self.chain_id = _string(document["chain_id"], "chain_id", invalid)
        if not 1 <= len(self.chain_id) <= 64 or not _IDENTIFIER.fullmatch(self.chain_id):
            _fail(invalid, "chain_id must be 1..64 characters of A-Z a-z 0-9 . _ -")
        _integer(document["genesis_time_ms"], "genesis_time_ms", invalid)
        self.hash_name = _string(document["hash"], "hash", invalid)
        if self.hash_name not in ("sha256", "sm3"):
            _fail(invalid, f"hash must be sha256 or sm3, not {self.hash_name!r}")
        self.H = merkle.hasher(self.hash_name)
        self.validators = self._validators(document["validators"])
        self.agency_keys = self._agencies(document["agencies"])
        self._readers(document["readers"])
        if version == 2:
            self._governance(document)
        lines = "".join(f"{key.key_id}:{power}\n" for key, power in self.validators)
        self.validator_set_hash = self.H(lines.encode())
        self.total_power = sum(power for _, power in self.validators)

    @staticmethod
    def _list(value, where, most):
        if not isinstance(value, list) or len(value) > most:
            _fail("genesis.invalid", f"{where} is not a list of at most {most}")
        return value

    def _validators(self, listed):
        validators, names, vote_keys, node_keys, total = [], set(), set(), set(), 0
        self._institutions, self._names, self._node_keys, self._other_keys = [], set(), set(), set()
        listed = self._list(listed, "validators", VALIDATORS_MAX)
        if not listed:
            _fail("genesis.invalid", "the validator set is empty")
        for i, v in enumerate(listed):
            where = f"validators[{i}]"
            _members(v, where, ("name", "institution", "vote_key", "node_key", "power",
                                "address"), "genesis.invalid")
            name = _name(v["name"], f"{where}.name", identifier=True)
            _name(v["institution"], f"{where}.institution")
            vote_key = _key(v["vote_key"], f"{where}.vote_key")
            node_key = _key(v["node_key"], f"{where}.node_key")
            power = _integer(v["power"], f"{where}.power", "genesis.invalid", 1)
            _name(v["address"], f"{where}.address")
            total += power
            if total > TOTAL_POWER_MAX:
                _fail("genesis.invalid", "the total power exceeds 2^60")
            for seen, item, what in ((names, name, "name"), (vote_keys, vote_key.key_id,
                                     "vote_key"), (node_keys, node_key.key_id, "node_key")):
                if item in seen:
                    _fail("genesis.invalid", f"{where}.{what} is repeated")
                seen.add(item)
            validators.append((vote_key, power))
            self._institutions.append(v["institution"])
            self._names.add(name)
            self._node_keys.add(node_key.key_id)
            self._other_keys.update((vote_key.key_id, node_key.key_id))
        return validators

    _PARAM_BOUNDS = {"batch_records_max": (1, 10000), "block_bytes_max": (4096, 16777216),
                     "block_records_max": (1, 10000), "governance_threshold": (0, 64),
                     "record_future_skew_ms": (0, 86400000),
                     "record_past_window_ms": (0, 315360000000)}

    def _governance(self, document):
        """Version 2: params, observers and admins (docs/receipt-format.md §2)."""
        invalid = "genesis.invalid"
        params = document["params"]
        _members(params, "params", tuple(self._PARAM_BOUNDS), invalid)
        for name, (low, high) in self._PARAM_BOUNDS.items():
            _integer(params[name], f"params.{name}", invalid, low, high)
        for i, o in enumerate(self._list(document["observers"], "observers", OBSERVERS_MAX)):
            where = f"observers[{i}]"
            _members(o, where, ("name", "institution", "node_key", "address"), invalid)
            name = _name(o["name"], f"{where}.name", identifier=True)
            _name(o["institution"], f"{where}.institution")
            node_key = _key(o["node_key"], f"{where}.node_key")
            _name(o["address"], f"{where}.address")
            if name in self._names or node_key.key_id in self._node_keys:
                _fail(invalid, f"{where}: the name or node key of another validator or observer")
            self._names.add(name)
            self._node_keys.add(node_key.key_id)
            self._other_keys.add(node_key.key_id)
        admins = self._list(document["admins"], "admins", ADMIN_INSTITUTIONS_MAX)
        if not admins:
            _fail(invalid, "admins: at least one institution with admin keys is required")
        for keys in self.agency_keys.values():
            self._other_keys.update(key.key_id for key in keys)
        institutions, admin_keys = set(), set()
        for i, a in enumerate(admins):
            where = f"admins[{i}]"
            _members(a, where, ("institution", "keys"), invalid)
            institution = _name(a["institution"], f"{where}.institution")
            if institution in institutions:
                _fail(invalid, f"{where}.institution is repeated")
            institutions.add(institution)
            keys = self._list(a["keys"], f"{where}.keys", ADMIN_KEYS_MAX)
            if not keys:
                _fail(invalid, f"{where}.keys must hold 1..{ADMIN_KEYS_MAX} keys")
            for j, k in enumerate(keys):
                key_id = _key(k, f"{where}.keys[{j}]").key_id
                if key_id in self._other_keys or key_id in admin_keys:
                    _fail(invalid, f"{where}: key {key_id} is another key or registered twice")
                admin_keys.add(key_id)
        for i, institution in enumerate(self._institutions):
            if institution not in institutions:
                _fail(invalid, f"validators[{i}]: institution has no admin keys")
        if not 1 <= params["governance_threshold"] <= len(admins):
            _fail(invalid, f"params.governance_threshold must be 1..{len(admins)}")
        self._other_keys.update(admin_keys)
        self._trusted_time(document, institutions)

    def _trusted_time(self, document, institutions):
        """Version 2, optional: TSA CAs and witnesses (docs/receipt-format.md §2)."""
        invalid = "genesis.invalid"
        for member in ("tsas", "witnesses"):
            if member in document and not 1 <= len(self._list(document[member], member, 64)):
                _fail(invalid, f"{member} holds 1..64 entries when present (an empty list is left out)")
        seen = set()
        for i, t in enumerate(document.get("tsas", [])):
            where = f"tsas[{i}]"
            _members(t, where, ("institution", "ca_cert"), invalid)
            institution = _name(t["institution"], f"{where}.institution")
            if institution not in institutions or institution in seen:
                _fail(invalid, f"{where}.institution must hold admin keys and have one TSA CA")
            seen.add(institution)
            pem = _string(t["ca_cert"], f"{where}.ca_cert", invalid)
            if len(pem.encode("utf-8", "surrogatepass")) > 8192 or not governance.is_ca_certificate(pem):
                _fail(invalid, f"{where}.ca_cert must be one CA certificate in canonical PEM")
        names = set()
        for i, w in enumerate(document.get("witnesses", [])):
            where = f"witnesses[{i}]"
            _members(w, where, ("name", "key"), invalid)
            name = _name(w["name"], f"{where}.name")
            if any(c <= " " or c in "+\x7f" or c.isspace() for c in name) or name in names:
                _fail(invalid, f"{where}.name must be a note key name of its own")
            names.add(name)
            key = _key(w["key"], f"{where}.key")
            if key.alg != "ed25519" or key.key_id in self._other_keys:
                _fail(invalid, f"{where}.key must be an Ed25519 key no other entry holds")
            self._other_keys.add(key.key_id)

    def _agencies(self, listed):
        agencies, all_keys = {}, set()
        for i, a in enumerate(self._list(listed, "agencies", AGENCIES_MAX)):
            where = f"agencies[{i}]"
            _members(a, where, ("id", "name", "institution", "keys"), "genesis.invalid")
            agency_id = _name(a["id"], f"{where}.id", identifier=True)
            if len(agency_id) > 128:
                _fail("genesis.invalid", f"{where}.id is over 128 bytes")
            _name(a["name"], f"{where}.name")
            _name(a["institution"], f"{where}.institution")
            if agency_id in agencies:
                _fail("genesis.invalid", f"{where}.id is repeated")
            keys = self._list(a["keys"], f"{where}.keys", AGENCY_KEYS_MAX)
            if not keys:
                _fail("genesis.invalid", f"{where} has no keys")
            agencies[agency_id] = [_key(k, f"{where}.keys[{j}]") for j, k in enumerate(keys)]
            for key in agencies[agency_id]:
                if key.key_id in all_keys:
                    _fail("genesis.invalid", f"{where}: key {key.key_id} is registered twice")
                all_keys.add(key.key_id)
        return agencies

    def _readers(self, listed):
        ids = set()
        for i, r in enumerate(self._list(listed, "readers", READERS_MAX)):
            where = f"readers[{i}]"
            if not isinstance(r, dict) or ("token_sha256" in r) == ("key" in r):
                _fail("genesis.invalid", f"{where}: exactly one of token_sha256 and key")
            credential = "token_sha256" if "token_sha256" in r else "key"
            _members(r, where, ("id", "role", credential), "genesis.invalid")
            reader_id = _name(r["id"], f"{where}.id", identifier=True)
            if _name(r["role"], f"{where}.role", identifier=True) not in READER_ROLES:
                _fail("genesis.invalid", f"{where}.role is not one of {', '.join(READER_ROLES)}")
            if credential == "key":
                _key(r["key"], f"{where}.key")
            else:
                _hex32(r["token_sha256"], f"{where}.token_sha256", "genesis.invalid")
            if reader_id in ids:
                _fail("genesis.invalid", f"{where}.id is repeated")
            ids.add(reader_id)

    @classmethod
    def parse(cls, text):
        """A genesis file's text (str or bytes), read strictly."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        if len(data) > GENESIS_BYTES_MAX:
            _fail("genesis.invalid", f"a genesis file is at most {GENESIS_BYTES_MAX} bytes")
        try:
            return cls(jcs.loads(data))
        except jcs.CanonicalJsonError as error:
            _fail("genesis.invalid", str(error))

    @classmethod
    def load(cls, path):
        with open(path, "rb") as f:
            return cls.parse(f.read())


# ------------------------------------------------------------------ receipts

def _check_header(header, where, allow_version_2):
    """BlockHeaderFromJson: a v2 receipt's headers may carry "version": 2 and
    then the three governance hashes."""
    malformed = "receipt.malformed"
    governed = allow_version_2 and isinstance(header, dict) and "version" in header
    _members(header, where, ("chain_id", "height", "time_ms", "log_size", "proposer")
             + _HEADER_HASHES + (("version",) + _V2_HEADER_HASHES if governed else ()), malformed)
    chain_id = _string(header["chain_id"], f"{where}.chain_id", malformed)
    if not 1 <= len(chain_id) <= 64 or not _IDENTIFIER.fullmatch(chain_id):
        _fail(malformed, f"{where}.chain_id must be 1..64 characters of A-Z a-z 0-9 . _ -")
    _integer(header["height"], f"{where}.height")
    _integer(header["time_ms"], f"{where}.time_ms", low=-jcs.INTEGER_MAX)
    _integer(header["log_size"], f"{where}.log_size")
    _integer(header["proposer"], f"{where}.proposer", high=UINT32_MAX)
    for name in _HEADER_HASHES:
        _hex32(header[name], f"{where}.{name}")
    if governed:
        if _integer(header["version"], f"{where}.version") != 2:
            _fail(malformed, f"{where}.version must be 2 when given")
        for name in _V2_HEADER_HASHES:
            _hex32(header[name], f"{where}.{name}")


def _check_commit_shape(commit, where):
    malformed = "receipt.malformed"
    _members(commit, where, ("height", "round", "block_hash", "signatures"), malformed)
    _integer(commit["height"], f"{where}.height")
    _integer(commit["round"], f"{where}.round", high=UINT32_MAX)
    _hex32(commit["block_hash"], f"{where}.block_hash")
    signatures = commit["signatures"]
    if not isinstance(signatures, list) or len(signatures) > COMMIT_SIGNATURES_MAX:
        _fail(malformed, f"{where}.signatures is not a list of at most {COMMIT_SIGNATURES_MAX}")
    for i, s in enumerate(signatures):
        _members(s, f"{where}.signatures[{i}]", ("validator", "timestamp_ms", "signature"),
                 malformed)
        _integer(s["validator"], "validator", high=UINT32_MAX)
        _integer(s["timestamp_ms"], "timestamp_ms", low=-jcs.INTEGER_MAX)
        if len(_base64(s["signature"], "signature", malformed)) > VOTE_SIGNATURE_BYTES_MAX:
            _fail(malformed, f"a precommit signature is over {VOTE_SIGNATURE_BYTES_MAX} bytes")


def check_receipt(receipt):
    """The receipt's shape (docs/receipt-format.md §6, §11): `v` first (an
    integer other than 1 or 2 is receipt.unsupported_version), then exactly its
    members, of their types, the record by the ledger's record rules
    (receipt.malformed)."""
    malformed = "receipt.malformed"
    if not isinstance(receipt, dict):
        _fail(malformed, "a receipt is a JSON object")
    if "v" not in receipt:
        _fail(malformed, "receipt: missing member 'v'")
    version = _integer(receipt["v"], "v", malformed, -jcs.INTEGER_MAX)
    if version not in (1, 2):
        _fail("receipt.unsupported_version", f"receipt version {receipt['v']}: this verifier "
                                             "knows versions 1 and 2")
    _members(receipt, "receipt", ("v", "record", "leaf_index", "tree_size", "inclusion_proof",
                                  "block", "commit", "validator_set_hash")
             + (("governance",) if version == 2 else ()), malformed)
    try:
        records.check_record(receipt["record"])
    except records.RecordError as error:
        _fail(malformed, f"record: {error}")
    _integer(receipt["leaf_index"], "leaf_index")
    _integer(receipt["tree_size"], "tree_size")
    proof = receipt["inclusion_proof"]
    if not isinstance(proof, list) or len(proof) > 64:
        _fail(malformed, "inclusion_proof is not a list of at most 64 hashes")
    for p in proof:
        _hex32(p, "inclusion_proof")
    _check_header(receipt["block"], "block", version == 2)
    _check_commit_shape(receipt["commit"], "commit")
    _hex32(receipt["validator_set_hash"], "validator_set_hash")
    if version == 2:
        blocks = receipt["governance"]
        if not isinstance(blocks, list) or len(blocks) > RECEIPT_GOVERNANCE_BLOCKS_MAX:
            _fail(malformed, f"governance is not a list of at most {RECEIPT_GOVERNANCE_BLOCKS_MAX}")
        for i, g in enumerate(blocks):
            where = f"governance[{i}]"
            _members(g, where, ("block", "commit", "actions"), malformed)
            _check_header(g["block"], f"{where}.block", True)
            _check_commit_shape(g["commit"], f"{where}.commit")
            actions = g["actions"]
            if not isinstance(actions, list) or len(actions) > GOVERNANCE_ACTIONS_PER_BLOCK_MAX:
                _fail(malformed, f"{where}.actions is not a list of at most "
                                 f"{GOVERNANCE_ACTIONS_PER_BLOCK_MAX}")
            for action in actions:
                if not isinstance(action, str) or not 1 <= len(
                        action.encode("utf-8", "surrogatepass")) <= GOVERNANCE_ACTION_BYTES_MAX:
                    _fail(malformed, f"{where}.actions: an action of 1.."
                                     f"{GOVERNANCE_ACTION_BYTES_MAX} bytes")


def parse_receipt(text):
    """A receipt file's text (str or bytes), read as strictly as `evidence verify`
    reads it."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    # ledger::ParseReceipt: the v2 bound first, the v1 bound once the version is known.
    if len(data) > RECEIPT_V2_BYTES_MAX:
        _fail("receipt.malformed", f"a receipt is at most {RECEIPT_V2_BYTES_MAX} bytes")
    try:
        receipt = jcs.loads(data)
    except jcs.CanonicalJsonError as error:
        _fail("receipt.malformed", str(error))
    check_receipt(receipt)
    if receipt["v"] == 1 and len(data) > RECEIPT_BYTES_MAX:
        _fail("receipt.malformed", f"a version-1 receipt is at most {RECEIPT_BYTES_MAX} bytes")
    return receipt


def header_bytes(header):
    """The block header bytes of docs/receipt-format.md §4 (§11: a version-2
    header has its own domain and the three governance hashes at the end)."""
    chain = header["chain_id"].encode()
    governed = header.get("version") == 2
    v2 = b"".join(bytes.fromhex(header[name]) for name in _V2_HEADER_HASHES) if governed else b""
    domain = b"EVIDENCE-BLOCK/v2\n" if governed else b"EVIDENCE-BLOCK/v1\n"
    return (domain + bytes([len(chain)]) + chain +
            struct.pack(">Qq", header["height"], header["time_ms"]) +
            bytes.fromhex(header["previous_hash"]) + struct.pack(">Q", header["log_size"]) +
            bytes.fromhex(header["log_root"]) + bytes.fromhex(header["leaves_root"]) +
            bytes.fromhex(header["validators_hash"]) + struct.pack(">I", header["proposer"]) +
            bytes.fromhex(header["evidence_hash"]) + bytes.fromhex(header["last_commit_hash"]) + v2)


def vote_bytes(chain_id, height, round_, block_hash, timestamp_ms):
    """A precommit's signed bytes (docs/receipt-format.md §5)."""
    chain = chain_id.encode()
    return (b"EVIDENCE-VOTE/v1\n" + bytes([len(chain)]) + chain + b"\x02" +
            struct.pack(">QI", height, round_) + block_hash + struct.pack(">q", timestamp_ms))


def existed_by_ms(commit, genesis, validators=None):
    """The weighted median of the commit's precommit times: the time a receipt
    proves its document existed by (no single validator controls it).
    ``validators``: [(vote key, power)] in force, the genesis ones by default."""
    validators = genesis.validators if validators is None else validators
    entries = sorted((s["timestamp_ms"], s["validator"], validators[s["validator"]][1])
                     for s in commit["signatures"] if s["validator"] < len(validators))
    signed_power = sum(power for _, _, power in entries)
    accumulated = 0
    for timestamp, _, power in entries:
        accumulated += power
        if 2 * accumulated > signed_power:
            return timestamp
    return 0


def _check_record_signature(record, genesis, key=None, where="in genesis"):
    """``key``: the record's key from the register in force (v2); genesis's by default."""
    H = genesis.H
    sig = record["sig"]
    if key is None and where == "in genesis":
        key = next((k for k in genesis.agency_keys.get(record["agency"], [])
                    if k.key_id == sig["key"]), None)
    if key is None:
        _fail("receipt.bad_record_signature",
              f"key {sig['key']} is not registered {where} for agency {record['agency']!r}")
    if key.alg != sig["alg"]:
        _fail("receipt.bad_record_signature", f"sig.alg is {sig['alg']!r}, the key is {key.alg!r}")
    signature = base64.b64decode(sig["value"])
    if "batch" in sig:
        batch = sig["batch"]
        record_id = H(records.signing_bytes(record))
        batch_root = merkle.root_from_inclusion(H, merkle.leaf_hash(H, record_id),
                                                batch["index"], batch["size"],
                                                [bytes.fromhex(p) for p in batch["path"]])
        if batch_root is None or batch_root.hex() != batch["root"]:
            _fail("receipt.bad_record_signature", "the record is not in its batch")
        signed = records.batch_signing_bytes({"agency": record["agency"],
                                              "chain_id": record["chain_id"],
                                              "root": batch["root"], "size": batch["size"],
                                              "v": 1})
    else:
        signed = records.signing_bytes(record)
    if not key.verify(signed, signature):
        _fail("receipt.bad_record_signature", "the signature does not verify")


def _check_commit(commit, header, genesis, block_hash, validators=None,
                  code="receipt.bad_commit"):
    """VerifyCommit against ``validators`` ([(vote key, power)]; genesis's by default)."""
    validators = genesis.validators if validators is None else validators
    total_power = sum(power for _, power in validators)
    signatures = commit["signatures"]
    if commit["height"] == 0:
        _fail(code, "a commit for height 0 (heights start at 1)")
    if block_hash == bytes(32) or bytes.fromhex(commit["block_hash"]) == bytes(32):
        _fail(code, "a commit for a nil block hash")
    if not signatures:
        _fail(code, "the commit has no signatures")
    if len(signatures) > len(validators):
        _fail(code, "the commit has more signatures than validators")
    power, last = 0, -1
    for s in signatures:
        i = s["validator"]
        if i >= len(validators):
            _fail(code, f"unknown validator index {i}")
        if i <= last:
            _fail(code, "validator indexes must be strictly increasing")
        last = i
        key, validator_power = validators[i]
        vote = vote_bytes(header["chain_id"], commit["height"], commit["round"], block_hash,
                          s["timestamp_ms"])
        if not key.verify(vote, base64.b64decode(s["signature"])):
            _fail(code, f"the precommit of validator {i} does not verify")
        power += validator_power
    if not 3 * power > 2 * total_power:
        _fail(code, f"signers hold {power} of {total_power} voting power, "
                    "not more than 2/3")


def verify_receipt(receipt, genesis, *, document=None, digest=None):
    """Checks a receipt (dict; parse_receipt reads a file) against genesis
    (Genesis) and the document's bytes or its digest ("sha256:<hex>"). Returns
    what it proves as a dict (existed_by_ms first of all); raises ReceiptError
    naming the first check that fails."""
    check_receipt(receipt)
    if receipt["v"] == 2:
        return _verify_v2(receipt, genesis, document, digest)
    record, header, commit = receipt["record"], receipt["block"], receipt["commit"]
    # 1. The chain.
    for where, chain_id in (("record.chain_id", record["chain_id"]),
                            ("block.chain_id", header["chain_id"])):
        if chain_id != genesis.chain_id:
            _fail("receipt.wrong_chain", f"{where} is {chain_id!r}, but the genesis is for "
                                         f"{genesis.chain_id!r}")
    # 2. The document.
    if document is not None:
        algorithm = record["digest"].split(":", 1)[0]
        digest = f"{algorithm}:{hashlib.new(algorithm, document).hexdigest()}"
    if digest is not None and digest != record["digest"]:
        _fail("receipt.digest_mismatch", f"the document's digest {digest} is not the recorded "
                                         f"digest {record['digest']}")
    # 3. Authorship.
    _check_record_signature(record, genesis)
    # 4. Inclusion in the block's log root.
    H = genesis.H
    if receipt["tree_size"] != header["log_size"]:
        _fail("receipt.bad_inclusion", "tree_size is not the block's log_size")
    leaf = merkle.leaf_hash(H, jcs.canonicalize(record))
    log_root = merkle.root_from_inclusion(H, leaf, receipt["leaf_index"], receipt["tree_size"],
                                          [bytes.fromhex(p) for p in receipt["inclusion_proof"]])
    if log_root is None or log_root.hex() != header["log_root"]:
        _fail("receipt.bad_inclusion", "the inclusion proof does not lead to the block's log root")
    # 5. The header is the committed block.
    block_hash = H(header_bytes(header))
    if block_hash.hex() != commit["block_hash"] or commit["height"] != header["height"]:
        _fail("receipt.header_mismatch", "the header is not the committed block")
    # 6. The commit; 7. the validator set.
    _check_commit(commit, header, genesis, block_hash)
    if receipt["validator_set_hash"] != genesis.validator_set_hash.hex() or \
            header["validators_hash"] != genesis.validator_set_hash.hex():
        _fail("receipt.validator_set_mismatch",
              "the block was not committed by the genesis validators")
    return {"existed_by_ms": existed_by_ms(commit, genesis),
            "record_id": H(records.signing_bytes(record)).hex(), "agency": record["agency"],
            "case_id": record["case_id"], "kind": record["kind"], "stage": record["stage"],
            "digest": record["digest"], "agency_time_ms": record["time"],
            "block_time_ms": header["time_ms"], "height": header["height"],
            "leaf_index": receipt["leaf_index"], "tree_size": receipt["tree_size"],
            "log_root": header["log_root"], "receipt_version": 1, "governance_blocks": 0,
            "governance_changes_in_force": 0, "last_change_height": 0, "notes": [],
            "warnings": []}


# ------------------------------------------------------------------ receipts v2

def _pairs(register):
    return [(v["vote_key"], v["power"]) for v in register.validators]


def _replay_governance(receipt, genesis):
    """The receipt's governance blocks from genesis, each proven by a commit of
    the validators in force at its height and applied in order."""
    H = genesis.H
    history = governance.GovernanceHistory(
        governance.register_from_genesis(genesis.document, H))
    previous = 0
    for i, g in enumerate(receipt["governance"]):
        h, commit = g["block"], g["commit"]

        def bad(why):
            _fail("receipt.bad_governance", f"governance[{i}] (block {h['height']}): {why}")
        if h["chain_id"] != genesis.chain_id:
            bad("another chain's block")
        if h.get("version") != 2:
            bad("not a version-2 block header")
        if h["height"] <= previous:
            bad("heights must increase")
        previous = h["height"]
        if not g["actions"]:
            bad("carries no governance action")
        block_hash = H(header_bytes(h))
        if block_hash.hex() != commit["block_hash"] or commit["height"] != h["height"]:
            bad("the header is not the block its commit signs")
        in_force = history.in_force(h["height"])
        try:
            _check_commit(commit, h, genesis, block_hash, _pairs(in_force))
        except ReceiptError as error:
            bad(f"commit: {error.reason}")
        if h["validators_hash"] != in_force.validator_set_hash:
            bad("validators_hash is not the hash of the validators in force")
        before = history.latest()
        if h["state_hash"] != before.hash or h["next_validators_hash"] != before.validator_set_hash:
            bad("state_hash is not the register the governance blocks before it give "
                "(is one missing?)")
        if governance.actions_root(H, g["actions"]).hex() != h["actions_root"]:
            bad("actions_root does not match the actions")
        try:
            history.apply(h["height"], h["time_ms"], g["actions"])
        except governance.GovernanceError as error:
            bad(str(error))
    return history


def _later_changes(latest, record, height):
    """NoteLaterChanges: what the register known last says about the record's
    key and agency after its block."""
    notes, warnings = [], []
    key = latest.agency_key(record["agency"], record["sig"]["key"])
    if key is not None and key.get("revoked") and key["revoked"]["height"] >= height:
        r = key["revoked"]
        when = (f"key {record['sig']['key']} was revoked ({r['reason']}) by governance action "
                f"{r['seq']} in block {r['height']} at time_ms {r['time_ms']}, after this record "
                "was committed")
        if r["reason"] == "compromised" and record["time"] >= r["effective_ms"]:
            warnings.append(f"{when}; it is not to be trusted from effective_ms "
                            f"{r['effective_ms']}, and this record's agency-claimed time "
                            f"{record['time']} is not earlier: whoever held the stolen key may "
                            "have signed it")
        else:
            notes.append(f"{when}: the record stays valid")
    agency = latest.agency(record["agency"])
    if agency is not None and agency.get("removed") and agency["removed"]["height"] >= height:
        m = agency["removed"]
        notes.append(f"agency {record['agency']!r} was removed by governance action {m['seq']} "
                     f"in block {m['height']}, after this record was committed")
    return notes, warnings


def _verify_v2(receipt, genesis, document, digest):
    """Version 2: the governance history replayed, then the checks of v1
    against the register in force at the record's block."""
    record, header, commit = receipt["record"], receipt["block"], receipt["commit"]
    H = genesis.H
    for where, chain_id in (("record.chain_id", record["chain_id"]),
                            ("block.chain_id", header["chain_id"])):
        if chain_id != genesis.chain_id:
            _fail("receipt.wrong_chain", f"{where} is {chain_id!r}, but the genesis is for "
                                         f"{genesis.chain_id!r}")
    history = _replay_governance(receipt, genesis)
    height = header["height"]
    if height == 0:
        _fail("receipt.header_mismatch", "block height 0")
    in_force = history.in_force(height)
    before = history.after_block(height - 1)
    if header.get("version") == 2:
        complete = (header["state_hash"] == before.hash and
                    header["next_validators_hash"] == before.validator_set_hash)
    else:
        complete = before.next_seq == 1
    if not complete:
        _fail("receipt.bad_governance", "the block's state_hash is not the register the "
                                        f"receipt's governance blocks give (one below block "
                                        f"{height} is missing?)")
    if document is not None:
        algorithm = record["digest"].split(":", 1)[0]
        digest = f"{algorithm}:{hashlib.new(algorithm, document).hexdigest()}"
    if digest is not None and digest != record["digest"]:
        _fail("receipt.digest_mismatch", f"the document's digest {digest} is not the recorded "
                                         f"digest {record['digest']}")
    key = in_force.active_agency_key(record["agency"], record["sig"]["key"])
    _check_record_signature(record, genesis, key,
                            f"in the register in force at block {height}")
    if receipt["tree_size"] != header["log_size"]:
        _fail("receipt.bad_inclusion", "tree_size is not the block's log_size")
    leaf = merkle.leaf_hash(H, jcs.canonicalize(record))
    log_root = merkle.root_from_inclusion(H, leaf, receipt["leaf_index"], receipt["tree_size"],
                                          [bytes.fromhex(p) for p in receipt["inclusion_proof"]])
    if log_root is None or log_root.hex() != header["log_root"]:
        _fail("receipt.bad_inclusion", "the inclusion proof does not lead to the block's log root")
    block_hash = H(header_bytes(header))
    if block_hash.hex() != commit["block_hash"] or commit["height"] != header["height"]:
        _fail("receipt.header_mismatch", "the header is not the committed block")
    validators = _pairs(in_force)
    _check_commit(commit, header, genesis, block_hash, validators)
    if receipt["validator_set_hash"] != in_force.validator_set_hash or \
            header["validators_hash"] != in_force.validator_set_hash:
        _fail("receipt.validator_set_mismatch",
              f"the block was not committed by the validators in force at block {height}")
    changes = [at for at in history.change_heights()
               if at + governance.ACTIVATION_DELAY <= height]
    notes, warnings = _later_changes(history.latest(), record, height)
    return {"existed_by_ms": existed_by_ms(commit, genesis, validators),
            "record_id": H(records.signing_bytes(record)).hex(), "agency": record["agency"],
            "case_id": record["case_id"], "kind": record["kind"], "stage": record["stage"],
            "digest": record["digest"], "agency_time_ms": record["time"],
            "block_time_ms": header["time_ms"], "height": height,
            "leaf_index": receipt["leaf_index"], "tree_size": receipt["tree_size"],
            "log_root": header["log_root"], "receipt_version": 2,
            "governance_blocks": len(receipt["governance"]),
            "governance_changes_in_force": len(changes),
            "last_change_height": changes[-1] if changes else 0,
            "state_hash": in_force.hash, "notes": notes, "warnings": warnings}
