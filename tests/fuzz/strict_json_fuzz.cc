// Fuzz target: the two strict JSON parsers every outsider's bytes meet first,
// api::ParseStrictJson (HTTP request bodies) and ledger::StrictJsonParse (signed
// and hashed data), and the JCS canonical form.
//
// Properties: an accepted text is valid UTF-8; whatever the ledger parser
// accepts has a canonical form, that form parses again and is a fixed point
// (JCS(parse(JCS(v))) == JCS(v)), and the HTTP parser accepts it too.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/http/strict_json.h"
#include "common/limits.h"
#include "ledger/json.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr size_t kBytesMax = 64 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto api_value = api::ParseStrictJson(text);
  if (api_value.ok()) FUZZ_EXPECT(api::IsValidUtf8(text));

  auto value = ledger::StrictJsonParse(text, kBytesMax, limits::kJsonDepthMax);
  if (!value.ok()) return 0;
  FUZZ_EXPECT(api::IsValidUtf8(text));
  auto canonical = ledger::CanonicalJson(*value);
  FUZZ_EXPECT(canonical.ok());
  auto again = ledger::StrictJsonParse(*canonical, 2 * kBytesMax, limits::kJsonDepthMax);
  FUZZ_EXPECT(again.ok());
  FUZZ_EXPECT(*again == *value);
  auto canonical_again = ledger::CanonicalJson(*again);
  FUZZ_EXPECT(canonical_again.ok() && *canonical_again == *canonical);
  FUZZ_EXPECT(api::ParseStrictJson(*canonical).ok());
  return 0;
}
