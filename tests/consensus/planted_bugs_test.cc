#include "tests/consensus/planted_bugs.h"

#include <gtest/gtest.h>

#include "tests/consensus/fakes.h"

namespace evidence::consensus {
namespace {

TEST(PlantedBugsTest, NamesParse) {
  EXPECT_EQ(PlantedBugs().size(), 6u);
  for (const PlantedBugInfo& info : PlantedBugs()) {
    auto parsed = ParsePlantedBug(info.name);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, info.bug);
  }
  EXPECT_FALSE(ParsePlantedBug("no-such-bug").ok());
}

TEST(PlantedBugsTest, NoneDeviatesFromNothingAndQuorumBugsReplaceTheArithmetic) {
  ledger::ValidatorSet set = testing::MakeValidatorSet({5, 1, 1, 1});
  EXPECT_EQ(PlantedDeviations(PlantedBug::kNone).get(), nullptr);
  PowerQuorum power;
  PlantedDeviations counting(PlantedBug::kCountVotesNotPower);
  ASSERT_NE(counting.get(), nullptr);
  ASSERT_NE(counting.get()->quorum, nullptr);
  // Three light validators: 3 of 4 validators, but only 3/8 of the power.
  const Tally light{3, 3};
  EXPECT_FALSE(power.IsQuorum(set, light));
  EXPECT_TRUE(counting.get()->quorum->IsQuorum(set, light));
  ledger::ValidatorSet even = testing::MakeValidatorSet({1, 1, 1});
  PlantedDeviations inclusive_even(PlantedBug::kQuorumTwoThirdsInclusive);
  EXPECT_FALSE(PowerQuorum().IsQuorum(even, Tally{2, 2}));
  EXPECT_TRUE(inclusive_even.get()->quorum->IsQuorum(even, Tally{2, 2}));
  PlantedDeviations no_wal(PlantedBug::kNoWal);
  EXPECT_TRUE(no_wal.get()->send_before_persist);
  EXPECT_EQ(no_wal.get()->quorum, nullptr);
  PlantedDeviations early(PlantedBug::kValidatorSetEarly);
  EXPECT_TRUE(early.get()->validator_sets_one_height_early);
  EXPECT_EQ(early.get()->quorum, nullptr);
}

}  // namespace
}  // namespace evidence::consensus
