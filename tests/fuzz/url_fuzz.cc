// Fuzz target: the request-target helpers of the HTTP API (api/http/url.h):
// SplitTarget, PercentDecode, ParseQuery and ParseUint64, each on the input.
//
// Properties: a split target rebuilds the input; decoded text is valid UTF-8
// without NUL and percent-encoding it again decodes to the same text; query
// names are non-empty and unique; a parsed integer prints as the input.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "api/http/strict_json.h"
#include "api/http/url.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

std::string PercentEncodeAll(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto target = api::SplitTarget(text); target.ok()) {
    FUZZ_EXPECT(!target->path.empty() && target->path.front() == '/');
    std::string rebuilt(target->path);
    if (target->path.size() < text.size()) rebuilt += "?" + std::string(target->query);
    FUZZ_EXPECT(rebuilt == text);
  }
  if (auto decoded = api::PercentDecode(text); decoded.ok()) {
    FUZZ_EXPECT(api::IsValidUtf8(*decoded));
    FUZZ_EXPECT(decoded->find('\0') == std::string::npos);
    FUZZ_EXPECT(decoded->size() <= text.size());
    auto again = api::PercentDecode(PercentEncodeAll(*decoded));
    FUZZ_EXPECT(again.ok() && *again == *decoded);
  }
  if (auto query = api::ParseQuery(text); query.ok()) {
    std::set<std::string> names;
    for (const auto& [name, value] : *query) {
      FUZZ_EXPECT(!name.empty());
      FUZZ_EXPECT(names.insert(name).second);
    }
  }
  if (auto number = api::ParseUint64(text)) FUZZ_EXPECT(std::to_string(*number) == text);
  return 0;
}
