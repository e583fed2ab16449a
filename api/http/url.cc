#include "api/http/url.h"

#include <algorithm>
#include <charconv>

#include "api/http/strict_json.h"
#include "common/limits.h"

namespace evidence::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<Target> SplitTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Status::InvalidArgument("the request target must be a path starting with '/'");
  }
  if (target.find('#') != std::string_view::npos) {
    return Status::InvalidArgument("the request target must not contain a fragment ('#')");
  }
  Target out;
  const size_t question = target.find('?');
  out.path = target.substr(0, question);
  if (question != std::string_view::npos) out.query = target.substr(question + 1);
  return out;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return Status::InvalidArgument("a '%' at position " + std::to_string(i) +
                                     " is not followed by two hex digits");
    }
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) {
      return Status::InvalidArgument("a '%' at position " + std::to_string(i) +
                                     " is not followed by two hex digits");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  if (out.find('\0') != std::string::npos) {
    return Status::InvalidArgument("the decoded text contains a NUL byte (%00)");
  }
  if (!IsValidUtf8(out)) {
    return Status::InvalidArgument("the percent-decoded text is not valid UTF-8");
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;  // "a=1&&b=2"
    // Counted before anything is decoded: a target of thousands of parameters
    // costs one scan, not thousands of decodes.
    if (out.size() == limits::kHttpQueryParametersMax) {
      return Status::InvalidArgument("the query has more than " +
                                     std::to_string(limits::kHttpQueryParametersMax) +
                                     " parameters; no route takes that many");
    }
    const size_t eq = part.find('=');
    EVIDENCE_ASSIGN_OR_RETURN(std::string name, PercentDecode(part.substr(0, eq)));
    std::string value;
    if (eq != std::string_view::npos) {
      EVIDENCE_ASSIGN_OR_RETURN(value, PercentDecode(part.substr(eq + 1)));
    }
    if (name.empty()) return Status::InvalidArgument("a query parameter has an empty name");
    out.emplace_back(std::move(name), std::move(value));
  }
  // Repeats found by sorting the names: O(n log n), never a comparison of every pair.
  std::vector<std::string_view> names;
  names.reserve(out.size());
  for (const auto& [name, value] : out) names.push_back(name);
  std::sort(names.begin(), names.end());
  const auto repeated = std::adjacent_find(names.begin(), names.end());
  if (repeated != names.end()) {
    return Status::InvalidArgument("the query parameter '" + std::string(*repeated) +
                                   "' is repeated");
  }
  return out;
}

std::optional<uint64_t> ParseUint64(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace evidence::api
