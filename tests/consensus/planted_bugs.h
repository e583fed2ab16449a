// Planted bugs: named deviations from the protocol (node/consensus/deviations.h)
// that the simulator and the core's tests plant to prove their checkers catch
// them. Test code only: no node can name one.
//
// Thread-safety: PlantedDeviations is an immutable value once built.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "common/status.h"
#include "ledger/vote.h"
#include "node/consensus/deviations.h"

namespace evidence::consensus {

enum class PlantedBug {
  kNone,
  kIgnoreLock,                // prevote for any valid proposal despite the lock
  kCountVotesNotPower,        // quorums count validators instead of voting power
  kQuorumTwoThirdsInclusive,  // accept exactly 2/3 of the power as a quorum
  kNoWal,                     // send own votes before they are persisted
  kSkipHrsCheck,              // sign whatever the rules ask, ignoring the last signed state
  kValidatorSetEarly,         // a validator set change applied one height early
};

struct PlantedBugInfo {
  PlantedBug bug;
  std::string_view name;
};
std::span<const PlantedBugInfo> PlantedBugs();  // every bug but kNone
Result<PlantedBug> ParsePlantedBug(std::string_view name);

// The Deviations that plant `bug` into a core. kNone gives no deviations
// (get() is null).
class PlantedDeviations {
 public:
  explicit PlantedDeviations(PlantedBug bug);
  PlantedDeviations(const PlantedDeviations&) = delete;
  PlantedDeviations& operator=(const PlantedDeviations&) = delete;

  const Deviations* get() const { return bug_ == PlantedBug::kNone ? nullptr : &deviations_; }

 private:
  PlantedBug bug_;
  std::unique_ptr<QuorumRule> quorum_;
  Deviations deviations_;
};

}  // namespace evidence::consensus
