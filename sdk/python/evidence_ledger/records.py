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
    """Signs ``record`` alone with ``key`` (keys.SigningKey)."""
    signed = dict(_unsigned(record))
    signature = key.sign(signing_bytes(signed))
    signed["sig"] = {"alg": key.alg, "key": key.key_id, "value": _base64(signature)}
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
