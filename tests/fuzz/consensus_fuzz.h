// The consensus set-up shared by the consensus_core fuzz target and the seed
// generator (which records an honest height as seeds): four validators of
// power 1, keyed-hash signatures (tests/consensus/fakes.h, key base + index),
// and a verifier under which validator 3 is Byzantine (any signature of it
// verifies).
//
// Thread-safety: immutable after first use.
#pragma once

#include <cstdint>

#include "ledger/vote.h"
#include "node/consensus/core.h"
#include "node/consensus/validator_sets.h"
#include "tests/consensus/fakes.h"

namespace evidence::fuzz {

inline constexpr uint64_t kConsensusKeyBase = 1000;  // FakeVerifier's keys: 1000 + index
inline constexpr uint32_t kByzantineIndex = 3;
inline constexpr int64_t kConsensusStartMs = 1'767'225'600'000;

inline const consensus::FixedValidatorSets& ConsensusValidatorSets() {
  static const auto* sets =
      new consensus::FixedValidatorSets(consensus::testing::MakeValidatorSet({1, 1, 1, 1}));
  return *sets;
}

inline const ledger::ValidatorSet& ConsensusValidators() { return ConsensusValidatorSets().set(); }

inline consensus::CoreConfig ConsensusConfig() {
  consensus::CoreConfig config;
  config.chain_id = "fuzz-chain";
  return config;
}

// The block an honest proposer offers at `height` (valid under FakeBlocks).
inline Bytes ConsensusBlock(uint64_t height) {
  Bytes block = ToBytes("block at height ");
  for (int shift = 56; shift >= 0; shift -= 8)
    block.push_back(static_cast<uint8_t>(height >> shift));
  return block;
}

class ByzantineVerifier : public consensus::SignatureVerifier {
 public:
  bool Verify(const ledger::ValidatorSet& validators, uint32_t index, ByteView message,
              ByteView signature) const override {
    if (index == kByzantineIndex) return true;
    return honest_.Verify(validators, index, message, signature);
  }

 private:
  consensus::testing::FakeVerifier honest_;
};

}  // namespace evidence::fuzz
