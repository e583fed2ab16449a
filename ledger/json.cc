#include "ledger/json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <algorithm>
#include <charconv>
#include <set>
#include <vector>

#include "common/check.h"

namespace evidence::ledger {
namespace json = boost::json;
namespace {

// First pass: a SAX handler that only checks what the DOM parser cannot report.
struct StrictHandler {
  static constexpr size_t max_object_size = size_t(-1);
  static constexpr size_t max_array_size = size_t(-1);
  static constexpr size_t max_key_size = size_t(-1);
  static constexpr size_t max_string_size = size_t(-1);

  size_t max_depth = 0;
  // The keys of each open object: searched linearly while an object is small
  // (records have 13 members), through a set once it grows.
  struct ObjectKeys {
    std::vector<std::string> small;
    std::set<std::string, std::less<>> large;
    bool Insert(std::string key) {
      if (!large.empty() || small.size() == kSmallKeysMax) {
        if (large.empty()) large.insert(std::make_move_iterator(small.begin()),
                                        std::make_move_iterator(small.end()));
        return large.insert(std::move(key)).second;
      }
      if (std::find(small.begin(), small.end(), key) != small.end()) return false;
      small.push_back(std::move(key));
      return true;
    }
  };
  static constexpr size_t kSmallKeysMax = 32;
  std::vector<ObjectKeys> object_keys;  // one per open object
  std::vector<bool> is_object;                     // open containers
  std::string key;
  std::string error;

  bool Fail(json::error_code& ec, std::string message) {
    error = std::move(message);
    ec = json::error::syntax;  // any error stops the parser; `error` says why
    return false;
  }
  bool Open(bool object, json::error_code& ec) {
    if (is_object.size() >= max_depth) {
      return Fail(ec, "nesting deeper than " + std::to_string(max_depth) + " levels");
    }
    is_object.push_back(object);
    if (object) object_keys.emplace_back();
    return true;
  }
  bool Close(json::error_code&) {
    if (is_object.back()) object_keys.pop_back();
    is_object.pop_back();
    return true;
  }
  bool CheckInteger(bool in_range, std::string_view text, json::error_code& ec) {
    if (!in_range) {
      return Fail(ec, "integer " + std::string(text) + " is outside +-(2^53-1)");
    }
    return true;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code& ec) { return Open(false, ec); }
  bool on_array_end(size_t, json::error_code& ec) { return Close(ec); }
  bool on_object_begin(json::error_code& ec) { return Open(true, ec); }
  bool on_object_end(size_t, json::error_code& ec) { return Close(ec); }
  bool on_string_part(json::string_view, size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code& ec) {
    key.append(s.data(), s.size());
    std::string complete = std::move(key);
    key.clear();
    if (!object_keys.back().Insert(complete)) {
      return Fail(ec, "duplicate key \"" + complete + "\"");
    }
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t i, json::string_view s, json::error_code& ec) {
    return CheckInteger(i >= -kJsonIntegerMax && i <= kJsonIntegerMax, std::string_view(s), ec);
  }
  bool on_uint64(uint64_t u, json::string_view s, json::error_code& ec) {
    return CheckInteger(u <= static_cast<uint64_t>(kJsonIntegerMax), std::string_view(s), ec);
  }
  bool on_double(double, json::string_view s, json::error_code& ec) {
    return Fail(ec, "number " + std::string(s) + " is not an integer (no fractions or exponents)");
  }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code& ec) {
    return Fail(ec, "comments are not JSON");
  }
  bool on_comment(json::string_view, json::error_code& ec) {
    return Fail(ec, "comments are not JSON");
  }
};

bool NeedsEscape(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
}

// The two-character escape JCS writes for `c`, or empty when `c` takes the
// six-character \u00xx form (the other control characters).
std::string_view ShortEscape(char c) {
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return {};
  }
}

// Appends runs of characters that need no escape at once (this writer is on
// the block validation path: one append per run, not per character).
void AppendEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending run of unescaped characters
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!NeedsEscape(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    std::string_view escape = ShortEscape(c);
    if (!escape.empty()) {
      out += escape;
    } else {
      unsigned char u = static_cast<unsigned char>(c);
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// UTF-16 code units of a UTF-8 string (already validated by the parser or the caller).
std::u16string Utf16(std::string_view s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1f; len = 2; }
    else if ((c >> 4) == 0xe) { cp = c & 0x0f; len = 3; }
    else { cp = c & 0x07; len = 4; }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

Status AppendCanonical(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: out += "null"; return Status::Ok();
    case json::kind::bool_: out += value.get_bool() ? "true" : "false"; return Status::Ok();
    case json::kind::int64: {
      int64_t i = value.get_int64();
      if (i < -kJsonIntegerMax || i > kJsonIntegerMax) {
        return Status::InvalidArgument("integer outside +-(2^53-1) has no exact JCS form");
      }
      out += std::to_string(i);
      return Status::Ok();
    }
    case json::kind::uint64: {
      uint64_t u = value.get_uint64();
      if (u > static_cast<uint64_t>(kJsonIntegerMax)) {
        return Status::InvalidArgument("integer above 2^53-1 has no exact JCS form");
      }
      out += std::to_string(u);
      return Status::Ok();
    }
    case json::kind::double_:
      return Status::InvalidArgument("floating-point numbers are not allowed");
    case json::kind::string: {
      const json::string& s = value.get_string();
      AppendEscaped(out, std::string_view(s.data(), s.size()));
      return Status::Ok();
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const json::value& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        EVIDENCE_RETURN_IF_ERROR(AppendCanonical(out, element));
      }
      out.push_back(']');
      return Status::Ok();
    }
    case json::kind::object: {
      std::vector<std::pair<std::u16string, const json::key_value_pair*>> members;
      for (const json::key_value_pair& member : value.get_object()) {
        members.emplace_back(Utf16(std::string_view(member.key().data(), member.key().size())),
                             &member);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out.push_back(',');
        const json::key_value_pair& member = *members[i].second;
        AppendEscaped(out, std::string_view(member.key().data(), member.key().size()));
        out.push_back(':');
        EVIDENCE_RETURN_IF_ERROR(AppendCanonical(out, member.value()));
      }
      out.push_back('}');
      return Status::Ok();
    }
  }
  return Status::Internal("unknown JSON kind");
}

}  // namespace

Result<json::value> StrictJsonParse(std::string_view text, size_t max_bytes, size_t max_depth,
                                    json::storage_ptr storage) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument("JSON text of " + std::to_string(text.size()) +
                                   " bytes is over the limit of " + std::to_string(max_bytes));
  }
  json::parse_options options;
  options.max_depth = max_depth + 1;  // our handler reports depth with a clearer message
  json::basic_parser<StrictHandler> checker(options);
  checker.handler().max_depth = max_depth;
  json::error_code ec;
  size_t used = checker.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    std::string why = checker.handler().error.empty() ? ec.message() : checker.handler().error;
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(used) + ": " + why);
  }
  if (used != text.size()) {
    return Status::InvalidArgument("invalid JSON: trailing data after byte " + std::to_string(used));
  }
  json::value value =
      json::parse(json::string_view(text.data(), text.size()), ec, std::move(storage), options);
  if (ec) return Status::InvalidArgument("invalid JSON: " + ec.message());
  return value;
}

void AppendJcsString(std::string& out, std::string_view s) { AppendEscaped(out, s); }

size_t JcsStringBytes(std::string_view s) {
  size_t bytes = 2 + s.size();
  for (char c : s) {
    if (NeedsEscape(c)) bytes += ShortEscape(c).empty() ? 5 : 1;  // "\u00xx" or "\x" for one byte
  }
  return bytes;
}

void AppendJcsInteger(std::string& out, int64_t value) {
  EVIDENCE_CHECK_MSG(value >= -kJsonIntegerMax && value <= kJsonIntegerMax,
                     "integer outside +-(2^53-1) has no exact JCS form");
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

Result<std::string> CanonicalJson(const json::value& value) {
  std::string out;
  out.reserve(1024);  // a record's JCS fits; larger documents grow as usual
  EVIDENCE_RETURN_IF_ERROR(AppendCanonical(out, value));
  return out;
}

}  // namespace evidence::ledger
