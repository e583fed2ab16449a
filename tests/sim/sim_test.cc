#include "tests/sim/sim.h"

#include <gtest/gtest.h>

namespace evidence::sim {
namespace {

TEST(SimTest, SameSeedReplaysTheSameRun) {
  SimConfig config{.validators = 4, .byzantine = 1, .heights = 3};
  for (uint64_t seed : {1u, 7u, 42u}) {
    SimResult first = RunSimulation(config, seed);
    SimResult second = RunSimulation(config, seed);
    EXPECT_TRUE(first.ok) << first.invariant << ": " << first.detail;
    EXPECT_EQ(first.events, second.events);
    EXPECT_EQ(first.sim_time_ms, second.sim_time_ms);
    EXPECT_EQ(first.heights_committed, second.heights_committed);
  }
}

TEST(SimTest, DifferentSeedsDifferentRuns) {
  SimConfig config{.validators = 4, .byzantine = 1, .heights = 3};
  EXPECT_NE(RunSimulation(config, 1).events, RunSimulation(config, 2).events);
}

TEST(SimTest, FailureNamesInvariantAndKeepsTrace) {
  SimConfig config{.validators = 4, .byzantine = 1, .heights = 3,
                   .bug = consensus::PlantedBug::kSkipHrsCheck};
  SimResult result = RunSimulation(config, 1);
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.invariant, "vote-safety");
  EXPECT_FALSE(result.trace.empty());
  EXPECT_LE(result.trace.size(), 30u);
  SimResult again = RunSimulation(config, 1);
  EXPECT_EQ(again.detail, result.detail);
  EXPECT_EQ(again.trace, result.trace);
}

TEST(SimTest, HealthyClusterCommitsEveryHeightAfterHeal) {
  SimConfig config{.validators = 7, .byzantine = 2, .heights = 5};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimResult result = RunSimulation(config, seed);
    ASSERT_TRUE(result.ok) << "seed " << seed << ": " << result.invariant << ": " << result.detail;
    EXPECT_GE(result.heights_committed, 5u);
    EXPECT_LE(result.max_rounds_after_heal, kLivenessRoundsMax);
  }
}

}  // namespace
}  // namespace evidence::sim
