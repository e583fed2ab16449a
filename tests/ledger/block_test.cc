#include "ledger/block.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "ledger/errors.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

crypto::Digest Filled(uint8_t byte) {
  crypto::Digest d;
  d.fill(byte);
  return d;
}

BlockHeader GoldenHeader() {
  BlockHeader h;
  h.chain_id = "test-chain";
  h.height = 2;
  h.time_ms = 1767225601000;
  h.previous_hash = Filled(0x11);
  h.log_size = 5;
  h.log_root = Filled(0x22);
  h.leaves_root = Filled(0x33);
  h.validators_hash = Filled(0x44);
  h.proposer = 3;
  h.evidence_hash = Filled(0x55);
  h.last_commit_hash = Filled(0x66);
  return h;
}

// Computed independently with Python's struct.pack and hashlib (docs/receipt-format.md).
TEST(BlockHeader, GoldenBytesAndHash) {
  Bytes bytes = EncodeBlockHeader(GoldenHeader());
  EXPECT_EQ(bytes.size(), 249u);
  EXPECT_EQ(HexEncode(bytes),
            "45564944454e43452d424c4f434b2f76310a0a746573742d636861696e00000000000000020000019b"
            "76daabe811111111111111111111111111111111111111111111111111111111111111110000000000"
            "0000052222222222222222222222222222222222222222222222222222222222222222333333333333"
            "3333333333333333333333333333333333333333333333333333444444444444444444444444444444"
            "4444444444444444444444444444444444000000035555555555555555555555555555555555555555"
            "5555555555555555555555556666666666666666666666666666666666666666666666666666666666"
            "666666");
  EXPECT_EQ(crypto::DigestHex(BlockHash(crypto::HashAlgorithm::kSha256, GoldenHeader())),
            "3cf09b9c3115025afdecdc3ebbda5fff8fda44efe9b7600e9c8c773e129d3b5b");
}

TEST(BlockHeader, EveryFieldChangesTheHash) {
  BlockHeader base = GoldenHeader();
  crypto::Digest hash = BlockHash(crypto::HashAlgorithm::kSha256, base);
  std::vector<std::function<void(BlockHeader&)>> changes = {
      [](BlockHeader& h) { h.chain_id = "test-chaio"; },
      [](BlockHeader& h) { h.height++; },
      [](BlockHeader& h) { h.time_ms++; },
      [](BlockHeader& h) { h.previous_hash[0] ^= 1; },
      [](BlockHeader& h) { h.log_size++; },
      [](BlockHeader& h) { h.log_root[0] ^= 1; },
      [](BlockHeader& h) { h.leaves_root[0] ^= 1; },
      [](BlockHeader& h) { h.validators_hash[0] ^= 1; },
      [](BlockHeader& h) { h.proposer++; },
      [](BlockHeader& h) { h.evidence_hash[0] ^= 1; },
      [](BlockHeader& h) { h.last_commit_hash[0] ^= 1; }};
  for (size_t i = 0; i < changes.size(); ++i) {
    BlockHeader h = base;
    changes[i](h);
    EXPECT_NE(BlockHash(crypto::HashAlgorithm::kSha256, h), hash) << i;
  }
}

// Version 2: the v2 domain, the version-1 fields, then actions_root,
// next_validators_hash and state_hash. Computed independently with Python:
//   b'EVIDENCE-BLOCK/v2\n' + <v1 fields as above> + 0x77*32 + 0x88*32 + 0x99*32
TEST(BlockHeader, VersionTwoGoldenBytesAndHash) {
  BlockHeader h = GoldenHeader();
  h.version = kBlockVersionGoverned;
  h.actions_root = Filled(0x77);
  h.next_validators_hash = Filled(0x88);
  h.state_hash = Filled(0x99);
  Bytes bytes = EncodeBlockHeader(h);
  EXPECT_EQ(bytes.size(), 345u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 18), "EVIDENCE-BLOCK/v2\n");
  EXPECT_EQ(crypto::DigestHex(BlockHash(crypto::HashAlgorithm::kSha256, h)),
            "1cb141a157fa6f03814c5a82fd83c8d65872ff855bdfa5edb842ea668519c71d");
  for (auto change : {+[](BlockHeader& x) { x.actions_root[0] ^= 1; },
                      +[](BlockHeader& x) { x.next_validators_hash[0] ^= 1; },
                      +[](BlockHeader& x) { x.state_hash[0] ^= 1; }}) {
    BlockHeader changed = h;
    change(changed);
    EXPECT_NE(BlockHash(crypto::HashAlgorithm::kSha256, changed),
              BlockHash(crypto::HashAlgorithm::kSha256, h));
  }
}

TEST(Commit, GoldenBytesAndHash) {
  Commit commit{1, 0, Filled(0x77), {{0, 1000, {1, 2}}, {2, -5, {3}}}};
  EXPECT_EQ(HexEncode(EncodeCommit(commit)),
            "45564944454e43452d434f4d4d49542f76310a00000000000000010000000077777777777777777777"
            "77777777777777777777777777777777777777777777000000020000000000000000000003e8000201"
            "0200000002fffffffffffffffb000103");
  EXPECT_EQ(crypto::DigestHex(CommitHash(crypto::HashAlgorithm::kSha256, commit)),
            "b71c5ad32dd399aeb76530720db4b23734067c688bedfaea15d6ff9d5e63d9ae");
  EXPECT_EQ(CommitHash(crypto::HashAlgorithm::kSha256, Commit{}), crypto::Digest{});
}

TEST(Block, CerealRoundTripAndDeterminism) {
  testing::TestChain chain;
  chain.Next({chain.MakeRecord(0, "c", 1)});
  Block block = chain.MakeNextBlock({chain.MakeRecord(0, "c", 2), chain.MakeRecord(1, "d", 3)});
  Vote a{VoteType::kPrevote, 1, 0, Filled(1), 5, 2, {9, 9}};
  Vote b = a;
  b.block_hash = Filled(2);
  block.evidence.push_back({a, b});
  Bytes bytes = EncodeBlock(block);
  EXPECT_EQ(EncodeBlock(block), bytes);
  auto decoded = DecodeBlock(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, block);
  EXPECT_EQ(EncodeBlock(*decoded), bytes);
  auto commit = DecodeCommitBinary(EncodeCommitBinary(chain.last_commit()));
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(*commit, chain.last_commit());
}

// A version-2 block carries its actions; its binary form starts with the
// marker (an empty chain id, then version 2), and a version-1 block's binary
// form is what it always was (no marker, no actions).
TEST(Block, VersionTwoCarriesActionsAndVersionOneIsUnchanged) {
  testing::TestChain chain;
  Block v1 = chain.MakeNextBlock({chain.MakeRecord(0, "c", 1)});
  ASSERT_EQ(v1.header.version, kBlockVersionLegacy);
  Bytes v1_bytes = EncodeBlock(v1);
  // cereal's portable archive: an endianness byte, then little-endian integers.
  EXPECT_EQ(HexEncode(ByteView(v1_bytes.data(), 15)), "010a000000746573742d636861696e");
  Block v2 = v1;
  v2.header.version = kBlockVersionGoverned;
  v2.header.actions_root = Filled(7);
  v2.header.state_hash = Filled(8);
  v2.actions = {"{\"action\":\"a\"}", "{\"action\":\"b\"}"};
  Bytes v2_bytes = EncodeBlock(v2);
  EXPECT_EQ(HexEncode(ByteView(v2_bytes.data(), 9)), "010000000002000000");
  auto decoded = DecodeBlock(v2_bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, v2);
  EXPECT_NE(BlockHash(chain.hash(), v2.header), BlockHash(chain.hash(), v1.header));
  // An unknown version, a versioned header without a chain id, too many actions.
  Bytes unknown = v2_bytes;
  unknown[5] = 3;
  EXPECT_EQ(DecodeBlock(unknown).status().code(), StatusCode::kCorruption);
  Bytes no_chain = {1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(DecodeBlock(no_chain).status().code(), StatusCode::kCorruption);
  Block crowded = v2;
  crowded.actions.assign(limits::kGovernanceActionsPerBlockMax + 1, "{}");
  EXPECT_EQ(DecodeBlock(EncodeBlock(crowded)).status().code(), StatusCode::kCorruption);
}

TEST(Block, DecodeRefusesDamageWithoutCrashing) {
  testing::TestChain chain;
  Block block = chain.MakeNextBlock({chain.MakeRecord(0, "c", 1)});
  Bytes bytes = EncodeBlock(block);
  bytes.push_back(0);
  EXPECT_EQ(DecodeBlock(bytes).status().code(), StatusCode::kCorruption);
  bytes.pop_back();
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    EXPECT_FALSE(DecodeBlock(ByteView(bytes.data(), cut)).ok()) << cut;
  }
  // Huge lengths are refused before anything is allocated.
  for (size_t at = 0; at + 4 <= bytes.size(); at += 3) {
    Bytes damaged = bytes;
    for (int k = 0; k < 4; ++k) damaged[at + k] = 0xff;
    auto decoded = DecodeBlock(damaged);
    if (decoded.ok()) {
      EXPECT_NE(*decoded, block);
    }
  }
}

TEST(Block, LeavesRootAndEvidenceHash) {
  crypto::MerkleHasher hasher(crypto::HashAlgorithm::kSha256);
  EXPECT_EQ(LeavesRoot(crypto::HashAlgorithm::kSha256, {}), hasher.EmptyRoot());
  EXPECT_EQ(LeavesRoot(crypto::HashAlgorithm::kSha256, {"a"}), hasher.HashLeaf(AsBytes("a")));
  EXPECT_EQ(EvidenceHash(crypto::HashAlgorithm::kSha256, "c", {}), crypto::Digest{});
}

TEST(DuplicateVote, VerifiesRealEquivocationOnly) {
  testing::TestChain chain;
  const ValidatorSet& set = chain.genesis().validator_set();
  auto sign = [&](Vote v) {
    v.signature = chain.validator_key(v.validator_index)
                      .Sign(VoteSigningBytes(chain.genesis().chain_id(), v))
                      .value();
    return v;
  };
  Vote a = sign({VoteType::kPrecommit, 3, 1, Filled(1), 10, 2, {}});
  Vote b = sign({VoteType::kPrecommit, 3, 1, Filled(2), 11, 2, {}});
  EXPECT_TRUE(VerifyDuplicateVote(chain.genesis().chain_id(), set, {a, b}).ok());
  EXPECT_FALSE(VerifyDuplicateVote(chain.genesis().chain_id(), set, {a, a}).ok());
  Vote other_round = sign({VoteType::kPrecommit, 3, 2, Filled(2), 11, 2, {}});
  EXPECT_FALSE(VerifyDuplicateVote(chain.genesis().chain_id(), set, {a, other_round}).ok());
  Vote forged = b;
  forged.validator_index = 1;
  EXPECT_FALSE(VerifyDuplicateVote(chain.genesis().chain_id(), set, {a, forged}).ok());
  b.signature[0] ^= 1;
  EXPECT_EQ(ErrorCodeOf(VerifyDuplicateVote(chain.genesis().chain_id(), set, {a, b})),
            ErrorCode::kBlockWrongEvidence);
}

}  // namespace
}  // namespace evidence::ledger
