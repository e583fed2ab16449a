// Fuzz target: a submitted batch (POST /v1/batches body), ledger::ParseBatch,
// then what the node checks of each record: batch membership (the RFC 6962
// path to the signed root) and the batch signature through the cache.
//
// Properties: an accepted batch holds 1..kBatchRecordsMax records that all
// refer to one batch (same root, size, key and signature value); each record's
// leaf parses back to the same record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/limits.h"
#include "ledger/batch.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"
#include "ledger/validation.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto records = ledger::ParseBatch(text);
  if (!records.ok()) return 0;
  FUZZ_EXPECT(!records->empty() && records->size() <= limits::kBatchRecordsMax);
  const auto& chain = fuzz::FixedChain();
  const ledger::Record& first = records->front();
  FUZZ_EXPECT(first.sig.batch.has_value());
  ledger::BatchSignatureCache cache;
  static const auto rules = ledger::GovernanceState::FromGenesis(chain.genesis());
  for (const ledger::Record& record : *records) {
    FUZZ_EXPECT(record.sig.batch.has_value());
    FUZZ_EXPECT(record.sig.batch->root == first.sig.batch->root);
    FUZZ_EXPECT(record.sig.batch->size == first.sig.batch->size);
    FUZZ_EXPECT(record.sig.key_id == first.sig.key_id && record.sig.value == first.sig.value);
    auto again = ledger::ParseRecord(ledger::RecordLeaf(record));
    FUZZ_EXPECT(again.ok() && *again == record);
    Status membership = ledger::VerifyBatchMembership(chain.hash(), record);
    Status checked = ledger::CheckRecord(*rules, record, record.time_ms, &cache);
    // A record whose path does not lead to the root is never accepted.
    if (!membership.ok()) FUZZ_EXPECT(!checked.ok());
  }
  return 0;
}
