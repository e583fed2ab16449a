"""Evidence records and batches: build, sign, and the bytes the ledger hashes.

    signing bytes = b"EVIDENCE-RECORD/v1\\n" + JCS(record without "sig")
    record id     = hex H(signing bytes), H the chain's hash (sha256 or sm3)
    body          = JCS(record with "sig"), the exact bytes sent and resent

A batch signs many records at once: the RFC 6962 root of their record ids,
under a header {"agency", "chain_id", "root", "size", "v": 1} signed as
b"EVIDENCE-BATCH/v1\\n" + JCS(header); each record carries sig.batch {root,
size, index, path}. docs/api.md, "A record, byte by byte" and "A batch, byte by
byte", has the rules and worked examples; tests/vectors/records/ the vectors.

Keep a SignedRecord (or SignedBatch) until it is committed and resend its
``body`` unchanged: signing again takes a new time, so a new record id, and
the ledger would hold the document twice.
"""
import base64
import hashlib
import mimetypes
import os
import re
import time as _time

from . import jcs, merkle
from .case_id import canonical_case_id

SIGNING_DOMAIN = b"EVIDENCE-RECORD/v1\n"
BATCH_DOMAIN = b"EVIDENCE-BATCH/v1\n"
KINDS = ("enforcement_record", "review_opinion", "reconsideration_document",
         "litigation_document", "other")
BATCH_RECORDS_MAX = 10_000
# A POST /v1/batches body stays under the node's 8 MiB limit with room to spare.
BATCH_BODY_BYTES_MAX = 8 * 1024 * 1024 - 64 * 1024

mimetypes.add_type("application/ofd", ".ofd")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class RecordError(ValueError):
    """A record that the ledger would refuse, found before signing."""


_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]+")
_DIGEST = re.compile(r"(sha256|sm3):[0-9a-f]{64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_RECORD_MEMBERS = {"v", "chain_id", "kind", "case_id", "stage", "agency", "digest", "size",
                   "media_type", "title", "links", "time", "sig"}
RECORD_BYTES_MAX = 4096
SIGNATURE_BYTES_MAX = 256
BATCH_PATH_MAX = 64


def _text(record, name, low, high, identifier=False):
    value = record.get(name)
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a string")
    size = len(value.encode("utf-8", "surrogatepass"))
    if not low <= size <= high:
        raise RecordError(f"{name} must be {low}..{high} bytes of UTF-8, not {size}")
    if any(ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise RecordError(f"{name} contains a control character or a lone surrogate")
    if identifier and not _IDENTIFIER.fullmatch(value):
        raise RecordError(f"{name} may hold only A-Z a-z 0-9 . _ -")


def _integer(value, name, low, high):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RecordError(f"{name} must be an integer {low}..{high}")


def _check_sig(sig):
    if not isinstance(sig, dict) or not set(sig) <= {"alg", "key", "value", "batch"} or \
            not {"alg", "key", "value"} <= set(sig):
        raise RecordError("sig must hold alg, key, value (and batch for a batched record)")
    if sig["alg"] not in ("p256", "ed25519", "sm2"):
        raise RecordError("sig.alg must be p256, ed25519 or sm2")
    if not isinstance(sig["key"], str) or not _HEX64.fullmatch(sig["key"]):
        raise RecordError("sig.key must be 64 lower-case hex digits")
    value = sig["value"]
    if not isinstance(value, str) or len(value) % 4 or not _BASE64.fullmatch(value):
        raise RecordError("sig.value must be padded base64")
    if base64.b64encode(base64.b64decode(value)).decode() != value:
        raise RecordError("sig.value is not canonical base64")
    if not 1 <= len(base64.b64decode(value)) <= SIGNATURE_BYTES_MAX:
        raise RecordError(f"sig.value must decode to 1..{SIGNATURE_BYTES_MAX} bytes")
    if "batch" in sig:
        batch = sig["batch"]
        if not isinstance(batch, dict) or set(batch) != {"root", "size", "index", "path"}:
            raise RecordError("sig.batch must hold exactly root, size, index and path")
        if not isinstance(batch["root"], str) or not _HEX64.fullmatch(batch["root"]):
            raise RecordError("sig.batch.root must be 64 lower-case hex digits")
        _integer(batch["size"], "sig.batch.size", 1, BATCH_RECORDS_MAX)
        _integer(batch["index"], "sig.batch.index", 0, batch["size"] - 1)
        path = batch["path"]
        if not isinstance(path, list) or len(path) > BATCH_PATH_MAX or \
                not all(isinstance(p, str) and _HEX64.fullmatch(p) for p in path):
            raise RecordError(f"sig.batch.path must be at most {BATCH_PATH_MAX} hex hashes")


def check_record(record, signed=True):
    """The ledger's rules for a record's members (docs/api.md, "A record, byte by
    byte"); RecordError says which one is broken. ``signed``: ``sig`` is required."""
    if not isinstance(record, dict):
        raise RecordError("a record is a JSON object")
    members = set(record)
    expected = _RECORD_MEMBERS if signed else _RECORD_MEMBERS - {"sig"}
    if members - _RECORD_MEMBERS:
        raise RecordError(f"unknown member {sorted(members - _RECORD_MEMBERS)[0]!r}")
    if expected - members:
        raise RecordError(f"missing member {sorted(expected - members)[0]!r}")
    _integer(record["v"], "v", 1, 1)
    _text(record, "chain_id", 1, 64, identifier=True)
    if record["kind"] not in KINDS:
        raise RecordError(f"kind {record['kind']!r} is not one of {', '.join(KINDS)}")
    _text(record, "case_id", 1, 256)
    _text(record, "stage", 1, 64)
    _text(record, "agency", 1, 128, identifier=True)
    if not isinstance(record["digest"], str) or not _DIGEST.fullmatch(record["digest"]):
        raise RecordError("digest must be sha256:<64 lower-case hex> or sm3:<64 lower-case hex>")
    _integer(record["size"], "size", 0, jcs.INTEGER_MAX)
    _text(record, "media_type", 1, 128)
    _text(record, "title", 0, 1024)
    links = record["links"]
    if not isinstance(links, list) or len(links) > 16:
        raise RecordError("links must be a list of at most 16 record ids")
    if not all(isinstance(link, str) and _HEX64.fullmatch(link) for link in links) or \
            len(set(links)) != len(links):
        raise RecordError("links must be distinct record ids (64 lower-case hex)")
    _integer(record["time"], "time", 0, jcs.INTEGER_MAX)
    if "sig" in record:
        _check_sig(record["sig"])
    if signed and len(jcs.canonicalize(record)) > RECORD_BYTES_MAX:
        raise RecordError(f"the canonical record is over {RECORD_BYTES_MAX} bytes")


def now_ms():
    return int(_time.time() * 1000)


def file_digest(path, hash_name="sha256"):
    """(digest "alg:hex", size) of a file, read in 64 KiB chunks."""
    h = hashlib.new(hash_name)
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(64 * 1024):
            h.update(chunk)
            size += len(chunk)
    return f"{hash_name}:{h.hexdigest()}", size


def new_record(*, chain_id, agency, kind, case_id, stage, digest, size, media_type,
               title="", links=(), time_ms=None):
    """An unsigned record; the case id in canonical form, time now unless given."""
    if kind not in KINDS:
        raise RecordError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    links = list(links)
    for link in links:
        if not _HEX64.fullmatch(link):
            raise RecordError(f"link {link!r} is not a record id (64 lower-case hex)")
    case_id = canonical_case_id(case_id)
    if not case_id:
        raise RecordError("case_id is empty (or only white space)")
    return {"v": 1, "chain_id": chain_id, "kind": kind, "case_id": case_id, "stage": stage,
            "agency": agency, "digest": digest, "size": int(size), "media_type": media_type,
            "title": title, "links": links, "time": now_ms() if time_ms is None else int(time_ms)}


def record_for_file(path, *, chain_id, agency, kind, case_id, stage, hash_name="sha256",
                    media_type=None, title=None, links=(), time_ms=None):
    """The unsigned record of a document file (title: the file's name)."""
    digest, size = file_digest(path, hash_name)
    if media_type is None:
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return new_record(chain_id=chain_id, agency=agency, kind=kind, case_id=case_id, stage=stage,
                      digest=digest, size=size, media_type=media_type,
                      title=os.path.basename(path) if title is None else title, links=links,
                      time_ms=time_ms)


def _unsigned(record):
    return {k: v for k, v in record.items() if k != "sig"}


def signing_bytes(record):
    return SIGNING_DOMAIN + jcs.canonicalize(_unsigned(record))


def record_id(record, hash_name):
    return merkle.hasher(hash_name)(signing_bytes(record)).hex()


def batch_signing_bytes(header):
    return BATCH_DOMAIN + jcs.canonicalize(header)


class SignedRecord:
    """A signed record: ``record`` (dict), ``id``, and ``body``, the bytes to send."""

    def __init__(self, record, hash_name):
        self.record = record
        self.id = record_id(record, hash_name)
        self.body = jcs.canonicalize(record)


class SignedBatch:
    """A signed batch: ``records``, their ``ids``, ``batch_id`` (the batch root)
    and ``body``, the exact POST /v1/batches bytes."""

    def __init__(self, records, ids, batch_id):
        self.records = records
        self.ids = ids
        self.batch_id = batch_id
        self.body = jcs.canonicalize({"records": records})


def _base64(data):
    return base64.b64encode(data).decode()


def sign_record(key, record, hash_name):
    """Signs ``record`` alone with ``key`` (keys.SigningKey); RecordError first when
    the ledger would refuse the record's members."""
    signed = dict(_unsigned(record))
    check_record(signed, signed=False)
    signature = key.sign(signing_bytes(signed))
    signed["sig"] = {"alg": key.alg, "key": key.key_id, "value": _base64(signature)}
    check_record(signed)
    return SignedRecord(signed, hash_name)


def sign_batch(key, records, hash_name):
    """Signs 1..10,000 records of one agency and chain as one batch."""
    if not 1 <= len(records) <= BATCH_RECORDS_MAX:
        raise RecordError(f"a batch holds 1..{BATCH_RECORDS_MAX} records, not {len(records)}")
    H = merkle.hasher(hash_name)
    unsigned = [dict(_unsigned(r)) for r in records]
    for r in unsigned:
        if (r["agency"], r["chain_id"]) != (unsigned[0]["agency"], unsigned[0]["chain_id"]):
            raise RecordError("every record of a batch has the same agency and chain_id")
    for r in unsigned:
        check_record(r, signed=False)
    ids = [H(signing_bytes(r)) for r in unsigned]
    if len(set(ids)) != len(ids):
        raise RecordError("a batch names each record once; two records here are the same")
    leaves = [merkle.leaf_hash(H, i) for i in ids]
    batch_root = merkle.root(H, leaves)
    header = {"agency": unsigned[0]["agency"], "chain_id": unsigned[0]["chain_id"],
              "root": batch_root.hex(), "size": len(unsigned), "v": 1}
    signature = _base64(key.sign(batch_signing_bytes(header)))
    proofs = merkle.inclusion_proofs(H, leaves)
    for index, r in enumerate(unsigned):
        r["sig"] = {"alg": key.alg, "key": key.key_id, "value": signature,
                    "batch": {"root": batch_root.hex(), "size": len(unsigned), "index": index,
                              "path": [p.hex() for p in proofs[index]]}}
    return SignedBatch(unsigned, [i.hex() for i in ids], batch_root.hex())


def sign_batches(key, records, hash_name):
    """Signs ``records`` as as many batches as needed for the node's limits
    (10,000 records and an 8 MiB body each); returns the SignedBatch list."""
    batches, current, current_bytes = [], [], 0
    for record in records:
        # The record signed, with a full-depth path: an upper bound of its share of the body.
        record_bytes = len(jcs.canonicalize(_unsigned(record))) + 1500
        if current and (len(current) == BATCH_RECORDS_MAX or
                        current_bytes + record_bytes > BATCH_BODY_BYTES_MAX):
            batches.append(sign_batch(key, current, hash_name))
            current, current_bytes = [], 0
        current.append(record)
        current_bytes += record_bytes
    if current:
        batches.append(sign_batch(key, current, hash_name))
    return batches
