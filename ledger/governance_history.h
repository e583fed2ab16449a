// GovernanceHistory: the registers of one chain by height (docs/governance.md
// §3). Genesis is the register at height 0; the governance actions of block h
// (applied in order, each on the register the ones before it made) give the
// register after h; the register in force for block h — its validators sign
// it, its agencies, keys and params judge its records — is the register after
// block h - kGovernanceActivationDelay.
//
// Only blocks that carry actions change anything, so the history keeps one
// entry per such block (governance changes are rare: a few per year), each a
// shared immutable GovernanceState.
//
// Thread-safety: none; the owner (Store, the auditor, a verifier) serialises
// access. The states it hands out are immutable and may go to any thread.
//
// Invariants: entries are in strictly increasing height; the first is
// (0, genesis); each later one is the register after a block with actions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/governance.h"
#include "ledger/governance_state.h"

namespace evidence::ledger {

class GovernanceHistory {
 public:
  explicit GovernanceHistory(GovernanceStatePtr genesis);

  // Applies the governance actions (their leaves) of block `height`, committed
  // at `time_ms`. Heights must increase from one call to the next (blocks
  // without actions may be skipped); an empty list changes nothing. A refused
  // action (the whole block's list is refused) changes nothing.
  Status Apply(uint64_t height, int64_t time_ms, const std::vector<std::string>& actions);

  // The register after every action of the blocks up to `height`.
  GovernanceStatePtr AfterBlock(uint64_t height) const;
  // The register in force for block `height` (>= 1).
  GovernanceStatePtr InForce(uint64_t height) const;
  // The register after every applied block.
  GovernanceStatePtr Latest() const { return entries_.back().state; }
  const GovernanceStatePtr& genesis() const { return entries_.front().state; }

  // The heights of the blocks whose actions changed the register, increasing.
  std::vector<uint64_t> ChangeHeights() const;
  // Whether any block has carried actions.
  bool changed() const { return entries_.size() > 1; }

 private:
  struct Entry {
    uint64_t height = 0;
    GovernanceStatePtr state;
  };
  std::vector<Entry> entries_;
};

// The header version block `height` must have: 2 when it carries actions or
// `latest` (the register after the blocks before it) already differs from
// genesis by some action, else 1.
uint32_t RequiredBlockVersion(const GovernanceState& latest, bool carries_actions);

}  // namespace evidence::ledger
