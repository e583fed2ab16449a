// Adapters that give the consensus core its validator set per height
// (interfaces.h, ValidatorSets):
//   - FixedValidatorSets: one set for every height (a chain without
//     governance, the core's tests, and the node until its store answers per
//     height);
//   - RegisterValidatorSets: the validators of the governance register in
//     force at each height (ledger/governance_state.h), read through a function
//     the node gives (e.g. the store's register per height). Its `since` is the
//     register's validators_since(), so the proposer rotation restarts where
//     the list changed, as every node computes it from the same blocks.
//
// Thread-safety: FixedValidatorSets is immutable. RegisterValidatorSets is as
// thread-safe as the function it calls; the core calls it from its strand.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "ledger/governance_state.h"
#include "ledger/vote.h"
#include "node/consensus/interfaces.h"

namespace evidence::consensus {

class FixedValidatorSets final : public ValidatorSets {
 public:
  explicit FixedValidatorSets(ledger::ValidatorSet validators);
  HeightValidators ForHeight(uint64_t height) const override;
  const ledger::ValidatorSet& set() const { return *set_; }

 private:
  std::shared_ptr<const ledger::ValidatorSet> set_;
};

class RegisterValidatorSets final : public ValidatorSets {
 public:
  // The register in force at a height: its validators decide that height.
  // Null when the height is unknown (see ValidatorSets::ForHeight).
  using StateAt = std::function<ledger::GovernanceStatePtr(uint64_t height)>;
  explicit RegisterValidatorSets(StateAt state_at);
  HeightValidators ForHeight(uint64_t height) const override;

 private:
  StateAt state_at_;
};

}  // namespace evidence::consensus
