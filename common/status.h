// Status and Result<T>: errors as values at every module boundary.
//
// A Status is either ok or carries a code and a message that says what is wrong
// and, where possible, what to fix. A refusal may also carry a typed reason: the
// refusing module's stable code (e.g. ledger::ErrorCode), so that other modules
// branch on it without reading the message. Result<T> holds either a T or a
// non-ok Status.
// Both are cheap to move and thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/check.h"

namespace evidence {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from a user, peer, file or request
  kNotFound,
  kAlreadyExists,
  kCorruption,       // stored or received data fails its integrity checks
  kIoError,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,  // a limit was hit (queue full, too large)
  kFailedPrecondition,
  kUnavailable,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

// A module's stable code for a refusal. `domain` names whose code table `code`
// belongs to (each module that sets reasons owns one domain number, e.g.
// ledger::kLedgerErrorDomain), so codes of two modules never mix; domain 0 is
// "no reason".
struct StatusReason {
  uint16_t domain = 0;
  uint16_t code = 0;
  bool operator==(const StatusReason&) const = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(StatusCode code, std::string message, StatusReason reason)
      : code_(code), message_(std::move(message)), reason_(reason) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The typed reason; domain 0 when there is none.
  StatusReason reason() const { return reason_; }
  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: ` (same code and reason).
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  StatusReason reason_;
};

// Holds a value or a non-ok Status. Accessing the value of an error aborts (a bug).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    EVIDENCE_CHECK(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
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
  std::variant<T, Status> state_;
};

}  // namespace evidence

// Returns early with the Status when `expr` (a Status) is not ok.
#define EVIDENCE_RETURN_IF_ERROR(expr)                  \
  do {                                                  \
    ::evidence::Status evidence_status_ = (expr);       \
    if (!evidence_status_.ok()) return evidence_status_; \
  } while (false)

#define EVIDENCE_CONCAT_INNER(a, b) a##b
#define EVIDENCE_CONCAT(a, b) EVIDENCE_CONCAT_INNER(a, b)

// `EVIDENCE_ASSIGN_OR_RETURN(auto x, MakeX());` assigns the value or returns the error.
#define EVIDENCE_ASSIGN_OR_RETURN(lhs, expr) \
  EVIDENCE_ASSIGN_OR_RETURN_IMPL(EVIDENCE_CONCAT(evidence_result_, __LINE__), lhs, expr)
#define EVIDENCE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
