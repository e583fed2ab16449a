#include "ledger/governance_history.h"

#include <algorithm>

#include "common/check.h"
#include "ledger/block.h"

namespace evidence::ledger {

GovernanceHistory::GovernanceHistory(GovernanceStatePtr genesis) {
  EVIDENCE_CHECK(genesis != nullptr);
  entries_.push_back(Entry{0, std::move(genesis)});
}

Status GovernanceHistory::Apply(uint64_t height, int64_t time_ms,
                                const std::vector<std::string>& actions) {
  EVIDENCE_CHECK(height > entries_.back().height);
  if (actions.empty()) return Status::Ok();
  EVIDENCE_ASSIGN_OR_RETURN(GovernanceStatePtr next,
                            ApplyActionLeaves(entries_.back().state, actions,
                                              ActionContext{height, time_ms}));
  entries_.push_back(Entry{height, std::move(next)});
  return Status::Ok();
}

GovernanceStatePtr GovernanceHistory::AfterBlock(uint64_t height) const {
  // The last entry at or below `height` (entries_[0] is at 0).
  auto after = std::upper_bound(entries_.begin(), entries_.end(), height,
                                [](uint64_t h, const Entry& entry) { return h < entry.height; });
  EVIDENCE_CHECK(after != entries_.begin());
  return std::prev(after)->state;
}

GovernanceStatePtr GovernanceHistory::InForce(uint64_t height) const {
  EVIDENCE_CHECK(height >= 1);
  if (height <= kGovernanceActivationDelay) return genesis();
  return AfterBlock(height - kGovernanceActivationDelay);
}

std::vector<uint64_t> GovernanceHistory::ChangeHeights() const {
  std::vector<uint64_t> heights;
  for (size_t i = 1; i < entries_.size(); ++i) heights.push_back(entries_[i].height);
  return heights;
}

uint32_t RequiredBlockVersion(const GovernanceState& latest, bool carries_actions) {
  return carries_actions || latest.next_seq() > 1 ? kBlockVersionGoverned : kBlockVersionLegacy;
}

}  // namespace evidence::ledger
