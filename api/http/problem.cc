#include "api/http/problem.h"

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

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
    {ProblemType::kUnknownAgency, "unknown-agency", 400, "The agency is not registered in genesis"},
    {ProblemType::kUnknownKey, "unknown-key", 400,
     "The signing key is not registered for the agency"},
    {ProblemType::kBadSignature, "bad-signature", 400, "The signature does not verify"},
    {ProblemType::kWrongChain, "wrong-chain", 400, "The chain_id is not this chain's"},
    {ProblemType::kTimeInFuture, "time-in-future", 400, "The record time is ahead of block time"},
    {ProblemType::kTimeOutOfWindow, "time-out-of-window", 400,
     "The record time is outside the accepted window"},
    {ProblemType::kBadValue, "bad-value", 400, "A field's value is out of range or badly formed"},
    {ProblemType::kTooLarge, "too-large", 413, "The request or a field is too large"},
    {ProblemType::kInvalidRecord, "invalid-record", 400, "The record breaks a ledger rule"},
    {ProblemType::kInvalidBatch, "invalid-batch", 400, "The batch breaks a ledger rule"},
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

std::optional<ProblemType> ProblemTypeFromName(std::string_view code) {
  if (code.size() > 64) return std::nullopt;
  if (const size_t dot = code.rfind('.'); dot != std::string_view::npos) {
    code.remove_prefix(dot + 1);  // "record.unknown_field" -> "unknown_field"
  }
  // Normalise to kebab-case: "kUnknownAgency" -> "unknown-agency",
  // "UNKNOWN_AGENCY" / "unknown_agency" -> "unknown-agency".
  std::string normal;
  bool camel =
      code.size() > 1 && code[0] == 'k' && std::isupper(static_cast<unsigned char>(code[1]));
  if (camel) code.remove_prefix(1);
  for (char c : code) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '_' || c == '-') {
      normal += '-';
    } else if (std::isupper(u)) {
      if (camel && !normal.empty()) normal += '-';
      normal += static_cast<char>(std::tolower(u));
    } else {
      normal += c;
    }
  }
  for (const ProblemInfo& info : kProblems) {
    if (info.name == normal) return info.type;
  }
  return std::nullopt;
}

ApiError ErrorFromLedgerStatus(const Status& status) {
  EVIDENCE_CHECK(!status.ok());
  struct LedgerCode {
    std::string_view code;
    ProblemType type;
  };
  static constexpr LedgerCode kLedgerCodes[] = {
      {"record.malformed_json", ProblemType::kMalformedJson},
      {"record.unknown_field", ProblemType::kUnknownField},
      {"record.missing_field", ProblemType::kMissingField},
      {"record.wrong_type", ProblemType::kWrongType},
      {"record.bad_value", ProblemType::kBadValue},
      {"record.too_large", ProblemType::kTooLarge},
      {"record.bad_version", ProblemType::kInvalidRecord},
      {"record.chain_mismatch", ProblemType::kWrongChain},
      {"record.time_in_future", ProblemType::kTimeInFuture},
      {"record.time_out_of_window", ProblemType::kTimeOutOfWindow},
      {"record.bad_digest", ProblemType::kBadDigest},
      {"record.bad_link", ProblemType::kInvalidRecord},
      {"record.bad_signature", ProblemType::kBadSignature},
      {"record.unknown_agency", ProblemType::kUnknownAgency},
      {"record.unknown_key", ProblemType::kUnknownKey},
      {"record.unknown_kind", ProblemType::kUnknownKind},
      {"record.duplicate", ProblemType::kInvalidRecord},
      {"batch.bad_proof", ProblemType::kInvalidBatch},
      {"batch.too_large", ProblemType::kTooLarge},
      {"batch.bad_signature", ProblemType::kBadSignature},
      {"batch.malformed", ProblemType::kInvalidBatch},
  };
  const std::string_view message = status.message();
  const size_t colon = message.find(": ");
  if (colon != std::string_view::npos) {
    const std::string_view code = message.substr(0, colon);
    for (const LedgerCode& entry : kLedgerCodes) {
      if (entry.code != code) continue;
      std::string detail(message.substr(colon + 2));
      // The ledger reports an unknown kind as a bad value of the field `kind`.
      if (entry.type == ProblemType::kBadValue && detail.starts_with("kind \"")) {
        return ApiError{ProblemType::kUnknownKind, std::move(detail), 0};
      }
      return ApiError{entry.type, std::move(detail), 0};
    }
  }
  return ErrorFromStatus(status);
}

ApiError ErrorFromStatus(const Status& status) {
  EVIDENCE_CHECK(!status.ok());
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
  ApiError error{type, status.message(), 0};
  if (type == ProblemType::kTooMany || type == ProblemType::kNotReady) {
    error.retry_after_seconds = 1;
  }
  return error;
}

std::string ProblemJson(const ApiError& error, std::string_view instance) {
  boost::json::object body;
  body["type"] = ProblemTypeUri(error.type);
  body["title"] = ProblemTitle(error.type);
  body["status"] = ProblemHttpStatus(error.type);
  body["detail"] = error.detail;
  body["instance"] = instance;
  return boost::json::serialize(body);
}

}  // namespace evidence::api
