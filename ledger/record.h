// Evidence records (DESIGN.md §3): the signed JSON metadata of one document.
//
//   { "v": 1, "chain_id": "...", "kind": "enforcement_record" | "review_opinion"
//       | "reconsideration_document" | "litigation_document" | "other",
//     "case_id": "...", "stage": "...", "agency": "...",
//     "digest": "sha256:<64 hex>" | "sm3:<64 hex>", "size": <bytes>,
//     "media_type": "...", "title": "...", "links": ["<record id>", ...],
//     "time": <unix ms>,
//     "sig": { "alg": "p256" | "ed25519" | "sm2", "key": "<key id>", "value": "<base64>",
//              "batch": { "root": "<hex>", "size": N, "index": I, "path": ["<hex>", ...] } } }
//
// Every field is required except sig.batch (present only for records signed as part
// of a batch, see ledger/batch.h). Bytes:
//   signing bytes = "EVIDENCE-RECORD/v1\n" || JCS(record without "sig")
//   record id     = H(signing bytes), shown as lower-case hex
//   leaf          = JCS(whole record, "sig" included)   (the Merkle log leaf)
//   leaf hash     = H(0x00 || leaf)
// H is the chain's hash (genesis). docs/receipt-format.md specifies all of it.
//
// ParseRecord is strict (see ledger/json.h): unknown, missing, duplicate or
// wrongly-typed fields, floats and over-long strings are refused with a stable
// error code (ledger/errors.h). CheckRecordShape applies the same field rules to a
// Record built in C++.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"

namespace evidence::ledger {

inline constexpr std::string_view kRecordSigningDomain = "EVIDENCE-RECORD/v1\n";
inline constexpr size_t kRecordSignatureBytesMax = 256;    // decoded sig.value
inline constexpr size_t kBatchPathLengthMax = 64;

// A record's place in a batch (ledger/batch.h): the agency signed the batch root.
struct BatchReference {
  crypto::Digest root{};
  uint64_t size = 0;   // records in the batch, 1..limits::kBatchRecordsMax
  uint64_t index = 0;  // this record's position, < size
  std::vector<crypto::Digest> path;  // RFC 9162 inclusion proof of the record id
  bool operator==(const BatchReference&) const = default;
};

struct RecordSignature {
  crypto::SignatureAlgorithm algorithm = crypto::SignatureAlgorithm::kEd25519;
  std::string key_id;  // 64 lower-case hex
  Bytes value;         // the record's signature, or the batch's when `batch` is set
  std::optional<BatchReference> batch;
  bool operator==(const RecordSignature&) const = default;
};

struct Record {
  int64_t version = 1;
  std::string chain_id;
  std::string kind;
  std::string case_id;
  std::string stage;
  std::string agency;
  std::string digest;  // "sha256:<64 hex>" or "sm3:<64 hex>", lower-case
  uint64_t size = 0;
  std::string media_type;
  std::string title;
  std::vector<std::string> links;  // record ids (64 lower-case hex)
  int64_t time_ms = 0;
  RecordSignature sig;
  bool operator==(const Record&) const = default;
};

// A record with its id (RecordId), as a node holds them once it has checked the
// record (e.g. in its mempool; see Store::Append).
struct KnownRecord {
  Record record;
  crypto::Digest id{};
};

// The document digest of a record, split.
struct DocumentDigest {
  crypto::HashAlgorithm algorithm;
  crypto::Digest value;
};
Result<DocumentDigest> ParseDocumentDigest(std::string_view text);
std::string FormatDocumentDigest(crypto::HashAlgorithm algorithm, const crypto::Digest& digest);

bool IsRecordKind(std::string_view kind);

// Strict parse of record JSON text (at most limits::kRecordJcsBytesMax * 2 bytes of text).
Result<Record> ParseRecord(std::string_view json_text);
// Schema check and conversion from an already parsed JSON object (e.g. inside a receipt).
Result<Record> RecordFromJson(const boost::json::value& json);
// Field rules (sizes, formats, enums) for a Record however it was made.
Status CheckRecordShape(const Record& record);

boost::json::value RecordToJson(const Record& record, bool include_sig = true);

// JCS of the whole record (the log leaf). The record must pass CheckRecordShape.
std::string RecordLeaf(const Record& record);
// RecordLeaf(record).size(), computed without writing the leaf.
size_t RecordLeafBytes(const Record& record);
Bytes RecordSigningBytes(const Record& record);
crypto::Digest RecordId(crypto::HashAlgorithm algorithm, const Record& record);
crypto::Digest RecordLeafHash(crypto::HashAlgorithm algorithm, const Record& record);

// Signs `record` (alone, not in a batch): fills sig.alg, sig.key and sig.value.
Status SignRecord(const crypto::PrivateKey& key, Record& record);
// That sig.key and sig.alg name `key` (its id and algorithm); record.bad_signature
// in plain words otherwise (e.g. "sig.alg is \"p256\", but key ... is an \"ed25519\" key: set sig.alg to ...").
Status CheckSignatureNamesKey(const crypto::PublicKey& key, const Record& record);
// Checks the record's authorship under `key` (the key named by sig.key): without a
// batch, sig.value over the signing bytes; with one, that the record id is at
// sig.batch.index under sig.batch.root, then sig.value over the batch's signing
// bytes (ledger/batch.h). Errors carry record.bad_signature, batch.bad_proof or
// batch.bad_signature.
Status VerifyRecordSignature(crypto::HashAlgorithm algorithm, const crypto::PublicKey& key,
                             const Record& record);

}  // namespace evidence::ledger
