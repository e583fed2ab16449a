#include "node/driver/block_builder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/check.h"
#include "common/limits.h"
#include "node/governance_pool.h"
#include "node/record_pool.h"

namespace evidence::node {

BlockBuilder::BlockBuilder(BlockBuilderOptions options, const ledger::Store& store,
                           RecordPool& mempool, GovernancePool& governance)
    : options_(options), store_(store), mempool_(mempool), governance_(governance) {}

std::optional<BlockBuilder::Clock::time_point> BlockBuilder::WaitUntil(
    Clock::time_point last_commit_at, Clock::time_point now) const {
  if (options_.interval_ms <= 0 || mempool_.size() >= options_.records_max) return std::nullopt;
  Clock::time_point ready_at = last_commit_at + std::chrono::milliseconds(options_.interval_ms);
  if (now >= ready_at) return std::nullopt;
  return ready_at;
}

bool BlockBuilder::ActivationPending() const {
  const ledger::GovernanceStatePtr in_force = store_.StateInForce(store_.height() + 1);
  const ledger::GovernanceStatePtr latest = store_.LatestState();
  EVIDENCE_CHECK(in_force != nullptr && latest != nullptr);
  return in_force->Hash() != latest->Hash();
}

std::optional<Bytes> BlockBuilder::Build(
    uint64_t height, const std::vector<ledger::DuplicateVoteEvidence>& pending_evidence,
    uint32_t proposer) {
  ledger::ChainState state = store_.chain_state();
  if (state.height + 1 != height) return std::nullopt;
  ledger::Commit last_commit;
  if (height > 1) {
    Result<ledger::Commit> commit = store_.GetCommit(height - 1);
    EVIDENCE_CHECK_MSG(commit.ok(), "the store has no commit for its head");
    last_commit = std::move(*commit);
  }
  const ledger::GovernanceState& rules = *state.next;
  int64_t block_time_ms = height == 1 ? rules.genesis_time_ms()
                                      : ledger::CommitMedianTimeMs(state.last->validator_set(),
                                                                   last_commit);
  // This node's own limits, within the chain's.
  size_t records_max = std::min<uint64_t>(options_.records_max, rules.params().block_records_max);
  size_t bytes_max = std::min<uint64_t>(options_.bytes_max, rules.params().block_bytes_max);
  std::vector<std::string> leaves = mempool_.Reap(
      records_max, bytes_max, rules, block_time_ms, [&](const crypto::Digest& id) {
        Result<bool> contains = store_.ContainsRecord(id);
        return contains.ok() && *contains;
      });
  // Evidence is checked against the validators of the last block: only votes
  // cast under that same validator list can be judged.
  std::vector<ledger::DuplicateVoteEvidence> evidence;
  for (const ledger::DuplicateVoteEvidence& item : pending_evidence) {
    if (item.a.height < height && item.a.height >= state.last->validators_since()) {
      evidence.push_back(item);
    }
  }
  std::vector<std::string> actions =
      governance_.Reap(state.latest, ledger::ActionContext{height, block_time_ms},
                       limits::kGovernanceActionsPerBlockMax);
  if (leaves.empty() && evidence.empty() && actions.empty() && mempool_.size() == 0 &&
      !ActivationPending()) {
    return std::nullopt;
  }
  ledger::Block block;
  block.header =
      ledger::MakeBlockHeader(state, leaves, last_commit, evidence, proposer, actions);
  block.actions = std::move(actions);
  block.leaves = std::move(leaves);
  block.last_commit = std::move(last_commit);
  block.evidence = std::move(evidence);
  spdlog::info("event=block_proposed height={} records={} governance_actions={} time_ms={}",
               height, block.leaves.size(), block.actions.size(), block.header.time_ms);
  return ledger::EncodeBlock(block);
}

}  // namespace evidence::node
