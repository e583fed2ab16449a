// EvidencePool: the duplicate-vote evidence this validator detected (the
// core's EvidenceEffect) and may record in a block it proposes.
//
// One item per equivocation (ledger::EvidenceKey: validator, height, round,
// type), its two votes in one canonical order (the lower block hash first), so
// that validators that saw the same two votes in different orders hold the
// same bytes; a block records an equivocation once (ledger::ValidateBlock), so
// an item is dropped when any block records that equivocation, and not kept
// when the chain recorded it already. Items of vote heights a next block can
// no longer record (ledger::kEvidenceHeightsMax below it) are dropped at each
// commit. At most ledger::kEvidenceMax items: when full, new evidence is
// refused (the older items are recorded first).
//
// Thread-safety: not thread-safe; the consensus thread owns it.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "ledger/block.h"
#include "ledger/validation.h"

namespace evidence::node {

class EvidencePool {
 public:
  // Keeps the evidence of `first` and `second` (same validator, height, round
  // and type, different block hashes; the core checked their signatures)
  // unless the equivocation is pending or in `recorded` already, or the pool
  // is full. True when kept.
  bool Add(const ledger::Vote& first, const ledger::Vote& second,
           const ledger::RecordedEvidence& recorded);

  // What a block on `state` (at state.height + 1) may record: the pending
  // items of vote heights in its window, under the validators in force, that
  // the chain has not recorded, in key order.
  std::vector<ledger::DuplicateVoteEvidence> ForBlock(const ledger::ChainState& state) const;

  // After `block` is committed: drops the equivocations it records and those
  // the block after it can no longer record.
  void OnCommitted(const ledger::Block& block);

  size_t size() const { return pending_.size(); }

 private:
  std::map<ledger::EvidenceKey, ledger::DuplicateVoteEvidence> pending_;
};

}  // namespace evidence::node
