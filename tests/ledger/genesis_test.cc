#include "ledger/genesis.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "ledger/errors.h"
#include "ledger/governance_state.h"
#include "ledger/json.h"
#include "tests/ledger/test_chain.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::ledger {
namespace {

std::string Mutate(const std::string& text, const std::function<void(boost::json::object&)>& f) {
  boost::json::value value = boost::json::parse(text);
  f(value.as_object());
  return CanonicalJson(value).value();
}

TEST(Genesis, SaveLoadRoundTripAndHash) {
  testing::TestChain chain;
  const Genesis& genesis = chain.genesis();
  auto path = std::filesystem::temp_directory_path() /
              ("genesis-test-" + std::to_string(::getpid()) + ".json");
  ASSERT_TRUE(genesis.Save(path.string()).ok());
  auto loaded = Genesis::Load(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->ToJson(), genesis.ToJson());
  EXPECT_EQ(loaded->Hash(), genesis.Hash());
  EXPECT_EQ(loaded->validator_set_hash(), genesis.validator_set_hash());
  EXPECT_EQ(loaded->validator_set().size(), 4u);
  EXPECT_EQ(loaded->chain_id(), "test-chain");
  EXPECT_EQ(loaded->genesis_time_ms(), testing::kGenesisTimeMs);
  EXPECT_EQ(loaded->validators()[2].institution, "泗水县人民法院");
  ASSERT_NE(loaded->FindAgencyKey("sishui-justice-bureau", chain.agency_key(1).key_id()), nullptr);
  EXPECT_EQ(loaded->FindAgencyKey("sishui-justice-bureau", chain.agency_key(0).key_id()), nullptr);
  EXPECT_EQ(loaded->FindAgency("nobody"), nullptr);
  ASSERT_TRUE(loaded->readers()[0].token_sha256.has_value());
  EXPECT_FALSE(Genesis::Load("/nonexistent/genesis.json").ok());
}

TEST(Genesis, StrictRefusals) {
  testing::TestChain chain;
  std::string text = chain.genesis().ToJson();
  ASSERT_TRUE(Genesis::Parse(text).ok());
  std::vector<std::pair<std::string, std::function<void(boost::json::object&)>>> cases = {
      {"unknown field", [](auto& g) { g["extra"] = 1; }},
      {"missing chain_id", [](auto& g) { g.erase("chain_id"); }},
      {"bad hash", [](auto& g) { g["hash"] = "md5"; }},
      {"bad chain id", [](auto& g) { g["chain_id"] = "a b"; }},
      {"negative time", [](auto& g) { g["genesis_time_ms"] = -1; }},
      {"no validators", [](auto& g) { g["validators"] = boost::json::array(); }},
      {"zero power", [](auto& g) { g["validators"].as_array()[0].as_object()["power"] = 0; }},
      {"bad key", [](auto& g) { g["validators"].as_array()[0].as_object()["vote_key"] = "x"; }},
      {"validator unknown field",
       [](auto& g) { g["validators"].as_array()[0].as_object()["x"] = 1; }},
      {"repeated vote key",
       [](auto& g) {
         auto& v = g["validators"].as_array();
         v[1].as_object()["vote_key"] = v[0].as_object()["vote_key"];
       }},
      {"repeated validator name",
       [](auto& g) {
         auto& v = g["validators"].as_array();
         v[1].as_object()["name"] = v[0].as_object()["name"];
       }},
      {"agency without keys",
       [](auto& g) { g["agencies"].as_array()[0].as_object()["keys"] = boost::json::array(); }},
      {"repeated agency",
       [](auto& g) {
         auto& a = g["agencies"].as_array();
         a[1].as_object()["id"] = a[0].as_object()["id"];
       }},
      {"agency key shared",
       [](auto& g) {
         auto& a = g["agencies"].as_array();
         a[1].as_object()["keys"] = a[0].as_object()["keys"];
       }},
      {"reader with both",
       [](auto& g) {
         g["readers"].as_array()[0].as_object()["key"] =
             g["agencies"].as_array()[0].as_object()["keys"].as_array()[0];
       }},
      {"reader with neither",
       [](auto& g) { g["readers"].as_array()[0].as_object().erase("token_sha256"); }},
      {"bad token", [](auto& g) { g["readers"].as_array()[0].as_object()["token_sha256"] = "AB"; }},
      // A key is its canonical PEM text only (docs/receipt-format.md §2): the
      // same key with CRLF line ends, or without the final line end, is refused.
      {"key with CRLF",
       [](auto& g) {
         auto& v = g["validators"].as_array()[0].as_object();
         std::string pem(v["vote_key"].as_string());
         std::string crlf;
         for (char c : pem) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
         v["vote_key"] = crlf;
       }},
      {"agency key without final line end",
       [](auto& g) {
         auto& keys = g["agencies"].as_array()[0].as_object()["keys"].as_array();
         std::string pem(keys[0].as_string());
         pem.pop_back();
         keys[0] = pem;
       }},
      {"text before the PEM block",
       [](auto& g) {
         auto& v = g["validators"].as_array()[1].as_object();
         v["node_key"] = "my key\n" + std::string(v["node_key"].as_string());
       }},
      {"DEL in an institution", [](auto& g) { g["validators"].as_array()[0].as_object()["institution"] = "a\x7f"; }},
      // A role outside ledger/roles.h would have no rights at all: refused, not
      // silently locked out.
      {"unknown reader role", [](auto& g) { g["readers"].as_array()[0].as_object()["role"] = "press"; }},
  };
  for (const auto& [name, change] : cases) {
    auto parsed = Genesis::Parse(Mutate(text, change));
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(ErrorCodeOf(parsed.status()), ErrorCode::kGenesisInvalid)
        << name << ": " << parsed.status().message();
  }
  EXPECT_FALSE(Genesis::Parse(R"({"chain_id":"a","chain_id":"b"})").ok());
  // Built in C++ (as `evidence genesis` does): the same rules, and nothing that
  // could not be written as JSON.
  std::vector<GenesisValidator> validators = chain.genesis().validators();
  validators[0].power = uint64_t{1} << 54;
  auto created = Genesis::Create("c", 0, crypto::HashAlgorithm::kSha256, validators, {}, {});
  EXPECT_EQ(ErrorCodeOf(created.status()), ErrorCode::kGenesisInvalid);
  EXPECT_FALSE(Genesis::Parse("not json").ok());
}

testing::TestChainOptions Governed() {
  testing::TestChainOptions options;
  options.governed = true;
  options.fixed_keys = true;
  return options;
}

TEST(GenesisV2, SaveLoadRoundTripWithAdminsParamsAndObservers) {
  testing::TestChain chain(Governed());
  const Genesis& genesis = chain.genesis();
  EXPECT_EQ(genesis.version(), 2);
  EXPECT_TRUE(genesis.governed());
  EXPECT_EQ(genesis.admins().size(), 4u);
  EXPECT_EQ(genesis.params().governance_threshold, 3u);
  std::string text = genesis.ToJson();
  EXPECT_NE(text.find("\"v\":2"), std::string::npos);
  // An observer, as `evidence genesis --spec` writes one.
  std::string with_observer = Mutate(text, [&](boost::json::object& g) {
    g["observers"].as_array().push_back(boost::json::object{
        {"name", "audit-bureau-node"},
        {"institution", "泗水县审计局"},
        {"node_key", crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst))
                         .value()
                         .public_key()
                         .ToPem()},
        {"address", "127.0.0.1:26700"}});
  });
  auto parsed = Genesis::Parse(with_observer);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->observers().size(), 1u);
  EXPECT_EQ(parsed->ToJson(), with_observer + "\n");
  EXPECT_NE(parsed->Hash(), genesis.Hash());
  auto reparsed = Genesis::Parse(text);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->Hash(), genesis.Hash());
  EXPECT_EQ(reparsed->params(), genesis.params());
}

TEST(GenesisV2, VersionOneHasNoGovernanceAndKeepsItsForm) {
  testing::TestChain chain;
  EXPECT_EQ(chain.genesis().version(), 1);
  EXPECT_FALSE(chain.genesis().governed());
  EXPECT_EQ(chain.genesis().params(), kLegacyChainParams);
  std::string text = chain.genesis().ToJson();
  for (const char* member : {"\"v\"", "\"params\"", "\"admins\"", "\"observers\""}) {
    EXPECT_EQ(text.find(member), std::string::npos) << member;
  }
  // Governance members without "v": 2 are unknown fields of version 1.
  auto with_admins = Genesis::Parse(Mutate(text, [](auto& g) { g["admins"] = boost::json::array(); }));
  EXPECT_EQ(ErrorCodeOf(with_admins.status()), ErrorCode::kGenesisInvalid);
  EXPECT_FALSE(Genesis::Parse(Mutate(text, [](auto& g) { g["v"] = 1; })).ok());
  EXPECT_FALSE(Genesis::Parse(Mutate(text, [](auto& g) { g["v"] = 3; })).ok());
}

TEST(GenesisV2, StrictRefusals) {
  testing::TestChain chain(Governed());
  std::string text = chain.genesis().ToJson();
  auto admin = [](boost::json::object& g, size_t i) -> boost::json::object& {
    return g["admins"].as_array()[i].as_object();
  };
  std::vector<std::pair<std::string, std::function<void(boost::json::object&)>>> cases = {
      {"no params", [](auto& g) { g.erase("params"); }},
      {"no admins", [](auto& g) { g.erase("admins"); }},
      {"no observers", [](auto& g) { g.erase("observers"); }},
      {"empty admins", [](auto& g) { g["admins"] = boost::json::array(); }},
      {"params missing a field", [](auto& g) { g["params"].as_object().erase("block_bytes_max"); }},
      {"params unknown field", [](auto& g) { g["params"].as_object()["x"] = 1; }},
      {"threshold 0", [](auto& g) { g["params"].as_object()["governance_threshold"] = 0; }},
      {"threshold above institutions",
       [](auto& g) { g["params"].as_object()["governance_threshold"] = 5; }},
      {"block limit 0", [](auto& g) { g["params"].as_object()["block_records_max"] = 0; }},
      {"block bytes over the protocol limit",
       [](auto& g) { g["params"].as_object()["block_bytes_max"] = 1 << 30; }},
      {"batch over the protocol limit",
       [](auto& g) { g["params"].as_object()["batch_records_max"] = 10001; }},
      {"negative skew", [](auto& g) { g["params"].as_object()["record_future_skew_ms"] = -1; }},
      {"window over ten years",
       [](auto& g) { g["params"].as_object()["record_past_window_ms"] = int64_t{1} << 50; }},
      {"admin institution repeated",
       [&](auto& g) { admin(g, 1)["institution"] = admin(g, 0)["institution"]; }},
      {"admin key repeated", [&](auto& g) { admin(g, 1)["keys"] = admin(g, 0)["keys"]; }},
      {"admin without keys", [&](auto& g) { admin(g, 0)["keys"] = boost::json::array(); }},
      {"admin key is a vote key",
       [&](auto& g) {
         admin(g, 0)["keys"].as_array()[0] = g["validators"].as_array()[0].as_object()["vote_key"];
       }},
      {"admin key is an agency key",
       [&](auto& g) {
         admin(g, 0)["keys"].as_array()[0] =
             g["agencies"].as_array()[0].as_object()["keys"].as_array()[0];
       }},
      {"validator institution without admins",
       [&](auto& g) { g["admins"].as_array().pop_back(); }},
      {"observer named like a validator",
       [](auto& g) {
         auto& v = g["validators"].as_array()[0].as_object();
         g["observers"].as_array().push_back(boost::json::object{
             {"name", v["name"]}, {"institution", "x"}, {"node_key", v["node_key"]},
             {"address", "h:1"}});
       }},
  };
  for (const auto& [name, change] : cases) {
    auto parsed = Genesis::Parse(Mutate(text, change));
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(ErrorCodeOf(parsed.status()), ErrorCode::kGenesisInvalid)
        << name << ": " << parsed.status().message();
  }
}

// A v2 genesis with a TSA CA for one institution and one witness, as
// `evidence genesis --spec` writes [[tsa]] and [[witness]].
std::string WithTrustedTime(const std::string& text, const std::string& ca_pem,
                            const crypto::PublicKey& witness) {
  return Mutate(text, [&](boost::json::object& g) {
    g["tsas"] = boost::json::array{
        boost::json::object{{"institution", "泗水县人民法院"}, {"ca_cert", ca_pem}}};
    g["witnesses"] = boost::json::array{
        boost::json::object{{"name", "witness.example.org/w1"}, {"key", witness.ToPem()}}};
  });
}

TEST(GenesisV2, TsaCasAndWitnessesRoundTripAndAbsentListsKeepTheHash) {
  testing::TestChain chain(Governed());
  const std::string text = chain.genesis().ToJson();
  // Without them the document is as before (old genesis files keep their hash).
  EXPECT_EQ(text.find("\"tsas\""), std::string::npos);
  EXPECT_EQ(text.find("\"witnesses\""), std::string::npos);
  const std::string ca_pem = evidence::testing::MakeTsaInstitution("Court CA").ca_pem;
  const crypto::PublicKey witness =
      crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst)).value().public_key();
  const std::string with = WithTrustedTime(text, ca_pem, witness);
  auto parsed = Genesis::Parse(with);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->tsas().size(), 1u);
  EXPECT_EQ(parsed->tsas()[0].institution, "泗水县人民法院");
  EXPECT_EQ(parsed->tsas()[0].ca_cert.pem, ca_pem);
  ASSERT_EQ(parsed->witnesses().size(), 1u);
  EXPECT_EQ(parsed->witnesses()[0].key.key_id(), witness.key_id());
  EXPECT_EQ(parsed->ToJson(), with + "\n");
  EXPECT_NE(parsed->Hash(), chain.genesis().Hash());
  // The register starts with them.
  GovernanceStatePtr state = GovernanceState::FromGenesis(*parsed);
  EXPECT_EQ(state->tsas().size(), 1u);
  EXPECT_EQ(state->witnesses().size(), 1u);
  EXPECT_TRUE(state->KeyEverUsed(witness.key_id()));
  EXPECT_NE(state->Hash(), GovernanceState::FromGenesis(chain.genesis())->Hash());
}

TEST(GenesisV2, TsaCasAndWitnessesAreCheckedStrictly) {
  testing::TestChain chain(Governed());
  const std::string ca_pem = evidence::testing::MakeTsaInstitution("Court CA").ca_pem;
  const auto tsa_pem = evidence::testing::MakeTsaInstitution("Court CA").tsa_cert_pem;
  const crypto::PublicKey witness =
      crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst)).value().public_key();
  const std::string text = WithTrustedTime(chain.genesis().ToJson(), ca_pem, witness);
  auto tsa = [](boost::json::object& g) -> boost::json::object& {
    return g["tsas"].as_array()[0].as_object();
  };
  auto wit = [](boost::json::object& g) -> boost::json::object& {
    return g["witnesses"].as_array()[0].as_object();
  };
  std::vector<std::pair<std::string, std::function<void(boost::json::object&)>>> cases = {
      {"empty tsas", [](auto& g) { g["tsas"] = boost::json::array(); }},
      {"empty witnesses", [](auto& g) { g["witnesses"] = boost::json::array(); }},
      {"tsa of an institution without admin keys", [&](auto& g) { tsa(g)["institution"] = "某公司"; }},
      {"tsa institution repeated", [&](auto& g) { g["tsas"].as_array().push_back(tsa(g)); }},
      {"tsa certificate that is no CA", [&](auto& g) { tsa(g)["ca_cert"] = tsa_pem; }},
      {"tsa certificate not canonical", [&](auto& g) { tsa(g)["ca_cert"] = ca_pem + "\n"; }},
      {"tsa unknown member", [&](auto& g) { tsa(g)["x"] = 1; }},
      {"witness name with a space", [&](auto& g) { wit(g)["name"] = "a witness"; }},
      {"witness name with a plus", [&](auto& g) { wit(g)["name"] = "w+1"; }},
      {"witness key not Ed25519",
       [&](auto& g) {
         wit(g)["key"] = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kP256)
                             .value()
                             .public_key()
                             .ToPem();
       }},
      {"witness key is a vote key",
       [&](auto& g) { wit(g)["key"] = g["validators"].as_array()[0].as_object()["vote_key"]; }},
      {"witness key is an admin key",
       [&](auto& g) { wit(g)["key"] = g["admins"].as_array()[0].as_object()["keys"].as_array()[0]; }},
      {"witness repeated", [&](auto& g) { g["witnesses"].as_array().push_back(wit(g)); }},
  };
  for (const auto& [name, change] : cases) {
    auto parsed = Genesis::Parse(Mutate(text, change));
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(ErrorCodeOf(parsed.status()), ErrorCode::kGenesisInvalid)
        << name << ": " << parsed.status().message();
  }
  // Version 1 has none of them.
  testing::TestChain v1;
  EXPECT_FALSE(Genesis::Parse(WithTrustedTime(v1.genesis().ToJson(), ca_pem, witness)).ok());
}

TEST(GenesisV2, DefaultThresholdIsMoreThanTwoThirds) {
  EXPECT_EQ(DefaultGovernanceThreshold(1), 1u);
  EXPECT_EQ(DefaultGovernanceThreshold(3), 3u);
  EXPECT_EQ(DefaultGovernanceThreshold(4), 3u);
  EXPECT_EQ(DefaultGovernanceThreshold(5), 4u);
  EXPECT_EQ(DefaultGovernanceThreshold(6), 5u);
  EXPECT_EQ(DefaultGovernanceThreshold(7), 5u);
}

}  // namespace
}  // namespace evidence::ledger
