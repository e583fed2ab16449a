// Request-target parsing for the HTTP API: split path and query, strict
// percent-decoding (RFC 3986 §2.1) and strict unsigned integers.
//
// Strict means: a '%' not followed by two hex digits is an error (never passed
// through), decoded bytes must be valid UTF-8, and a decoded NUL is refused.
// '+' is a literal plus in paths and in queries alike (no form encoding).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace evidence::api {

struct Target {
  std::string_view path;   // raw (still percent-encoded), starts with '/'
  std::string_view query;  // raw, without the '?'; empty when absent
};

// Splits an origin-form target ("/v1/x?a=b"); refuses anything not starting with '/'
// and any fragment ('#').
Result<Target> SplitTarget(std::string_view target);

// Decodes %XX escapes; refuses malformed escapes, invalid UTF-8 and NUL.
Result<std::string> PercentDecode(std::string_view text);

// Query "a=1&b=x%20y" -> decoded pairs, in order. Refuses a repeated name, an
// empty name, bad escapes and more than limits::kHttpQueryParametersMax
// parameters. "a" alone is ("a", ""). Linear in the query's length (the repeat
// check sorts the names).
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

// Decimal digits only (no sign, no spaces, no leading zeros except "0"), fits u64.
std::optional<uint64_t> ParseUint64(std::string_view text);

}  // namespace evidence::api
