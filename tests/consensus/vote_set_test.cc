#include "node/consensus/vote_set.h"

#include <gtest/gtest.h>

#include "tests/consensus/fakes.h"

namespace evidence::consensus {
namespace {

ledger::Vote MakeVote(uint32_t index, uint8_t hash_byte) {
  ledger::Vote vote;
  vote.height = 1;
  vote.validator_index = index;
  vote.block_hash.fill(hash_byte);
  vote.signature = {1};
  return vote;
}

TEST(VoteSetTest, TalliesPowerPerHash) {
  ledger::ValidatorSet set = testing::MakeValidatorSet({1, 2, 3, 4});
  VoteSet votes(set);
  EXPECT_EQ(votes.Add(MakeVote(0, 7), nullptr), VoteSet::AddResult::kAdded);
  EXPECT_EQ(votes.Add(MakeVote(3, 7), nullptr), VoteSet::AddResult::kAdded);
  EXPECT_EQ(votes.Add(MakeVote(2, 0), nullptr), VoteSet::AddResult::kAdded);
  crypto::Digest seven;
  seven.fill(7);
  EXPECT_EQ(votes.For(seven).power, 5u);
  EXPECT_EQ(votes.For(seven).count, 2u);
  EXPECT_EQ(votes.For(crypto::Digest{}).power, 3u);
  EXPECT_EQ(votes.total().power, 8u);
  EXPECT_EQ(votes.VotesFor(seven).size(), 2u);
}

TEST(VoteSetTest, ResentVoteIsDuplicate) {
  ledger::ValidatorSet set = testing::MakeValidatorSet({1, 1, 1, 1});
  VoteSet votes(set);
  ledger::Vote vote = MakeVote(1, 9);
  ASSERT_EQ(votes.Add(vote, nullptr), VoteSet::AddResult::kAdded);
  EXPECT_TRUE(votes.Contains(vote));
  EXPECT_EQ(votes.Add(vote, nullptr), VoteSet::AddResult::kDuplicate);
  EXPECT_EQ(votes.total().power, 1u);
}

TEST(VoteSetTest, DoubleVoteIsReportedOnceAndCountsForBothHashes) {
  ledger::ValidatorSet set = testing::MakeValidatorSet({1, 1, 1, 1});
  VoteSet votes(set);
  ASSERT_EQ(votes.Add(MakeVote(2, 1), nullptr), VoteSet::AddResult::kAdded);
  const ledger::Vote* first = nullptr;
  EXPECT_EQ(votes.Add(MakeVote(2, 2), &first), VoteSet::AddResult::kConflict);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->block_hash[0], 1);
  EXPECT_EQ(votes.Add(MakeVote(2, 3), &first), VoteSet::AddResult::kDuplicate);  // reported already
  crypto::Digest one, two;
  one.fill(1);
  two.fill(2);
  EXPECT_EQ(votes.For(one).power, 1u);
  EXPECT_EQ(votes.For(two).power, 1u);
  EXPECT_EQ(votes.total().power, 1u);  // the validator counts once in the total
  EXPECT_EQ(votes.Get(2)->block_hash[0], 1);
}

TEST(VoteSetTest, BoundedPerValidatorEvictingLonelyHashes) {
  ledger::ValidatorSet set = testing::MakeValidatorSet({1, 1, 1, 1});
  VoteSet votes(set);
  for (uint8_t h = 1; h <= VoteSet::kVotesPerValidatorMax + 3; ++h) {
    (void)votes.Add(MakeVote(0, h), nullptr);
  }
  EXPECT_LE(votes.tallies().size(), VoteSet::kVotesPerValidatorMax);
  // A hash that an honest validator voted for still gets the double voter's vote.
  ASSERT_EQ(votes.Add(MakeVote(1, 50), nullptr), VoteSet::AddResult::kAdded);
  (void)votes.Add(MakeVote(0, 50), nullptr);
  crypto::Digest fifty;
  fifty.fill(50);
  EXPECT_EQ(votes.For(fifty).power, 2u);
  EXPECT_EQ(votes.For(fifty).count, 2u);
}

}  // namespace
}  // namespace evidence::consensus
