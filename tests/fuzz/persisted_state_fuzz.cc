// Fuzz target: the payload of a write-ahead log record, the validator's signer
// state (consensus::DecodePersistedState), and what the node does with it at
// start: ConsensusCore::Restore, then Start at that height and the next.
//
// Properties: a decoded state re-encodes to bytes that decode to the same
// state, and re-encoding is stable; restoring any decodable state never
// crashes the core, and the core never signs below the restored (height,
// round, step) (its first Persist is not below it).
#include <cstddef>
#include <cstdint>
#include <variant>

#include "node/consensus/core.h"
#include "node/consensus/types.h"
#include "tests/consensus/fakes.h"
#include "tests/fuzz/consensus_fuzz.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace evidence;

bool NotBelow(const consensus::PersistedState& later, const consensus::PersistedState& earlier) {
  if (later.height != earlier.height) return later.height > earlier.height;
  if (later.round != earlier.round) return later.round > earlier.round;
  return later.step >= earlier.step;
}

void RestoreAndStart(const consensus::PersistedState& state, uint64_t height) {
  const auto& genesis = fuzz::FixedChain().genesis();
  consensus::testing::FakeSigner signer(1000);
  consensus::testing::FakeVerifier verifier;
  consensus::testing::FakeBlocks blocks;
  consensus::CoreConfig config;
  config.chain_id = genesis.chain_id();
  // Validator 0 of four test keys (fakes.h): the signer holds its key.
  consensus::ConsensusCore core(config, fuzz::ConsensusValidatorSets(), &signer, verifier, blocks);
  core.Restore(state);
  core.Start(height, genesis.genesis_time_ms(), genesis.genesis_time_ms());
  core.OnRecordsPending(genesis.genesis_time_ms());
  for (const consensus::Effect& effect : core.TakeEffects()) {
    if (const auto* persist = std::get_if<consensus::PersistEffect>(&effect)) {
      if (state.step != 0) FUZZ_EXPECT(NotBelow(persist->state, state));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto state = consensus::DecodePersistedState(ByteView(data, size));
  if (!state.ok()) return 0;
  Bytes encoded = consensus::EncodePersistedState(*state);
  auto again = consensus::DecodePersistedState(encoded);
  FUZZ_EXPECT(again.ok() && *again == *state);
  FUZZ_EXPECT(consensus::EncodePersistedState(*again) == encoded);
  // The node starts at the store's next height (small here: the proposer
  // schedule is walked from genesis) and restores the state only when it is of
  // that height. A restored round is walked too; the node's own WAL never holds
  // a round it did not reach by timeouts, so rounds stay modest here as well.
  constexpr uint64_t kHeightMax = 64;
  constexpr uint32_t kRoundsMax = 1024;
  if (state->round > kRoundsMax) return 0;
  RestoreAndStart(*state, 5);
  if (state->height >= 1 && state->height <= kHeightMax) {
    RestoreAndStart(*state, state->height);
    RestoreAndStart(*state, state->height + 1);
  }
  return 0;
}
