// Strict JSON intake for request bodies: Boost.JSON with every laxity refused.
//
// Refused, each with its own problem type (api/http/problem.h):
//   invalid UTF-8 anywhere, and \u escapes of lone surrogates   -> invalid-utf8
//   syntax errors, empty body, comments, trailing commas,
//   anything after the value (trailing garbage)                 -> malformed-json
//   an object that repeats a key (Boost.JSON would keep the last) -> duplicate-key
//   nesting deeper than limits::kJsonDepthMax                    -> too-deep
//   fractions, exponents, integers outside int64/uint64           -> float-not-allowed
// Depth counts open arrays and objects: `{}` has depth 1, `{"a":[1]}` depth 2.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "api/http/problem.h"
#include "common/limits.h"

namespace evidence::api {

// Parses one JSON text under the rules above.
ApiResult<boost::json::value> ParseStrictJson(std::string_view text,
                                              size_t depth_max = limits::kJsonDepthMax);

// As ParseStrictJson, and the top-level value must be an object (else wrong-type).
ApiResult<boost::json::object> ParseStrictJsonObject(std::string_view text,
                                                     size_t depth_max = limits::kJsonDepthMax);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace evidence::api
