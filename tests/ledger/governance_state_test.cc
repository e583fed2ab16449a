#include "ledger/governance_state.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ledger/json.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

testing::TestChainOptions Governed() {
  testing::TestChainOptions options;
  options.governed = true;
  options.fixed_keys = true;
  return options;
}

TEST(GovernanceState, FromGenesisHoldsTheRegister) {
  testing::TestChain chain(Governed());
  GovernanceStatePtr state = GovernanceState::FromGenesis(chain.genesis());
  EXPECT_TRUE(state->governed());
  EXPECT_EQ(state->chain_id(), chain.genesis().chain_id());
  EXPECT_EQ(state->next_seq(), 1u);
  EXPECT_EQ(state->validators_since(), 1u);
  EXPECT_EQ(state->validator_set_hash(), chain.genesis().validator_set_hash());
  EXPECT_EQ(state->params(), chain.genesis().params());
  ASSERT_EQ(state->admins().size(), 4u);
  EXPECT_EQ(state->admins()[0].active_keys(), 1u);
  const RegisteredKey* key = nullptr;
  const AdminEntry* admin = state->FindAdminOfKey(chain.admin_key(2).key_id(), &key);
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->institution, "泗水县人民法院");
  EXPECT_FALSE(key->revoked.has_value());
  EXPECT_EQ(state->FindAdminOfKey(chain.agency_key(0).key_id(), nullptr), nullptr);
  EXPECT_EQ(state->FindAdmin("泗水县公证处"), &state->admins()[3]);
  // Agencies and their keys.
  const std::string& agency = chain.agency_id(0);
  ASSERT_NE(state->FindActiveAgencyKey(agency, chain.agency_key(0).key_id()), nullptr);
  EXPECT_EQ(state->FindActiveAgencyKey(agency, chain.agency_key(1).key_id()), nullptr)
      << "another agency's key";
  EXPECT_EQ(state->FindActiveAgencyKey("nobody", chain.agency_key(0).key_id()), nullptr);
  EXPECT_NE(state->FindAgency(agency), nullptr);
  EXPECT_NE(state->FindValidator("court"), nullptr);
  EXPECT_EQ(state->FindObserver("court"), nullptr);
  EXPECT_NE(state->FindReader("court-reader"), nullptr);
  for (const crypto::PrivateKey* k :
       {&chain.admin_key(0), &chain.agency_key(1), &chain.validator_key(3)}) {
    EXPECT_TRUE(state->KeyEverUsed(k->key_id()));
  }
  EXPECT_TRUE(state->KeyEverUsed(chain.genesis().validators()[0].node_key.key_id()));
  EXPECT_FALSE(state->KeyEverUsed(
      crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst)).value().key_id()));
}

TEST(GovernanceState, JsonAndHashArePinned) {
  testing::TestChain chain(Governed());
  GovernanceStatePtr state = GovernanceState::FromGenesis(chain.genesis());
  boost::json::value json = state->ToJson();
  const boost::json::object& object = json.as_object();
  for (const char* member : {"v", "chain_id", "hash", "genesis_time_ms", "next_seq", "params",
                             "validators_since", "admins", "validators", "observers", "agencies",
                             "readers", "retired_keys"}) {
    EXPECT_TRUE(object.contains(member)) << member;
  }
  EXPECT_EQ(object.size(), 13u);
  std::string jcs = CanonicalJson(json).value();
  crypto::Hasher hasher(crypto::HashAlgorithm::kSha256);
  hasher.Update(kStateHashDomain).Update(jcs);
  EXPECT_EQ(state->Hash(), hasher.Finish());
  // Same genesis, same state hash; the fixed keys pin it (docs/governance.md
  // specifies the document; a change of it changes this value).
  testing::TestChain again(Governed());
  EXPECT_EQ(GovernanceState::FromGenesis(again.genesis())->Hash(), state->Hash());
  EXPECT_EQ(crypto::DigestHex(state->Hash()),
            "2d37b976abb56d51502bb701a5c5a173fb1b1e906babd78facbd0101054955fc");
}

TEST(GovernanceState, VersionOneChainsAreNotGoverned) {
  testing::TestChain chain;
  GovernanceStatePtr state = GovernanceState::FromGenesis(chain.genesis());
  EXPECT_FALSE(state->governed());
  EXPECT_TRUE(state->admins().empty());
  EXPECT_EQ(state->params(), kLegacyChainParams);
}

}  // namespace
}  // namespace evidence::ledger
