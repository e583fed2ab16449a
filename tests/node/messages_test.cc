#include "node/messages.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/limits.h"

namespace evidence::node {
namespace {

consensus::DecidedBlock MakeDecided(uint64_t height) {
  consensus::DecidedBlock decided;
  decided.block = Bytes{1, 2, 3, static_cast<uint8_t>(height)};
  decided.commit.height = height;
  decided.commit.round = 2;
  decided.commit.block_hash.fill(static_cast<uint8_t>(height));
  decided.commit.signatures.push_back({0, 1000, Bytes(64, 7)});
  decided.commit.signatures.push_back({2, 1001, Bytes(64, 8)});
  return decided;
}

PeerMessage RoundTrip(const PeerMessage& message) {
  Result<PeerMessage> decoded = DecodePeerMessage(EncodePeerMessage(message));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? decoded.value() : PeerMessage(StatusMessage{});
}

TEST(PeerMessage, ConsensusVoteRoundTrips) {
  ledger::Vote vote;
  vote.type = ledger::VoteType::kPrecommit;
  vote.height = 9;
  vote.round = 1;
  vote.block_hash.fill(3);
  vote.timestamp_ms = 123;
  vote.validator_index = 2;
  vote.signature = Bytes(64, 5);
  PeerMessage message = consensus::Message(vote);
  Bytes bytes = EncodePeerMessage(message);
  EXPECT_EQ(bytes[0], static_cast<uint8_t>(PeerMessageKind::kConsensus));
  EXPECT_EQ(RoundTrip(message), message);
}

TEST(PeerMessage, RecordsStatusAndSyncRoundTrip) {
  PeerMessage gossip = RecordsGossip{{"{\"a\":1}", std::string(100, 'x')}};
  EXPECT_EQ(RoundTrip(gossip), gossip);
  PeerMessage status = StatusMessage{42};
  EXPECT_EQ(RoundTrip(status), status);
  PeerMessage request = SyncRequest{7, 64};
  EXPECT_EQ(RoundTrip(request), request);
  PeerMessage response = SyncResponse{{MakeDecided(7), MakeDecided(8)}};
  EXPECT_EQ(RoundTrip(response), response);
}

TEST(PeerMessage, GovernanceRoundTripsAndIsBounded) {
  PeerMessage governance = GovernanceGossip{"{\"action\":\"add-validator\"}"};
  Bytes bytes = EncodePeerMessage(governance);
  EXPECT_EQ(bytes[0], static_cast<uint8_t>(PeerMessageKind::kGovernance));
  EXPECT_EQ(RoundTrip(governance), governance);
  // Over the action limit, or empty: refused before anything is parsed.
  Bytes big = EncodePeerMessage(GovernanceGossip{std::string(limits::kGovernanceActionBytesMax, 'x')});
  big[5] = 0x7f;  // the u32 length's high byte (little-endian after the endianness byte)
  EXPECT_FALSE(DecodePeerMessage(big).ok());
  EXPECT_FALSE(DecodePeerMessage(EncodePeerMessage(GovernanceGossip{""})).ok());
}

TEST(PeerMessage, StatusHasAFixedLayout) {
  Bytes bytes = EncodePeerMessage(StatusMessage{0x0102030405060708});
  // kind, cereal's portable-binary endianness byte, u64.
  ASSERT_EQ(bytes.size(), 10u);
  EXPECT_EQ(bytes[0], 3);
}

TEST(PeerMessage, RefusesGarbage) {
  EXPECT_FALSE(DecodePeerMessage(Bytes{}).ok());
  EXPECT_FALSE(DecodePeerMessage(Bytes{99, 1, 2}).ok());
  Bytes status = EncodePeerMessage(StatusMessage{1});
  status.push_back(0);
  EXPECT_FALSE(DecodePeerMessage(status).ok()) << "trailing bytes";
  status.resize(5);
  EXPECT_FALSE(DecodePeerMessage(status).ok()) << "truncated";
  EXPECT_FALSE(DecodePeerMessage(EncodePeerMessage(SyncRequest{1, 0})).ok());
  EXPECT_FALSE(DecodePeerMessage(EncodePeerMessage(SyncRequest{0, 1})).ok());
  EXPECT_FALSE(DecodePeerMessage(EncodePeerMessage(SyncRequest{1, kSyncBlocksMax + 1})).ok());
}

TEST(PeerMessage, RefusesOverLongRecords) {
  Bytes bytes = EncodePeerMessage(RecordsGossip{{std::string(limits::kRecordJcsBytesMax + 1, 'x')}});
  Result<PeerMessage> decoded = DecodePeerMessage(bytes);
  EXPECT_FALSE(decoded.ok());
}

TEST(PeerMessage, RefusesANonBlockInsideASyncResponse) {
  Bytes bytes = EncodePeerMessage(SyncResponse{{MakeDecided(1)}});
  // Replace the inner message's tag (decided block = 3) by a block request (4).
  Bytes inner = consensus::EncodeMessage(consensus::Message(MakeDecided(1)));
  auto at = std::search(bytes.begin(), bytes.end(), inner.begin(), inner.end());
  ASSERT_NE(at, bytes.end());
  *at = 4;
  EXPECT_FALSE(DecodePeerMessage(bytes).ok());
}

}  // namespace
}  // namespace evidence::node
