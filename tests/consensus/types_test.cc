#include "node/consensus/types.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace evidence::consensus {
namespace {

Proposal SampleProposal() {
  Proposal p;
  p.height = 7;
  p.round = 2;
  p.pol_round = 1;
  p.block_hash.fill(0xab);
  p.block = {1, 2, 3};
  p.timestamp_ms = 1700000000123;
  p.proposer_index = 3;
  p.signature = {9, 9};
  return p;
}

ledger::Vote SampleVote() {
  ledger::Vote v;
  v.type = ledger::VoteType::kPrecommit;
  v.height = 7;
  v.round = 2;
  v.block_hash.fill(0xcd);
  v.timestamp_ms = 42;
  v.validator_index = 1;
  v.signature = {5, 6, 7};
  return v;
}

TEST(TypesTest, ProposalSigningBytesAreCanonical) {
  // "EVIDENCE-PROPOSAL/v1\n" | len "c" | height | round | pol_round | hash | time
  std::string expected_hex =
      HexEncode(AsBytes("EVIDENCE-PROPOSAL/v1\n")) + "01" + "63" + "0000000000000007" + "00000002" +
      "00000001" + "abababababababababababababababababababababababababababababababab" +
      "0000018bcfe5687b";
  EXPECT_EQ(HexEncode(ProposalSigningBytes("c", SampleProposal())), expected_hex);
  Proposal no_pol = SampleProposal();
  no_pol.pol_round = -1;
  Bytes bytes = ProposalSigningBytes("c", no_pol);
  EXPECT_EQ(HexEncode(ByteView(bytes).subspan(21 + 2 + 12, 4)), "ffffffff");
  // The block bytes are bound through the hash only.
  Proposal other_block = SampleProposal();
  other_block.block = {4};
  EXPECT_EQ(ProposalSigningBytes("c", other_block), ProposalSigningBytes("c", SampleProposal()));
}

TEST(TypesTest, EveryMessageRoundTrips) {
  DecidedBlock decided{{1, 2}, ledger::Commit{7, 2, {}, {{0, 10, {1}}, {2, 11, {2}}}}};
  for (const Message& message : std::vector<Message>{SampleProposal(), SampleVote(), decided,
                                                     BlockRequest{9}}) {
    Bytes encoded = EncodeMessage(message);
    auto decoded = DecodeMessage(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, message);
    EXPECT_EQ(EncodeMessage(*decoded), encoded);  // one byte form
  }
}

TEST(TypesTest, MalformedBytesAreRefusedNotCrashed) {
  Bytes encoded = EncodeMessage(SampleProposal());
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    EXPECT_FALSE(DecodeMessage(ByteView(encoded).first(cut)).ok()) << cut;
  }
  Bytes trailing = encoded;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeMessage(trailing).ok());
  EXPECT_FALSE(DecodeMessage(Bytes{99}).ok());  // unknown tag
  // A vote whose signature length claims 2^60 bytes: refused before allocating.
  Bytes huge = EncodeMessage(SampleVote());
  size_t length_at = huge.size() - 3 - 8;
  for (int i = 0; i < 8; ++i) huge[length_at + i] = i == 7 ? 0x10 : 0;
  auto result = DecodeMessage(huge);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("too long"), std::string::npos);
}

TEST(TypesTest, ValidateNamesTheProblem) {
  EXPECT_TRUE(ValidateMessage(SampleProposal(), 4).ok());
  EXPECT_FALSE(ValidateMessage(SampleProposal(), 3).ok());  // proposer 3 of 3
  Proposal bad_pol = SampleProposal();
  bad_pol.pol_round = 2;
  EXPECT_NE(ValidateMessage(bad_pol, 4).message().find("pol_round"), std::string::npos);
  ledger::Vote bad_type = SampleVote();
  bad_type.type = static_cast<ledger::VoteType>(3);
  EXPECT_NE(ValidateMessage(bad_type, 4).message().find("type"), std::string::npos);
  ledger::Vote unsigned_vote = SampleVote();
  unsigned_vote.signature.clear();
  EXPECT_FALSE(ValidateMessage(unsigned_vote, 4).ok());
  DecidedBlock unsorted{{1}, ledger::Commit{7, 0, {}, {{2, 1, {1}}, {1, 1, {1}}}}};
  EXPECT_NE(ValidateMessage(unsorted, 4).message().find("sorted"), std::string::npos);
  EXPECT_FALSE(ValidateMessage(BlockRequest{0}, 4).ok());
}

TEST(TypesTest, PersistedStateRoundTrips) {
  PersistedState state;
  state.height = 9;
  state.round = 3;
  state.step = 2;
  state.locked_round = 1;
  state.locked_hash.fill(1);
  state.locked_block = {1, 2, 3};
  state.valid_round = 2;
  state.valid_hash.fill(2);
  state.valid_block = {4};
  state.own_votes = {SampleVote()};
  state.polka_votes = {SampleVote(), SampleVote()};
  state.valid_proposal = SampleProposal();
  auto decoded = DecodePersistedState(EncodePersistedState(state));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, state);
  Bytes bytes = EncodePersistedState(state);
  bytes.pop_back();
  EXPECT_FALSE(DecodePersistedState(bytes).ok());
}

// Found by fuzz_persisted_state: a signer state whose round no core could
// have reached (kRoundMax and above, or a lock round out of range) decoded,
// and restoring it walked the proposer schedule for billions of steps.
TEST(TypesTest, RegressionPersistedStateWithAnUnreachableRoundIsRefused) {
  PersistedState state;
  state.height = 2;
  state.step = 2;
  state.round = kRoundMax;
  EXPECT_EQ(DecodePersistedState(EncodePersistedState(state)).status().code(),
            StatusCode::kCorruption);
  state.round = 3;
  state.locked_round = -2;
  EXPECT_FALSE(DecodePersistedState(EncodePersistedState(state)).ok());
  state.locked_round = static_cast<int32_t>(kRoundMax);
  EXPECT_FALSE(DecodePersistedState(EncodePersistedState(state)).ok());
  state.locked_round = -1;
  state.valid_round = static_cast<int32_t>(kRoundMax);
  EXPECT_FALSE(DecodePersistedState(EncodePersistedState(state)).ok());
  state.valid_round = 2;
  EXPECT_TRUE(DecodePersistedState(EncodePersistedState(state)).ok());
}

}  // namespace
}  // namespace evidence::consensus
