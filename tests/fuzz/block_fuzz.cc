// Fuzz target: the cereal binary of a block or a commit, as a peer sends it
// (proposals, decided blocks, sync responses) and as the store reads it back
// from disk: ledger::DecodeBlock and ledger::DecodeCommitBinary, then what a
// validator checks next: ValidateBlock against the fixed chain's state before
// that height (chain, hashes, commit signatures, BFT time, every leaf a signed
// record, roots), and VerifyCommit against the genesis validators.
//
// Properties: a decoded block or commit re-encodes to bytes that decode to
// the same value, and re-encoding is stable; a block ValidateBlock accepts
// extends the log by exactly its leaves, each a record that passes CheckRecord
// at the block's time.
#include <cstddef>
#include <cstdint>

#include "ledger/block.h"
#include "ledger/record.h"
#include "ledger/validation.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  ByteView bytes(data, size);
  const auto& chain = fuzz::FixedChain();
  const auto& history = fuzz::FixedHistory();

  auto commit = ledger::DecodeCommitBinary(bytes);
  if (commit.ok()) {
    Bytes encoded = ledger::EncodeCommitBinary(*commit);
    auto again = ledger::DecodeCommitBinary(encoded);
    FUZZ_EXPECT(again.ok() && *again == *commit);
    FUZZ_EXPECT(ledger::EncodeCommitBinary(*again) == encoded);
    Status verified =
        ledger::VerifyCommit(chain.genesis().chain_id(), chain.genesis().validator_set(), *commit);
    if (verified.ok()) {
      // Only the fixed chain's validators signed anything: a commit with a
      // quorum is for one of its blocks.
      bool known = false;
      for (const auto& step : history) known |= step.commit.block_hash == commit->block_hash;
      FUZZ_EXPECT(known);
    }
  }

  auto block = ledger::DecodeBlock(bytes);
  if (!block.ok()) return 0;
  Bytes encoded = ledger::EncodeBlock(*block);
  auto again = ledger::DecodeBlock(encoded);
  FUZZ_EXPECT(again.ok() && *again == *block);
  FUZZ_EXPECT(ledger::EncodeBlock(*again) == encoded);
  for (const auto& step : history) {
    if (step.before.height + 1 != block->header.height) continue;
    ledger::BatchSignatureCache cache;
    Status valid = ledger::ValidateBlock(step.before, *block, &cache);
    if (!valid.ok()) continue;
    FUZZ_EXPECT(block->header.log_size == step.before.log.size() + block->leaves.size());
    for (const std::string& leaf : block->leaves) {
      auto record = ledger::ParseRecord(leaf);
      FUZZ_EXPECT(record.ok() && ledger::RecordLeaf(*record) == leaf);
      FUZZ_EXPECT(ledger::CheckRecord(*step.before.next, *record, block->header.time_ms).ok());
    }
  }
  return 0;
}
