#include "ledger/vote.h"

#include <gtest/gtest.h>

#include <cereal/archives/binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>

#include "common/encoding.h"

namespace evidence::ledger {
namespace {

constexpr std::string_view kChain = "evidence-test";

crypto::Digest Counting() {
  crypto::Digest d;
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i);
  return d;
}

TEST(VoteSigningBytes, GoldenPrecommit) {
  Vote vote;
  vote.type = VoteType::kPrecommit;
  vote.height = 0x0102030405060708;
  vote.round = 9;
  vote.block_hash = Counting();
  vote.timestamp_ms = 1767225600000;
  vote.validator_index = 3;  // not part of the bytes
  EXPECT_EQ(HexEncode(VoteSigningBytes(kChain, vote)),
            "45564944454e43452d564f54452f76310a0d65766964656e63652d74657374020102030405060708"
            "00000009000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0000019b"
            "76daa800");
}

TEST(VoteSigningBytes, GoldenNilPrevoteEmptyChainNegativeTime) {
  Vote vote;
  vote.type = VoteType::kPrevote;
  vote.height = 1;
  vote.timestamp_ms = -1;
  EXPECT_TRUE(vote.is_nil());
  EXPECT_EQ(HexEncode(VoteSigningBytes("", vote)),
            "45564944454e43452d564f54452f76310a0001000000000000000100000000000000000000000000"
            "0000000000000000000000000000000000000000000000ffffffffffffffff");
}

TEST(VoteSigningBytes, ValidatorIndexAndSignatureNotBound) {
  Vote a;
  a.block_hash = Counting();
  Vote b = a;
  b.validator_index = 7;
  b.signature = {1, 2, 3};
  EXPECT_EQ(VoteSigningBytes(kChain, a), VoteSigningBytes(kChain, b));
  EXPECT_FALSE(a.is_nil());
  b.round = 1;
  EXPECT_NE(VoteSigningBytes(kChain, a), VoteSigningBytes(kChain, b));
  EXPECT_NE(VoteSigningBytes(kChain, a), VoteSigningBytes("other-chain", a));
}

TEST(Vote, CerealRoundTrip) {
  Vote vote;
  vote.type = VoteType::kPrecommit;
  vote.height = 12;
  vote.round = 3;
  vote.block_hash = Counting();
  vote.timestamp_ms = 99;
  vote.validator_index = 2;
  vote.signature = {9, 8, 7};
  Commit commit{12, 3, Counting(), {{0, 5, {1}}, {2, 6, {2, 3}}}};
  std::stringstream stream;
  {
    cereal::BinaryOutputArchive out(stream);
    out(vote, commit);
  }
  Vote vote_back;
  Commit commit_back;
  cereal::BinaryInputArchive in(stream);
  in(vote_back, commit_back);
  EXPECT_EQ(vote_back, vote);
  EXPECT_EQ(commit_back, commit);
}

// Two fixed Ed25519 public keys, with their key ids (hex SHA-256 of the SPKI DER).
constexpr std::string_view kPem1 =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAQYNP0rZa6Skn5ZerBAMAmywztQZdiIcs0bBOu93zS3k=\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view kPem2 =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAEPOInfC8DqhFCB/Sgl9dRYAhPTF25t4/QZAkOS12HRg=\n"
    "-----END PUBLIC KEY-----\n";

Validator Fixed(std::string_view pem, uint64_t power) {
  return Validator{"v", "i", crypto::PublicKey::FromPem(pem).value(), power};
}

TEST(ValidatorSet, GoldenHash) {
  auto set = ValidatorSet::Create({Fixed(kPem1, 1), Fixed(kPem2, 3)});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->at(0).vote_key.key_id(),
            "078ab52b66451d4d4e87badae1dae4b9167c88cbf2f81b073121e1a66d035748");
  // sha256("<id1>:1\n<id2>:3\n")
  EXPECT_EQ(crypto::DigestHex(set->Hash(crypto::HashAlgorithm::kSha256)),
            "4570e265558ba1d992a99542831f0f1bd49ee331e5851d301d4c5afcd471ef47");
  EXPECT_EQ(crypto::DigestHex(set->Hash(crypto::HashAlgorithm::kSm3)),
            "7c70fd7be0f0ddfee1b3258b2af9d64c3ffa227049fb2833a0b8084df7320026");
  EXPECT_EQ(set->total_power(), 4u);
  EXPECT_EQ(set->IndexOfKey("894c82e9d18e339e77d07fd7a60eaeaf0208cad1b7f1aaf7c3d4f3fa4c92ad34"), 1);
  EXPECT_EQ(set->IndexOfKey("00"), -1);
}

TEST(ValidatorSet, RefusesEmptyZeroPowerDuplicateKeysAndOverflow) {
  EXPECT_FALSE(ValidatorSet::Create({}).ok());
  EXPECT_FALSE(ValidatorSet::Create({Fixed(kPem1, 0)}).ok());
  EXPECT_FALSE(ValidatorSet::Create({Fixed(kPem1, 1), Fixed(kPem1, 1)}).ok());
  EXPECT_FALSE(ValidatorSet::Create({Fixed(kPem1, uint64_t{1} << 60), Fixed(kPem2, 1)}).ok());
  EXPECT_TRUE(ValidatorSet::Create({Fixed(kPem1, uint64_t{1} << 59), Fixed(kPem2, 1)}).ok());
}

TEST(ValidatorSet, QuorumBoundaries) {
  auto set = ValidatorSet::Create({Fixed(kPem1, 1), Fixed(kPem2, 2)}).value();  // total 3
  EXPECT_FALSE(set.IsQuorum(2));  // exactly 2/3 is not a quorum
  EXPECT_TRUE(set.IsQuorum(3));
  EXPECT_FALSE(set.IsOneThirdPlus(1));  // exactly 1/3
  EXPECT_TRUE(set.IsOneThirdPlus(2));
}

// A validator set of real signing keys with chosen powers.
class CommitTest : public ::testing::Test {
 protected:
  void Build(const std::vector<uint64_t>& powers) {
    keys_.clear();
    std::vector<Validator> validators;
    for (size_t i = 0; i < powers.size(); ++i) {
      keys_.push_back(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value());
      validators.push_back(
          {"v" + std::to_string(i), "inst", keys_.back().public_key(), powers[i]});
    }
    set_ = std::make_unique<ValidatorSet>(ValidatorSet::Create(std::move(validators)).value());
  }

  CommitSignature Sign(uint32_t index, uint64_t height, uint32_t round,
                       const crypto::Digest& hash, int64_t timestamp_ms,
                       std::string_view chain = kChain) {
    Vote vote{VoteType::kPrecommit, height, round, hash, timestamp_ms, index, {}};
    CommitSignature s{index, timestamp_ms, keys_[index].Sign(VoteSigningBytes(chain, vote)).value()};
    return s;
  }

  Commit Make(const std::vector<uint32_t>& signers, uint64_t height = 5, uint32_t round = 1) {
    Commit commit{height, round, Counting(), {}};
    for (uint32_t index : signers) {
      commit.signatures.push_back(Sign(index, height, round, commit.block_hash, 1000 + index * 10));
    }
    return commit;
  }

  std::vector<crypto::PrivateKey> keys_;
  std::unique_ptr<ValidatorSet> set_;
};

TEST_F(CommitTest, AcceptsMoreThanTwoThirds) {
  Build({1, 1, 1, 1});
  EXPECT_TRUE(VerifyCommit(kChain, *set_, Make({0, 1, 2})).ok());
  EXPECT_TRUE(VerifyCommit(kChain, *set_, Make({0, 1, 2, 3})).ok());
  EXPECT_TRUE(VerifyCommit(kChain, *set_, Make({1, 2, 3})).ok());
}

TEST_F(CommitTest, ExactlyTwoThirdsIsNotAQuorum) {
  Build({1, 1, 1});
  Status status = VerifyCommit(kChain, *set_, Make({0, 2}));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not more than 2/3"), std::string::npos) << status.message();
  EXPECT_TRUE(VerifyCommit(kChain, *set_, Make({0, 1, 2})).ok());
}

TEST_F(CommitTest, WeightedQuorumBoundary) {
  Build({2, 1, 1, 2});  // total 6: 4 is exactly 2/3, 5 is enough
  EXPECT_FALSE(VerifyCommit(kChain, *set_, Make({0, 3})).ok());
  EXPECT_FALSE(VerifyCommit(kChain, *set_, Make({0, 1, 2})).ok());
  EXPECT_TRUE(VerifyCommit(kChain, *set_, Make({0, 1, 3})).ok());
}

TEST_F(CommitTest, RefusesUnsortedRepeatedAndUnknownSigners) {
  Build({1, 1, 1, 1});
  Commit unsorted = Make({0, 2, 1});
  EXPECT_FALSE(VerifyCommit(kChain, *set_, unsorted).ok());
  Commit repeated = Make({0, 1, 1, 2});
  Status status = VerifyCommit(kChain, *set_, repeated);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("strictly increasing"), std::string::npos);
  // Repeats alone must never reach the quorum: 0,1,1 would count 3 of 4.
  EXPECT_FALSE(VerifyCommit(kChain, *set_, Make({0, 1, 1})).ok());
  Commit unknown = Make({0, 1, 2});
  unknown.signatures.push_back(unknown.signatures.back());
  unknown.signatures.back().validator_index = 4;
  status = VerifyCommit(kChain, *set_, unknown);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("unknown validator index 4"), std::string::npos);
}

TEST_F(CommitTest, RefusesBadSignatures) {
  Build({1, 1, 1, 1});
  Commit commit = Make({0, 1, 2});
  commit.signatures[1].signature[0] ^= 1;
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());

  commit = Make({0, 1, 2});
  commit.signatures[2].timestamp_ms += 1;  // the timestamp is signed
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());

  commit = Make({0, 1, 2});
  commit.signatures[2].validator_index = 3;  // signed by 2, claimed by 3
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());

  commit = Make({0, 1, 2});
  commit.round = 2;
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());
  commit = Make({0, 1, 2});
  commit.height = 6;
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());
  commit = Make({0, 1, 2});
  commit.block_hash[31] ^= 1;
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());
  EXPECT_FALSE(VerifyCommit("other-chain", *set_, Make({0, 1, 2})).ok());

  commit = Make({0, 1, 2});
  commit.signatures[0].signature.clear();
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());
  commit.signatures[0].signature.assign(1000, 0);
  EXPECT_FALSE(VerifyCommit(kChain, *set_, commit).ok());
}

TEST_F(CommitTest, RefusesEmptyNilAndHeightZero) {
  Build({1, 1, 1, 1});
  Commit empty{5, 0, Counting(), {}};
  EXPECT_FALSE(VerifyCommit(kChain, *set_, empty).ok());
  Commit nil{5, 0, crypto::Digest{}, {}};
  for (uint32_t i = 0; i < 3; ++i) nil.signatures.push_back(Sign(i, 5, 0, nil.block_hash, 1));
  EXPECT_FALSE(VerifyCommit(kChain, *set_, nil).ok());
  Commit zero{0, 0, Counting(), {}};
  for (uint32_t i = 0; i < 3; ++i) zero.signatures.push_back(Sign(i, 0, 0, zero.block_hash, 1));
  EXPECT_FALSE(VerifyCommit(kChain, *set_, zero).ok());
  EXPECT_FALSE(VerifyCommit(std::string(65, 'c'), *set_, Make({0, 1, 2})).ok());
}

TEST_F(CommitTest, MedianTimeEqualPower) {
  Build({1, 1, 1, 1});
  Commit commit{5, 0, Counting(), {}};
  commit.signatures = {Sign(0, 5, 0, commit.block_hash, 300), Sign(1, 5, 0, commit.block_hash, 100),
                       Sign(2, 5, 0, commit.block_hash, 200)};
  EXPECT_EQ(CommitMedianTimeMs(*set_, commit), 200);
  commit.signatures.push_back(Sign(3, 5, 0, commit.block_hash, 50));
  // 50,100,200,300: more than half (3 of 4) is reached at 200.
  EXPECT_EQ(CommitMedianTimeMs(*set_, commit), 200);
}

TEST_F(CommitTest, MedianTimeWeighted) {
  Build({5, 1, 1, 1});
  Commit commit{5, 0, Counting(), {}};
  commit.signatures = {Sign(0, 5, 0, commit.block_hash, 900), Sign(1, 5, 0, commit.block_hash, 100),
                       Sign(2, 5, 0, commit.block_hash, 200)};
  // Sorted 100(1), 200(1), 900(5): half of 7 is passed only at 900.
  EXPECT_EQ(CommitMedianTimeMs(*set_, commit), 900);
  // One faulty validator among many cannot move the median alone.
  Build({1, 1, 1, 1});
  commit.signatures = {Sign(0, 5, 0, commit.block_hash, 1000),
                       Sign(1, 5, 0, commit.block_hash, 1001),
                       Sign(2, 5, 0, commit.block_hash, 9'000'000'000)};
  EXPECT_EQ(CommitMedianTimeMs(*set_, commit), 1001);
}

}  // namespace
}  // namespace evidence::ledger
