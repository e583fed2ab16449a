// BlockBuilder: what this validator proposes when the core asks it for a block
// (RequestBlock). It reaps the mempool up to the block's record and byte limits
// (this node's own, never above the chain's params) and decides whether to
// wait for a fuller block first.
//
// Under load a proposer that cannot fill a block waits until `interval_ms`
// after the last commit, so that each block's signatures, fsyncs and vote
// rounds serve more records; an idle chain's first record is proposed at once.
//
// Thread-safety: the consensus thread only (it reads the store and reaps the
// mempool, both thread-safe).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "ledger/block.h"
#include "ledger/store.h"

namespace evidence::node {

class GovernancePool;
class RecordPool;

struct BlockBuilderOptions {
  size_t records_max = 2000;
  size_t bytes_max = 4 * 1024 * 1024;
  int64_t interval_ms = 20;  // 0: propose as soon as records wait
};

class BlockBuilder {
 public:
  using Clock = std::chrono::steady_clock;

  // Every reference must outlive the builder.
  BlockBuilder(BlockBuilderOptions options, const ledger::Store& store, RecordPool& mempool,
               GovernancePool& governance);

  // When a block that cannot be filled should wait: the time point to propose
  // at, or nullopt to propose now (the mempool fills a block, or the interval
  // since `last_commit_at` has passed).
  std::optional<Clock::time_point> WaitUntil(Clock::time_point last_commit_at,
                                             Clock::time_point now) const;

  // Whether the register after the last block differs from the one in force
  // at the next height: the last block committed governance actions, which
  // take effect only once one more block is committed (kGovernanceActivationDelay;
  // StateInForce(h + 1) is the register after block h - 1). On a quiet network
  // nothing else would make that block, so a new agency or node would stay
  // refused until records came: the node proposes it, empty if need be. At
  // most one such block per block that carries actions; an idle chain stays idle.
  bool ActivationPending() const;

  // The block for `height` proposed by validator `proposer`: records reaped
  // from the mempool, the governance actions pending that apply in order (at
  // most limits::kGovernanceActionsPerBlockMax) and the `evidence` of earlier
  // heights. Records that cannot
  // go into this block (already in the log, time outside the window of the
  // block's time) are left out. When records wait but every one is ahead of the
  // block's BFT time (an idle chain's time is that of its last commit), the
  // block goes out empty: its commit brings the time forward. It also goes out
  // empty while a governance activation is pending (below). nullopt when the
  // store is not at height - 1 or there is nothing to propose.
  std::optional<Bytes> Build(uint64_t height,
                             const std::vector<ledger::DuplicateVoteEvidence>& evidence,
                             uint32_t proposer);

 private:
  const BlockBuilderOptions options_;
  const ledger::Store& store_;
  RecordPool& mempool_;
  GovernancePool& governance_;
};

}  // namespace evidence::node
