#include "node/consensus/proposer.h"

#include <gtest/gtest.h>

#include <map>

namespace evidence::consensus {
namespace {

TEST(ProposerScheduleTest, EqualPowersRotateRoundRobin) {
  ProposerSchedule schedule({1, 1, 1, 1});
  for (uint32_t round = 0; round < 12; ++round) {
    EXPECT_EQ(schedule.ProposerAt(1, round), round % 4);
  }
}

TEST(ProposerScheduleTest, ProposesInProportionToPower) {
  std::vector<uint64_t> powers = {1, 2, 3, 4};
  ProposerSchedule schedule(powers);
  std::map<uint32_t, int> counts;
  for (uint64_t height = 1; height <= 100; ++height) counts[schedule.ProposerAt(height, 0)]++;
  // 100 steps over a total power of 10: exactly 10 rounds of the cycle.
  for (uint32_t i = 0; i < powers.size(); ++i) EXPECT_EQ(counts[i], 10 * static_cast<int>(powers[i]));
}

TEST(ProposerScheduleTest, NextRoundIsNextHeightsRoundZero) {
  ProposerSchedule schedule({5, 1, 2, 3, 1});
  for (uint64_t height = 1; height < 30; ++height) {
    for (uint32_t round = 0; round < 5; ++round) {
      EXPECT_EQ(schedule.ProposerAt(height, round + 1), schedule.ProposerAt(height + 1, round));
    }
  }
}

TEST(ProposerScheduleTest, AnswersDoNotDependOnQueryOrder) {
  ProposerSchedule forward({3, 1, 4, 1, 5});
  std::vector<uint32_t> expected;
  for (uint32_t k = 0; k < 60; ++k) expected.push_back(forward.ProposerAt(1, k));
  ProposerSchedule random_order({3, 1, 4, 1, 5});
  for (uint32_t k : {59u, 3u, 17u, 0u, 42u, 41u, 1u, 58u}) {
    EXPECT_EQ(random_order.ProposerAt(1 + k / 2, k - k / 2), expected[k]) << k;
  }
}

TEST(ProposerScheduleTest, HeavyValidatorNeverStarvesLightOnes) {
  ProposerSchedule schedule({10, 1, 1});
  std::map<uint32_t, int> counts;
  for (uint32_t round = 0; round < 12; ++round) counts[schedule.ProposerAt(1, round)]++;
  EXPECT_EQ(counts[0], 10);
  EXPECT_EQ(counts[1], 1);
  EXPECT_EQ(counts[2], 1);
}

}  // namespace
}  // namespace evidence::consensus
