#include "node/driver/evidence_pool.h"

#include <utility>

#include "common/check.h"

namespace evidence::node {

bool EvidencePool::Add(const ledger::Vote& first, const ledger::Vote& second,
                       const ledger::RecordedEvidence& recorded) {
  EVIDENCE_CHECK(first.validator_index == second.validator_index &&
                 first.height == second.height && first.round == second.round &&
                 first.type == second.type && first.block_hash != second.block_hash);
  ledger::DuplicateVoteEvidence evidence{first, second};
  if (evidence.b.block_hash < evidence.a.block_hash) std::swap(evidence.a, evidence.b);
  const ledger::EvidenceKey key = ledger::KeyOf(evidence);
  if (recorded.contains(key) || pending_.contains(key) ||
      pending_.size() >= ledger::kEvidenceMax) {
    return false;
  }
  pending_.emplace(key, std::move(evidence));
  return true;
}

std::vector<ledger::DuplicateVoteEvidence> EvidencePool::ForBlock(
    const ledger::ChainState& state) const {
  const uint64_t height = state.height + 1;
  std::vector<ledger::DuplicateVoteEvidence> out;
  for (const auto& [key, evidence] : pending_) {
    if (key.height >= height || key.height + ledger::kEvidenceHeightsMax < height ||
        key.height < state.last->validators_since() || state.recorded_evidence.contains(key)) {
      continue;
    }
    out.push_back(evidence);
    if (out.size() == ledger::kEvidenceMax) break;
  }
  return out;
}

void EvidencePool::OnCommitted(const ledger::Block& block) {
  for (const ledger::DuplicateVoteEvidence& evidence : block.evidence) {
    pending_.erase(ledger::KeyOf(evidence));
  }
  const uint64_t next_height = block.header.height + 1;
  std::erase_if(pending_, [&](const auto& item) {
    return item.first.height + ledger::kEvidenceHeightsMax < next_height;
  });
}

}  // namespace evidence::node
