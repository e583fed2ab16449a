// Fuzz target: a receipt as a verifier receives it (evidence verify, the web
// verifier's server side): ledger::ParseReceipt, then VerifyReceiptForDigest
// against the fixed genesis for the record's own digest (so every later check
// runs: signature, inclusion, header, commit, validator set).
//
// Properties: an accepted receipt's text form parses back to the same receipt;
// a receipt that verifies proves facts that match its own fields, and a
// receipt never verifies for a document whose digest differs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "ledger/receipt.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto receipt = ledger::ParseReceipt(text);
  if (!receipt.ok()) return 0;
  auto again = ledger::ParseReceipt(ledger::ReceiptToText(*receipt));
  FUZZ_EXPECT(again.ok() && *again == *receipt);

  const auto& genesis = fuzz::FixedChain().genesis();
  auto facts = ledger::VerifyReceiptForDigest(receipt->record.digest, *receipt, genesis);
  if (facts.ok()) {
    FUZZ_EXPECT(facts->digest == receipt->record.digest);
    FUZZ_EXPECT(facts->height == receipt->header.height);
    FUZZ_EXPECT(facts->leaf_index == receipt->leaf_index);
    FUZZ_EXPECT(facts->tree_size == receipt->header.log_size);
    FUZZ_EXPECT(3 * facts->signing_power > 2 * facts->total_power);
  }
  // A document that is not the recorded one (its digest differs from every
  // digest a seed records) never verifies.
  FUZZ_EXPECT(!ledger::VerifyReceipt(AsBytes("not the recorded document"), *receipt, genesis).ok());
  return 0;
}
