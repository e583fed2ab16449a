"""evidence-ledger client SDK for Python (standard library + ``cryptography``).

Sign records and batches with an agency's key (Ed25519, P-256, SM2), send them
to a node with retries that resend the same bytes, and verify receipts
offline. See sdk/python/README.md and docs/api.md.
"""
from .case_id import canonical_case_id
from .client import Client, ProblemError, TransportError
from .jcs import CanonicalJsonError, canonicalize
from .keys import KeyFormatError, PublicKey, SigningKey
from .receipts import Genesis, ReceiptError, check_receipt, parse_receipt, verify_receipt
from .records import (KINDS, RecordError, SignedBatch, SignedRecord, check_record, file_digest,
                      new_record, record_for_file, record_id, sign_batch, sign_batches,
                      sign_record, signing_bytes)

__all__ = [
    "CanonicalJsonError", "Client", "Genesis", "KINDS", "KeyFormatError", "ProblemError",
    "PublicKey", "ReceiptError", "RecordError", "SignedBatch", "SignedRecord", "SigningKey",
    "TransportError", "canonical_case_id", "canonicalize", "check_receipt", "check_record",
    "file_digest", "new_record", "parse_receipt", "record_for_file", "record_id", "sign_batch",
    "sign_batches", "sign_record", "signing_bytes", "verify_receipt",
]
