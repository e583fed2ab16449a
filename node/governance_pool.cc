#include "node/governance_pool.h"

#include "common/check.h"
#include "ledger/errors.h"

namespace evidence::node {

GovernancePool::GovernancePool(ledger::GovernanceStateFn latest, GovernancePoolOptions options)
    : latest_(std::move(latest)), options_(options) {
  EVIDENCE_CHECK(latest_ != nullptr);
}

void GovernancePool::ForgetPassed(uint64_t next_seq) {
  while (!by_seq_.empty() && by_seq_.begin()->first < next_seq) {
    EVIDENCE_CHECK(bytes_ >= by_seq_.begin()->second.leaf.size());
    bytes_ -= by_seq_.begin()->second.leaf.size();
    by_seq_.erase(by_seq_.begin());
  }
}

Result<GovernancePool::Admission> GovernancePool::Add(const ledger::GovernanceAction& action,
                                                      const ledger::ActionContext& context,
                                                      bool dry_run) {
  const ledger::GovernanceStatePtr latest = latest_();
  const crypto::Digest id = ledger::ActionId(latest->hash(), action);
  std::string leaf = ledger::ActionLeaf(action);
  MutexLock lock(&mutex_);
  ForgetPassed(latest->next_seq());
  auto taken = by_seq_.find(action.seq);
  if (taken != by_seq_.end()) {
    if (taken->second.id == id && taken->second.leaf == leaf) {
      return Admission{id, action.seq, true};
    }
    return ledger::LedgerError(
        ledger::ErrorCode::kGovernanceBadSequence,
        "seq " + std::to_string(action.seq) + " is taken by pending action " +
            crypto::DigestHex(taken->second.id) + "; propose at seq " +
            std::to_string(by_seq_.empty() ? latest->next_seq() : by_seq_.rbegin()->first + 1));
  }
  // The register the action would meet: the latest one, then the pending
  // actions before it (consecutive from latest's next_seq; each applied when
  // admitted, so each applies again unless the register moved under it).
  ledger::GovernanceStatePtr state = latest;
  for (const auto& [seq, pending] : by_seq_) {
    if (seq >= action.seq) break;
    Result<ledger::GovernanceAction> parsed = ledger::ParseAction(pending.leaf);
    EVIDENCE_CHECK(parsed.ok());
    Result<ledger::GovernanceStatePtr> next = ledger::ApplyAction(*state, *parsed, context);
    if (!next.ok()) break;  // stale: Reap drops it; the action meets the seq check below
    state = std::move(next).value();
  }
  EVIDENCE_RETURN_IF_ERROR(ledger::ApplyAction(*state, action, context).status());
  if (by_seq_.size() >= options_.actions_max || bytes_ + leaf.size() > options_.bytes_max) {
    return Status::ResourceExhausted("the node holds " + std::to_string(by_seq_.size()) +
                                     " pending governance actions (" + std::to_string(bytes_) +
                                     " bytes), its limit; retry after the next block");
  }
  if (!dry_run) {
    bytes_ += leaf.size();
    by_seq_.emplace(action.seq, PendingAction{action.seq, id, std::move(leaf)});
  }
  return Admission{id, action.seq, false};
}

std::vector<std::string> GovernancePool::Reap(const ledger::GovernanceStatePtr& latest,
                                              const ledger::ActionContext& context, size_t max) {
  MutexLock lock(&mutex_);
  ForgetPassed(latest->next_seq());
  std::vector<std::string> leaves;
  ledger::GovernanceStatePtr state = latest;
  auto it = by_seq_.begin();
  for (; it != by_seq_.end() && leaves.size() < max; ++it) {
    if (it->first != state->next_seq()) break;  // a number is missing
    Result<ledger::GovernanceAction> parsed = ledger::ParseAction(it->second.leaf);
    EVIDENCE_CHECK(parsed.ok());
    Result<ledger::GovernanceStatePtr> next = ledger::ApplyAction(*state, *parsed, context);
    if (!next.ok()) break;  // the register moved under it
    state = std::move(next).value();
    leaves.push_back(it->second.leaf);
  }
  if (leaves.size() < max) {
    // What stopped the walk can never apply in order, nor can anything after it.
    while (it != by_seq_.end()) {
      EVIDENCE_CHECK(bytes_ >= it->second.leaf.size());
      bytes_ -= it->second.leaf.size();
      it = by_seq_.erase(it);
    }
  }
  return leaves;
}

size_t GovernancePool::size() {
  const ledger::GovernanceStatePtr latest = latest_();
  MutexLock lock(&mutex_);
  ForgetPassed(latest->next_seq());
  return by_seq_.size();
}

std::vector<PendingAction> GovernancePool::Pending() const {
  const ledger::GovernanceStatePtr latest = latest_();
  MutexLock lock(&mutex_);
  std::vector<PendingAction> out;
  for (const auto& [seq, pending] : by_seq_) {
    if (seq >= latest->next_seq()) out.push_back(pending);
  }
  return out;
}

}  // namespace evidence::node
