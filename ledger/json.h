// Strict JSON for signed and hashed data: a parser that refuses what a lenient
// parser would silently accept, and the RFC 8785 (JCS) canonical encoding.
//
// StrictJsonParse refuses: invalid JSON or UTF-8, duplicate object keys (Boost.JSON
// keeps the last one silently, so they are detected in a first pass), numbers that
// are not integers (fractions, exponents) or that fall outside [-(2^53-1), 2^53-1]
// (the range JCS prints exactly), comments, trailing data, nesting deeper than
// `max_depth` and text longer than `max_bytes`.
//
// CanonicalJson (JCS, RFC 8785) of values made of objects, arrays, strings,
// integers within +-(2^53-1), booleans and null: no whitespace; object members
// sorted by their keys' UTF-16 code units; strings escaped exactly as ECMAScript's
// JSON.stringify does (\b \t \n \f \r \" \\ short forms, other controls as \u00xx
// lower-case hex, everything else, non-ASCII included, as raw UTF-8).
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence::ledger {

inline constexpr int64_t kJsonIntegerMax = (int64_t{1} << 53) - 1;

// The value's memory comes from `storage` (default: the heap); a caller that
// parses many small documents can pass a monotonic resource over a buffer it
// owns, for which the value must not outlive the resource.
Result<boost::json::value> StrictJsonParse(std::string_view text, size_t max_bytes,
                                           size_t max_depth,
                                           boost::json::storage_ptr storage = {});

// Refuses (InvalidArgument) doubles and integers outside +-(2^53-1).
Result<std::string> CanonicalJson(const boost::json::value& value);

// Pieces of CanonicalJson for writers of fixed-schema documents (records) that
// emit their members in JCS order themselves: a string as JCS escapes it
// (UTF-8 assumed valid), and an integer (CHECKs that it is within +-(2^53-1)).
void AppendJcsString(std::string& out, std::string_view s);
// The bytes AppendJcsString appends for `s`, quotes included.
size_t JcsStringBytes(std::string_view s);
void AppendJcsInteger(std::string& out, int64_t value);

}  // namespace evidence::ledger
