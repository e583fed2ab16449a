#include "node/sync.h"

#include <gtest/gtest.h>

namespace evidence::node {
namespace {

TEST(SyncTracker, NothingToDoWhenNoPeerIsAhead) {
  SyncTracker tracker(4, 0);
  EXPECT_FALSE(tracker.Next(0, 0));
  tracker.OnPeerHeight(1, 5);
  EXPECT_FALSE(tracker.Next(5, 0));
  EXPECT_FALSE(tracker.behind(5));
  EXPECT_TRUE(tracker.behind(4));
}

TEST(SyncTracker, AsksAPeerThatHasTheNextBlocks) {
  SyncTracker tracker(4, 0);
  tracker.OnPeerHeight(1, 3);
  tracker.OnPeerHeight(2, 500);
  std::optional<SyncTarget> target = tracker.Next(10, 0);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->peer_index, 2u);
  EXPECT_EQ(target->request.from_height, 11u);
  EXPECT_EQ(target->request.count, kSyncBlocksMax);
}

TEST(SyncTracker, AsksForNoMoreThanThePeerHas) {
  SyncTracker tracker(4, 0);
  tracker.OnPeerHeight(3, 12);
  std::optional<SyncTarget> target = tracker.Next(10, 0);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->request.count, 2u);
}

TEST(SyncTracker, OneRequestAtATimeUntilAnswerOrTimeout) {
  SyncTracker tracker(4, 0, 1000);
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
  SyncTracker tracker(4, 0);
  tracker.OnPeerHeight(0, 1000);  // self: ignored
  EXPECT_EQ(tracker.best_peer_height(), 0u);
  tracker.OnPeerHeight(2, 50);
  tracker.OnPeerHeight(2, 40);  // heights never go down
  EXPECT_EQ(tracker.best_peer_height(), 50u);
  ASSERT_TRUE(tracker.Next(0, 0));
  tracker.OnPeerDisconnected(2);
  EXPECT_EQ(tracker.best_peer_height(), 0u);
  EXPECT_FALSE(tracker.Next(0, 1));
}

}  // namespace
}  // namespace evidence::node
