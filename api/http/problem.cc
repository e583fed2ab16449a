#include "api/http/problem.h"

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/http/strict_json.h"

namespace evidence::api {
namespace {

struct ProblemInfo {
  ProblemType type;
  std::string_view name;
  int http_status;
  std::string_view title;
};

// The one table: stable name, HTTP status and title of every problem type.
constexpr std::array<ProblemInfo, std::size(kAllProblemTypes)> kProblems = {{
    {ProblemType::kMalformedJson, "malformed-json", 400, "The body is not well-formed JSON"},
    {ProblemType::kInvalidUtf8, "invalid-utf8", 400, "The body is not valid UTF-8"},
    {ProblemType::kDuplicateKey, "duplicate-key", 400, "A JSON object repeats a key"},
    {ProblemType::kTooDeep, "too-deep", 400, "The JSON nests too deeply"},
    {ProblemType::kFloatNotAllowed, "float-not-allowed", 400,
     "Numbers must be integers (no fraction, no exponent)"},
    {ProblemType::kUnknownField, "unknown-field", 400, "The record has a field it may not have"},
    {ProblemType::kMissingField, "missing-field", 400, "A required field is missing"},
    {ProblemType::kWrongType, "wrong-type", 400, "A field has the wrong JSON type"},
    {ProblemType::kBadDigest, "bad-digest", 400, "The digest is not <alg>:<64 hex digits>"},
    {ProblemType::kUnknownKind, "unknown-kind", 400, "The record kind is not one the ledger knows"},
    {ProblemType::kUnknownStage, "unknown-stage", 400,
     "The stage is not in the record kind's vocabulary"},
    {ProblemType::kUnknownAgency, "unknown-agency", 400, "The agency is not registered in genesis"},
    {ProblemType::kUnknownKey, "unknown-key", 400,
     "The signing key is not registered for the agency"},
    {ProblemType::kKeyRevoked, "key-revoked", 400,
     "The signing key was revoked by a governance action"},
    {ProblemType::kBadSignature, "bad-signature", 400, "The signature does not verify"},
    {ProblemType::kWrongChain, "wrong-chain", 400, "The chain_id is not this chain's"},
    {ProblemType::kTimeInFuture, "time-in-future", 400, "The record time is ahead of block time"},
    {ProblemType::kTimeOutOfWindow, "time-out-of-window", 400,
     "The record time is outside the accepted window"},
    {ProblemType::kBadValue, "bad-value", 400, "A field's value is out of range or badly formed"},
    {ProblemType::kTooLarge, "too-large", 413, "The request or a field is too large"},
    {ProblemType::kInvalidRecord, "invalid-record", 400, "The record breaks a ledger rule"},
    {ProblemType::kInvalidBatch, "invalid-batch", 400, "The batch breaks a ledger rule"},
    {ProblemType::kBadLink, "bad-link", 400,
     "A link does not name an earlier committed record of the same case"},
    {ProblemType::kCaseIdNotCanonical, "case-id-not-canonical", 400,
     "The case id is not in canonical form"},
    {ProblemType::kInvalidGovernanceAction, "invalid-governance-action", 400,
     "The governance action is malformed"},
    {ProblemType::kUnknownAction, "unknown-action", 400,
     "The governance action is not one the ledger knows"},
    {ProblemType::kNotGoverned, "not-governed", 409,
     "The chain's genesis has no admin keys: its register cannot change"},
    {ProblemType::kBadSequence, "bad-sequence", 409,
     "The action's sequence number is used already or out of order"},
    {ProblemType::kUnknownAdminKey, "unknown-admin-key", 400,
     "A signature is by a key that is not an admin key"},
    {ProblemType::kAdminKeyRevoked, "admin-key-revoked", 400,
     "A signature is by an admin key that was revoked"},
    {ProblemType::kTooFewSignatures, "too-few-signatures", 400,
     "Fewer institutions signed than the threshold"},
    {ProblemType::kUnknownEntry, "unknown-entry", 400,
     "The action names an entry the register does not hold"},
    {ProblemType::kGovernanceConflict, "governance-conflict", 409,
     "The action conflicts with the register"},
    {ProblemType::kUnsafeValidatorSet, "unsafe-validator-set", 400,
     "The change leaves a validator set that is not safe"},
    {ProblemType::kHeadersTooLarge, "headers-too-large", 431, "The request headers are too large"},
    {ProblemType::kTooMany, "too-many", 429, "Too many requests; retry later"},
    {ProblemType::kUnauthorized, "unauthorized", 401, "A valid reader credential is required"},
    {ProblemType::kForbidden, "forbidden", 403, "The credential may not read this resource"},
    {ProblemType::kNotFound, "not-found", 404, "Not found"},
    {ProblemType::kMethodNotAllowed, "method-not-allowed", 405,
     "The route does not accept this method"},
    {ProblemType::kUnsupportedMediaType, "unsupported-media-type", 415,
     "The body must be application/json"},
    {ProblemType::kBadRequest, "bad-request", 400, "The request is malformed"},
    {ProblemType::kNotReady, "not-ready", 503, "The node is not ready to serve this"},
    {ProblemType::kInternal, "internal", 500, "Internal error"},
}};

const ProblemInfo& Info(ProblemType type) {
  const auto index = static_cast<size_t>(type);
  EVIDENCE_CHECK(index < kProblems.size());
  EVIDENCE_CHECK(kProblems[index].type == type);  // table order matches the enum
  return kProblems[index];
}

}  // namespace

std::string_view ProblemName(ProblemType type) { return Info(type).name; }

std::string ProblemTypeUri(ProblemType type) {
  std::string uri(kProblemTypeUriPrefix);
  uri += Info(type).name;
  return uri;
}

std::string_view ProblemTitle(ProblemType type) { return Info(type).title; }

int ProblemHttpStatus(ProblemType type) { return Info(type).http_status; }

ProblemType ProblemTypeOf(ledger::ErrorCode code) {
  using ledger::ErrorCode;
  switch (code) {
    case ErrorCode::kRecordMalformedJson:
      return ProblemType::kMalformedJson;
    case ErrorCode::kRecordUnknownField:
      return ProblemType::kUnknownField;
    case ErrorCode::kRecordMissingField:
      return ProblemType::kMissingField;
    case ErrorCode::kRecordWrongType:
      return ProblemType::kWrongType;
    case ErrorCode::kRecordBadValue:
      return ProblemType::kBadValue;
    case ErrorCode::kRecordTooLarge:
    case ErrorCode::kBatchTooLarge:
      return ProblemType::kTooLarge;
    case ErrorCode::kRecordChainMismatch:
      return ProblemType::kWrongChain;
    case ErrorCode::kRecordTimeInFuture:
      return ProblemType::kTimeInFuture;
    case ErrorCode::kRecordTimeOutOfWindow:
      return ProblemType::kTimeOutOfWindow;
    case ErrorCode::kRecordBadDigest:
      return ProblemType::kBadDigest;
    case ErrorCode::kRecordBadSignature:
    case ErrorCode::kBatchBadSignature:
      return ProblemType::kBadSignature;
    case ErrorCode::kRecordUnknownAgency:
      return ProblemType::kUnknownAgency;
    case ErrorCode::kRecordUnknownKey:
      return ProblemType::kUnknownKey;
    case ErrorCode::kRecordUnknownKind:
      return ProblemType::kUnknownKind;
    case ErrorCode::kRecordKeyRevoked:
      return ProblemType::kKeyRevoked;
    case ErrorCode::kGovernanceMalformed:
      return ProblemType::kInvalidGovernanceAction;
    case ErrorCode::kGovernanceUnknownAction:
      return ProblemType::kUnknownAction;
    case ErrorCode::kGovernanceChainMismatch:
      return ProblemType::kWrongChain;
    case ErrorCode::kGovernanceNotGoverned:
      return ProblemType::kNotGoverned;
    case ErrorCode::kGovernanceBadSequence:
      return ProblemType::kBadSequence;
    case ErrorCode::kGovernanceUnknownAdminKey:
      return ProblemType::kUnknownAdminKey;
    case ErrorCode::kGovernanceAdminKeyRevoked:
      return ProblemType::kAdminKeyRevoked;
    case ErrorCode::kGovernanceBadSignature:
      return ProblemType::kBadSignature;
    case ErrorCode::kGovernanceTooFewSignatures:
      return ProblemType::kTooFewSignatures;
    case ErrorCode::kGovernanceUnknownEntry:
      return ProblemType::kUnknownEntry;
    case ErrorCode::kGovernanceConflict:
      return ProblemType::kGovernanceConflict;
    case ErrorCode::kGovernanceUnsafeValidatorSet:
      return ProblemType::kUnsafeValidatorSet;
    case ErrorCode::kRecordUnknownStage:
      return ProblemType::kUnknownStage;
    case ErrorCode::kRecordBadLink:
      return ProblemType::kBadLink;
    case ErrorCode::kRecordCaseIdNotCanonical:
      return ProblemType::kCaseIdNotCanonical;
    case ErrorCode::kRecordBadVersion:
    case ErrorCode::kRecordDuplicate:
      return ProblemType::kInvalidRecord;
    case ErrorCode::kBatchBadProof:
    case ErrorCode::kBatchMalformed:
      return ProblemType::kInvalidBatch;
    // Blocks, genesis and receipts never come from a client's request; if one
    // reaches the API it is the node's own failure.
    case ErrorCode::kBlockMalformed:
    case ErrorCode::kBlockWrongChain:
    case ErrorCode::kBlockWrongHeight:
    case ErrorCode::kBlockWrongPrevious:
    case ErrorCode::kBlockWrongTime:
    case ErrorCode::kBlockWrongLogRoot:
    case ErrorCode::kBlockWrongLeavesRoot:
    case ErrorCode::kBlockWrongValidators:
    case ErrorCode::kBlockWrongProposer:
    case ErrorCode::kBlockWrongEvidence:
    case ErrorCode::kBlockBadLastCommit:
    case ErrorCode::kBlockDuplicateRecord:
    case ErrorCode::kBlockTooLarge:
    case ErrorCode::kBlockBadRecord:
    case ErrorCode::kGenesisInvalid:
    case ErrorCode::kReceiptMalformed:
    case ErrorCode::kReceiptDigestMismatch:
    case ErrorCode::kReceiptBadRecordSignature:
    case ErrorCode::kReceiptBadInclusion:
    case ErrorCode::kReceiptHeaderMismatch:
    case ErrorCode::kReceiptBadCommit:
    case ErrorCode::kReceiptValidatorMismatch:
    case ErrorCode::kBlockBadGovernance:
    case ErrorCode::kBlockWrongState:
    case ErrorCode::kReceiptBadGovernance:
    case ErrorCode::kReceiptWrongChain:
    case ErrorCode::kReceiptUnsupportedVersion:
      return ProblemType::kInternal;
  }
  EVIDENCE_CHECK_MSG(false, "ledger::ErrorCode without a problem type");
  return ProblemType::kInternal;
}

ApiError ErrorFromStatus(const Status& status) {
  EVIDENCE_CHECK(!status.ok());
  if (std::optional<ledger::ErrorCode> code = ledger::ErrorCodeOf(status)) {
    ApiError error = MakeError(ProblemTypeOf(*code), status.message());
    error.extensions["code"] = ledger::ErrorCodeName(*code);
    return error;
  }
  ProblemType type = ProblemType::kInternal;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      type = ProblemType::kBadRequest;
      break;
    case StatusCode::kNotFound:
      type = ProblemType::kNotFound;
      break;
    case StatusCode::kResourceExhausted:
      type = ProblemType::kTooMany;
      break;
    case StatusCode::kPermissionDenied:
      type = ProblemType::kForbidden;
      break;
    case StatusCode::kUnauthenticated:
      type = ProblemType::kUnauthorized;
      break;
    case StatusCode::kUnavailable:
      type = ProblemType::kNotReady;
      break;
    default:
      type = ProblemType::kInternal;
      break;
  }
  ApiError error = MakeError(type, status.message());
  if (type == ProblemType::kTooMany || type == ProblemType::kNotReady) {
    error.retry_after_seconds = 1;
  }
  return error;
}

namespace {

// Boost.JSON writes strings byte for byte: a detail that is not valid UTF-8 (a
// handler that echoed raw request bytes) would make the body invalid JSON. Its
// bytes outside printable ASCII are then percent-encoded.
std::string ValidUtf8Detail(const std::string& detail) {
  if (IsValidUtf8(detail)) return detail;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : detail) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string ProblemJson(const ApiError& error, std::string_view instance) {
  boost::json::object body;
  body["type"] = ProblemTypeUri(error.type);
  body["title"] = ProblemTitle(error.type);
  body["status"] = ProblemHttpStatus(error.type);
  body["detail"] = ValidUtf8Detail(error.detail);
  body["instance"] = instance;
  for (const auto& member : error.extensions) {
    if (!body.contains(member.key())) body[member.key()] = member.value();
  }
  return boost::json::serialize(body);
}

}  // namespace evidence::api
