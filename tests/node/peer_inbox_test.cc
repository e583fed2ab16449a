#include "node/intake/peer_inbox.h"

#include <gtest/gtest.h>

namespace evidence::node {
namespace {

constexpr size_t kPeers = 4;

PeerInbox::Limits SmallLimits() {
  return PeerInbox::Limits{/*consensus_messages=*/16, /*consensus_bytes=*/16 * 1024,
                           /*bulk_messages=*/2, /*bulk_bytes=*/64 * 1024};
}

PeerMessage Vote(uint32_t validator, uint64_t height) {
  ledger::Vote vote{ledger::VoteType::kPrevote, height, 0, crypto::Digest{}, 0, validator,
                    Bytes(64, 7)};
  return consensus::Message(vote);
}

PeerMessage Sync(size_t block_bytes) {
  SyncResponse response;
  response.blocks.push_back(consensus::DecidedBlock{Bytes(block_bytes, 1), ledger::Commit{}});
  return response;
}

uint32_t VoterOf(const PeerInbox::Item& item) {
  return std::get<ledger::Vote>(std::get<consensus::Message>(item.message)).validator_index;
}

// Finding 2: one shared bound (4,096 frames for all peers) let one peer's flood
// of frames drop every honest vote. Now the flooding peer fills only its lane.
TEST(PeerInboxTest, AFloodingPeerFillsOnlyItsOwnLane) {
  PeerInbox inbox(kPeers, SmallLimits());
  size_t queued = 0;
  for (int i = 0; i < 10'000; ++i) {
    if (inbox.Push(3, Vote(3, i), 100) != PeerInbox::PushResult::kDropped) ++queued;
  }
  EXPECT_EQ(queued, 16u);
  EXPECT_EQ(inbox.dropped(3), 10'000u - 16u);
  for (uint32_t honest = 0; honest < 3; ++honest) {
    EXPECT_NE(inbox.Push(honest, Vote(honest, 1), 100), PeerInbox::PushResult::kDropped);
    EXPECT_EQ(inbox.dropped(honest), 0u);
  }
}

// Peers take turns: an honest vote queued behind a flood comes out within one
// turn of each peer, not after the flood.
TEST(PeerInboxTest, PeersTakeTurns) {
  PeerInbox inbox(kPeers, SmallLimits());
  for (int i = 0; i < 16; ++i) inbox.Push(3, Vote(3, i), 100);
  inbox.Push(1, Vote(1, 1), 100);
  std::vector<uint32_t> order;
  while (std::optional<PeerInbox::Item> item = inbox.Pop()) order.push_back(VoterOf(*item));
  ASSERT_EQ(order.size(), 17u);
  const auto honest = std::find(order.begin(), order.end(), 1u);
  ASSERT_NE(honest, order.end());
  EXPECT_LE(honest - order.begin(), 1);
}

TEST(PeerInboxTest, ConsensusMessagesOfAPeerGoBeforeItsBulk) {
  PeerInbox inbox(kPeers, SmallLimits());
  inbox.Push(2, Sync(1000), 1100);
  inbox.Push(2, Vote(2, 5), 100);
  std::optional<PeerInbox::Item> first = inbox.Pop();
  ASSERT_TRUE(first);
  EXPECT_TRUE(std::holds_alternative<consensus::Message>(first->message));
  std::optional<PeerInbox::Item> second = inbox.Pop();
  ASSERT_TRUE(second);
  EXPECT_TRUE(std::holds_alternative<SyncResponse>(second->message));
  EXPECT_FALSE(inbox.Pop());
}

TEST(PeerInboxTest, LanesAreBoundedInBytes) {
  PeerInbox inbox(kPeers, SmallLimits());
  EXPECT_NE(inbox.Push(0, Sync(40 * 1024), 40 * 1024), PeerInbox::PushResult::kDropped);
  // A second large response would pass the lane's 64 KiB.
  EXPECT_EQ(inbox.Push(0, Sync(40 * 1024), 40 * 1024), PeerInbox::PushResult::kDropped);
  EXPECT_EQ(inbox.bytes(), 40u * 1024);
  // The consensus lane has its own bytes.
  EXPECT_NE(inbox.Push(0, Vote(0, 1), 15 * 1024), PeerInbox::PushResult::kDropped);
  EXPECT_EQ(inbox.Push(0, Vote(0, 2), 2 * 1024), PeerInbox::PushResult::kDropped);
  EXPECT_EQ(inbox.messages(), 2u);
  while (inbox.Pop()) {
  }
  EXPECT_EQ(inbox.bytes(), 0u);
  EXPECT_EQ(inbox.messages(), 0u);
}

TEST(PeerInboxTest, ExactlyOneWakeUpIsOutstanding) {
  PeerInbox inbox(kPeers, SmallLimits());
  EXPECT_EQ(inbox.Push(0, Vote(0, 1), 10), PeerInbox::PushResult::kQueuedWakeConsumer);
  EXPECT_EQ(inbox.Push(1, Vote(1, 1), 10), PeerInbox::PushResult::kQueued);
  EXPECT_TRUE(inbox.Pop());
  // Still scheduled: the consumer has not seen the inbox empty yet.
  EXPECT_EQ(inbox.Push(2, Vote(2, 1), 10), PeerInbox::PushResult::kQueued);
  EXPECT_TRUE(inbox.Pop());
  EXPECT_TRUE(inbox.Pop());
  EXPECT_FALSE(inbox.Pop());
  EXPECT_EQ(inbox.Push(0, Vote(0, 2), 10), PeerInbox::PushResult::kQueuedWakeConsumer);
}

TEST(PeerInboxTest, TheNodesLimitsHoldAFullProposalAndAFullSyncResponse) {
  const PeerInbox::Limits limits = PeerInbox::Defaults();
  EXPECT_GE(limits.consensus_bytes, limits::kFrameBytesMax);
  EXPECT_GE(limits.bulk_bytes, limits::kFrameBytesMax);
}

}  // namespace
}  // namespace evidence::node
