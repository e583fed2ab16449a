#include "ledger/submission.h"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <optional>

#include "common/encoding.h"
#include "ledger/batch.h"
#include "ledger/case_id.h"
#include "ledger/errors.h"

namespace evidence::ledger {
namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text.substr(0, 256)) + "\""; }

Status BadLink(std::string_view link, std::string_view why) {
  return LedgerError(ErrorCode::kRecordBadLink, "link " + std::string(link) + " " + std::string(why));
}

}  // namespace

Status CheckCaseIdCanonical(const Record& record) {
  const std::string canonical = CanonicalCaseId(record.case_id);
  if (canonical == record.case_id) return Status::Ok();
  if (canonical.empty()) {
    return LedgerError(ErrorCode::kRecordCaseIdNotCanonical,
                       "case_id " + Quoted(record.case_id) + " holds only white space");
  }
  return LedgerError(ErrorCode::kRecordCaseIdNotCanonical,
                     "case_id " + Quoted(record.case_id) + " is not in canonical form: sign " +
                         Quoted(canonical) +
                         " instead (full-width characters written as ASCII, no white space), so "
                         "that one case is one trail");
}

SubmissionChecker::SubmissionChecker(const std::vector<Record>& records,
                                     const std::vector<crypto::Digest>& ids, FindLinkTargetFn find)
    : records_(records), ids_(ids), find_(std::move(find)) {
  EVIDENCE_CHECK(records_.size() == ids_.size());
  for (size_t i = 0; i < ids_.size(); ++i) index_of_.emplace(ids_[i], i);  // first occurrence
}

Status SubmissionChecker::CheckDistinct() const {
  for (size_t i = 0; i < ids_.size(); ++i) {
    const size_t first = index_of_.at(ids_[i]);
    if (first != i) {
      return LedgerError(ErrorCode::kBatchMalformed,
                         "records[" + std::to_string(i) + "] is the same record as records[" +
                             std::to_string(first) +
                             "] (same record id " + crypto::DigestHex(ids_[i]) +
                             "): a batch names each record once");
    }
  }
  return Status::Ok();
}

Result<LinkTarget> SubmissionChecker::Find(const crypto::Digest& id) {
  auto cached = found_.find(id);
  if (cached != found_.end()) return cached->second;
  EVIDENCE_ASSIGN_OR_RETURN(LinkTarget target, find_(id));
  found_.emplace(id, target);
  return target;
}

Status SubmissionChecker::CheckLink(size_t i, const std::string& link_hex) {
  const Record& record = records_[i];
  const crypto::Digest id = crypto::DigestFromHex(link_hex).value();  // shape checked already
  auto in_submission = index_of_.find(id);
  if (in_submission != index_of_.end()) {
    const size_t j = in_submission->second;
    if (j >= i) {
      return BadLink(link_hex, "names records[" + std::to_string(j) + "], which does not come before records[" +
                                   std::to_string(i) + "] in the batch: a link names an earlier record");
    }
    if (records_[j].case_id != record.case_id) {
      return BadLink(link_hex, "names records[" + std::to_string(j) + "] of case " +
                                   Quoted(records_[j].case_id) + ", not " + Quoted(record.case_id) +
                                   ": links stay within one case");
    }
    return Status::Ok();
  }
  EVIDENCE_ASSIGN_OR_RETURN(LinkTarget target, Find(id));
  switch (target.state) {
    case LinkTarget::State::kUnknown:
      return BadLink(link_hex,
                     "names no record of this ledger: a link names an earlier, committed record of "
                     "the same case (or an earlier record of the same batch)");
    case LinkTarget::State::kPending:
      return BadLink(link_hex,
                     "names a record that is pending, not yet committed: link to it once it is "
                     "committed (submit it with ?wait=commit), or send both records in one batch");
    case LinkTarget::State::kCommitted:
      break;
  }
  if (target.case_id != record.case_id) {
    return BadLink(link_hex, "names a record of case " + Quoted(target.case_id) + ", not " +
                                 Quoted(record.case_id) + ": links stay within one case");
  }
  return Status::Ok();
}

Status SubmissionChecker::CheckRecord(size_t i) {
  EVIDENCE_CHECK(i < records_.size());
  EVIDENCE_RETURN_IF_ERROR(CheckCaseIdCanonical(records_[i]));
  for (const std::string& link : records_[i].links) EVIDENCE_RETURN_IF_ERROR(CheckLink(i, link));
  return Status::Ok();
}

// ---------------------------------------------------------------- signatures

namespace {

// JSON text with every non-ASCII character written as \uXXXX (lower-case hex,
// surrogate pairs above U+FFFF), as Python's json.dumps does by default
// (ensure_ascii=True). `text` is valid UTF-8.
std::string EscapeNonAscii(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  auto append_unit = [&out](unsigned unit) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\u%04x", unit);
    out += escaped;
  };
  for (size_t at = 0; at < text.size();) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) {
      out.push_back(text[at++]);
      continue;
    }
    const size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    unsigned code_point = lead & (0x7f >> length);
    for (size_t k = 1; k < length && at + k < text.size(); ++k) {
      code_point = (code_point << 6) | (static_cast<unsigned char>(text[at + k]) & 0x3f);
    }
    if (code_point > 0xffff) {
      code_point -= 0x10000;
      append_unit(0xd800 + (code_point >> 10));
      append_unit(0xdc00 + (code_point & 0x3ff));
    } else {
      append_unit(code_point);
    }
    at += length;
  }
  return out;
}

// JSON text with a space after every ',' and ':' outside strings (Python's
// default separators ", " and ": ").
std::string Spaced(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    out.push_back(c);
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ',' || c == ':') {
      out.push_back(' ');
    }
  }
  return out;
}

Bytes WithDomain(std::string_view domain, std::string_view json) {
  Bytes out(domain.begin(), domain.end());
  out.insert(out.end(), json.begin(), json.end());
  return out;
}

struct Variant {
  Bytes message;
  std::string explanation;
};

// The messages clients most often sign by mistake instead of domain || JCS.
std::vector<Variant> MistakenMessages(const Record& record, const boost::json::object* received) {
  const bool batched = record.sig.batch.has_value();
  const std::string_view domain = batched ? kBatchSigningDomain : kRecordSigningDomain;
  const Bytes signing = batched ? BatchSigningBytes(BatchHeaderOf(record)) : RecordSigningBytes(record);
  const std::string jcs(signing.begin() + static_cast<std::ptrdiff_t>(domain.size()), signing.end());
  const std::string domain_text = batched ? "\"EVIDENCE-BATCH/v1\\n\"" : "\"EVIDENCE-RECORD/v1\\n\"";
  std::vector<Variant> out;
  out.push_back({WithDomain("", jcs),
                 "The signature is over the JSON alone: sign the " +
                     std::to_string(domain.size()) + "-byte prefix " + domain_text +
                     " followed by the JSON"});
  out.push_back({WithDomain(domain, jcs + "\n"),
                 "The signature is over the signing bytes followed by a newline: sign them "
                 "without it"});
  out.push_back({WithDomain(domain, EscapeNonAscii(jcs)),
                 "The signature is over JSON with non-ASCII characters escaped as \\uXXXX "
                 "(Python's json.dumps default, ensure_ascii=True): JCS writes them as UTF-8 "
                 "(ensure_ascii=False)"});
  out.push_back({WithDomain(domain, Spaced(EscapeNonAscii(jcs))),
                 "The signature is over the output of json.dumps(..., sort_keys=True) with its "
                 "defaults: JCS has no spaces and raw UTF-8 (separators=(\",\", \":\"), "
                 "ensure_ascii=False)"});
  out.push_back({WithDomain(domain, Spaced(jcs)),
                 "The signature is over JSON with spaces after ',' and ':': JCS has no white "
                 "space"});
  if (!batched && received != nullptr) {
    boost::json::object unsigned_record = *received;
    unsigned_record.erase("sig");
    out.push_back({WithDomain(domain, boost::json::serialize(unsigned_record)),
                   "The signature is over the JSON with its members in the order they were "
                   "sent: JCS sorts the members by key (RFC 8785)"});
  }
  // Variants that are the signing bytes themselves (e.g. members sent in JCS
  // order) or repeat another need no check.
  std::vector<Variant> distinct;
  for (Variant& variant : out) {
    bool repeated = variant.message == signing;
    for (const Variant& kept : distinct) repeated = repeated || kept.message == variant.message;
    if (!repeated) distinct.push_back(std::move(variant));
  }
  EVIDENCE_CHECK(distinct.size() < kExplainVerificationsMax);
  return distinct;
}

// What the signature's encoding says (P-256 and SM2 are DER, Ed25519 64 raw
// bytes); `verifiable` receives the signature to try the variants with (the
// DER form of a raw r||s one).
std::optional<std::string> ExplainEncoding(const crypto::PublicKey& key, const Record& record,
                                           Bytes& verifiable) {
  const Bytes& value = record.sig.value;
  const std::string name(crypto::SignatureAlgorithmName(key.algorithm()));
  if (key.algorithm() == crypto::SignatureAlgorithm::kEd25519) {
    if (value.size() != 64) {
      return "Ed25519 signatures are 64 bytes (RFC 8032); sig.value decodes to " +
             std::to_string(value.size());
    }
    return std::nullopt;
  }
  const std::string curve = key.algorithm() == crypto::SignatureAlgorithm::kP256 ? "P-256" : "SM2";
  if (crypto::IsDerEcdsaSignature(value)) return std::nullopt;
  if (value.size() != 64) {
    return curve + " signatures are DER (SEQUENCE { INTEGER r, INTEGER s }, at most 72 bytes); "
                   "sig.value (" + std::to_string(value.size()) + " bytes) is not";
  }
  Result<Bytes> der = crypto::EcdsaRawToDer(value);
  if (!der.ok()) return std::nullopt;
  const Bytes signing = record.sig.batch ? BatchSigningBytes(BatchHeaderOf(record))
                                         : RecordSigningBytes(record);
  if (key.Verify(signing, *der)) {
    return curve + " signatures are DER: sig.value is a valid signature in the raw 64-byte r||s "
                   "form (as WebCrypto, .NET and PKCS#11 tokens give it); encode it as DER "
                   "SEQUENCE { INTEGER r, INTEGER s } and send that";
  }
  verifiable = std::move(*der);
  return std::nullopt;
}

}  // namespace

std::string ExplainBadSignature(const GovernanceState& state, const Record& record,
                                const boost::json::object* received) {
  const crypto::PublicKey* key = state.FindActiveAgencyKey(record.agency, record.sig.key_id);
  if (key == nullptr || key->algorithm() != record.sig.algorithm) return "";
  Bytes verifiable = record.sig.value;
  std::optional<std::string> encoding = ExplainEncoding(*key, record, verifiable);
  if (encoding) return *encoding;
  const bool raw = verifiable != record.sig.value;
  for (const Variant& variant : MistakenMessages(record, received)) {
    if (key->Verify(variant.message, verifiable)) {
      return raw ? variant.explanation + "; and encode the signature as DER, not raw r||s"
                 : variant.explanation;
    }
  }
  if (raw) {
    return "sig.value is 64 bytes, the raw r||s form; the ledger takes DER (SEQUENCE { INTEGER r, "
           "INTEGER s }), and it does not verify even as raw r||s: check the key and what was "
           "signed";
  }
  return "";
}

}  // namespace evidence::ledger
