// Fuzz target: a genesis file (every node and every offline verifier loads
// one): ledger::Genesis::Parse, with its keys (SPKI PEM), validators, agencies
// and readers.
//
// Properties: an accepted genesis writes (ToJson) a text that parses to a
// genesis with the same hash, the same text and the same validator set.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ledger/genesis.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto genesis = ledger::Genesis::Parse(text);
  if (!genesis.ok()) return 0;
  const std::string written = genesis->ToJson();
  auto again = ledger::Genesis::Parse(written);
  FUZZ_EXPECT(again.ok());
  FUZZ_EXPECT(again->Hash() == genesis->Hash());
  FUZZ_EXPECT(again->ToJson() == written);
  FUZZ_EXPECT(again->validator_set_hash() == genesis->validator_set_hash());
  FUZZ_EXPECT(again->validators().size() == genesis->validators().size());
  FUZZ_EXPECT(3 * genesis->validator_set().total_power() > 0);
  return 0;
}
