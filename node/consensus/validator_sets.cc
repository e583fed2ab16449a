#include "node/consensus/validator_sets.h"

#include "common/check.h"

namespace evidence::consensus {

FixedValidatorSets::FixedValidatorSets(ledger::ValidatorSet validators)
    : set_(std::make_shared<const ledger::ValidatorSet>(std::move(validators))) {
  EVIDENCE_CHECK(set_->size() > 0);
}

HeightValidators FixedValidatorSets::ForHeight(uint64_t height) const {
  EVIDENCE_CHECK(height >= 1);
  return HeightValidators{set_, 1};
}

RegisterValidatorSets::RegisterValidatorSets(StateAt state_at) : state_at_(std::move(state_at)) {
  EVIDENCE_CHECK(state_at_ != nullptr);
}

HeightValidators RegisterValidatorSets::ForHeight(uint64_t height) const {
  EVIDENCE_CHECK(height >= 1);
  ledger::GovernanceStatePtr state = state_at_(height);
  if (state == nullptr) return HeightValidators{nullptr, 0};
  EVIDENCE_CHECK(state->validators_since() <= height);
  // Shares ownership of the register the set lives in.
  return HeightValidators{
      std::shared_ptr<const ledger::ValidatorSet>(state, &state->validator_set()),
      state->validators_since()};
}

}  // namespace evidence::consensus
