#include "tests/consensus/planted_bugs.h"

#include <array>
#include <string>

namespace evidence::consensus {
namespace {

constexpr std::array<PlantedBugInfo, 6> kPlantedBugs = {{
    {PlantedBug::kIgnoreLock, "ignore-lock"},
    {PlantedBug::kCountVotesNotPower, "count-votes-not-power"},
    {PlantedBug::kQuorumTwoThirdsInclusive, "quorum-two-thirds-inclusive"},
    {PlantedBug::kNoWal, "no-wal"},
    {PlantedBug::kSkipHrsCheck, "skip-hrs-check"},
    {PlantedBug::kValidatorSetEarly, "validator-set-early"},
}};

// Quorums of "more than 2/3 of the validators", whatever their power.
class CountQuorum final : public QuorumRule {
 public:
  bool IsQuorum(const ledger::ValidatorSet& validators, Tally tally) const override {
    return 3 * static_cast<uint64_t>(tally.count) > 2 * validators.size();
  }
  bool IsOneThirdPlus(const ledger::ValidatorSet& validators, Tally tally) const override {
    return 3 * static_cast<uint64_t>(tally.count) > validators.size();
  }
};

// Quorums of "at least 2/3 of the power" (one vote too few).
class InclusiveQuorum final : public QuorumRule {
 public:
  bool IsQuorum(const ledger::ValidatorSet& validators, Tally tally) const override {
    return 3 * tally.power >= 2 * validators.total_power();
  }
  bool IsOneThirdPlus(const ledger::ValidatorSet& validators, Tally tally) const override {
    return validators.IsOneThirdPlus(tally.power);
  }
};

}  // namespace

std::span<const PlantedBugInfo> PlantedBugs() { return kPlantedBugs; }

Result<PlantedBug> ParsePlantedBug(std::string_view name) {
  for (const PlantedBugInfo& info : kPlantedBugs) {
    if (info.name == name) return info.bug;
  }
  return Status::InvalidArgument("unknown bug '" + std::string(name) + "' (see --list-bugs)");
}

PlantedDeviations::PlantedDeviations(PlantedBug bug) : bug_(bug) {
  switch (bug) {
    case PlantedBug::kNone:
      break;
    case PlantedBug::kIgnoreLock:
      deviations_.ignore_lock = true;
      break;
    case PlantedBug::kCountVotesNotPower:
      quorum_ = std::make_unique<CountQuorum>();
      break;
    case PlantedBug::kQuorumTwoThirdsInclusive:
      quorum_ = std::make_unique<InclusiveQuorum>();
      break;
    case PlantedBug::kNoWal:
      deviations_.send_before_persist = true;
      break;
    case PlantedBug::kSkipHrsCheck:
      deviations_.skip_signer_guard = true;
      break;
    case PlantedBug::kValidatorSetEarly:
      deviations_.validator_sets_one_height_early = true;
      break;
  }
  deviations_.quorum = quorum_.get();
}

}  // namespace evidence::consensus
