#include "api/http/strict_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <string>
#include <unordered_set>
#include <vector>

namespace evidence::api {
namespace {

// Why the handler stopped the parse (Boost.JSON only sees a generic error code).
enum class Refusal { kNone, kDuplicateKey, kFloat, kTooDeep };

// A basic_parser handler that builds the value like boost::json::parser does, and
// refuses duplicate keys, non-integer numbers and excess depth on the way.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  explicit StrictHandler(size_t depth_max) : depth_max_(depth_max) {}

  boost::json::value_stack stack;
  Refusal refusal = Refusal::kNone;
  std::string refusal_detail;

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code& ec) {
    if (!Enter(ec)) return false;
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, boost::json::error_code&) {
    keys_.pop_back();
    --depth_;
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(boost::json::error_code& ec) { return Enter(ec); }
  bool on_array_end(std::size_t n, boost::json::error_code&) {
    --depth_;
    stack.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key_part_.append(s.data(), s.size());
    stack.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    key_part_.append(s.data(), s.size());
    const bool inserted = keys_.back().insert(key_part_).second;
    if (!inserted) {
      refusal = Refusal::kDuplicateKey;
      refusal_detail = "the key \"" + key_part_ + "\" appears twice in one object; send it once";
      ec = boost::json::error::test_failure;
      return false;
    }
    key_part_.clear();
    stack.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code&) {
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code&) {
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double, boost::json::string_view s, boost::json::error_code& ec) {
    refusal = Refusal::kFloat;
    refusal_detail = "the number " + std::string(s.data(), std::min<size_t>(s.size(), 40)) +
                     " is not an integer in the 64-bit range; send integers only "
                     "(no fraction, no exponent)";
    ec = boost::json::error::test_failure;
    return false;
  }
  bool on_bool(bool b, boost::json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(boost::json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  bool Enter(boost::json::error_code& ec) {
    if (++depth_ > depth_max_) {
      refusal = Refusal::kTooDeep;
      refusal_detail = "arrays and objects nest more than " + std::to_string(depth_max_) +
                       " levels deep; flatten the document";
      ec = boost::json::error::test_failure;
      return false;
    }
    return true;
  }

  size_t depth_max_;
  size_t depth_ = 0;
  std::vector<std::unordered_set<std::string>> keys_;  // one set per open object
  std::string key_part_;
};

// Length of the UTF-8 sequence starting with `lead`, 0 when it cannot start one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// True when the 6 bytes before `offset` are a \u escape of a leading surrogate
// (U+D800..U+DBFF): Boost.JSON reports a lone one before a quote as a syntax error.
bool EndsWithLeadingSurrogate(std::string_view text, size_t offset) {
  if (offset < 6 || offset > text.size()) return false;
  const std::string_view escape = text.substr(offset - 6, 6);
  if (escape[0] != '\\' || escape[1] != 'u') return false;
  const char d = escape[2];
  const char range = escape[3];
  return (d == 'd' || d == 'D') && std::string_view("89abAB").find(range) != std::string_view::npos;
}

ApiError SyntaxError(const boost::json::error_code& ec, std::string_view text, size_t offset) {
  using boost::json::error;
  if (EndsWithLeadingSurrogate(text, offset) || ec == error::illegal_leading_surrogate ||
      ec == error::illegal_trailing_surrogate || ec == error::expected_utf16_escape) {
    return MakeError(ProblemType::kInvalidUtf8,
                     "a \\u escape at byte " + std::to_string(offset) +
                         " is a lone UTF-16 surrogate; escape characters as valid pairs");
  }
  if (ec == error::too_deep) {
    return MakeError(ProblemType::kTooDeep,
                     "arrays and objects nest too deeply; flatten the document");
  }
  if (ec == error::extra_data) {
    return MakeError(ProblemType::kMalformedJson, "unexpected data after the JSON value at byte " +
                                                      std::to_string(offset) +
                                                      "; send exactly one JSON value");
  }
  if (ec == error::incomplete) {
    return MakeError(ProblemType::kMalformedJson,
                     "the JSON text ends early; send a complete value");
  }
  return MakeError(ProblemType::kMalformedJson,
                   "JSON syntax error at byte " + std::to_string(offset) + ": " + ec.message());
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const size_t length = SequenceLength(p[i]);
    if (length == 0 || i + length > n) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    // Second-byte ranges that exclude overlongs, surrogates and > U+10FFFF.
    if (p[i] == 0xE0 && p[i + 1] < 0xA0) return false;
    if (p[i] == 0xED && p[i + 1] > 0x9F) return false;
    if (p[i] == 0xF0 && p[i + 1] < 0x90) return false;
    if (p[i] == 0xF4 && p[i + 1] > 0x8F) return false;
    i += length;
  }
  return true;
}

ApiResult<boost::json::value> ParseStrictJson(std::string_view text, size_t depth_max) {
  if (!IsValidUtf8(text)) {
    return MakeError(ProblemType::kInvalidUtf8,
                     "the body is not valid UTF-8; encode text as UTF-8");
  }
  boost::json::parse_options options;  // strict by default: no comments, no trailing commas
  options.max_depth = depth_max + 1;   // our handler counts and reports depth itself
  boost::json::basic_parser<StrictHandler> parser(options, depth_max);
  parser.handler().stack.reset();
  boost::json::error_code ec;
  const size_t used = parser.write_some(false, text.data(), text.size(), ec);
  StrictHandler& handler = parser.handler();
  switch (handler.refusal) {
    case Refusal::kDuplicateKey:
      return MakeError(ProblemType::kDuplicateKey, handler.refusal_detail);
    case Refusal::kFloat:
      return MakeError(ProblemType::kFloatNotAllowed, handler.refusal_detail);
    case Refusal::kTooDeep:
      return MakeError(ProblemType::kTooDeep, handler.refusal_detail);
    case Refusal::kNone:
      break;
  }
  if (ec) return SyntaxError(ec, text, used);
  if (!parser.done()) {
    return MakeError(ProblemType::kMalformedJson,
                     "the JSON text ends early; send a complete value");
  }
  // write_some stops after the value; only whitespace may follow it.
  const size_t rest = text.find_first_not_of(" \t\r\n", used);
  if (rest != std::string_view::npos) {
    return SyntaxError(boost::json::error::extra_data, text, rest);
  }
  return handler.stack.release();
}

ApiResult<boost::json::object> ParseStrictJsonObject(std::string_view text, size_t depth_max) {
  auto parsed = ParseStrictJson(text, depth_max);
  if (!parsed.ok()) return parsed.error();
  if (!parsed.value().is_object()) {
    return MakeError(ProblemType::kWrongType, "the body must be a JSON object ({...})");
  }
  return std::move(parsed.value().as_object());
}

}  // namespace evidence::api
