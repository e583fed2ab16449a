"""The chain's register across governance changes, as a receipt v2 verifier
replays it (docs/receipt-format.md §11, docs/governance.md; the twin of
ledger/governance*.cc and of the portal's web/src/verify/governance.js).

Genesis gives the first register; each governance action of a block gives the
next one by the rules of ledger::ApplyAction (the chain, the sequence number,
the admins' signatures and threshold, then the operation's own rules); the
register in force for block h is the one after block h - ACTIVATION_DELAY. The
state hash is H("EVIDENCE-STATE/v1\\n" || JCS(state JSON)).

A refused action raises GovernanceError (``code`` is the C++ governance.*
code); the receipt verifier turns it into receipt.bad_governance. Registers
are never changed once made: applying an action works on a copy.
"""
import base64
import binascii
import re

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import jcs, merkle
from .keys import KeyFormatError, PublicKey

ACTIVATION_DELAY = 2
SIGNING_DOMAIN = b"EVIDENCE-GOVERNANCE/v1\n"
STATE_DOMAIN = b"EVIDENCE-STATE/v1\n"
ACTION_BYTES_MAX = 16 * 1024
SIGNATURES_MAX = 64
SIGNATURE_BYTES_MAX = 256
INSTITUTIONS_MAX = 64
ADMIN_KEYS_MAX = 16
AGENCY_KEYS_MAX = 16
KEYS_EVER_MAX = 64
AGENCIES_MAX = 10_000
READERS_MAX = 10_000
OBSERVERS_MAX = 1000
VALIDATORS_MAX = 1000
VALIDATORS_MIN_AFTER_REMOVAL = 4
NAME_BYTES_MAX = 256
TOTAL_POWER_MAX = 2**60
INTEGER_MAX = 2**53 - 1
PARAM_BOUNDS = {"batch_records_max": (1, 10000), "block_bytes_max": (4096, 16777216),
                "block_records_max": (1, 10000), "governance_threshold": (0, 64),
                "record_future_skew_ms": (0, 86400000),
                "record_past_window_ms": (0, 315360000000)}
# ledger::kLegacyChainParams: a version-1 genesis has no "params".
LEGACY_PARAMS = {"batch_records_max": 10000, "block_bytes_max": 16777216,
                 "block_records_max": 10000, "governance_threshold": 0,
                 "record_future_skew_ms": 300000, "record_past_window_ms": 604800000}
ACTIONS = ("add-agency", "remove-agency", "add-agency-key", "revoke-agency-key", "add-reader",
           "remove-reader", "add-validator", "remove-validator", "set-power",
           "rotate-validator-keys", "add-observer", "remove-observer", "add-admin-key",
           "revoke-admin-key", "set-params", "add-witness", "remove-witness", "set-tsa-ca")
WITNESSES_MAX = 64  # limits::kWitnessesMax
CA_CERT_BYTES_MAX = 8192  # crypto::kCaCertificatePemBytesMax
_HEX64 = re.compile(r"[0-9a-f]{64}")
_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]+")


class GovernanceError(Exception):
    def __init__(self, code, reason):
        self.code = code
        super().__init__(reason)


def _malformed(reason):
    return GovernanceError("governance.malformed", reason)


def _conflict(reason):
    return GovernanceError("governance.conflict", reason)


def _unknown(reason):
    return GovernanceError("governance.unknown_entry", reason)


def _unsafe(reason):
    return GovernanceError("governance.unsafe_validator_set", reason)


# ------------------------------------------------------------------ registers

def is_ca_certificate(pem):
    """One X.509 certificate in canonical PEM with basicConstraints CA:TRUE."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("utf-8", "surrogatepass"))
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except (ValueError, x509.ExtensionNotFound):
        return False
    return constraints.value.ca and certificate.public_bytes(Encoding.PEM).decode() == pem


def _check_witness_entry(witness):
    """ledger::CheckWitnessEntry: a note key name (c2sp.org/signed-note) and an Ed25519 key."""
    name = witness["name"]
    if (not 1 <= len(name.encode("utf-8", "surrogatepass")) <= NAME_BYTES_MAX or
            any(c <= " " or c in "+\x7f" or c.isspace() for c in name)):
        raise _malformed(f"witness.name must be a note key name of 1..{NAME_BYTES_MAX} bytes "
                         "without spaces or '+'")
    if witness["key"].alg != "ed25519":
        raise _malformed("witness.key must be an Ed25519 key (c2sp.org/tlog-cosignature)")


class Register:
    """One state of the register (ledger::GovernanceState). Keys are
    PublicKey objects; a registered key is {"key": PublicKey, "revoked": dict?}."""

    def copy(self):
        other = Register()
        other.__dict__.update(self.__dict__)
        other.params = dict(self.params)
        other.admins = [{**a, "keys": [dict(k) for k in a["keys"]]} for a in self.admins]
        other.validators = [dict(v) for v in self.validators]
        other.observers = [dict(o) for o in self.observers]
        other.agencies = [{**a, "keys": [dict(k) for k in a["keys"]]} for a in self.agencies]
        other.readers = [dict(r) for r in self.readers]
        other.retired_keys = list(self.retired_keys)
        other.tsas = [dict(t) for t in self.tsas]
        other.witnesses = [dict(w) for w in self.witnesses]
        return other

    def seal(self):
        self.validator_set_hash = validator_set_hash(self.H, self.validators)
        self.hash = self.H(STATE_DOMAIN + jcs.canonicalize(self.to_json())).hex()
        return self

    def to_json(self):
        """GovernanceState::ToJson, whose JCS the state hash covers."""
        def keys(listed):
            return [{"key": k["key"].canonical_pem(), **({"revoked": dict(k["revoked"])}
                                                          if k.get("revoked") else {})}
                    for k in listed]
        return {
            "v": 1, "chain_id": self.chain_id, "hash": self.hash_name,
            "genesis_time_ms": self.genesis_time_ms, "next_seq": self.next_seq,
            "params": dict(self.params), "validators_since": self.validators_since,
            "admins": [{"institution": a["institution"], "keys": keys(a["keys"])}
                       for a in self.admins],
            "validators": [{"name": v["name"], "institution": v["institution"],
                            "vote_key": v["vote_key"].canonical_pem(),
                            "node_key": v["node_key"].canonical_pem(), "power": v["power"],
                            "address": v["address"]} for v in self.validators],
            "observers": [{"name": o["name"], "institution": o["institution"],
                           "node_key": o["node_key"].canonical_pem(), "address": o["address"]}
                          for o in self.observers],
            "agencies": [{"id": a["id"], "name": a["name"], "institution": a["institution"],
                          "keys": keys(a["keys"]),
                          **({"removed": dict(a["removed"])} if a.get("removed") else {})}
                         for a in self.agencies],
            "readers": [{"id": r["id"], "role": r["role"],
                         **({"token_sha256": r["token_sha256"]} if "token_sha256" in r
                            else {"key": r["key"].canonical_pem()})} for r in self.readers],
            "retired_keys": list(self.retired_keys),
            # Left out when empty, so the state hash of a register without them is as before.
            **({"tsas": [{"institution": t["institution"], "ca_cert": t["ca_cert"]}
                         for t in self.tsas]} if self.tsas else {}),
            **({"witnesses": [{"name": w["name"], "key": w["key"].canonical_pem()}
                              for w in self.witnesses]} if self.witnesses else {}),
        }

    # Lookups (GovernanceState::Find*).
    def agency(self, agency_id):
        return next((a for a in self.agencies if a["id"] == agency_id), None)

    def agency_key(self, agency_id, key_id):
        agency = self.agency(agency_id)
        if agency is None:
            return None
        return next((k for k in agency["keys"] if k["key"].key_id == key_id), None)

    def active_agency_key(self, agency_id, key_id):
        """The key when records signed with it are accepted, else None."""
        agency, key = self.agency(agency_id), self.agency_key(agency_id, key_id)
        if key is None or key.get("revoked") or agency.get("removed"):
            return None
        return key["key"]

    def _key_ever_used(self, key_id):
        return (any(k["key"].key_id == key_id for a in self.agencies for k in a["keys"]) or
                any(k["key"].key_id == key_id for a in self.admins for k in a["keys"]) or
                key_id in self.retired_keys or
                any(key_id in (v["vote_key"].key_id, v["node_key"].key_id)
                    for v in self.validators) or
                any(o["node_key"].key_id == key_id for o in self.observers) or
                any(w["key"].key_id == key_id for w in self.witnesses))


def validator_set_hash(H, validators):
    """ValidatorSet::Hash: H of "<vote key id>:<power>\\n" for each validator."""
    return H("".join(f"{v['vote_key'].key_id}:{v['power']}\n" for v in validators).encode()).hex()


def register_from_genesis(document, H):
    """The register at genesis from the genesis file's (checked) JSON."""
    def key(pem):
        return PublicKey(pem)
    r = Register()
    r.chain_id = document["chain_id"]
    r.hash_name = document["hash"]
    r.H = H
    r.genesis_time_ms = document["genesis_time_ms"]
    r.governed = document.get("v") == 2
    r.next_seq = 1
    r.params = dict(document.get("params", LEGACY_PARAMS))
    r.admins = [{"institution": a["institution"], "keys": [{"key": key(k)} for k in a["keys"]]}
                for a in document.get("admins", [])]
    r.validators = [{**v, "vote_key": key(v["vote_key"]), "node_key": key(v["node_key"])}
                    for v in document["validators"]]
    r.validators_since = 1
    r.observers = [{**o, "node_key": key(o["node_key"])} for o in document.get("observers", [])]
    r.agencies = [{"id": a["id"], "name": a["name"], "institution": a["institution"],
                   "keys": [{"key": key(k)} for k in a["keys"]]} for a in document["agencies"]]
    r.readers = [{**rd, **({"key": key(rd["key"])} if "key" in rd else {})}
                 for rd in document["readers"]]
    r.retired_keys = []
    r.tsas = [{"institution": t["institution"], "ca_cert": t["ca_cert"]}
              for t in document.get("tsas", [])]
    r.witnesses = [{"name": w["name"], "key": key(w["key"])} for w in document.get("witnesses", [])]
    return r.seal()


# ------------------------------------------------------------------ actions

def _object(value, where, names, optional=()):
    if not isinstance(value, dict):
        raise _malformed(f"{where} must be a JSON object")
    missing = [n for n in names if n not in value]
    if missing:
        raise _malformed(f"{where}: missing field {missing[0]!r}")
    extra = set(value) - set(names) - set(optional)
    if extra:
        raise _malformed(f"{where}: unknown field {sorted(extra)[0]!r}")
    return value


def _str(value, what):
    if not isinstance(value, str):
        raise _malformed(f"{what} must be a string")
    return value


def _int(value, what, low=0):
    if type(value) is not int or not low <= value <= INTEGER_MAX:
        raise _malformed(f"{what} must be an integer {low}..2^53-1")
    return value


def _key_id(value, what):
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise _malformed(f"{what} must be 64 lower-case hex")
    return value


def _pem(value, what):
    text = _str(value, what)
    try:
        key = PublicKey(text)
    except KeyFormatError as error:
        raise _malformed(f"{what}: {error}") from None
    if key.canonical_pem() != text:
        raise _malformed(f"{what} is not in canonical PEM form")
    return key


def _operands(action, v):
    """ledger::ReadBody: the operands of each action; the members the action may hold."""
    if action == "add-agency":
        a = _object(v.get("agency"), "agency", ("id", "name", "institution", "keys"))
        keys = a["keys"]
        if not isinstance(keys, list) or len(keys) > AGENCY_KEYS_MAX:
            raise _malformed(f"agency.keys must be a list of at most {AGENCY_KEYS_MAX}")
        return {"id": _str(a["id"], "agency.id"), "name": _str(a["name"], "agency.name"),
                "institution": _str(a["institution"], "agency.institution"),
                "keys": [_pem(k, f"agency.keys[{i}]") for i, k in enumerate(keys)]}, ("agency",)
    if action == "remove-agency":
        return {"agency_id": _str(v.get("agency_id"), "agency_id")}, ("agency_id",)
    if action == "add-agency-key":
        return ({"agency_id": _str(v.get("agency_id"), "agency_id"), "key": _pem(v.get("key"), "key")},
                ("agency_id", "key"))
    if action == "revoke-agency-key":
        out = {"agency_id": _str(v.get("agency_id"), "agency_id"),
               "key_id": _key_id(v.get("key_id"), "key_id"), "reason": _str(v.get("reason"), "reason")}
        if out["reason"] not in ("rotated", "compromised"):
            raise _malformed('reason must be "rotated" or "compromised"')
        out["effective_ms"] = _int(v.get("effective_ms"), "effective_ms")
        return out, ("agency_id", "key_id", "reason", "effective_ms")
    if action == "add-reader":
        r = v.get("reader")
        if not isinstance(r, dict) or ("token_sha256" in r) == ("key" in r):
            raise _malformed('reader: exactly one of "token_sha256" and "key" is required')
        credential = "token_sha256" if "token_sha256" in r else "key"
        _object(r, "reader", ("id", "role", credential))
        out = {"id": _str(r["id"], "reader.id"), "role": _str(r["role"], "reader.role")}
        if credential == "key":
            out["key"] = _pem(r["key"], "reader.key")
        else:
            out["token_sha256"] = _key_id(r["token_sha256"], "reader.token_sha256")
        return out, ("reader",)
    if action == "remove-reader":
        return {"reader_id": _str(v.get("reader_id"), "reader_id")}, ("reader_id",)
    if action == "add-validator":
        x = _object(v.get("validator"), "validator",
                    ("name", "institution", "vote_key", "node_key", "power", "address"))
        return {"name": _str(x["name"], "validator.name"),
                "institution": _str(x["institution"], "validator.institution"),
                "vote_key": _pem(x["vote_key"], "validator.vote_key"),
                "node_key": _pem(x["node_key"], "validator.node_key"),
                "power": _int(x["power"], "validator.power"),
                "address": _str(x["address"], "validator.address")}, ("validator",)
    if action in ("remove-validator", "remove-observer"):
        return {"name": _str(v.get("name"), "name")}, ("name",)
    if action == "set-power":
        return ({"name": _str(v.get("name"), "name"), "power": _int(v.get("power"), "power")},
                ("name", "power"))
    if action == "rotate-validator-keys":
        out = {"name": _str(v.get("name"), "name")}
        if "vote_key" in v:
            out["vote_key"] = _pem(v["vote_key"], "vote_key")
        if "node_key" in v:
            out["node_key"] = _pem(v["node_key"], "node_key")
        if "address" in v:
            out["address"] = _str(v["address"], "address")
        if len(out) == 1:
            raise _malformed("rotate-validator-keys needs at least one of vote_key, node_key, address")
        return out, ("name", "vote_key", "node_key", "address")
    if action == "add-observer":
        o = _object(v.get("observer"), "observer", ("name", "institution", "node_key", "address"))
        return {"name": _str(o["name"], "observer.name"),
                "institution": _str(o["institution"], "observer.institution"),
                "node_key": _pem(o["node_key"], "observer.node_key"),
                "address": _str(o["address"], "observer.address")}, ("observer",)
    if action == "add-admin-key":
        return ({"institution": _str(v.get("institution"), "institution"),
                 "key": _pem(v.get("key"), "key")}, ("institution", "key"))
    if action == "revoke-admin-key":
        return ({"institution": _str(v.get("institution"), "institution"),
                 "key_id": _key_id(v.get("key_id"), "key_id")}, ("institution", "key_id"))
    if action == "add-witness":
        w = _object(v.get("witness"), "witness", ("name", "key"))
        witness = {"name": _str(w["name"], "witness.name"), "key": _pem(w["key"], "witness.key")}
        _check_witness_entry(witness)
        return witness, ("witness",)
    if action == "remove-witness":
        return {"name": _str(v.get("name"), "name")}, ("name",)
    if action == "set-tsa-ca":
        out = {"institution": _str(v.get("institution"), "institution"),
               "ca_cert": _str(v.get("ca_cert"), "ca_cert")}
        if (len(out["ca_cert"].encode("utf-8", "surrogatepass")) > CA_CERT_BYTES_MAX or
                not is_ca_certificate(out["ca_cert"])):
            raise _malformed("ca_cert must be one CA certificate (CA:TRUE) in canonical PEM")
        return out, ("institution", "ca_cert")
    # set-params: some of the six fields (at least one), integers, no others.
    p = v.get("params")
    if not isinstance(p, dict):
        raise _malformed("params must be a JSON object")
    _object(p, "params", (), tuple(PARAM_BOUNDS))
    if not p:
        raise _malformed("params: names no parameter to change")
    for name, value in p.items():
        _int(value, f"params.{name}", -INTEGER_MAX if name.endswith("_ms") else 0)
    return {"params": dict(p)}, ("params",)


def parse_action_leaf(leaf):
    """A governance action leaf (the JCS text of a signed action), read by the
    rules of ledger::ParseAction and checked to be canonical."""
    data = leaf.encode("utf-8", "surrogatepass")
    if len(data) > ACTION_BYTES_MAX:
        raise _malformed(f"an action is at most {ACTION_BYTES_MAX} bytes")
    try:
        value = jcs.loads(data)
    except jcs.CanonicalJsonError as error:
        raise _malformed(str(error)) from None
    if not isinstance(value, dict):
        raise _malformed("an action must be a JSON object")
    for name in ("v", "chain_id", "seq", "action"):
        if name not in value:
            raise _malformed(f"action: missing field {name!r}")
    if type(value["v"]) is not int or value["v"] != 1:
        raise _malformed("v must be 1")
    chain_id = _str(value["chain_id"], "chain_id")
    if not 1 <= len(chain_id.encode("utf-8", "surrogatepass")) <= 64:
        raise _malformed("chain_id must be 1..64 bytes")
    seq = _int(value["seq"], "seq", 1)
    name = _str(value["action"], "action")
    if name not in ACTIONS:
        raise GovernanceError("governance.unknown_action", f"{name[:64]!r} is not a governance action")
    body, members = _operands(name, value)
    sigs = value.get("sigs")
    if not isinstance(sigs, list) or len(sigs) > SIGNATURES_MAX:
        raise _malformed(f"sigs must be a list of at most {SIGNATURES_MAX}")
    _object(value, "action", ("v", "chain_id", "seq", "action", "sigs"), members)
    signatures = []
    for i, s in enumerate(sigs):
        _object(s, f"sigs[{i}]", ("alg", "key", "value"))
        if s["alg"] not in ("p256", "ed25519", "sm2"):
            raise _malformed(f"sigs[{i}].alg is not p256, ed25519 or sm2")
        key_id = _key_id(s["key"], f"sigs[{i}].key")
        raw = _str(s["value"], f"sigs[{i}].value")
        try:
            decoded = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            decoded = None
        if decoded is None or base64.b64encode(decoded).decode() != raw or \
                not 1 <= len(decoded) <= SIGNATURE_BYTES_MAX:
            raise _malformed(f"sigs[{i}].value is not base64 of 1..{SIGNATURE_BYTES_MAX} bytes")
        if signatures and key_id <= signatures[-1]["key"]:
            raise _malformed(f"sigs must be sorted by key id, one per key (sigs[{i}])")
        signatures.append({"alg": s["alg"], "key": key_id, "value": decoded})
    if jcs.canonicalize(value) != data:
        raise _malformed("not in canonical (JCS) form")
    unsigned = {k: v for k, v in value.items() if k != "sigs"}
    return {"chain_id": chain_id, "seq": seq, "action": name, "body": body, "sigs": signatures,
            "signing": SIGNING_DOMAIN + jcs.canonicalize(unsigned)}


def _check_authority(s, action):
    """Steps 1-5 of ApplyAction: the chain, the sequence, the signatures, the threshold."""
    if not s.governed:
        raise GovernanceError("governance.not_governed", "this chain's genesis has no admin keys")
    if action["chain_id"] != s.chain_id:
        raise GovernanceError("governance.chain_mismatch", "chain_id is not this chain's")
    if action["seq"] != s.next_seq:
        raise GovernanceError("governance.bad_sequence",
                              f"seq {action['seq']}: the next action must carry seq {s.next_seq}")
    institutions = set()
    for sig in action["sigs"]:
        found = next(((a, k) for a in s.admins for k in a["keys"]
                      if k["key"].key_id == sig["key"]), None)
        if found is None:
            raise GovernanceError("governance.unknown_admin_key",
                                  f"key {sig['key']} is not an admin key of this chain")
        admin, key = found
        if key.get("revoked"):
            raise GovernanceError("governance.admin_key_revoked", f"admin key {sig['key']} was revoked")
        if sig["alg"] != key["key"].alg or not key["key"].verify(action["signing"], sig["value"]):
            raise GovernanceError("governance.bad_signature",
                                  f"the signature by admin key {sig['key']} does not verify")
        institutions.add(admin["institution"])
    if len(institutions) < s.params["governance_threshold"]:
        raise GovernanceError("governance.too_few_signatures",
                              f"signed by {len(institutions)} institution(s); "
                              f"{s.params['governance_threshold']} must sign")


def _check_name(where, value, identifier):
    if not 1 <= len(value.encode("utf-8", "surrogatepass")) <= NAME_BYTES_MAX:
        raise _malformed(f"{where} must be 1..{NAME_BYTES_MAX} bytes")
    if identifier and not _IDENTIFIER.fullmatch(value):
        raise _malformed(f"{where} may hold only A-Z a-z 0-9 . _ -")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise _malformed(f"{where} has a control character")


def _check_new_key(s, key, what):
    if s._key_ever_used(key.key_id):
        raise _conflict(f"{what} {key.key_id} is, or was, registered already")


def _active(entry):
    return sum(1 for k in entry["keys"] if not k.get("revoked"))


def _signing_institutions(admins):
    return sum(1 for a in admins if _active(a) > 0)


def check_validator_set_safety(before, after):
    if len(after) < len(before) and len(after) < VALIDATORS_MIN_AFTER_REMOVAL:
        raise _unsafe(f"a removal may not leave fewer than {VALIDATORS_MIN_AFTER_REMOVAL} validators")
    if len(after) > VALIDATORS_MAX:
        raise _unsafe("too many validators")
    if len(after) >= VALIDATORS_MIN_AFTER_REMOVAL:
        powers = [v["power"] for v in after]
        if 3 * max(powers) >= sum(powers):
            raise _unsafe("no validator may hold a third or more of the voting power")


def _change_validators(s, e, after, height):
    check_validator_set_safety(s.validators, after)
    if not after:
        raise _unsafe("validator set is empty")
    total, vote_keys = 0, set()
    for v in after:
        if v["power"] == 0:
            raise _unsafe("a validator has power 0")
        total += v["power"]
        if total > TOTAL_POWER_MAX:
            raise _unsafe("total power exceeds 2^60")
        if v["vote_key"].key_id in vote_keys:
            raise _unsafe("the set reuses a vote key")
        vote_keys.add(v["vote_key"].key_id)
    if validator_set_hash(s.H, after) != s.validator_set_hash:
        e.validators_since = height + ACTIVATION_DELAY
    e.validators = after


def _retire(e, key):
    e.retired_keys = sorted(e.retired_keys + [key.key_id])


def _live_agency(e, agency_id):
    return next((a for a in e.agencies if a["id"] == agency_id and not a.get("removed")), None)


def _validator_index(s, name):
    return next((i for i, v in enumerate(s.validators) if v["name"] == name), -1)


def _operate(s, e, action, op, ctx):
    """Step 6: the operation's rules and its change on e, the copy of s."""
    seq, height, time_ms = ctx
    if action == "add-agency":
        _check_name("agency.id", op["id"], True)
        if len(op["id"].encode()) > 128:
            raise _malformed("agency.id is too long")
        _check_name("agency.name", op["name"], False)
        _check_name("agency.institution", op["institution"], False)
        if not 1 <= len(op["keys"]) <= AGENCY_KEYS_MAX:
            raise _malformed(f"agency.keys must hold 1..{AGENCY_KEYS_MAX} keys")
        if s.agency(op["id"]) is not None:
            raise _conflict(f"agency {op['id']!r} exists, or existed")
        if len(s.agencies) >= AGENCIES_MAX:
            raise _conflict("the register holds the most agencies it may")
        seen = set()
        for key in op["keys"]:
            _check_new_key(s, key, "agency key")
            if key.key_id in seen:
                raise _conflict(f"agency key {key.key_id} is listed twice")
            seen.add(key.key_id)
        e.agencies.append({"id": op["id"], "name": op["name"], "institution": op["institution"],
                           "keys": [{"key": k} for k in op["keys"]]})
    elif action == "remove-agency":
        agency = _live_agency(e, op["agency_id"])
        if agency is None:
            raise _unknown(f"no agency {op['agency_id']!r} to remove")
        agency["removed"] = {"seq": seq, "height": height, "time_ms": time_ms}
    elif action == "add-agency-key":
        agency = _live_agency(e, op["agency_id"])
        if agency is None:
            raise _unknown(f"no agency {op['agency_id']!r} to add a key to")
        _check_new_key(s, op["key"], "agency key")
        if _active(agency) >= AGENCY_KEYS_MAX or len(agency["keys"]) >= KEYS_EVER_MAX:
            raise _conflict("the agency has the most keys it may have")
        agency["keys"].append({"key": op["key"]})
    elif action == "revoke-agency-key":
        agency = _live_agency(e, op["agency_id"])
        if agency is None:
            raise _unknown(f"no agency {op['agency_id']!r}")
        key = next((k for k in agency["keys"] if k["key"].key_id == op["key_id"]), None)
        if key is None:
            raise _unknown(f"the agency has no key {op['key_id']}")
        if key.get("revoked"):
            raise _conflict(f"key {op['key_id']} was revoked already")
        key["revoked"] = {"reason": op["reason"], "effective_ms": op["effective_ms"], "seq": seq,
                          "height": height, "time_ms": time_ms}
    elif action == "add-reader":
        _check_name("reader.id", op["id"], True)
        _check_name("reader.role", op["role"], True)
        if any(r["id"] == op["id"] for r in s.readers):
            raise _conflict(f"reader {op['id']!r} exists already")
        if len(s.readers) >= READERS_MAX:
            raise _conflict("the register holds the most readers it may")
        e.readers.append(dict(op))
    elif action == "remove-reader":
        at = next((i for i, r in enumerate(e.readers) if r["id"] == op["reader_id"]), None)
        if at is None:
            raise _unknown(f"no reader {op['reader_id']!r} to remove")
        del e.readers[at]
    elif action == "add-validator":
        _check_name("validator.name", op["name"], True)
        _check_name("validator.institution", op["institution"], False)
        _check_name("validator.address", op["address"], False)
        if not 1 <= op["power"] <= INTEGER_MAX:
            raise _malformed("validator.power must be 1..2^53-1")
        admin = next((a for a in s.admins if a["institution"] == op["institution"]), None)
        if admin is None or _active(admin) == 0:
            raise _unknown(f"institution {op['institution']!r} has no admin key")
        promoted = next((i for i, o in enumerate(e.observers)
                         if o["node_key"].key_id == op["node_key"].key_id), None)
        observer_named = any(o["name"] == op["name"] for o in s.observers)
        if _validator_index(s, op["name"]) >= 0 or (
                observer_named and (promoted is None or e.observers[promoted]["name"] != op["name"])):
            raise _conflict(f"the name {op['name']!r} is taken by another node")
        _check_new_key(s, op["vote_key"], "vote key")
        if promoted is None:
            _check_new_key(s, op["node_key"], "node key")
        if op["vote_key"].key_id == op["node_key"].key_id:
            raise _conflict("vote key and node key are the same")
        _change_validators(s, e, [dict(v) for v in s.validators] + [dict(op)], height)
        if promoted is not None:
            del e.observers[promoted]
    elif action == "remove-validator":
        index = _validator_index(s, op["name"])
        if index < 0:
            raise _unknown(f"no validator {op['name']!r} to remove")
        _change_validators(s, e, [dict(v) for i, v in enumerate(s.validators) if i != index], height)
        _retire(e, s.validators[index]["vote_key"])
        _retire(e, s.validators[index]["node_key"])
    elif action == "set-power":
        index = _validator_index(s, op["name"])
        if index < 0:
            raise _unknown(f"no validator {op['name']!r}")
        if not 1 <= op["power"] <= INTEGER_MAX:
            raise _malformed("power must be 1..2^53-1")
        if s.validators[index]["power"] == op["power"]:
            raise _conflict(f"the power is {op['power']} already")
        after = [dict(v) for v in s.validators]
        after[index]["power"] = op["power"]
        _change_validators(s, e, after, height)
    elif action == "rotate-validator-keys":
        index = _validator_index(s, op["name"])
        if index < 0:
            raise _unknown(f"no validator {op['name']!r}")
        after = [dict(v) for v in s.validators]
        for which in ("vote_key", "node_key"):
            if which in op:
                _check_new_key(s, op[which], which.replace("_", " "))
                after[index][which] = op[which]
        if "vote_key" in op and "node_key" in op and \
                op["vote_key"].key_id == op["node_key"].key_id:
            raise _conflict("vote key and node key are the same")
        if "address" in op:
            _check_name("address", op["address"], False)
            after[index]["address"] = op["address"]
        _change_validators(s, e, after, height)
        for which in ("vote_key", "node_key"):
            if which in op:
                _retire(e, s.validators[index][which])
    elif action == "add-observer":
        _check_name("observer.name", op["name"], True)
        _check_name("observer.institution", op["institution"], False)
        _check_name("observer.address", op["address"], False)
        if _validator_index(s, op["name"]) >= 0 or any(o["name"] == op["name"] for o in s.observers):
            raise _conflict(f"the name {op['name']!r} is taken by another node")
        _check_new_key(s, op["node_key"], "node key")
        if len(s.observers) >= OBSERVERS_MAX:
            raise _conflict("the register holds the most observers it may")
        e.observers.append(dict(op))
    elif action == "remove-observer":
        at = next((i for i, o in enumerate(e.observers) if o["name"] == op["name"]), None)
        if at is None:
            raise _unknown(f"no observer {op['name']!r} to remove")
        _retire(e, e.observers[at]["node_key"])
        del e.observers[at]
    elif action == "add-admin-key":
        _check_name("institution", op["institution"], False)
        _check_new_key(s, op["key"], "admin key")
        admin = next((a for a in e.admins if a["institution"] == op["institution"]), None)
        if admin is not None:
            if _active(admin) >= ADMIN_KEYS_MAX or len(admin["keys"]) >= KEYS_EVER_MAX:
                raise _conflict("the institution has the most admin keys it may have")
            admin["keys"].append({"key": op["key"]})
        elif len(s.admins) >= INSTITUTIONS_MAX:
            raise _conflict("the register holds the most institutions it may")
        else:
            e.admins.append({"institution": op["institution"], "keys": [{"key": op["key"]}]})
    elif action == "revoke-admin-key":
        admin = next((a for a in e.admins if a["institution"] == op["institution"]), None)
        if admin is None:
            raise _unknown(f"no institution {op['institution']!r} with admin keys")
        key = next((k for k in admin["keys"] if k["key"].key_id == op["key_id"]), None)
        if key is None:
            raise _unknown(f"no admin key {op['key_id']}")
        if key.get("revoked"):
            raise _conflict(f"admin key {op['key_id']} was revoked already")
        key["revoked"] = {"reason": "revoked", "effective_ms": time_ms, "seq": seq,
                          "height": height, "time_ms": time_ms}
        if _active(admin) == 0 and any(v["institution"] == op["institution"] for v in s.validators):
            raise _conflict("the institution runs a validator and would be left without an admin key")
        if _signing_institutions(e.admins) < s.params["governance_threshold"]:
            raise _conflict("fewer institutions than the threshold would have admin keys")
    elif action == "add-witness":
        _check_witness_entry(op)
        if any(w["name"] == op["name"] for w in s.witnesses):
            raise _conflict(f"witness {op['name']!r} exists")
        if len(s.witnesses) >= WITNESSES_MAX:
            raise _conflict("the register holds the most witnesses it may")
        _check_new_key(s, op["key"], "witness key")
        e.witnesses.append(dict(op))
    elif action == "remove-witness":
        at = next((i for i, w in enumerate(e.witnesses) if w["name"] == op["name"]), None)
        if at is None:
            raise _unknown(f"no witness {op['name']!r}")
        # Its key never comes back: a cosignature made with it before stays its own.
        _retire(e, e.witnesses[at]["key"])
        del e.witnesses[at]
    elif action == "set-tsa-ca":
        _check_name("institution", op["institution"], False)
        admin = next((a for a in s.admins if a["institution"] == op["institution"]), None)
        if admin is None or _active(admin) == 0:
            raise _unknown(f"institution {op['institution']!r} holds no admin key "
                           "(a TSA belongs to an institution of the register)")
        tsa = next((t for t in e.tsas if t["institution"] == op["institution"]), None)
        if tsa is not None and tsa["ca_cert"] == op["ca_cert"]:
            raise _conflict(f"{op['institution']}'s TSA CA is this certificate already")
        if tsa is not None:
            tsa["ca_cert"] = op["ca_cert"]
        else:
            e.tsas.append(dict(op))
    else:  # set-params
        params = {**s.params, **op["params"]}
        for name, (low, high) in PARAM_BOUNDS.items():
            if not low <= params[name] <= high:
                raise _malformed(f"params.{name} must be {low}..{high}")
        institutions = _signing_institutions(s.admins)
        if not 1 <= params["governance_threshold"] <= institutions:
            raise _malformed(f"params.governance_threshold must be 1..{institutions}")
        if params == s.params:
            raise _conflict("the params have these values already")
        e.params = params


def apply_action(s, action, height, time_ms):
    """ledger::ApplyAction: every check, then the register after the action."""
    _check_authority(s, action)
    e = s.copy()
    _operate(s, e, action["action"], action["body"], (action["seq"], height, time_ms))
    e.next_seq = s.next_seq + 1
    return e.seal()


def apply_action_leaves(s, leaves, height, time_ms):
    """The actions of one block, in order, each on the register the ones before it made."""
    for i, leaf in enumerate(leaves):
        try:
            s = apply_action(s, parse_action_leaf(leaf), height, time_ms)
        except GovernanceError as error:
            raise GovernanceError(error.code, f"action {i}: {error}") from None
    return s


class GovernanceHistory:
    """The registers by height (ledger::GovernanceHistory): genesis at 0, then
    one entry per block whose actions changed the register."""

    def __init__(self, genesis_register):
        self.entries = [(0, genesis_register)]

    def apply(self, height, time_ms, leaves):
        assert height > self.entries[-1][0], "governance heights must increase"
        if leaves:
            self.entries.append((height, apply_action_leaves(self.latest(), leaves, height, time_ms)))

    def after_block(self, height):
        return [state for at, state in self.entries if at <= height][-1]

    def in_force(self, height):
        if height <= ACTIVATION_DELAY:
            return self.entries[0][1]
        return self.after_block(height - ACTIVATION_DELAY)

    def latest(self):
        return self.entries[-1][1]

    def change_heights(self):
        return [at for at, _ in self.entries[1:]]


def actions_root(H, leaves):
    """The Merkle root of a block's action leaves (LeavesRoot)."""
    return merkle.root(H, [merkle.leaf_hash(H, leaf.encode("utf-8", "surrogatepass"))
                           for leaf in leaves])
