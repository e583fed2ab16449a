#include "node/consensus/vote_set.h"

#include "common/check.h"

namespace evidence::consensus {

VoteSet::VoteSet(const ledger::ValidatorSet& validators)
    : validators_(validators), votes_(validators.size()) {}

void VoteSet::Count(const ledger::Vote& vote, int sign) {
  uint64_t power = validators_.at(vote.validator_index).power;
  Tally& tally = tallies_[vote.block_hash];
  if (sign > 0) {
    tally.power += power;
    tally.count += 1;
  } else {
    EVIDENCE_CHECK(tally.power >= power && tally.count >= 1);
    tally.power -= power;
    tally.count -= 1;
    if (tally.count == 0) tallies_.erase(vote.block_hash);
  }
}

VoteSet::AddResult VoteSet::Add(const ledger::Vote& vote, const ledger::Vote** first) {
  EVIDENCE_CHECK(vote.validator_index < votes_.size());
  std::vector<ledger::Vote>& held = votes_[vote.validator_index];
  for (const ledger::Vote& known : held) {
    if (known.block_hash == vote.block_hash) return AddResult::kDuplicate;
  }
  if (held.empty()) {
    held.push_back(vote);
    Count(vote, +1);
    total_.power += validators_.at(vote.validator_index).power;
    total_.count += 1;
    EVIDENCE_CHECK(total_.power <= validators_.total_power());
    return AddResult::kAdded;
  }
  bool first_conflict = held.size() == 1;
  if (held.size() >= kVotesPerValidatorMax) {
    // Full: make room only by dropping a vote for a hash nobody else signed.
    size_t victim = 0;
    for (size_t i = 1; i < held.size() && victim == 0; ++i) {
      if (tallies_.at(held[i].block_hash).count == 1) victim = i;
    }
    if (victim == 0 || For(vote.block_hash).count == 0) return AddResult::kDuplicate;
    Count(held[victim], -1);
    held.erase(held.begin() + static_cast<std::ptrdiff_t>(victim));
  }
  held.push_back(vote);
  Count(vote, +1);
  if (!first_conflict) return AddResult::kDuplicate;
  if (first != nullptr) *first = &held.front();
  return AddResult::kConflict;
}

const ledger::Vote* VoteSet::Get(uint32_t validator_index) const {
  if (validator_index >= votes_.size() || votes_[validator_index].empty()) return nullptr;
  return &votes_[validator_index].front();
}

bool VoteSet::Contains(const ledger::Vote& vote) const {
  if (vote.validator_index >= votes_.size()) return false;
  for (const ledger::Vote& known : votes_[vote.validator_index]) {
    if (known == vote) return true;
  }
  return false;
}

Tally VoteSet::For(const crypto::Digest& block_hash) const {
  auto it = tallies_.find(block_hash);
  return it == tallies_.end() ? Tally{} : it->second;
}

std::vector<const ledger::Vote*> VoteSet::VotesFor(const crypto::Digest& block_hash) const {
  std::vector<const ledger::Vote*> out;
  for (const std::vector<ledger::Vote>& held : votes_) {
    for (const ledger::Vote& vote : held) {
      if (vote.block_hash == block_hash) out.push_back(&vote);
    }
  }
  return out;
}

}  // namespace evidence::consensus
