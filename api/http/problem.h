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

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/check.h"
#include "common/status.h"

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
  kUnknownAgency,
  kUnknownKey,
  kBadSignature,
  kWrongChain,
  kTimeInFuture,
  kTimeOutOfWindow,
  kBadValue,
  kTooLarge,
  kInvalidRecord,
  kInvalidBatch,
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
    ProblemType::kUnknownAgency,
    ProblemType::kUnknownKey,
    ProblemType::kBadSignature,
    ProblemType::kWrongChain,
    ProblemType::kTimeInFuture,
    ProblemType::kTimeOutOfWindow,
    ProblemType::kBadValue,
    ProblemType::kTooLarge,
    ProblemType::kInvalidRecord,
    ProblemType::kInvalidBatch,
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

// The mapping hook for other modules' stable error codes: accepts the stable name
// in kebab-case, snake_case or SCREAMING_SNAKE ("unknown-agency", "unknown_agency",
// "UNKNOWN_AGENCY", also "kUnknownAgency"). Unknown codes give nullopt.
std::optional<ProblemType> ProblemTypeFromName(std::string_view code);

struct ApiError {
  ProblemType type = ProblemType::kInternal;
  std::string detail;                // what is wrong and what to fix
  uint32_t retry_after_seconds = 0;  // for kTooMany and kNotReady; 0 = no header
};

inline ApiError MakeError(ProblemType type, std::string detail) {
  return ApiError{type, std::move(detail), 0};
}

// A ledger refusal as a problem. Ledger statuses carry their stable code at the
// start of the message ("record.bad_signature: <detail>", ledger/errors.h); the
// code picks the type and the rest becomes the detail:
//   record.malformed_json -> malformed-json     record.unknown_field -> unknown-field
//   record.missing_field  -> missing-field      record.wrong_type    -> wrong-type
//   record.bad_value      -> bad-value          record.too_large     -> too-large
//   record.chain_mismatch -> wrong-chain        record.time_in_future -> time-in-future
//   record.time_out_of_window -> time-out-of-window   record.bad_digest -> bad-digest
//   record.bad_signature, batch.bad_signature -> bad-signature
//   record.unknown_agency -> unknown-agency     record.unknown_key   -> unknown-key
//   record.unknown_kind, and record.bad_value about the field kind ("kind \"x\" is
//   not a record kind") -> unknown-kind          batch.too_large      -> too-large
//   record.bad_version, record.bad_link, record.duplicate -> invalid-record
//   batch.bad_proof, batch.malformed -> invalid-batch
// A status without a known code falls back to ErrorFromStatus.
ApiError ErrorFromLedgerStatus(const Status& status);

// A generic Status (e.g. from a store) as a problem: InvalidArgument -> bad-request,
// NotFound -> not-found, ResourceExhausted -> too-many, PermissionDenied -> forbidden,
// Unauthenticated -> unauthorized, Unavailable -> not-ready, others -> internal.
// The Status message becomes the detail.
ApiError ErrorFromStatus(const Status& status);

// The application/problem+json body: {"type", "title", "status", "detail",
// "instance"}; `instance` is the request path.
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
