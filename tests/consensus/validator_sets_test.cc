#include "node/consensus/validator_sets.h"

#include <gtest/gtest.h>

#include "ledger/governance.h"
#include "tests/consensus/fakes.h"
#include "tests/ledger/test_chain.h"

namespace evidence::consensus {
namespace {

TEST(ValidatorSetsTest, FixedGivesOneSetSinceGenesisAtEveryHeight) {
  FixedValidatorSets sets(testing::MakeValidatorSet({1, 2, 3, 4}));
  for (uint64_t height : {1u, 2u, 1000u}) {
    HeightValidators validators = sets.ForHeight(height);
    ASSERT_NE(validators.set, nullptr);
    EXPECT_EQ(validators.set.get(), &sets.set());
    EXPECT_EQ(validators.since, 1u);
  }
  EXPECT_EQ(sets.set().total_power(), 10u);
}

// The register's validators and validators_since, per height, through the
// function the node gives (here: a key rotation committed at height 40 decides
// from 42 on, as ledger/governance.h says).
TEST(ValidatorSetsTest, RegisterSetsFollowTheRegisterInForceAtEachHeight) {
  ledger::testing::TestChainOptions options;
  options.governed = true;
  options.fixed_keys = true;
  ledger::testing::TestChain chain(options);
  ledger::GovernanceStatePtr genesis = ledger::GovernanceState::FromGenesis(chain.genesis());
  crypto::PrivateKey vote = crypto::PrivateKey::FromPem(
      ledger::testing::FixedTestKeyPem(ledger::testing::kSpareKeysFirst)).value();
  ledger::GovernanceAction action;
  action.chain_id = chain.genesis().chain_id();
  action.seq = genesis->next_seq();
  action.body = ledger::RotateValidatorKeys{"court", vote.public_key(), std::nullopt, std::nullopt};
  for (size_t admin : {0, 1, 2}) ASSERT_TRUE(ledger::SignAction(chain.admin_key(admin), action).ok());
  auto rotated = ledger::ApplyAction(*genesis, action, ledger::ActionContext{40, 1767225700000});
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  ledger::GovernanceStatePtr after = std::move(rotated).value();
  ASSERT_EQ(after->validators_since(), 42u);

  RegisterValidatorSets sets([&](uint64_t height) -> ledger::GovernanceStatePtr {
    if (height > 100) return nullptr;  // not known (yet)
    return height < after->validators_since() ? genesis : after;
  });
  HeightValidators before = sets.ForHeight(41);
  ASSERT_NE(before.set, nullptr);
  EXPECT_EQ(before.since, 1u);
  EXPECT_EQ(before.set.get(), &genesis->validator_set());
  HeightValidators from = sets.ForHeight(42);
  ASSERT_NE(from.set, nullptr);
  EXPECT_EQ(from.since, 42u);
  EXPECT_EQ(from.set->IndexOfKey(vote.key_id()), 2) << "the court's new vote key, in place";
  EXPECT_EQ(before.set->IndexOfKey(vote.key_id()), -1);
  EXPECT_EQ(sets.ForHeight(101).set, nullptr);
  // The set keeps its register alive after everyone else let go of it.
  const ledger::ValidatorSet* set = from.set.get();
  after.reset();
  EXPECT_EQ(set->size(), 4u);
  EXPECT_EQ(set->at(2).vote_key.key_id(), vote.key_id());
}

}  // namespace
}  // namespace evidence::consensus
