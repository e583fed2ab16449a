// Problem details (RFC 9457) for every refusal of the HTTP API, and the one table
// that maps each stable problem type to its HTTP status and title.
//
// Type URIs are "https://evidence-ledger.org/problems/<name>", <name> being the
// stable kebab-case name below (e.g. "duplicate-key"). The URI is an identifier:
// clients compare it (or its last path segment), they need not dereference it.
// Names never change meaning; new ones may be added. docs/api.md lists them all.
//
// ApiError is what a NodeService and the JSON intake return instead of a value;
// ApiResult<T> holds a T or an ApiError.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/check.h"
#include "common/status.h"
#include "ledger/errors.h"

namespace evidence::api {

enum class ProblemType {
  // Request body (JSON intake).
  kMalformedJson,
  kInvalidUtf8,
  kDuplicateKey,
  kTooDeep,
  kFloatNotAllowed,
  // Record and batch content (ledger validation).
  kUnknownField,
  kMissingField,
  kWrongType,
  kBadDigest,
  kUnknownKind,
  kUnknownStage,
  kUnknownAgency,
  kUnknownKey,
  kKeyRevoked,
  kBadSignature,
  kWrongChain,
  kTimeInFuture,
  kTimeOutOfWindow,
  kBadValue,
  kTooLarge,
  kInvalidRecord,
  kInvalidBatch,
  kBadLink,
  kCaseIdNotCanonical,
  // Governance actions (ledger/governance.h).
  kInvalidGovernanceAction,
  kUnknownAction,
  kNotGoverned,
  kBadSequence,
  kUnknownAdminKey,
  kAdminKeyRevoked,
  kTooFewSignatures,
  kUnknownEntry,
  kGovernanceConflict,
  kUnsafeValidatorSet,
  // Transport, access and flow control.
  kHeadersTooLarge,
  kTooMany,
  kUnauthorized,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kUnsupportedMediaType,
  kBadRequest,
  // Not caused by the client.
  kNotReady,
  kInternal,
};

// Every ProblemType, in declaration order (for tables, docs and tests).
inline constexpr ProblemType kAllProblemTypes[] = {
    ProblemType::kMalformedJson,
    ProblemType::kInvalidUtf8,
    ProblemType::kDuplicateKey,
    ProblemType::kTooDeep,
    ProblemType::kFloatNotAllowed,
    ProblemType::kUnknownField,
    ProblemType::kMissingField,
    ProblemType::kWrongType,
    ProblemType::kBadDigest,
    ProblemType::kUnknownKind,
    ProblemType::kUnknownStage,
    ProblemType::kUnknownAgency,
    ProblemType::kUnknownKey,
    ProblemType::kKeyRevoked,
    ProblemType::kBadSignature,
    ProblemType::kWrongChain,
    ProblemType::kTimeInFuture,
    ProblemType::kTimeOutOfWindow,
    ProblemType::kBadValue,
    ProblemType::kTooLarge,
    ProblemType::kInvalidRecord,
    ProblemType::kInvalidBatch,
    ProblemType::kBadLink,
    ProblemType::kCaseIdNotCanonical,
    ProblemType::kInvalidGovernanceAction,
    ProblemType::kUnknownAction,
    ProblemType::kNotGoverned,
    ProblemType::kBadSequence,
    ProblemType::kUnknownAdminKey,
    ProblemType::kAdminKeyRevoked,
    ProblemType::kTooFewSignatures,
    ProblemType::kUnknownEntry,
    ProblemType::kGovernanceConflict,
    ProblemType::kUnsafeValidatorSet,
    ProblemType::kHeadersTooLarge,
    ProblemType::kTooMany,
    ProblemType::kUnauthorized,
    ProblemType::kForbidden,
    ProblemType::kNotFound,
    ProblemType::kMethodNotAllowed,
    ProblemType::kUnsupportedMediaType,
    ProblemType::kBadRequest,
    ProblemType::kNotReady,
    ProblemType::kInternal,
};

inline constexpr std::string_view kProblemTypeUriPrefix = "https://evidence-ledger.org/problems/";

// "duplicate-key", ...: the stable name.
std::string_view ProblemName(ProblemType type);
// "https://evidence-ledger.org/problems/duplicate-key".
std::string ProblemTypeUri(ProblemType type);
// A short human summary that does not change from one occurrence to the next.
std::string_view ProblemTitle(ProblemType type);
// The HTTP status the API answers with.
int ProblemHttpStatus(ProblemType type);

struct ApiError {
  ProblemType type = ProblemType::kInternal;
  std::string detail;                // what is wrong and what to fix
  uint32_t retry_after_seconds = 0;  // for kTooMany and kNotReady; 0 = no header
  // Extension members of the problem (RFC 9457 §3.2), e.g. the record id and the
  // signing-bytes hash the node computed for a refused record. They never
  // replace the standard members.
  boost::json::object extensions;
};

inline ApiError MakeError(ProblemType type, std::string detail) {
  return ApiError{type, std::move(detail), 0, {}};
}

// A refusal as a problem. A status that carries a ledger error code
// (ledger::ErrorCodeOf) gets that code's problem type (ProblemTypeOf); any other
// status is mapped by its StatusCode: InvalidArgument -> bad-request, NotFound ->
// not-found, ResourceExhausted -> too-many, PermissionDenied -> forbidden,
// Unauthenticated -> unauthorized, Unavailable -> not-ready, others -> internal.
// too-many and not-ready ask the client to retry after a second. The status
// message becomes the detail (for ledger refusals it starts with the code's
// stable name, e.g. "record.bad_signature: ..."), and that name is also the
// extension member "code".
ApiError ErrorFromStatus(const Status& status);

// The problem type of each ledger error code (a switch the compiler checks for
// completeness; problem_test.cc checks every code).
ProblemType ProblemTypeOf(ledger::ErrorCode code);

// The application/problem+json body: {"type", "title", "status", "detail",
// "instance"} and the error's extension members; `instance` is the request path.
std::string ProblemJson(const ApiError& error, std::string_view instance);

// Holds a T or an ApiError. Accessing the wrong alternative aborts (a bug).
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const ApiError& error() const {
    EVIDENCE_CHECK(!ok());
    return std::get<ApiError>(state_);
  }
  T& value() & {
    EVIDENCE_CHECK(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    EVIDENCE_CHECK(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    EVIDENCE_CHECK(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, ApiError> state_;
};

}  // namespace evidence::api
