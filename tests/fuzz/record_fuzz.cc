// Fuzz target: one evidence record as text (an HTTP body, a gossiped leaf, a
// block leaf read from disk), through everything a node does with it:
// ledger::ParseRecord, the leaf (JCS) and its id, and CheckRecord against the
// fixed genesis (agency, key, signature, time window).
//
// Properties: an accepted record passes CheckRecordShape; its leaf parses back
// to the same record and is a fixed point; RecordLeafBytes is the leaf's size;
// RecordFromJson of its JSON form agrees with ParseRecord.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ledger/batch.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"
#include "ledger/validation.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = ledger::ParseRecord(text);
  if (!record.ok()) return 0;
  FUZZ_EXPECT(ledger::CheckRecordShape(*record).ok());

  const std::string leaf = ledger::RecordLeaf(*record);
  FUZZ_EXPECT(ledger::RecordLeafBytes(*record) == leaf.size());
  auto again = ledger::ParseRecord(leaf);
  FUZZ_EXPECT(again.ok() && *again == *record);
  FUZZ_EXPECT(ledger::RecordLeaf(*again) == leaf);
  auto from_json = ledger::RecordFromJson(ledger::RecordToJson(*record));
  FUZZ_EXPECT(from_json.ok() && *from_json == *record);

  const auto& chain = fuzz::FixedChain();
  const crypto::Digest id = ledger::RecordId(chain.hash(), *record);
  FUZZ_EXPECT(id == ledger::RecordId(chain.hash(), *again));
  // The node's admission check, with "now" at the record's own time so that
  // the time window does not hide the signature path.
  ledger::BatchSignatureCache cache;
  static const auto rules = ledger::GovernanceState::FromGenesis(chain.genesis());
  Status checked = ledger::CheckRecord(*rules, *record, record->time_ms, &cache);
  if (checked.ok()) {
    // Accepted: the agency's registered key signed it.
    const crypto::PublicKey* key =
        chain.genesis().FindAgencyKey(record->agency, record->sig.key_id);
    FUZZ_EXPECT(key != nullptr);
    FUZZ_EXPECT(ledger::VerifyRecordSignature(chain.hash(), *key, *record).ok());
  }
  return 0;
}
