// `evidence genesis --spec SPEC.toml --out genesis.json`, run as a real process.
#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "tests/testing/process.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::cli {
namespace {

using testing::RunEvidence;
using testing::TempDir;

class GenesisCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"v1", "n1", "v2", "n2", "a1", "a2", "o1"}) {
      auto r = RunEvidence({"keygen", "--alg", "ed25519", "--out", dir_.File(std::string(name) + ".pem")});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    auto r = RunEvidence({"keygen", "--alg", "sm2", "--out", dir_.File("agency.pem"), "--pub",
                          dir_.File("agency.pub.pem")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    dir_.Write("reader.token", "secret-token-0123456789\n");
  }

  std::string Spec(const std::string& extra = "") {
    return "chain_id = \"sishui-test\"\nhash = \"sm3\"\ngenesis_time_ms = 1790000000000\n" + extra +
           R"(
[[validator]]
name = "justice-bureau"
institution = "泗水县司法局"
vote_key = "v1.pem"
node_key = "n1.pem"
address = "127.0.0.1:8801"

[[validator]]
name = "court"
institution = "泗水县人民法院"
vote_key = "v2.pem"
node_key = "n2.pem"
power = 2
address = "127.0.0.1:8802"

[[agency]]
id = "sishui-market-supervision"
name = "泗水县市场监督管理局"
institution = "泗水县人民政府"
keys = ["agency.pub.pem"]

[[reader]]
id = "court-reader"
role = "court"
token_file = "reader.token"
)";
  }

  TempDir dir_;
};

TEST_F(GenesisCliTest, BuildsAGenesisThatLoads) {
  std::string spec = dir_.Write("spec.toml", Spec());
  auto r = RunEvidence({"genesis", "--spec", spec, "--out", dir_.File("genesis.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 validators, 1 agencies, 1 readers"), std::string::npos) << r.out;

  auto genesis = ledger::Genesis::Load(dir_.File("genesis.json"));
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  EXPECT_EQ(genesis->chain_id(), "sishui-test");
  EXPECT_EQ(genesis->hash(), crypto::HashAlgorithm::kSm3);
  EXPECT_EQ(genesis->genesis_time_ms(), 1790000000000);
  ASSERT_EQ(genesis->validators().size(), 2u);
  EXPECT_EQ(genesis->validators()[1].power, 2u);
  EXPECT_EQ(genesis->validators()[0].institution, "泗水县司法局");
  auto private_key = crypto::PrivateKey::LoadPem(dir_.File("v1.pem"));
  ASSERT_TRUE(private_key.ok());
  EXPECT_EQ(genesis->validators()[0].vote_key.key_id(), private_key->key_id());
  ASSERT_EQ(genesis->readers().size(), 1u);
  // Only the token's digest is in genesis, without the file's final newline.
  ASSERT_TRUE(genesis->readers()[0].token_sha256.has_value());
  EXPECT_EQ(*genesis->readers()[0].token_sha256,
            crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("secret-token-0123456789")));
  EXPECT_EQ(testing::ReadFile(dir_.File("genesis.json")).find("secret-token"), std::string::npos);
}

TEST_F(GenesisCliTest, RefusesToOverwriteWithoutForce) {
  std::string spec = dir_.Write("spec.toml", Spec());
  std::string out = dir_.Write("genesis.json", "keep me");
  auto r = RunEvidence({"genesis", "--spec", spec, "--out", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--force"), std::string::npos);
  EXPECT_EQ(testing::ReadFile(out), "keep me");
  r = RunEvidence({"genesis", "--spec", spec, "--out", out, "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(GenesisCliTest, BadSpecsAreRefusedWithTheReason) {
  struct Case {
    std::string spec;
    std::string message;
  };
  std::vector<Case> cases = {
      {Spec("colour = \"red\"\n"), "unknown key 'colour'"},
      {"chain_id = \"x\"\n", "at least one [[validator]]"},
      {Spec("this is not toml\n"), "bad.toml:4:"},
  };
  std::string md5 = Spec();
  md5.replace(md5.find("\"sm3\""), 5, "\"md5\"");
  cases.push_back({md5, "md5"});
  std::string missing_key = Spec();
  missing_key.replace(missing_key.find("\"v2.pem\""), 8, "\"nope.pem\"");
  cases.push_back({missing_key, "nope.pem"});
  for (const Case& c : cases) {
    std::string spec = dir_.Write("bad.toml", c.spec);
    auto r = RunEvidence({"genesis", "--spec", spec, "--out", dir_.File("out.json")});
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "wanted '" << c.message << "' in: " << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir_.File("out.json")));
  }
}

// A governed genesis: [[admin]] tables, [params] over the defaults, an observer.
TEST_F(GenesisCliTest, BuildsAGovernedGenesisWithAdminsParamsAndObservers) {
  std::string extra = R"(
[params]
record_past_window_ms = 86400000
block_records_max = 500

[[admin]]
institution = "泗水县司法局"
keys = ["a1.pem"]

[[admin]]
institution = "泗水县人民法院"
keys = ["a2.pem"]

[[observer]]
name = "audit-bureau"
institution = "泗水县审计局"
node_key = "o1.pem"
address = "127.0.0.1:8805"
)";
  std::string spec = dir_.Write("spec.toml", Spec() + extra);
  auto r = RunEvidence({"genesis", "--spec", spec, "--out", dir_.File("genesis.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 observers, governed by 2 institutions (threshold 2)"), std::string::npos)
      << r.out;
  auto genesis = ledger::Genesis::Load(dir_.File("genesis.json"));
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  EXPECT_EQ(genesis->version(), 2);
  ASSERT_EQ(genesis->admins().size(), 2u);
  EXPECT_EQ(genesis->admins()[1].institution, "泗水县人民法院");
  EXPECT_EQ(genesis->admins()[0].keys[0].key_id(),
            crypto::PrivateKey::LoadPem(dir_.File("a1.pem"))->key_id());
  EXPECT_EQ(genesis->params().record_past_window_ms, 86400000);
  EXPECT_EQ(genesis->params().block_records_max, 500u);
  EXPECT_EQ(genesis->params().record_future_skew_ms, ledger::ChainParams{}.record_future_skew_ms);
  EXPECT_EQ(genesis->params().governance_threshold, 2u) << "more than 2/3 of 2";
  ASSERT_EQ(genesis->observers().size(), 1u);
  EXPECT_EQ(genesis->observers()[0].name, "audit-bureau");

  // Refusals: params without admins, an institution without admin keys, a bad param.
  std::vector<std::pair<std::string, std::string>> bad = {
      {Spec("[params]\nblock_records_max = 5\n"), "add an [[admin]] table"},
      {Spec() + "\n[[admin]]\ninstitution = \"泗水县司法局\"\nkeys = [\"a1.pem\"]\n",
       "institution \"泗水县人民法院\" has no admin keys"},
      {Spec() + extra + "\n[params]\n", "params"},
  };
  std::string over = Spec() + extra;
  over.replace(over.find("block_records_max = 500"), 23, "block_records_max = 99999");
  bad.push_back({over, "params.block_records_max must be 1..10000"});
  std::string threshold = Spec() + extra;
  threshold.replace(threshold.find("block_records_max = 500"), 23, "governance_threshold = 3");
  bad.push_back({threshold, "governance_threshold must be 1..2"});
  for (const auto& [text, message] : bad) {
    std::string path = dir_.Write("bad.toml", text);
    auto refused = RunEvidence({"genesis", "--spec", path, "--out", dir_.File("bad.json")});
    EXPECT_EQ(refused.exit_code, 2) << message;
    EXPECT_NE(refused.err.find(message), std::string::npos) << "wanted '" << message << "' in: " << refused.err;
  }
}

// Trusted time in a governed genesis: [[tsa]] (an institution's TSA CA) and
// [[witness]] (an outside witness's name and key), docs/timestamps.md and witness.md.
TEST_F(GenesisCliTest, BuildsAGenesisWithTsaCasAndWitnesses) {
  const auto court = evidence::testing::MakeTsaInstitution("泗水县人民法院 CA");
  dir_.Write("court-ca.pem", court.ca_pem);
  dir_.Write("court-tsa.pem", court.tsa_cert_pem);
  auto w = RunEvidence({"keygen", "--alg", "ed25519", "--out", dir_.File("w1.pem")});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const std::string admins = R"(
[[admin]]
institution = "泗水县司法局"
keys = ["a1.pem"]

[[admin]]
institution = "泗水县人民法院"
keys = ["a2.pem"]
)";
  const std::string trusted_time = R"(
[[tsa]]
institution = "泗水县人民法院"
ca_cert = "court-ca.pem"

[[witness]]
name = "witness.example.org/w1"
key = "w1.pem"
)";
  std::string spec = dir_.Write("spec.toml", Spec() + admins + trusted_time);
  auto r = RunEvidence({"genesis", "--spec", spec, "--out", dir_.File("genesis.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto genesis = ledger::Genesis::Load(dir_.File("genesis.json"));
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  ASSERT_EQ(genesis->tsas().size(), 1u);
  EXPECT_EQ(genesis->tsas()[0].ca_cert.pem, court.ca_pem);
  ASSERT_EQ(genesis->witnesses().size(), 1u);
  EXPECT_EQ(genesis->witnesses()[0].key.key_id(), crypto::PrivateKey::LoadPem(dir_.File("w1.pem"))->key_id());

  std::vector<std::pair<std::string, std::string>> bad = {
      {Spec() + trusted_time, "add an [[admin]] table"},
      {Spec() + admins + R"(
[[tsa]]
institution = "泗水县人民法院"
ca_cert = "court-tsa.pem"
)",
       "not a CA certificate"},
      {Spec() + admins + R"(
[[tsa]]
institution = "某公司"
ca_cert = "court-ca.pem"
)",
       "has no admin keys"},
      {Spec() + admins + R"(
[[witness]]
name = "a witness"
key = "w1.pem"
)",
       "note key name"},
      {Spec() + admins + R"(
[[witness]]
name = "w"
key = "agency.pub.pem"
)",
       "Ed25519"},
  };
  for (const auto& [text, message] : bad) {
    std::string path = dir_.Write("bad.toml", text);
    auto refused = RunEvidence({"genesis", "--spec", path, "--out", dir_.File("bad.json")});
    EXPECT_EQ(refused.exit_code, 2) << message;
    EXPECT_NE(refused.err.find(message), std::string::npos) << "wanted '" << message << "' in: " << refused.err;
  }
}

// Regression (issue 18): problems were reported one per run.
TEST_F(GenesisCliTest, EveryProblemOfTheSpecIsReportedAtOnce) {
  std::string spec = Spec("colour = \"red\"\n");
  spec.replace(spec.find("vote_key = \"v2.pem\""), 19, "vote_key = \"nope.pem\"");
  spec.replace(spec.find("address = \"127.0.0.1:8801\"\n"), 26, "");
  spec.replace(spec.find("token_file = \"reader.token\""), 27, "");
  spec += "\n[[agency]]\nid = \"x\"\nname = \"x\"\n";
  auto r = RunEvidence({"genesis", "--spec", dir_.Write("bad.toml", spec), "--out",
                        dir_.File("out.json")});
  EXPECT_EQ(r.exit_code, 2);
  for (const char* expected :
       {"spec: unknown key 'colour'", "validator[0]: 'address' (host:port of its p2p listen) is required",
        "validator[1].vote_key: cannot read", "nope.pem",
        "reader[0]: give exactly one of token_sha256, token_file, key",
        "agency[1]: 'institution' (a non-empty string) is required",
        "agency[1]: 'keys' (a list of paths to public PEM files) is required"}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << " in:\n" << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out.json")));
}

// Regression (issue 18): every run stamped genesis_time_ms = now, so two
// institutions running one spec got two chains; and the printed hash was not
// the one `sha256sum genesis.json` shows.
TEST_F(GenesisCliTest, TheSameSpecGivesTheSameFileAndThePrintedHashIsItsSha256) {
  std::string spec = Spec();
  spec.replace(spec.find("genesis_time_ms = 1790000000000\n"), 32, "");
  std::string path = dir_.Write("spec.toml", spec);
  auto no_time = RunEvidence({"genesis", "--spec", path, "--out", dir_.File("a.json")});
  EXPECT_EQ(no_time.exit_code, 2);
  EXPECT_NE(no_time.err.find("genesis_time_ms (unix milliseconds of the chain's start) is required"),
            std::string::npos)
      << no_time.err;
  auto a = RunEvidence({"genesis", "--spec", path, "--out", dir_.File("a.json"),
                        "--genesis-time-ms", "1790000000000"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = RunEvidence({"genesis", "--spec", dir_.Write("spec2.toml", Spec()), "--out",
                        dir_.File("b.json")});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string bytes = testing::ReadFile(dir_.File("a.json"));
  EXPECT_EQ(bytes, testing::ReadFile(dir_.File("b.json")));
  std::string sha256 = crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, bytes));
  EXPECT_NE(a.out.find("genesis file sha256 " + sha256), std::string::npos) << a.out;
  EXPECT_NE(b.out.find("genesis file sha256 " + sha256), std::string::npos) << b.out;
  auto differs = RunEvidence({"genesis", "--spec", dir_.File("spec2.toml"), "--out",
                              dir_.File("c.json"), "--genesis-time-ms", "1"});
  EXPECT_EQ(differs.exit_code, 2);
  EXPECT_NE(differs.err.find("differs from --genesis-time-ms"), std::string::npos) << differs.err;
}

}  // namespace
}  // namespace evidence::cli
