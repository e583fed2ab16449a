#include "ledger/governance.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ledger/json.h"
#include "ledger/validation.h"
#include "tests/ledger/test_chain.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::ledger {
namespace {

using testing::TestChain;

testing::TestChainOptions Governed() {
  testing::TestChainOptions options;
  options.governed = true;
  options.fixed_keys = true;
  return options;
}

crypto::PrivateKey Spare(size_t i) {
  return crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst + i)).value();
}

crypto::CaCertificate TsaCa(const char* name) {
  return crypto::ParseCaCertificate(evidence::testing::MakeTsaInstitution(name).ca_pem).value();
}

crypto::PrivateKey Fresh() { return crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value(); }

class Governance : public ::testing::Test {
 protected:
  Governance() : chain_(Governed()), state_(GovernanceState::FromGenesis(chain_.genesis())) {}

  // An action at the next sequence number, signed by the admins of `signers`.
  GovernanceAction Make(ActionBody body, std::vector<size_t> signers = {0, 1, 2}) {
    GovernanceAction action;
    action.chain_id = chain_.genesis().chain_id();
    action.seq = state_->next_seq();
    action.body = std::move(body);
    for (size_t i : signers) EVIDENCE_CHECK(SignAction(chain_.admin_key(i), action).ok());
    return action;
  }
  Result<GovernanceStatePtr> Try(const GovernanceAction& action) {
    return ApplyAction(*state_, action, ActionContext{height_, 1767225700000});
  }
  // Applies and keeps the new state; fails the test when refused.
  void Apply(ActionBody body, std::vector<size_t> signers = {0, 1, 2}) {
    Result<GovernanceStatePtr> next = Try(Make(std::move(body), std::move(signers)));
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ((*next)->next_seq(), state_->next_seq() + 1);
    EXPECT_NE((*next)->Hash(), state_->Hash());
    state_ = std::move(next).value();
  }
  ErrorCode Refusal(ActionBody body, std::vector<size_t> signers = {0, 1, 2}) {
    Result<GovernanceStatePtr> next = Try(Make(std::move(body), std::move(signers)));
    EXPECT_FALSE(next.ok());
    if (next.ok()) return ErrorCode::kGovernanceMalformed;
    return ErrorCodeOf(next.status()).value();
  }
  GenesisValidator NewValidator(std::string name, const crypto::PrivateKey& vote,
                                const crypto::PrivateKey& node, uint64_t power = 1,
                                std::string institution = "泗水县司法局") {
    return GenesisValidator{std::move(name), std::move(institution), vote.public_key(),
                            node.public_key(), power, "127.0.0.1:26660"};
  }

  TestChain chain_;
  GovernanceStatePtr state_;
  uint64_t height_ = 7;
};

// ---------------------------------------------------------------- format

TEST_F(Governance, JsonRoundTripLeafAndSigningBytes) {
  GovernanceAction action = Make(RevokeAgencyKey{chain_.agency_id(0), chain_.agency_key(0).key_id(),
                                                 "compromised", 1767225000000});
  std::string leaf = ActionLeaf(action);
  auto parsed = ParseAction(leaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(ActionLeaf(*parsed), leaf);
  EXPECT_EQ(parsed->sigs, action.sigs);
  EXPECT_EQ(parsed->type(), ActionType::kRevokeAgencyKey);
  Bytes signing = ActionSigningBytes(action);
  std::string text(signing.begin(), signing.end());
  EXPECT_EQ(text.rfind("EVIDENCE-GOVERNANCE/v1\n", 0), 0u);
  EXPECT_EQ(text.find("sigs"), std::string::npos) << "signatures are not signed";
  EXPECT_EQ(text.substr(23),
            "{\"action\":\"revoke-agency-key\",\"agency_id\":\"sishui-market-supervision\","
            "\"chain_id\":\"test-chain\",\"effective_ms\":1767225000000,\"key_id\":\"" +
                chain_.agency_key(0).key_id() + "\",\"reason\":\"compromised\",\"seq\":1,\"v\":1}");
  EXPECT_EQ(ActionId(crypto::HashAlgorithm::kSha256, action), crypto::Hash(crypto::HashAlgorithm::kSha256, signing));
  // Fixed keys and Ed25519: the leaf is reproducible byte for byte.
  EXPECT_EQ(crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, leaf)),
            crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, ActionLeaf(Make(RevokeAgencyKey{
                chain_.agency_id(0), chain_.agency_key(0).key_id(), "compromised", 1767225000000})))));
}

TEST_F(Governance, EveryActionTypeRoundTrips) {
  crypto::PrivateKey a = Spare(0), b = Spare(1);
  std::vector<ActionBody> bodies = {
      AddAgency{{"new-agency", "新机构", "泗水县人民政府", {a.public_key()}}},
      RemoveAgency{"x"},
      AddAgencyKey{"x", a.public_key()},
      RevokeAgencyKey{"x", a.key_id(), "rotated", 1},
      AddReader{{"r", "court", crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("t")), std::nullopt}},
      AddReader{{"r2", "court", std::nullopt, a.public_key()}},
      RemoveReader{"r"},
      AddValidator{NewValidator("v5", a, b)},
      RemoveValidator{"court"},
      SetPower{"court", 2},
      RotateValidatorKeys{"court", a.public_key(), std::nullopt, std::string("10.0.0.1:1")},
      AddObserver{{"o", "泗水县审计局", b.public_key(), "h:1"}},
      RemoveObserver{"o"},
      AddAdminKey{"泗水县审计局", a.public_key()},
      RevokeAdminKey{"泗水县审计局", a.key_id()},
      SetParams{boost::json::object{{"record_past_window_ms", 1000}}},
      AddWitness{{"witness.example.org/w1", a.public_key()}},
      RemoveWitness{"witness.example.org/w1"},
      SetTsaCa{"泗水县人民法院", TsaCa("Court CA")},
  };
  std::set<ActionType> seen;
  for (const ActionBody& body : bodies) {
    GovernanceAction action = Make(body, {0});
    auto parsed = ParseAction(ActionLeaf(action));
    ASSERT_TRUE(parsed.ok()) << ActionTypeName(action.type()) << ": " << parsed.status().ToString();
    EXPECT_EQ(ActionLeaf(*parsed), ActionLeaf(action));
    EXPECT_EQ(ParseActionType(ActionTypeName(action.type())).value(), action.type());
    seen.insert(action.type());
  }
  EXPECT_EQ(seen.size(), kActionTypes) << "every action type is tested";
}

TEST_F(Governance, SignaturesAreSortedAndOnePerKey) {
  GovernanceAction action = Make(RemoveReader{"court-reader"}, {3, 0, 2});
  ASSERT_EQ(action.sigs.size(), 3u);
  EXPECT_LT(action.sigs[0].key_id, action.sigs[1].key_id);
  EXPECT_LT(action.sigs[1].key_id, action.sigs[2].key_id);
  EXPECT_EQ(ErrorCodeOf(SignAction(chain_.admin_key(2), action)), ErrorCode::kGovernanceConflict);
  // Whatever order the admins sign in, the leaf is the same.
  EXPECT_EQ(ActionLeaf(action), ActionLeaf(Make(RemoveReader{"court-reader"}, {2, 3, 0})));
}

TEST_F(Governance, ParseRefusesMalformedActions) {
  std::string leaf = ActionLeaf(Make(RemoveReader{"court-reader"}));
  auto mutate = [&](auto change) {
    boost::json::value value = boost::json::parse(leaf);
    change(value.as_object());
    return ParseAction(CanonicalJson(value).value());
  };
  struct Case {
    std::string name;
    std::function<void(boost::json::object&)> change;
    ErrorCode code;
  };
  std::vector<Case> cases = {
      {"unknown member", [](auto& a) { a["extra"] = 1; }, ErrorCode::kGovernanceMalformed},
      {"missing operand", [](auto& a) { a.erase("reader_id"); }, ErrorCode::kGovernanceMalformed},
      {"other action's operand", [](auto& a) { a["agency_id"] = "x"; }, ErrorCode::kGovernanceMalformed},
      {"unknown action", [](auto& a) { a["action"] = "grant-everything"; }, ErrorCode::kGovernanceUnknownAction},
      {"v 2", [](auto& a) { a["v"] = 2; }, ErrorCode::kGovernanceMalformed},
      {"seq 0", [](auto& a) { a["seq"] = 0; }, ErrorCode::kGovernanceMalformed},
      {"seq negative", [](auto& a) { a["seq"] = -1; }, ErrorCode::kGovernanceMalformed},
      {"no sigs", [](auto& a) { a.erase("sigs"); }, ErrorCode::kGovernanceMalformed},
      {"sigs unsorted",
       [](auto& a) {
         auto& sigs = a["sigs"].as_array();
         std::swap(sigs[0], sigs[1]);
       },
       ErrorCode::kGovernanceMalformed},
      {"sig repeated",
       [](auto& a) {
         auto& sigs = a["sigs"].as_array();
         sigs[1] = sigs[0];
       },
       ErrorCode::kGovernanceMalformed},
      {"bad alg", [](auto& a) { a["sigs"].as_array()[0].as_object()["alg"] = "rsa"; }, ErrorCode::kGovernanceMalformed},
      {"bad base64", [](auto& a) { a["sigs"].as_array()[0].as_object()["value"] = "!!"; }, ErrorCode::kGovernanceMalformed},
      {"bad key id", [](auto& a) { a["sigs"].as_array()[0].as_object()["key"] = "AB"; }, ErrorCode::kGovernanceMalformed},
  };
  for (const Case& c : cases) {
    auto parsed = mutate(c.change);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(ErrorCodeOf(parsed.status()), c.code) << c.name << ": " << parsed.status().message();
  }
  EXPECT_FALSE(ParseAction("[]").ok());
  EXPECT_FALSE(ParseAction(std::string(limits::kGovernanceActionBytesMax + 1, ' ')).ok());
  auto bad_reason = ParseAction(ActionLeaf(Make(RevokeAgencyKey{"x", Spare(0).key_id(), "rotated", 1})));
  ASSERT_TRUE(bad_reason.ok());
  boost::json::value value = boost::json::parse(ActionLeaf(*bad_reason));
  value.as_object()["reason"] = "lost";
  EXPECT_EQ(ErrorCodeOf(ParseAction(CanonicalJson(value).value()).status()), ErrorCode::kGovernanceMalformed);
  value.as_object()["reason"] = "rotated";
  value.as_object()["effective_ms"] = -5;
  EXPECT_EQ(ErrorCodeOf(ParseAction(CanonicalJson(value).value()).status()), ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(ErrorCodeOf(ParseAction(ActionLeaf(Make(RotateValidatorKeys{"court", {}, {}, {}}))).status()),
            ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(ErrorCodeOf(ParseAction(ActionLeaf(Make(SetParams{boost::json::object{}}))).status()),
            ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(ErrorCodeOf(ParseAction(ActionLeaf(Make(SetParams{boost::json::object{{"speed", 1}}}))).status()),
            ErrorCode::kGovernanceMalformed);
}

// ---------------------------------------------------------------- authority

TEST_F(Governance, ChainsWithoutAdminsCannotBeGoverned) {
  TestChain legacy;
  GovernanceStatePtr state = GovernanceState::FromGenesis(legacy.genesis());
  GovernanceAction action = Make(RemoveReader{"court-reader"});
  action.chain_id = legacy.genesis().chain_id();
  EXPECT_EQ(ErrorCodeOf(ApplyAction(*state, action, {1, 0}).status()), ErrorCode::kGovernanceNotGoverned);
}

TEST_F(Governance, ChainSequenceAndSignaturesAreChecked) {
  GovernanceAction action = Make(RemoveReader{"court-reader"});
  GovernanceAction other_chain = action;
  other_chain.chain_id = "other-chain";
  EXPECT_EQ(ErrorCodeOf(Try(other_chain).status()), ErrorCode::kGovernanceChainMismatch);
  GovernanceAction ahead = Make(RemoveReader{"court-reader"});
  ahead.seq = 2;
  ahead.sigs.clear();
  for (size_t i : {0, 1, 2}) ASSERT_TRUE(SignAction(chain_.admin_key(i), ahead).ok());
  auto gap = Try(ahead);
  EXPECT_EQ(ErrorCodeOf(gap.status()), ErrorCode::kGovernanceBadSequence);
  EXPECT_NE(gap.status().message().find("out of order"), std::string::npos);
  ASSERT_TRUE(Try(action).ok());
  state_ = Try(action).value();
  auto replay = Try(action);
  EXPECT_EQ(ErrorCodeOf(replay.status()), ErrorCode::kGovernanceBadSequence);
  EXPECT_NE(replay.status().message().find("replay"), std::string::npos) << replay.status().message();
}

TEST_F(Governance, SignaturesMustBeByLiveAdminsOfEnoughInstitutions) {
  EXPECT_EQ(Refusal(RemoveReader{"court-reader"}, {0, 1}), ErrorCode::kGovernanceTooFewSignatures);
  EXPECT_EQ(Refusal(RemoveReader{"court-reader"}, {}), ErrorCode::kGovernanceTooFewSignatures);
  // A second key of one institution does not count twice.
  crypto::PrivateKey second = Spare(0);
  Apply(AddAdminKey{"泗水县司法局", second.public_key()});
  GovernanceAction twice = Make(RemoveReader{"court-reader"}, {0, 1});
  ASSERT_TRUE(SignAction(second, twice).ok());
  EXPECT_EQ(ErrorCodeOf(Try(twice).status()), ErrorCode::kGovernanceTooFewSignatures);
  // A stranger's key, an agency's key: not admin keys.
  GovernanceAction stranger = Make(RemoveReader{"court-reader"});
  ASSERT_TRUE(SignAction(Fresh(), stranger).ok());
  EXPECT_EQ(ErrorCodeOf(Try(stranger).status()), ErrorCode::kGovernanceUnknownAdminKey);
  GovernanceAction agency = Make(RemoveReader{"court-reader"});
  ASSERT_TRUE(SignAction(chain_.agency_key(0), agency).ok());
  EXPECT_EQ(ErrorCodeOf(Try(agency).status()), ErrorCode::kGovernanceUnknownAdminKey);
  // A forged signature.
  GovernanceAction forged = Make(RemoveReader{"court-reader"});
  forged.sigs[1].value[0] ^= 1;
  EXPECT_EQ(ErrorCodeOf(Try(forged).status()), ErrorCode::kGovernanceBadSignature);
  // Signed, then changed: every signature fails.
  GovernanceAction changed = Make(RemoveReader{"court-reader"});
  std::get<RemoveReader>(changed.body).reader_id = "someone-else";
  EXPECT_EQ(ErrorCodeOf(Try(changed).status()), ErrorCode::kGovernanceBadSignature);
  // A revoked admin key's signature is refused as such.
  Apply(RevokeAdminKey{"泗水县司法局", chain_.admin_key(0).key_id()}, {1, 2, 3});
  EXPECT_EQ(Refusal(RemoveReader{"court-reader"}, {0, 1, 2}), ErrorCode::kGovernanceAdminKeyRevoked);
  GovernanceAction with_new = Make(RemoveReader{"court-reader"}, {1, 2});
  ASSERT_TRUE(SignAction(second, with_new).ok());
  EXPECT_TRUE(Try(with_new).ok()) << "the institution's other key signs for it";
}

// ---------------------------------------------------------------- agencies and readers

TEST_F(Governance, AgenciesComeAndGoAndTheirRecordsWithThem) {
  crypto::PrivateKey key = Spare(0);
  Apply(AddAgency{{"sishui-tax-bureau", "泗水县税务局", "泗水县人民政府", {key.public_key()}}});
  Record record = chain_.UnsignedRecord(0, "c", 1);
  record.agency = "sishui-tax-bureau";
  ASSERT_TRUE(SignRecord(key, record).ok());
  EXPECT_TRUE(CheckRecord(*state_, record, record.time_ms).ok());
  EXPECT_EQ(ErrorCodeOf(CheckRecord(*GovernanceState::FromGenesis(chain_.genesis()), record, record.time_ms)),
            ErrorCode::kRecordUnknownAgency);
  // Ids and keys are never reused.
  EXPECT_EQ(Refusal(AddAgency{{"sishui-tax-bureau", "x", "y", {Fresh().public_key()}}}),
            ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddAgency{{"another", "x", "y", {key.public_key()}}}), ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddAgency{{"another", "x", "y", {chain_.admin_key(3).public_key()}}}),
            ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddAgency{{"another", "x", "y", {chain_.validator_key(1).public_key()}}}),
            ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddAgency{{"bad id!", "x", "y", {Fresh().public_key()}}}), ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(Refusal(AddAgency{{"empty", "x", "y", {}}}), ErrorCode::kGovernanceMalformed);
  // Removal: records refused, removing again or an unknown agency refused, the id stays taken.
  Apply(RemoveAgency{"sishui-tax-bureau"});
  EXPECT_EQ(ErrorCodeOf(CheckRecord(*state_, record, record.time_ms)), ErrorCode::kRecordUnknownAgency);
  EXPECT_EQ(Refusal(RemoveAgency{"sishui-tax-bureau"}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(RemoveAgency{"never-was"}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(AddAgency{{"sishui-tax-bureau", "x", "y", {Fresh().public_key()}}}),
            ErrorCode::kGovernanceConflict);
  const AgencyEntry* removed = state_->FindAgency("sishui-tax-bureau");
  ASSERT_TRUE(removed != nullptr && removed->removed.has_value());
  EXPECT_EQ(removed->removed->height, height_);
}

TEST_F(Governance, KeysAreRotatedAndRevoked) {
  const std::string agency = chain_.agency_id(0);
  crypto::PrivateKey next = Spare(1);
  Apply(AddAgencyKey{agency, next.public_key()});
  Record with_next = chain_.UnsignedRecord(0, "c", 5);
  ASSERT_TRUE(SignRecord(next, with_next).ok());
  EXPECT_TRUE(CheckRecord(*state_, with_next, with_next.time_ms).ok());
  Apply(RevokeAgencyKey{agency, chain_.agency_key(0).key_id(), "rotated", 1767225650000});
  Record with_old = chain_.MakeRecord(0, "c", 6);
  Status refused = CheckRecord(*state_, with_old, with_old.time_ms);
  EXPECT_EQ(ErrorCodeOf(refused), ErrorCode::kRecordKeyRevoked);
  EXPECT_NE(refused.message().find("rotated"), std::string::npos) << refused.message();
  EXPECT_TRUE(CheckRecord(*state_, with_next, with_next.time_ms).ok());
  const RegisteredKey* old = state_->FindAgencyKey(agency, chain_.agency_key(0).key_id());
  ASSERT_TRUE(old != nullptr && old->revoked.has_value());
  EXPECT_EQ(old->revoked->reason, "rotated");
  EXPECT_EQ(old->revoked->effective_ms, 1767225650000);
  EXPECT_EQ(old->revoked->seq, 2u);
  EXPECT_EQ(old->revoked->height, height_);
  EXPECT_EQ(state_->FindActiveAgencyKey(agency, chain_.agency_key(0).key_id()), nullptr);
  // Refusals.
  EXPECT_EQ(Refusal(RevokeAgencyKey{agency, chain_.agency_key(0).key_id(), "rotated", 1}),
            ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddAgencyKey{agency, chain_.agency_key(0).public_key()}), ErrorCode::kGovernanceConflict)
      << "a revoked key never comes back";
  EXPECT_EQ(Refusal(RevokeAgencyKey{agency, chain_.agency_key(1).key_id(), "rotated", 1}),
            ErrorCode::kGovernanceUnknownEntry)
      << "another agency's key";
  EXPECT_EQ(Refusal(RevokeAgencyKey{"nobody", next.key_id(), "rotated", 1}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(AddAgencyKey{"nobody", Fresh().public_key()}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(AddAgencyKey{agency, chain_.agency_key(1).public_key()}), ErrorCode::kGovernanceConflict);
  // The register's JSON shows the revocation.
  std::string json = CanonicalJson(state_->ToJson()).value();
  EXPECT_NE(json.find("\"reason\":\"rotated\""), std::string::npos);
}

TEST_F(Governance, ReadersAreAddedAndRemoved) {
  GenesisReader reader{"procurator-reader", "procuratorate",
                       crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("token")), std::nullopt};
  Apply(AddReader{reader});
  EXPECT_NE(state_->FindReader("procurator-reader"), nullptr);
  EXPECT_EQ(Refusal(AddReader{reader}), ErrorCode::kGovernanceConflict);
  Apply(RemoveReader{"procurator-reader"});
  EXPECT_EQ(state_->FindReader("procurator-reader"), nullptr);
  EXPECT_EQ(Refusal(RemoveReader{"procurator-reader"}), ErrorCode::kGovernanceUnknownEntry);
  reader.role = "not a role";
  EXPECT_EQ(Refusal(AddReader{reader}), ErrorCode::kGovernanceMalformed);
}

// ---------------------------------------------------------------- validators and observers

TEST_F(Governance, ValidatorsJoinFromObserversAndLeave) {
  crypto::PrivateKey vote = Spare(0), node = Spare(1);
  Apply(AddObserver{{"audit-node", "泗水县审计局", node.public_key(), "127.0.0.1:26670"}});
  EXPECT_NE(state_->FindObserver("audit-node"), nullptr);
  const crypto::Digest four = state_->validator_set_hash();
  // The audit bureau has no admin key yet: its validator is refused.
  EXPECT_EQ(Refusal(AddValidator{NewValidator("audit-node", vote, node, 1, "泗水县审计局")}),
            ErrorCode::kGovernanceUnknownEntry);
  Apply(AddAdminKey{"泗水县审计局", Spare(2).public_key()});
  height_ = 20;
  Apply(AddValidator{NewValidator("audit-node", vote, node, 1, "泗水县审计局")});
  EXPECT_EQ(state_->validators().size(), 5u);
  EXPECT_EQ(state_->FindObserver("audit-node"), nullptr) << "promoted";
  EXPECT_NE(state_->validator_set_hash(), four);
  EXPECT_EQ(state_->validators_since(), 20 + kGovernanceActivationDelay);
  EXPECT_EQ(state_->validator_set().IndexOfKey(vote.key_id()), 4);
  // Names and keys are checked.
  EXPECT_EQ(Refusal(AddValidator{NewValidator("court", Fresh(), Fresh())}), ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddValidator{NewValidator("v6", vote, Fresh())}), ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddValidator{NewValidator("v6", Fresh(), node)}), ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddValidator{NewValidator("v6", Fresh(), Fresh(), 0)}), ErrorCode::kGovernanceMalformed);
  // Five validators of power 1: raising one to 2 gives it a third of 6.
  EXPECT_EQ(Refusal(SetPower{"court", 2}), ErrorCode::kGovernanceUnsafeValidatorSet);
  EXPECT_EQ(Refusal(SetPower{"nobody", 1}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(SetPower{"court", 1}), ErrorCode::kGovernanceConflict);
  // Back to four, not below.
  height_ = 30;
  Apply(RemoveValidator{"notary-office"});
  EXPECT_EQ(state_->validators().size(), 4u);
  EXPECT_EQ(state_->validators_since(), 30 + kGovernanceActivationDelay);
  EXPECT_EQ(Refusal(RemoveValidator{"court"}), ErrorCode::kGovernanceUnsafeValidatorSet);
  EXPECT_EQ(Refusal(RemoveValidator{"notary-office"}), ErrorCode::kGovernanceUnknownEntry);
  // Observers leave too.
  Apply(AddObserver{{"spare-node", "泗水县审计局", Fresh().public_key(), "h:1"}});
  EXPECT_EQ(Refusal(AddObserver{{"spare-node", "x", Fresh().public_key(), "h:1"}}), ErrorCode::kGovernanceConflict);
  Apply(RemoveObserver{"spare-node"});
  EXPECT_EQ(Refusal(RemoveObserver{"spare-node"}), ErrorCode::kGovernanceUnknownEntry);
}

TEST_F(Governance, ValidatorKeysRotate) {
  crypto::PrivateKey vote = Spare(0), node = Spare(1);
  height_ = 40;
  const crypto::Digest before = state_->validator_set_hash();
  Apply(RotateValidatorKeys{"court", std::nullopt, node.public_key(), std::string("10.0.0.3:8801")});
  EXPECT_EQ(state_->validator_set_hash(), before) << "node keys and addresses do not vote";
  EXPECT_EQ(state_->validators_since(), 1u);
  EXPECT_EQ(state_->FindValidator("court")->address, "10.0.0.3:8801");
  Apply(RotateValidatorKeys{"court", vote.public_key(), std::nullopt, std::nullopt});
  EXPECT_NE(state_->validator_set_hash(), before);
  EXPECT_EQ(state_->validators_since(), 40 + kGovernanceActivationDelay);
  EXPECT_EQ(state_->validator_set().IndexOfKey(vote.key_id()), 2) << "in place";
  EXPECT_EQ(Refusal(RotateValidatorKeys{"court", chain_.validator_key(2).public_key(), {}, {}}),
            ErrorCode::kGovernanceConflict)
      << "an old vote key never comes back";
  EXPECT_EQ(Refusal(RotateValidatorKeys{"nobody", Fresh().public_key(), {}, {}}), ErrorCode::kGovernanceUnknownEntry);
}

TEST(ValidatorSetSafety, RemovalsKeepFourAndNoOneHoldsAThird) {
  TestChain chain;
  std::vector<GenesisValidator> four = chain.genesis().validators();
  std::vector<GenesisValidator> three(four.begin(), four.begin() + 3);
  EXPECT_EQ(ErrorCodeOf(CheckValidatorSetSafety(four, three)), ErrorCode::kGovernanceUnsafeValidatorSet);
  EXPECT_TRUE(CheckValidatorSetSafety(std::vector<GenesisValidator>(four.begin(), four.begin() + 2), three).ok())
      << "a small chain may grow";
  std::vector<GenesisValidator> heavy = four;
  heavy[0].power = 2;  // 2 of 5: 6 >= 5
  EXPECT_EQ(ErrorCodeOf(CheckValidatorSetSafety(four, heavy)), ErrorCode::kGovernanceUnsafeValidatorSet);
  std::vector<GenesisValidator> seven = four;
  for (int i = 0; i < 3; ++i) seven.push_back(four[0]);
  seven[1].power = 2;  // 2 of 8: 6 < 8
  EXPECT_TRUE(CheckValidatorSetSafety(four, seven).ok());
}

// ---------------------------------------------------------------- admins and params

TEST_F(Governance, AdminKeysKeepGovernanceAble) {
  // A fifth institution joins governance; the threshold moves with set-params.
  crypto::PrivateKey audit = Spare(0);
  Apply(AddAdminKey{"泗水县审计局", audit.public_key()});
  EXPECT_EQ(state_->admins().size(), 5u);
  Apply(SetParams{boost::json::object{{"governance_threshold", 4}}});
  EXPECT_EQ(state_->params().governance_threshold, 4u);
  EXPECT_EQ(Refusal(RemoveReader{"court-reader"}, {0, 1, 2}), ErrorCode::kGovernanceTooFewSignatures);
  GovernanceAction with_audit = Make(RemoveReader{"court-reader"}, {0, 1, 2});
  ASSERT_TRUE(SignAction(audit, with_audit).ok());
  ASSERT_TRUE(Try(with_audit).ok());
  // An institution that runs a validator keeps an admin key.
  EXPECT_EQ(Refusal(RevokeAdminKey{"泗水县司法局", chain_.admin_key(0).key_id()}, {0, 1, 2, 3}),
            ErrorCode::kGovernanceConflict);
  // Revoking down to fewer signing institutions than the threshold is refused.
  GovernanceAction revoke_audit = Make(RevokeAdminKey{"泗水县审计局", audit.key_id()}, {0, 1, 2, 3});
  EXPECT_TRUE(Try(revoke_audit).ok()) << "5 -> 4 institutions, threshold 4";
  state_ = Try(revoke_audit).value();
  EXPECT_EQ(Refusal(SetParams{boost::json::object{{"governance_threshold", 5}}}, {0, 1, 2, 3}),
            ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(Refusal(RevokeAdminKey{"泗水县审计局", audit.key_id()}, {0, 1, 2, 3}), ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(RevokeAdminKey{"nowhere", audit.key_id()}, {0, 1, 2, 3}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(RevokeAdminKey{"泗水县司法局", audit.key_id()}, {0, 1, 2, 3}), ErrorCode::kGovernanceUnknownEntry);
  EXPECT_EQ(Refusal(AddAdminKey{"泗水县审计局", audit.public_key()}, {0, 1, 2, 3}), ErrorCode::kGovernanceConflict);
}

TEST_F(Governance, ParamsChangeWithinTheirBounds) {
  Apply(SetParams{boost::json::object{{"record_past_window_ms", 3600000}, {"block_records_max", 500}}});
  EXPECT_EQ(state_->params().record_past_window_ms, 3600000);
  EXPECT_EQ(state_->params().block_records_max, 500u);
  EXPECT_EQ(state_->params().batch_records_max, limits::kBatchRecordsMax);
  EXPECT_EQ(Refusal(SetParams{boost::json::object{{"block_records_max", 500}}}), ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(SetParams{boost::json::object{{"block_records_max", 0}}}), ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(Refusal(SetParams{boost::json::object{{"governance_threshold", 0}}}), ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(Refusal(SetParams{boost::json::object{{"governance_threshold", 5}}}), ErrorCode::kGovernanceMalformed);
}

// ---------------------------------------------------------------- trusted time

TEST_F(Governance, WitnessesAreAddedAndRemovedAndTheirKeysNeverComeBack) {
  const crypto::PrivateKey witness = Spare(0);
  const crypto::Digest before = state_->Hash();
  Apply(AddWitness{{"witness.example.org/w1", witness.public_key()}});
  ASSERT_NE(state_->FindWitness("witness.example.org/w1"), nullptr);
  EXPECT_EQ(state_->witnesses().size(), 1u);
  EXPECT_TRUE(state_->KeyEverUsed(witness.key_id()));
  auto json = state_->ToJson().as_object();
  ASSERT_TRUE(json.contains("witnesses"));
  EXPECT_EQ(json.at("witnesses").as_array().at(0).as_object().at("name"), "witness.example.org/w1");
  // The same name or the same key again; a key of another entry.
  EXPECT_EQ(Refusal(AddWitness{{"witness.example.org/w1", Spare(1).public_key()}}),
            ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddWitness{{"witness.example.org/w2", witness.public_key()}}),
            ErrorCode::kGovernanceConflict);
  EXPECT_EQ(Refusal(AddWitness{{"witness.example.org/w2", chain_.admin_key(0).public_key()}}),
            ErrorCode::kGovernanceConflict);
  // Names must be note key names; keys Ed25519 (tlog-cosignature/v1).
  EXPECT_EQ(Refusal(AddWitness{{"a witness", Spare(1).public_key()}}), ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(Refusal(AddWitness{{"w+1", Spare(1).public_key()}}), ErrorCode::kGovernanceMalformed);
  const crypto::PrivateKey p256 =
      crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kP256).value();
  EXPECT_EQ(Refusal(AddWitness{{"witness.example.org/w2", p256.public_key()}}),
            ErrorCode::kGovernanceMalformed);
  Apply(RemoveWitness{"witness.example.org/w1"});
  EXPECT_EQ(state_->FindWitness("witness.example.org/w1"), nullptr);
  EXPECT_EQ(Refusal(RemoveWitness{"witness.example.org/w1"}), ErrorCode::kGovernanceUnknownEntry);
  // A removed witness's key is retired: it never comes back, under any name.
  EXPECT_EQ(Refusal(AddWitness{{"witness.example.org/w3", witness.public_key()}}),
            ErrorCode::kGovernanceConflict);
  // With no witness left the register's JSON has no "witnesses" member again.
  EXPECT_FALSE(state_->ToJson().as_object().contains("witnesses"));
  EXPECT_NE(state_->Hash(), before) << "the retired key stays in the register";
}

TEST_F(Governance, AnInstitutionsTsaCaIsSetAndReplaced) {
  const crypto::CaCertificate first = TsaCa("Court CA 2026");
  const crypto::CaCertificate second = TsaCa("Court CA 2027");
  Apply(SetTsaCa{"泗水县人民法院", first});
  ASSERT_NE(state_->FindTsa("泗水县人民法院"), nullptr);
  EXPECT_EQ(state_->FindTsa("泗水县人民法院")->ca_cert, first);
  EXPECT_EQ(Refusal(SetTsaCa{"泗水县人民法院", first}), ErrorCode::kGovernanceConflict);
  Apply(SetTsaCa{"泗水县人民法院", second});
  EXPECT_EQ(state_->FindTsa("泗水县人民法院")->ca_cert, second);
  EXPECT_EQ(state_->tsas().size(), 1u);
  // Only an institution of the register (with an admin key) has a TSA.
  EXPECT_EQ(Refusal(SetTsaCa{"某律师事务所", first}), ErrorCode::kGovernanceUnknownEntry);
  // A certificate that is no CA, or not canonical PEM, is refused when read.
  GovernanceAction action = Make(SetTsaCa{"泗水县公证处", first});
  boost::json::object json = ActionToJson(action);
  json["ca_cert"] = evidence::testing::MakeTsaInstitution("Notary CA").tsa_cert_pem;
  EXPECT_EQ(ErrorCodeOf(ActionFromJson(json).status()), ErrorCode::kGovernanceMalformed);
  json["ca_cert"] = first.pem + "\n";
  EXPECT_EQ(ErrorCodeOf(ActionFromJson(json).status()), ErrorCode::kGovernanceMalformed);
}

// ---------------------------------------------------------------- blocks of actions

TEST_F(Governance, LeavesApplyInOrderAndMustBeCanonical) {
  GovernanceAction first = Make(RemoveReader{"court-reader"});
  GovernanceAction second = Make(AddObserver{{"o", "i", Spare(3).public_key(), "h:1"}});
  second.seq = 2;
  second.sigs.clear();
  for (size_t i : {1, 2, 3}) ASSERT_TRUE(SignAction(chain_.admin_key(i), second).ok());
  auto both = ApplyActionLeaves(state_, {ActionLeaf(first), ActionLeaf(second)}, {9, 0});
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ((*both)->next_seq(), 3u);
  auto reversed = ApplyActionLeaves(state_, {ActionLeaf(second), ActionLeaf(first)}, {9, 0});
  EXPECT_EQ(ErrorCodeOf(reversed.status()), ErrorCode::kGovernanceBadSequence);
  EXPECT_NE(reversed.status().message().find("action 0"), std::string::npos);
  std::string pretty = boost::json::serialize(ActionToJson(first));
  pretty.insert(1, " ");
  EXPECT_EQ(ErrorCodeOf(ApplyActionLeaves(state_, {pretty}, {9, 0}).status()), ErrorCode::kGovernanceMalformed);
  auto none = ApplyActionLeaves(state_, {}, {9, 0});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->get(), state_.get());
}

}  // namespace
}  // namespace evidence::ledger
