// GovernancePool: the governance actions this node was given (POST
// /v1/governance) and that no block has committed yet, for the proposer
// (BlockBuilder) to put in its next block.
//
// Admission (Add) applies the action, by every rule of ledger/governance.h, to
// the latest committed register followed by the pending actions of lower
// sequence numbers; what would be refused in a block is refused here with the
// same code and changes nothing. Pending actions are kept by sequence number:
// one per number (the same action again is idempotent; another action with a
// pending number is refused, governance.bad_sequence), so the pool always
// holds one chain of consecutive numbers. It is bounded in count and bytes
// (limits::kGovernancePoolActionsMax, kGovernancePoolBytesMax: ResourceExhausted
// past them) and forgets actions the register has passed (seq below its
// next_seq) on every call.
//
// Pending actions are gossiped to every peer (node/messages.h kind 6: when
// admitted here, to a peer that connects, and with each status heartbeat), so
// the next proposer has them, whichever validator it is; peers admit them by
// the same rules (ChainService::AdmitGovernanceFromPeer).
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "ledger/governance.h"
#include "ledger/governance_state.h"

namespace evidence::node {

struct GovernancePoolOptions {
  size_t actions_max = limits::kGovernancePoolActionsMax;
  size_t bytes_max = limits::kGovernancePoolBytesMax;
};

struct PendingAction {
  uint64_t seq = 0;
  crypto::Digest id{};
  std::string leaf;  // JCS of the signed action
};

class GovernancePool {
 public:
  // `latest` gives the register after every committed block (the one the
  // next block's actions apply to); it is called on every method, from any thread.
  GovernancePool(ledger::GovernanceStateFn latest, GovernancePoolOptions options = {});

  struct Admission {
    crypto::Digest id{};
    uint64_t seq = 0;
    bool already_known = false;  // the same action is pending already
  };
  // Checks `action` and, unless `dry_run`, keeps it. `context` dates the check
  // (the next block's height and this node's time).
  Result<Admission> Add(const ledger::GovernanceAction& action,
                        const ledger::ActionContext& context, bool dry_run)
      EVIDENCE_EXCLUDES(mutex_);

  // The leaves of the pending actions that apply, in order, on `latest` in a
  // block dated `context`: consecutive sequence numbers from latest's next_seq,
  // at most `max`. An action that no longer applies (the register changed
  // under it) is dropped with every later one.
  std::vector<std::string> Reap(const ledger::GovernanceStatePtr& latest,
                                const ledger::ActionContext& context, size_t max)
      EVIDENCE_EXCLUDES(mutex_);

  // The pending actions not yet passed by the register.
  size_t size() EVIDENCE_EXCLUDES(mutex_);
  // The pending actions in sequence order (after forgetting passed ones).
  std::vector<PendingAction> Pending() const EVIDENCE_EXCLUDES(mutex_);

 private:
  void ForgetPassed(uint64_t next_seq) EVIDENCE_REQUIRES(mutex_);

  const ledger::GovernanceStateFn latest_;
  const GovernancePoolOptions options_;
  mutable Mutex mutex_;
  std::map<uint64_t, PendingAction> by_seq_ EVIDENCE_GUARDED_BY(mutex_);
  size_t bytes_ EVIDENCE_GUARDED_BY(mutex_) = 0;
};

}  // namespace evidence::node
