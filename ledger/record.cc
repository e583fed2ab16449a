#include "ledger/record.h"

#include <boost/algorithm/hex.hpp>
#include <boost/json/monotonic_resource.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <iterator>
#include <set>

#include "common/encoding.h"
#include "common/limits.h"
#include "crypto/merkle.h"
#include "ledger/batch.h"
#include "ledger/errors.h"
#include "ledger/json.h"
#include "ledger/json_fields.h"

namespace evidence::ledger {
namespace json = boost::json;
namespace {

constexpr std::array<std::string_view, 5> kKinds = {
    "enforcement_record", "review_opinion", "reconsideration_document", "litigation_document",
    "other"};

Status Bad(std::string_view detail) { return LedgerError(ErrorCode::kRecordBadValue, detail); }

Status CheckText(std::string_view field, std::string_view value, size_t min_bytes,
                 size_t max_bytes) {
  if (value.size() > max_bytes) {
    return LedgerError(ErrorCode::kRecordTooLarge, std::string(field) + " is " +
                                                       std::to_string(value.size()) +
                                                       " bytes, over the limit of " +
                                                       std::to_string(max_bytes));
  }
  if (value.size() < min_bytes) return Bad(std::string(field) + " is empty");
  if (!IsValidUtf8(value)) return Bad(std::string(field) + " is not valid UTF-8");
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Bad(std::string(field) + " contains a control character");
  }
  return Status::Ok();
}

Status CheckSig(const RecordSignature& sig) {
  if (!IsLowerHex(sig.key_id, 64)) return Bad("sig.key must be 64 lower-case hex digits");
  if (sig.value.empty() || sig.value.size() > kRecordSignatureBytesMax) {
    return Bad("sig.value must decode to 1.." + std::to_string(kRecordSignatureBytesMax) + " bytes");
  }
  if (!sig.batch) return Status::Ok();
  const BatchReference& b = *sig.batch;
  if (b.size == 0 || b.size > limits::kBatchRecordsMax) {
    return LedgerError(ErrorCode::kBatchTooLarge,
                       "sig.batch.size must be 1.." + std::to_string(limits::kBatchRecordsMax));
  }
  if (b.index >= b.size) return Bad("sig.batch.index must be less than sig.batch.size");
  if (b.path.size() > kBatchPathLengthMax) return Bad("sig.batch.path is too long");
  return Status::Ok();
}

json::value SigToJson(const RecordSignature& sig) {
  json::object out;
  out["alg"] = crypto::SignatureAlgorithmName(sig.algorithm);
  out["key"] = sig.key_id;
  out["value"] = Base64Encode(sig.value);
  if (sig.batch) {
    json::object batch;
    batch["root"] = crypto::DigestHex(sig.batch->root);
    batch["size"] = sig.batch->size;
    batch["index"] = sig.batch->index;
    json::array path;
    for (const crypto::Digest& d : sig.batch->path) path.emplace_back(crypto::DigestHex(d));
    batch["path"] = std::move(path);
    out["batch"] = std::move(batch);
  }
  return out;
}

Result<BatchReference> BatchFromJson(const json::value& value) {
  FieldReader reader(value, "sig.batch", kRecordCodes);
  BatchReference b;
  EVIDENCE_ASSIGN_OR_RETURN(std::string root, reader.String("root"));
  EVIDENCE_ASSIGN_OR_RETURN(b.root, ParseHexDigest("sig.batch.root", root, kRecordCodes));
  EVIDENCE_ASSIGN_OR_RETURN(b.size, reader.Unsigned("size"));
  EVIDENCE_ASSIGN_OR_RETURN(b.index, reader.Unsigned("index"));
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<std::string> path,
                            reader.StringArray("path", kBatchPathLengthMax));
  for (const std::string& hex : path) {
    EVIDENCE_ASSIGN_OR_RETURN(crypto::Digest d,
                              ParseHexDigest("sig.batch.path", hex, kRecordCodes));
    b.path.push_back(d);
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return b;
}

Result<RecordSignature> SigFromJson(const json::value& value) {
  FieldReader reader(value, "sig", kRecordCodes);
  RecordSignature sig;
  EVIDENCE_ASSIGN_OR_RETURN(std::string alg, reader.String("alg"));
  auto parsed = crypto::ParseSignatureAlgorithm(alg);
  if (!parsed.ok()) return Bad("sig.alg \"" + alg + "\" is not p256, ed25519 or sm2");
  sig.algorithm = *parsed;
  EVIDENCE_ASSIGN_OR_RETURN(sig.key_id, reader.String("key"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string value_text, reader.String("value"));
  auto decoded = Base64Decode(value_text);
  if (!decoded.ok()) return Bad("sig.value is not base64: " + decoded.status().message());
  sig.value = std::move(*decoded);
  if (const json::value* batch = reader.Optional("batch")) {
    EVIDENCE_ASSIGN_OR_RETURN(sig.batch, BatchFromJson(*batch));
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return sig;
}

}  // namespace

Result<DocumentDigest> ParseDocumentDigest(std::string_view text) {
  auto colon = text.find(':');
  auto bad = [&](std::string why) {
    return LedgerError(ErrorCode::kRecordBadDigest,
                       "digest \"" + std::string(text.substr(0, 80)) + "\": " + why);
  };
  if (colon == std::string_view::npos) return bad("expected \"sha256:<64 hex>\" or \"sm3:<64 hex>\"");
  std::string_view name = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  if (name != "sha256" && name != "sm3") return bad("unknown hash \"" + std::string(name) + "\"");
  if (!IsLowerHex(hex, 64)) return bad("the hash must be 64 lower-case hex digits");
  DocumentDigest out{crypto::ParseHashAlgorithm(name).value(), crypto::DigestFromHex(hex).value()};
  return out;
}

std::string FormatDocumentDigest(crypto::HashAlgorithm algorithm, const crypto::Digest& digest) {
  return std::string(crypto::HashAlgorithmName(algorithm)) + ":" + crypto::DigestHex(digest);
}

bool IsRecordKind(std::string_view kind) {
  for (std::string_view k : kKinds) {
    if (k == kind) return true;
  }
  return false;
}

Status CheckRecordShape(const Record& r) {
  if (r.version != 1) {
    return LedgerError(ErrorCode::kRecordBadVersion,
                       "v is " + std::to_string(r.version) + ", only 1 is supported");
  }
  EVIDENCE_RETURN_IF_ERROR(CheckText("chain_id", r.chain_id, 1, limits::kChainIdBytesMax));
  if (!IsIdentifier(r.chain_id)) return Bad("chain_id may hold only A-Z a-z 0-9 . _ -");
  if (!IsRecordKind(r.kind)) {
    return LedgerError(ErrorCode::kRecordUnknownKind,
                       "kind \"" + r.kind.substr(0, 64) + "\" is not a record kind");
  }
  EVIDENCE_RETURN_IF_ERROR(CheckText("case_id", r.case_id, 1, limits::kCaseIdBytesMax));
  EVIDENCE_RETURN_IF_ERROR(CheckText("stage", r.stage, 1, limits::kStageBytesMax));
  EVIDENCE_RETURN_IF_ERROR(CheckText("agency", r.agency, 1, limits::kAgencyIdBytesMax));
  if (!IsIdentifier(r.agency)) return Bad("agency may hold only A-Z a-z 0-9 . _ -");
  EVIDENCE_RETURN_IF_ERROR(ParseDocumentDigest(r.digest).status());
  if (r.size > static_cast<uint64_t>(kJsonIntegerMax)) return Bad("size is over 2^53-1");
  EVIDENCE_RETURN_IF_ERROR(CheckText("media_type", r.media_type, 1, limits::kMediaTypeBytesMax));
  EVIDENCE_RETURN_IF_ERROR(CheckText("title", r.title, 0, limits::kTitleBytesMax));
  if (r.links.size() > limits::kLinksMax) {
    return LedgerError(ErrorCode::kRecordTooLarge,
                       "more than " + std::to_string(limits::kLinksMax) + " links");
  }
  std::set<std::string_view> seen;
  for (const std::string& link : r.links) {
    if (!IsLowerHex(link, 64)) {
      return LedgerError(ErrorCode::kRecordBadLink, "a link must be a record id (64 lower-case hex)");
    }
    if (!seen.insert(link).second) {
      return LedgerError(ErrorCode::kRecordBadLink, "link " + link + " is repeated");
    }
  }
  if (r.time_ms < 0 || r.time_ms > kJsonIntegerMax) return Bad("time must be 0..2^53-1 unix ms");
  EVIDENCE_RETURN_IF_ERROR(CheckSig(r.sig));
  size_t leaf_bytes = RecordLeafBytes(r);
  if (leaf_bytes > limits::kRecordJcsBytesMax) {
    return LedgerError(ErrorCode::kRecordTooLarge,
                       "canonical record is " + std::to_string(leaf_bytes) +
                           " bytes, over the limit of " +
                           std::to_string(limits::kRecordJcsBytesMax));
  }
  return Status::Ok();
}

Result<Record> RecordFromJson(const json::value& value) {
  FieldReader reader(value, "record", kRecordCodes);
  Record r;
  EVIDENCE_ASSIGN_OR_RETURN(r.version, reader.Signed("v"));
  if (r.version != 1) {
    return LedgerError(ErrorCode::kRecordBadVersion,
                       "v is " + std::to_string(r.version) + ", only 1 is supported");
  }
  EVIDENCE_ASSIGN_OR_RETURN(r.chain_id, reader.String("chain_id"));
  EVIDENCE_ASSIGN_OR_RETURN(r.kind, reader.String("kind"));
  EVIDENCE_ASSIGN_OR_RETURN(r.case_id, reader.String("case_id"));
  EVIDENCE_ASSIGN_OR_RETURN(r.stage, reader.String("stage"));
  EVIDENCE_ASSIGN_OR_RETURN(r.agency, reader.String("agency"));
  EVIDENCE_ASSIGN_OR_RETURN(r.digest, reader.String("digest"));
  EVIDENCE_ASSIGN_OR_RETURN(r.size, reader.Unsigned("size"));
  EVIDENCE_ASSIGN_OR_RETURN(r.media_type, reader.String("media_type"));
  EVIDENCE_ASSIGN_OR_RETURN(r.title, reader.String("title"));
  EVIDENCE_ASSIGN_OR_RETURN(r.links, reader.StringArray("links", limits::kRecordJcsBytesMax));
  EVIDENCE_ASSIGN_OR_RETURN(r.time_ms, reader.Signed("time"));
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* sig, reader.Required("sig"));
  EVIDENCE_ASSIGN_OR_RETURN(r.sig, SigFromJson(*sig));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  EVIDENCE_RETURN_IF_ERROR(CheckRecordShape(r));
  return r;
}

Result<Record> ParseRecord(std::string_view json_text) {
  // A record's DOM fits a few KiB: allocate it from the stack, not the heap.
  alignas(16) unsigned char buffer[16 * 1024];
  json::monotonic_resource memory(buffer, sizeof buffer);
  auto parsed = StrictJsonParse(json_text, 2 * limits::kRecordJcsBytesMax, limits::kJsonDepthMax,
                                json::storage_ptr(&memory));
  if (!parsed.ok()) {
    if (json_text.size() > 2 * limits::kRecordJcsBytesMax) {
      return LedgerError(ErrorCode::kRecordTooLarge, parsed.status().message());
    }
    return LedgerError(ErrorCode::kRecordMalformedJson, parsed.status().message());
  }
  return RecordFromJson(*parsed);
}

json::value RecordToJson(const Record& r, bool include_sig) {
  json::object out;
  out["v"] = r.version;
  out["chain_id"] = r.chain_id;
  out["kind"] = r.kind;
  out["case_id"] = r.case_id;
  out["stage"] = r.stage;
  out["agency"] = r.agency;
  out["digest"] = r.digest;
  out["size"] = r.size;
  out["media_type"] = r.media_type;
  out["title"] = r.title;
  json::array links;
  for (const std::string& link : r.links) links.emplace_back(link);
  out["links"] = std::move(links);
  out["time"] = r.time_ms;
  if (include_sig) out["sig"] = SigToJson(r.sig);
  return out;
}

namespace {

// The record's JCS written directly, members in JCS order (keys sorted by
// UTF-16 code units; every key is ASCII, so by bytes), without building a
// json::value first: records are canonicalised several times on the hot path.
// Byte-identical to CanonicalJson(RecordToJson(record, include_sig)); a test
// compares the two over many records.
// An unsigned field as AppendJcsInteger takes it (values past 2^53-1 fail its
// check either way; clamping keeps them from wrapping negative first).
int64_t Clamped(uint64_t value) {
  return static_cast<int64_t>(std::min<uint64_t>(value, INT64_MAX));
}

// A digest as a JCS string: lower-case hex needs no escaping.
void AppendDigestJcs(std::string& out, const crypto::Digest& digest) {
  out.push_back('"');
  boost::algorithm::hex_lower(digest.begin(), digest.end(), std::back_inserter(out));
  out.push_back('"');
}

void AppendSigJcs(std::string& out, const RecordSignature& sig) {
  out += "{\"alg\":\"";
  out += crypto::SignatureAlgorithmName(sig.algorithm);  // a fixed lower-case name
  out.push_back('"');
  if (sig.batch) {
    const BatchReference& b = *sig.batch;
    out += ",\"batch\":{\"index\":";
    AppendJcsInteger(out, Clamped(b.index));
    out += ",\"path\":[";
    for (size_t i = 0; i < b.path.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendDigestJcs(out, b.path[i]);
    }
    out += "],\"root\":";
    AppendDigestJcs(out, b.root);
    out += ",\"size\":";
    AppendJcsInteger(out, Clamped(b.size));
    out.push_back('}');
  }
  out += ",\"key\":";
  AppendJcsString(out, sig.key_id);
  out += ",\"value\":\"";
  out += Base64Encode(sig.value);  // the base64 alphabet needs no escaping
  out += "\"}";
}

void AppendRecordJcs(std::string& out, const Record& r, bool include_sig) {
  out += "{\"agency\":";
  AppendJcsString(out, r.agency);
  out += ",\"case_id\":";
  AppendJcsString(out, r.case_id);
  out += ",\"chain_id\":";
  AppendJcsString(out, r.chain_id);
  out += ",\"digest\":";
  AppendJcsString(out, r.digest);
  out += ",\"kind\":";
  AppendJcsString(out, r.kind);
  out += ",\"links\":[";
  for (size_t i = 0; i < r.links.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJcsString(out, r.links[i]);
  }
  out += "],\"media_type\":";
  AppendJcsString(out, r.media_type);
  if (include_sig) {
    out += ",\"sig\":";
    AppendSigJcs(out, r.sig);
  }
  out += ",\"size\":";
  AppendJcsInteger(out, Clamped(r.size));
  out += ",\"stage\":";
  AppendJcsString(out, r.stage);
  out += ",\"time\":";
  AppendJcsInteger(out, r.time_ms);
  out += ",\"title\":";
  AppendJcsString(out, r.title);
  out += ",\"v\":";
  AppendJcsInteger(out, r.version);
  out.push_back('}');
}

size_t DecimalBytes(int64_t value) {
  char digits[24];
  return static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits);
}

}  // namespace

// RecordLeaf(record).size() without writing the leaf: CheckRecordShape bounds
// every record's canonical size, and runs more than once per record.
size_t RecordLeafBytes(const Record& r) {
  constexpr size_t kQuotedDigest = 2 + 2 * crypto::kDigestBytes;
  // The member names, colons, commas and braces of a record without batch
  // reference: everything AppendRecordJcs writes but the values.
  static const size_t kFixed = [] {
    Record empty;
    empty.sig.value.clear();
    std::string leaf;
    AppendRecordJcs(leaf, empty, true);
    return leaf.size();
  }();
  size_t bytes = kFixed - 2 * 8;  // the eight empty strings of `empty`, counted below
  for (const std::string* text : {&r.agency, &r.case_id, &r.chain_id, &r.digest, &r.kind,
                                  &r.media_type, &r.stage, &r.title}) {
    bytes += JcsStringBytes(*text);
  }
  bytes += r.links.empty() ? 0 : r.links.size() - 1;  // commas
  for (const std::string& link : r.links) bytes += JcsStringBytes(link);
  bytes += DecimalBytes(Clamped(r.size)) - 1;
  bytes += DecimalBytes(r.time_ms) - 1;
  bytes += DecimalBytes(r.version) - 1;
  bytes += crypto::SignatureAlgorithmName(r.sig.algorithm).size() -
           crypto::SignatureAlgorithmName(RecordSignature{}.algorithm).size();
  bytes += JcsStringBytes(r.sig.key_id) - 2;
  bytes += (r.sig.value.size() + 2) / 3 * 4;  // base64 with padding
  if (r.sig.batch) {
    const BatchReference& b = *r.sig.batch;
    bytes += std::string_view(R"(,"batch":{"index":,"path":[],"root":,"size":})").size();
    bytes += DecimalBytes(Clamped(b.index));
    bytes += DecimalBytes(Clamped(b.size));
    bytes += kQuotedDigest * (b.path.size() + 1) + (b.path.empty() ? 0 : b.path.size() - 1);
  }
  return bytes;
}

std::string RecordLeaf(const Record& record) {
  std::string out;
  out.reserve(1024);
  AppendRecordJcs(out, record, true);
  return out;
}

Bytes RecordSigningBytes(const Record& record) {
  std::string jcs(kRecordSigningDomain);
  jcs.reserve(1024);
  AppendRecordJcs(jcs, record, false);
  return Bytes(jcs.begin(), jcs.end());
}

crypto::Digest RecordId(crypto::HashAlgorithm algorithm, const Record& record) {
  return crypto::Hash(algorithm, RecordSigningBytes(record));
}

crypto::Digest RecordLeafHash(crypto::HashAlgorithm algorithm, const Record& record) {
  return crypto::MerkleHasher(algorithm).HashLeaf(AsBytes(RecordLeaf(record)));
}

Status SignRecord(const crypto::PrivateKey& key, Record& record) {
  record.sig.batch.reset();
  record.sig.algorithm = key.algorithm();
  record.sig.key_id = key.key_id();
  EVIDENCE_ASSIGN_OR_RETURN(record.sig.value, key.Sign(RecordSigningBytes(record)));
  return Status::Ok();
}

Status CheckSignatureNamesKey(const crypto::PublicKey& key, const Record& record) {
  if (key.key_id() != record.sig.key_id) {
    return LedgerError(ErrorCode::kRecordBadSignature,
                       "sig.key is " + record.sig.key_id.substr(0, 64) +
                           ", but the signature is checked with key " + key.key_id());
  }
  if (key.algorithm() != record.sig.algorithm) {
    const std::string key_algorithm(crypto::SignatureAlgorithmName(key.algorithm()));
    return LedgerError(
        ErrorCode::kRecordBadSignature,
        "sig.alg is \"" + std::string(crypto::SignatureAlgorithmName(record.sig.algorithm)) +
            "\", but key " + key.key_id() + " registered for agency \"" + record.agency +
            "\" is an \"" + key_algorithm + "\" key: set sig.alg to \"" + key_algorithm +
            "\", the algorithm of the key that signs");
  }
  return Status::Ok();
}

Status VerifyRecordSignature(crypto::HashAlgorithm algorithm, const crypto::PublicKey& key,
                             const Record& record) {
  EVIDENCE_RETURN_IF_ERROR(CheckSignatureNamesKey(key, record));
  if (record.sig.batch) {
    EVIDENCE_RETURN_IF_ERROR(VerifyBatchMembership(algorithm, record));
    if (!key.Verify(BatchSigningBytes(BatchHeaderOf(record)), record.sig.value)) {
      return LedgerError(ErrorCode::kBatchBadSignature,
                         "batch signature does not verify under key " + key.key_id());
    }
    return Status::Ok();
  }
  if (!key.Verify(RecordSigningBytes(record), record.sig.value)) {
    return LedgerError(ErrorCode::kRecordBadSignature,
                       "signature does not verify under key " + key.key_id());
  }
  return Status::Ok();
}

}  // namespace evidence::ledger
