// The votes of one type at one (height, round). Every signed vote counts for
// the block hash it names, as in Algorithm 1, which counts messages: a
// validator that signs two hashes (a Byzantine double vote) counts for both,
// once each, which is safe because quorums are over signatures (two quorums for
// different hashes need more than a third of the power to sign both). Without
// this a double voter could show different first votes to different honest
// validators and keep a real polka from ever being seen by all of them.
// total() counts each validator once. The second distinct vote of a validator is
// reported as a conflict (duplicate-vote evidence), once per validator.
//
// Bounds: at most kVotesPerValidatorMax distinct votes per validator; when full,
// a vote for a hash nobody else voted for is evicted first.
//
// Thread-safety: not thread-safe (owned by the core).
// Invariant: total() is the sum of the first votes' powers; a validator counts
// at most once per hash.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "crypto/hash.h"
#include "ledger/vote.h"

namespace evidence::consensus {

struct Tally {
  uint64_t power = 0;
  uint32_t count = 0;  // number of validators (only used by a planted bug)
};

class VoteSet {
 public:
  enum class AddResult { kAdded, kDuplicate, kConflict };
  static constexpr size_t kVotesPerValidatorMax = 4;

  explicit VoteSet(const ledger::ValidatorSet& validators);

  // The vote must be signature-checked and for this set's (height, round, type).
  // On kConflict, `*first` points at the validator's first vote.
  AddResult Add(const ledger::Vote& vote, const ledger::Vote** first);

  // The first vote of a validator, or null.
  const ledger::Vote* Get(uint32_t validator_index) const;
  // True when this exact vote (same hash) of its validator is already held.
  bool Contains(const ledger::Vote& vote) const;
  Tally total() const { return total_; }
  Tally For(const crypto::Digest& block_hash) const;
  // Tallies by block hash, in hash order (deterministic iteration).
  const std::map<crypto::Digest, Tally>& tallies() const { return tallies_; }
  // Votes for `block_hash`, by validator index.
  std::vector<const ledger::Vote*> VotesFor(const crypto::Digest& block_hash) const;

 private:
  void Count(const ledger::Vote& vote, int sign);

  const ledger::ValidatorSet& validators_;
  std::vector<std::vector<ledger::Vote>> votes_;  // per validator, first vote first
  std::map<crypto::Digest, Tally> tallies_;
  Tally total_;
};

}  // namespace evidence::consensus
