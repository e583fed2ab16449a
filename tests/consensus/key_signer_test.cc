#include "node/consensus/key_signer.h"

#include <gtest/gtest.h>

#include "node/consensus/core.h"
#include "node/consensus/validator_sets.h"
#include "tests/consensus/fakes.h"

namespace evidence::consensus {
namespace {

struct RealValidators {
  explicit RealValidators(crypto::SignatureAlgorithm algorithm, size_t count) {
    std::vector<ledger::Validator> list;
    for (size_t i = 0; i < count; ++i) {
      auto key = crypto::PrivateKey::Generate(algorithm);
      EVIDENCE_CHECK(key.ok());
      list.push_back({"v" + std::to_string(i), "test", key->public_key(), 1});
      keys.push_back(std::move(key).value());
    }
    auto created = ledger::ValidatorSet::Create(std::move(list));
    EVIDENCE_CHECK(created.ok());
    set = std::make_unique<ledger::ValidatorSet>(std::move(created).value());
  }
  std::vector<crypto::PrivateKey> keys;
  std::unique_ptr<ledger::ValidatorSet> set;
};

TEST(KeySignerTest, SignsVotesThatTheValidatorSetVerifies) {
  for (auto algorithm : {crypto::SignatureAlgorithm::kP256, crypto::SignatureAlgorithm::kEd25519,
                         crypto::SignatureAlgorithm::kSm2}) {
    RealValidators validators(algorithm, 3);
    KeySigner signer(validators.keys[1]);
    ValidatorSetVerifier verifier;
    const ledger::ValidatorSet& set = *validators.set;
    EXPECT_TRUE(signer.Holds(set.at(1).vote_key));
    EXPECT_FALSE(signer.Holds(set.at(0).vote_key));
    ledger::Vote vote{ledger::VoteType::kPrevote, 4, 1, {}, 99, 1, {}};
    Bytes message = ledger::VoteSigningBytes("chain", vote);
    Bytes signature = signer.Sign(set.at(1).vote_key, message);
    EXPECT_TRUE(verifier.Verify(set, 1, message, signature));
    EXPECT_FALSE(verifier.Verify(set, 0, message, signature));  // someone else's key
    EXPECT_FALSE(verifier.Verify(set, 7, message, signature));  // not in the set
    message.back() ^= 1;
    EXPECT_FALSE(verifier.Verify(set, 1, message, signature));
  }
}

// A rotation (rotate-validator-keys): the signer holds the key in force and
// the next one, and signs with the one the set of the height names.
TEST(KeySignerTest, HoldsTheNextVoteKeyOfARotation) {
  RealValidators validators(crypto::SignatureAlgorithm::kEd25519, 3);
  KeySigner signer(validators.keys[1], &validators.keys[2]);  // key 2 plays the next key
  ValidatorSetVerifier verifier;
  const ledger::ValidatorSet& set = *validators.set;
  EXPECT_TRUE(signer.Holds(set.at(1).vote_key));
  EXPECT_TRUE(signer.Holds(set.at(2).vote_key));
  EXPECT_FALSE(signer.Holds(set.at(0).vote_key));
  Bytes message = ToBytes("vote bytes");
  EXPECT_TRUE(verifier.Verify(set, 1, message, signer.Sign(set.at(1).vote_key, message)));
  EXPECT_TRUE(verifier.Verify(set, 2, message, signer.Sign(set.at(2).vote_key, message)));
  EXPECT_FALSE(verifier.Verify(set, 1, message, signer.Sign(set.at(2).vote_key, message)));
  EXPECT_DEATH(signer.Sign(set.at(0).vote_key, message), "");
  EXPECT_DEATH(KeySigner(validators.keys[1], &validators.keys[1]), "");
}

// A one-validator chain with real keys commits on its own, and the commit it
// produces passes the ledger's VerifyCommit (what receipts check).
TEST(KeySignerTest, SingleValidatorCommitVerifiesWithLedgerRules) {
  RealValidators validators(crypto::SignatureAlgorithm::kP256, 1);
  KeySigner signer(validators.keys[0]);
  ValidatorSetVerifier verifier;
  testing::FakeBlocks blocks;
  CoreConfig config;
  config.chain_id = "real";
  FixedValidatorSets sets(*validators.set);
  ConsensusCore core(config, sets, &signer, verifier, blocks);
  core.Start(1, 0, 1000);
  core.OnBlockReady(1, Bytes{1, 2, 3}, 1000);
  std::vector<CommitEffect> commits;
  for (const Effect& effect : core.TakeEffects()) {
    if (const auto* c = std::get_if<CommitEffect>(&effect)) commits.push_back(*c);
  }
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_TRUE(ledger::VerifyCommit("real", *validators.set, commits[0].commit).ok());
  EXPECT_FALSE(ledger::VerifyCommit("other-chain", *validators.set, commits[0].commit).ok());
  EXPECT_EQ(core.height(), 2u);
}

}  // namespace
}  // namespace evidence::consensus
