// Fuzz target: the consensus core of an honest validator (index 0 of the fixed
// chain's four) fed a sequence of peer messages, timer expiries and "records
// pending" chosen by the fuzzer. Validators 1 and 2 are honest: their
// signatures (the consensus test doubles' keyed hashes) cannot be forged, only
// replayed from the seeds, which hold the messages of a whole honest height.
// Validator 3 is Byzantine: any signature of it verifies, so the fuzzer speaks
// for it freely (equivocation, invalid blocks, any round). That is the fault
// model (f = 1 of n = 4).
//
// Input, repeated to the end: one opcode byte, then
//   0  message          u16 big-endian length, the consensus::EncodeMessage bytes
//                       (dropped unless ValidateMessage accepts them, as the node does)
//   1  timeout          u8 round, u8 kind (TimeoutKind 1..4), for the current height
//   2  records pending
// RequestBlock effects are answered at once with a valid block for the height.
//
// Properties: the core never crashes; validator 0 never signs two different
// votes for one (height, round, type), never two proposals for one (height,
// round), and commits at most one block per height, each with precommits of
// more than 2/3 of the power for that block.
#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>
#include <variant>

#include "node/consensus/core.h"
#include "node/consensus/types.h"
#include "tests/consensus/fakes.h"
#include "tests/fuzz/consensus_fuzz.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace evidence;

class Checker {
 public:
  void Effects(std::vector<consensus::Effect> effects, consensus::ConsensusCore& core,
               std::vector<consensus::Effect>* requests) {
    for (consensus::Effect& effect : effects) {
      if (auto* broadcast = std::get_if<consensus::BroadcastEffect>(&effect)) {
        Sent(broadcast->message);
      } else if (auto* commit = std::get_if<consensus::CommitEffect>(&effect)) {
        Committed(*commit, core);
      } else if (std::holds_alternative<consensus::RequestBlockEffect>(effect)) {
        requests->push_back(std::move(effect));
      }
    }
  }

 private:
  void Sent(const consensus::Message& message) {
    if (const auto* vote = std::get_if<ledger::Vote>(&message)) {
      if (vote->validator_index != 0) return;  // a relayed vote of someone else
      auto key = std::make_tuple(vote->height, vote->round, static_cast<int>(vote->type));
      auto [it, inserted] = votes_.emplace(key, vote->block_hash);
      FUZZ_EXPECT(inserted || it->second == vote->block_hash);
    } else if (const auto* proposal = std::get_if<consensus::Proposal>(&message)) {
      if (proposal->proposer_index != 0) return;
      auto [it, inserted] = proposals_.emplace(std::make_pair(proposal->height, proposal->round),
                                               proposal->block_hash);
      FUZZ_EXPECT(inserted || it->second == proposal->block_hash);
    }
  }

  void Committed(const consensus::CommitEffect& commit, consensus::ConsensusCore&) {
    consensus::testing::FakeBlocks blocks;
    const crypto::Digest hash = blocks.Hash(commit.block);
    auto [it, inserted] = commits_.emplace(commit.height, hash);
    FUZZ_EXPECT(inserted || it->second == hash);
    FUZZ_EXPECT(commit.commit.height == commit.height && commit.commit.block_hash == hash);
    FUZZ_EXPECT(blocks.IsValid(commit.height, commit.block));
    uint64_t power = 0;
    for (const ledger::CommitSignature& signature : commit.commit.signatures) {
      power += fuzz::ConsensusValidators().at(signature.validator_index).power;
    }
    FUZZ_EXPECT(fuzz::ConsensusValidators().IsQuorum(power));
  }

  std::map<std::tuple<uint64_t, uint32_t, int>, crypto::Digest> votes_;
  std::map<std::pair<uint64_t, uint32_t>, crypto::Digest> proposals_;
  std::map<uint64_t, crypto::Digest> commits_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  consensus::testing::FakeSigner signer(fuzz::kConsensusKeyBase);
  fuzz::ByzantineVerifier verifier;
  consensus::testing::FakeBlocks blocks;
  consensus::ConsensusCore core(fuzz::ConsensusConfig(), fuzz::ConsensusValidatorSets(), &signer,
                                verifier, blocks);
  Checker checker;
  int64_t now_ms = fuzz::kConsensusStartMs;
  core.Start(1, now_ms, now_ms);
  std::vector<consensus::Effect> requests;
  checker.Effects(core.TakeEffects(), core, &requests);
  while (!input.empty()) {
    const uint8_t opcode = input[0];
    input = input.subspan(1);
    now_ms += 10;
    if (opcode == 0) {
      if (input.size() < 2) break;
      const size_t length = (size_t{input[0]} << 8) | input[1];
      input = input.subspan(2);
      if (length > input.size()) break;
      auto message = consensus::DecodeMessage(input.first(length));
      input = input.subspan(length);
      if (!message.ok() || !consensus::ValidateMessage(*message, 4).ok()) continue;
      if (std::holds_alternative<consensus::BlockRequest>(*message)) continue;  // the node's
      core.OnMessage(*message, now_ms);
    } else if (opcode == 1) {
      if (input.size() < 2) break;
      const uint32_t round = input[0];
      const uint8_t kind = input[1];
      input = input.subspan(2);
      if (kind < 1 || kind > 4) continue;
      core.OnTimeout(core.height(), round, static_cast<consensus::TimeoutKind>(kind), now_ms);
    } else if (opcode == 2) {
      core.OnRecordsPending(now_ms);
    } else {
      continue;
    }
    checker.Effects(core.TakeEffects(), core, &requests);
    while (!requests.empty()) {
      const auto request = std::get<consensus::RequestBlockEffect>(requests.back());
      requests.pop_back();
      core.OnBlockReady(request.height, fuzz::ConsensusBlock(request.height), now_ms);
      checker.Effects(core.TakeEffects(), core, &requests);
    }
  }
  return 0;
}
