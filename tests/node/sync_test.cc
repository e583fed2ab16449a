#include "node/sync.h"

#include <gtest/gtest.h>

namespace evidence::node {
namespace {

const std::vector<uint64_t> kFourEqual = {1, 1, 1, 1};

TEST(SyncTracker, NothingToDoWhenNoPeerIsAhead) {
  SyncTracker tracker(kFourEqual, 0);
  EXPECT_FALSE(tracker.Next(0, 0));
  tracker.OnPeerHeight(1, 5);
  tracker.OnPeerHeight(2, 5);
  EXPECT_FALSE(tracker.Next(5, 0));
  EXPECT_FALSE(tracker.behind(5));
  EXPECT_TRUE(tracker.behind(4));
}

TEST(SyncTracker, OneLyingPeerCannotMakeANodeBehind) {
  SyncTracker tracker(kFourEqual, 0);
  tracker.OnPeerHeight(3, 1'000'000);  // power 1 of 4: possibly Byzantine
  EXPECT_EQ(tracker.best_peer_height(), 1'000'000u);
  EXPECT_EQ(tracker.trusted_height(), 0u);
  EXPECT_FALSE(tracker.behind(0));
  EXPECT_FALSE(tracker.Next(0, 0));
  tracker.OnPeerHeight(1, 20);  // a second voice: more than 1/3 of the power
  EXPECT_EQ(tracker.trusted_height(), 20u);
  EXPECT_TRUE(tracker.behind(10));
}

TEST(SyncTracker, WeighsReportsByPower) {
  SyncTracker tracker({5, 1, 1, 1}, 1);
  tracker.OnPeerHeight(0, 9);  // power 5 of 8 > 1/3 alone
  EXPECT_EQ(tracker.trusted_height(), 9u);
}

TEST(SyncTracker, AsksAPeerThatHasTheNextBlocks) {
  SyncTracker tracker(kFourEqual, 0);
  tracker.OnPeerHeight(1, 3);
  tracker.OnPeerHeight(2, 500);
  tracker.OnPeerHeight(3, 400);
  std::optional<SyncTarget> target = tracker.Next(200, 0);
  ASSERT_TRUE(target);
  EXPECT_NE(target->peer_index, 1u) << "node 1 does not have block 201";
  EXPECT_EQ(target->request.from_height, 201u);
  EXPECT_EQ(target->request.count, kSyncBlocksMax);
}

TEST(SyncTracker, AsksForNoMoreThanThePeerHas) {
  SyncTracker tracker(kFourEqual, 0);
  tracker.OnPeerHeight(2, 12);
  tracker.OnPeerHeight(3, 12);
  std::optional<SyncTarget> target = tracker.Next(10, 0);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->request.count, 2u);
}

TEST(SyncTracker, OneRequestAtATimeUntilAnswerOrTimeout) {
  SyncTracker tracker(kFourEqual, 0, 1000);
  tracker.OnPeerHeight(1, 100);
  tracker.OnPeerHeight(2, 100);
  std::optional<SyncTarget> first = tracker.Next(0, 0);
  ASSERT_TRUE(first);
  EXPECT_FALSE(tracker.Next(0, 999));
  std::optional<SyncTarget> retry = tracker.Next(0, 1000);
  ASSERT_TRUE(retry);
  EXPECT_NE(retry->peer_index, first->peer_index) << "a timed-out request goes to another peer";
  tracker.OnResponse(retry->peer_index);
  EXPECT_TRUE(tracker.Next(64, 1001));
}

TEST(SyncTracker, ForgetsDisconnectedPeersAndItself) {
  SyncTracker tracker(kFourEqual, 0);
  tracker.OnPeerHeight(0, 1000);  // self: ignored
  EXPECT_EQ(tracker.best_peer_height(), 0u);
  tracker.OnPeerHeight(2, 50);
  tracker.OnPeerHeight(3, 50);
  tracker.OnPeerHeight(2, 40);  // heights never go down
  EXPECT_EQ(tracker.trusted_height(), 50u);
  ASSERT_TRUE(tracker.Next(0, 0));
  tracker.OnPeerDisconnected(2);
  EXPECT_EQ(tracker.trusted_height(), 0u);
  EXPECT_FALSE(tracker.Next(0, 1));
}

}  // namespace
}  // namespace evidence::node
