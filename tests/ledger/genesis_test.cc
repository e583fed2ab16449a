#include "ledger/genesis.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "ledger/errors.h"
#include "ledger/json.h"
#include "tests/ledger/test_chain.h"

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

}  // namespace
}  // namespace evidence::ledger
