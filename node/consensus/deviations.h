// Deviations: a test-only seam. The simulator and the core's tests plant
// protocol bugs through it to prove that their checkers catch them
// (tests/consensus/planted_bugs.h names them). A node never passes one: the
// core then runs the protocol as written, and its quorum arithmetic is
// PowerQuorum with no bug setting anywhere in it.
//
// Thread-safety: immutable values, read by the core's strand.
#pragma once

#include "ledger/vote.h"
#include "node/consensus/vote_set.h"

namespace evidence::consensus {

// How many votes of `validators` (the set of the height) decide: more than 2/3
// and more than 1/3 of the voting power.
class QuorumRule {
 public:
  virtual ~QuorumRule() = default;
  virtual bool IsQuorum(const ledger::ValidatorSet& validators, Tally tally) const = 0;
  virtual bool IsOneThirdPlus(const ledger::ValidatorSet& validators, Tally tally) const = 0;
};

// The protocol's rule, by voting power.
class PowerQuorum final : public QuorumRule {
 public:
  bool IsQuorum(const ledger::ValidatorSet& validators, Tally tally) const override {
    return validators.IsQuorum(tally.power);
  }
  bool IsOneThirdPlus(const ledger::ValidatorSet& validators, Tally tally) const override {
    return validators.IsOneThirdPlus(tally.power);
  }
};

struct Deviations {
  const QuorumRule* quorum = nullptr;  // replaces PowerQuorum when set
  bool ignore_lock = false;            // prevote for any valid proposal despite the lock
  bool send_before_persist = false;    // broadcast own votes before their Persist effect
  bool skip_signer_guard = false;      // sign whatever the rules ask (no CheckHRS)
  // Take the validator set of height h + 1 for height h: a set change applied
  // one height early (e.g. an off-by-one in the activation delay).
  bool validator_sets_one_height_early = false;
};

}  // namespace evidence::consensus
