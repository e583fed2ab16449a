// `evidence gov propose | sign | check`, run as real processes on a governed
// genesis of four institutions (threshold 3); `gov submit | show` against a real
// `evidence-node --dev` whose chain is governed by one admin (threshold 1).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/genesis.h"
#include "ledger/governance.h"
#include "tests/testing/dev_node.h"
#include "tests/testing/process.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::cli {
namespace {

using testing::RunEvidence;
using testing::RunResult;
using testing::TempDir;

class GovCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string spec = "chain_id = \"sishui-gov\"\ngenesis_time_ms = 1790000000000\n";
    const char* institutions[] = {"泗水县司法局", "泗水县人民检察院", "泗水县人民法院",
                                  "泗水县公证处"};
    for (int i = 1; i <= 4; ++i) {
      std::string n = std::to_string(i);
      for (std::string name : {"v" + n, "n" + n, "admin" + n}) Keygen(name);
      spec += "\n[[validator]]\nname = \"node" + n + "\"\ninstitution = \"" + institutions[i - 1] +
              "\"\nvote_key = \"v" + n + ".pem\"\nnode_key = \"n" + n +
              ".pem\"\naddress = \"127.0.0.1:880" + n + "\"\n";
      spec += "\n[[admin]]\ninstitution = \"" + std::string(institutions[i - 1]) +
              "\"\nkeys = [\"admin" + n + ".pub.pem\"]\n";
    }
    Keygen("agency");
    Keygen("agency2");
    spec += "\n[[agency]]\nid = \"market\"\nname = \"泗水县市场监督管理局\"\ninstitution = "
            "\"泗水县人民政府\"\nkeys = [\"agency.pub.pem\"]\n";
    auto r = RunEvidence({"genesis", "--spec", dir_.Write("spec.toml", spec), "--out", Genesis()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void Keygen(const std::string& name) {
    auto r = RunEvidence({"keygen", "--alg", "ed25519", "--out", dir_.File(name + ".pem"), "--pub",
                          dir_.File(name + ".pub.pem")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string Genesis() { return dir_.File("genesis.json"); }
  RunResult Propose(std::vector<std::string> args) {
    args.insert(args.begin(), {"gov", "propose"});
    return RunEvidence(args);
  }
  RunResult Sign(const std::string& action, int admin) {
    return RunEvidence({"gov", "sign", action, "--key",
                        dir_.File("admin" + std::to_string(admin) + ".pem")});
  }
  RunResult Check(const std::string& action, std::vector<std::string> after = {}) {
    std::vector<std::string> args = {"gov", "check", action, "--genesis", Genesis()};
    for (const std::string& earlier : after) {
      args.push_back("--after");
      args.push_back(earlier);
    }
    return RunEvidence(args);
  }
  ledger::GovernanceAction Load(const std::string& path) {
    auto action = ledger::ParseAction(testing::ReadFile(path));
    EXPECT_TRUE(action.ok()) << action.status().ToString();
    return action.ok() ? *action : ledger::GovernanceAction{};
  }

  TempDir dir_;
};

// The whole flow: propose, too few signatures, three institutions, accepted.
TEST_F(GovCliTest, ProposeSignAndCheckAnAddAgency) {
  std::string p = dir_.File("p1.json");
  auto r = Propose({"add-agency", "--genesis", Genesis(), "--seq", "1", "--id", "traffic-police",
                    "--name", "泗水县公安局交通管理大队", "--institution", "泗水县公安局", "--key",
                    dir_.File("agency2.pub.pem"), "--out", p});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("add-agency, seq 1, chain sishui-gov, unsigned"), std::string::npos) << r.out;
  ledger::GovernanceAction unsigned_action = Load(p);
  EXPECT_EQ(unsigned_action.type(), ledger::ActionType::kAddAgency);
  EXPECT_EQ(std::get<ledger::AddAgency>(unsigned_action.body).agency.keys[0].key_id(),
            crypto::PublicKey::LoadPem(dir_.File("agency2.pub.pem"))->key_id());

  auto unsigned_check = Check(p);
  EXPECT_EQ(unsigned_check.exit_code, 1);
  EXPECT_NE(unsigned_check.out.find("signed by 0 of 4 institutions (threshold 3)"),
            std::string::npos)
      << unsigned_check.out;
  EXPECT_NE(unsigned_check.out.find("REFUSED governance.too_few_signatures"), std::string::npos)
      << unsigned_check.out;

  ASSERT_EQ(Sign(p, 1).exit_code, 0);
  auto again = Sign(p, 1);
  EXPECT_EQ(again.exit_code, 2) << "the same key twice";
  ASSERT_EQ(Sign(p, 2).exit_code, 0);
  EXPECT_EQ(Check(p).exit_code, 1) << "two of four institutions";
  auto third = Sign(p, 3);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("(3 signatures)"), std::string::npos) << third.out;
  auto ok = Check(p);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("signed by 3 of 4 institutions"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("OK: the register would accept it (next seq 2)"), std::string::npos)
      << ok.out;
  ledger::GovernanceAction signed_action = Load(p);
  EXPECT_EQ(signed_action.sigs.size(), 3u);
  EXPECT_EQ(ledger::ActionSigningBytes(signed_action), ledger::ActionSigningBytes(unsigned_action))
      << "signing changes only sigs";

  // Replayed: the same action again after itself.
  auto replay = Check(p, {p});
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_NE(replay.out.find("REFUSED governance.bad_sequence"), std::string::npos) << replay.out;

  // Seq 2 after it: a key for the new agency.
  std::string p2 = dir_.File("p2.json");
  ASSERT_EQ(Propose({"add-agency-key", "--genesis", Genesis(), "--seq", "2", "--agency",
                     "traffic-police", "--key", dir_.File("agency.pub.pem"), "--out", p2})
                .exit_code,
            0);
  for (int admin : {2, 3, 4}) ASSERT_EQ(Sign(p2, admin).exit_code, 0);
  auto conflict = Check(p2, {p});
  EXPECT_EQ(conflict.exit_code, 1) << "the key belongs to agency market already";
  EXPECT_NE(conflict.out.find("REFUSED governance.conflict"), std::string::npos) << conflict.out;
  EXPECT_EQ(Check(p2).exit_code, 1) << "without seq 1 before it";
}

// A signed file whose operands were edited no longer verifies.
TEST_F(GovCliTest, AnEditedSignedActionIsRefused) {
  std::string p = dir_.File("p.json");
  ASSERT_EQ(Propose({"remove-agency", "--genesis", Genesis(), "--seq", "1", "--agency", "market",
                     "--out", p})
                .exit_code,
            0);
  for (int admin : {1, 2, 3}) ASSERT_EQ(Sign(p, admin).exit_code, 0);
  ASSERT_EQ(Check(p).exit_code, 0);
  boost::json::object json = boost::json::parse(testing::ReadFile(p)).as_object();
  json["agency_id"] = "other";
  dir_.Write("p.json", boost::json::serialize(json));
  auto edited = Check(p);
  EXPECT_EQ(edited.exit_code, 1);
  EXPECT_NE(edited.out.find("REFUSED governance.bad_signature"), std::string::npos) << edited.out;
}

TEST_F(GovCliTest, RevocationTimesAndKeysAreRead) {
  std::string p = dir_.File("revoke.json");
  auto r = Propose({"revoke-agency-key", "--genesis", Genesis(), "--seq", "1", "--agency", "market",
                    "--key", dir_.File("agency.pub.pem"), "--reason", "compromised", "--effective",
                    "2026-12-01T08:00:00.250+08:00", "--out", p});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto revoke = std::get<ledger::RevokeAgencyKey>(Load(p).body);
  EXPECT_EQ(revoke.effective_ms, 1796083200250) << "2026-12-01T00:00:00.250Z";
  EXPECT_EQ(revoke.reason, "compromised");
  EXPECT_EQ(revoke.key_id, crypto::PublicKey::LoadPem(dir_.File("agency.pub.pem"))->key_id());
  ASSERT_EQ(Propose({"revoke-agency-key", "--chain-id", "sishui-gov", "--seq", "1", "--agency",
                     "market", "--key-id", revoke.key_id, "--reason", "rotated", "--effective",
                     "2026-12-01T00:00:00Z", "--out", p, "--force"})
                .exit_code,
            0);
  EXPECT_EQ(std::get<ledger::RevokeAgencyKey>(Load(p).body).effective_ms, 1796083200000);
}

// Bad options are refused with the reason (exit 2) and write nothing.
TEST_F(GovCliTest, BadProposalsAreRefusedAndWriteNothing) {
  std::string out = dir_.File("bad.json");
  const std::string g = Genesis();
  std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"revoke-agency-key", "--genesis", g, "--seq", "1", "--agency", "market", "--key",
        dir_.File("agency.pub.pem"), "--reason", "rotated", "--effective", "2026-12-01 08:00"},
       "is not an RFC 3339 time"},
      {{"revoke-agency-key", "--genesis", g, "--seq", "1", "--agency", "market", "--key",
        dir_.File("agency.pub.pem"), "--reason", "rotated", "--effective",
        "2026-02-30T00:00:00Z"},
       "is not an RFC 3339 time"},
      {{"revoke-agency-key", "--genesis", g, "--seq", "1", "--agency", "market", "--key",
        dir_.File("agency.pub.pem"), "--reason", "rotated", "--effective",
        "2026-12-01T00:00:00Z\nx = 1"},
       "is not an RFC 3339 time"},
      {{"revoke-agency-key", "--genesis", g, "--seq", "1", "--agency", "market", "--key",
        dir_.File("agency.pub.pem"), "--reason", "rotated", "--effective-ms", "-5"},
       "effective_ms must be 0..2^53-1"},
      {{"add-agency", "--genesis", g, "--seq", "1", "--id", "x", "--name", "n", "--institution",
        "i", "--key", dir_.File("agency2.pem")},
       "is a private key; give the public key file"},
      {{"add-reader", "--genesis", g, "--seq", "1", "--id", "r", "--role", "court"},
       "give exactly one of --token-sha256, --token-file, --key"},
      {{"set-params", "--genesis", g, "--seq", "1"}, "give at least one param to change"},
      {{"rotate-validator-keys", "--genesis", g, "--seq", "1", "--name", "node1"},
       "give one or more of --vote-key, --node-key, --address"},
      {{"remove-agency", "--seq", "1", "--agency", "market"},
       "give exactly one of --genesis G.json, --chain-id ID"},
  };
  for (auto& [args, message] : cases) {
    args.insert(args.end(), {"--out", out});
    auto r = Propose(args);
    EXPECT_EQ(r.exit_code, 2) << message << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << "wanted '" << message << "' in: " << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << message;
  }
  auto zero = Propose({"remove-agency", "--genesis", g, "--seq", "0", "--agency", "market",
                       "--out", out});
  EXPECT_NE(zero.exit_code, 0) << "seq starts at 1";
  // Not an action / a missing file.
  dir_.Write("junk.json", "{\"v\":1}");
  EXPECT_EQ(Sign(dir_.File("junk.json"), 1).exit_code, 2);
  EXPECT_EQ(Sign(dir_.File("missing.json"), 1).exit_code, 1);
}

TEST_F(GovCliTest, SetParamsAndValidatorActionsRoundTrip) {
  std::string p = dir_.File("params.json");
  ASSERT_EQ(Propose({"set-params", "--genesis", Genesis(), "--seq", "1",
                     "--records-past-window-ms", "86400000", "--block-records-max", "500",
                     "--out", p})
                .exit_code,
            0);
  auto params = std::get<ledger::SetParams>(Load(p).body).params;
  EXPECT_EQ(params.at("record_past_window_ms").as_int64(), 86400000);
  EXPECT_EQ(params.size(), 2u);
  for (int admin : {1, 3, 4}) ASSERT_EQ(Sign(p, admin).exit_code, 0);
  EXPECT_EQ(Check(p).exit_code, 0);

  Keygen("v5");
  Keygen("n5");
  std::string add = dir_.File("add.json");
  ASSERT_EQ(Propose({"add-validator", "--genesis", Genesis(), "--seq", "2", "--name", "node5",
                     "--institution", "泗水县司法局", "--vote-key", dir_.File("v5.pub.pem"),
                     "--node-key", dir_.File("n5.pub.pem"), "--address", "127.0.0.1:8805",
                     "--out", add})
                .exit_code,
            0);
  for (int admin : {1, 2, 3}) ASSERT_EQ(Sign(add, admin).exit_code, 0);
  auto added = Check(add, {p});
  EXPECT_EQ(added.exit_code, 0) << added.out;
  std::string removal = dir_.File("remove.json");
  ASSERT_EQ(Propose({"remove-validator", "--genesis", Genesis(), "--seq", "2", "--name", "node1",
                     "--out", removal})
                .exit_code,
            0);
  for (int admin : {1, 2, 3}) ASSERT_EQ(Sign(removal, admin).exit_code, 0);
  auto unsafe = Check(removal, {p});
  EXPECT_EQ(unsafe.exit_code, 1) << "four validators are the minimum";
  EXPECT_NE(unsafe.out.find("REFUSED governance.unsafe_validator_set"), std::string::npos)
      << unsafe.out;
}

// Trusted time: a witness is added and removed, an institution's TSA CA set.
TEST_F(GovCliTest, WitnessAndTsaCaActionsAreProposedSignedAndChecked) {
  Keygen("witness");
  std::string add = dir_.File("add-witness.json");
  auto proposed = Propose({"add-witness", "--genesis", Genesis(), "--seq", "1", "--name",
                           "witness.example.org/w1", "--key", dir_.File("witness.pub.pem"), "--out", add});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  EXPECT_EQ(std::get<ledger::AddWitness>(Load(add).body).witness.name, "witness.example.org/w1");
  for (int admin : {1, 2, 3}) ASSERT_EQ(Sign(add, admin).exit_code, 0);
  auto added = Check(add);
  EXPECT_EQ(added.exit_code, 0) << added.out;

  const auto court = evidence::testing::MakeTsaInstitution("泗水县人民法院 CA");
  dir_.Write("court-ca.pem", court.ca_pem);
  dir_.Write("court-tsa.pem", court.tsa_cert_pem);
  std::string set = dir_.File("set-tsa-ca.json");
  proposed = Propose({"set-tsa-ca", "--genesis", Genesis(), "--seq", "2", "--institution",
                      "泗水县人民法院", "--ca-cert", dir_.File("court-ca.pem"), "--out", set});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  EXPECT_EQ(std::get<ledger::SetTsaCa>(Load(set).body).ca_cert.pem, court.ca_pem);
  for (int admin : {2, 3, 4}) ASSERT_EQ(Sign(set, admin).exit_code, 0);
  auto checked = Check(set, {add});
  EXPECT_EQ(checked.exit_code, 0) << checked.out;

  std::string remove = dir_.File("remove-witness.json");
  ASSERT_EQ(Propose({"remove-witness", "--genesis", Genesis(), "--seq", "3", "--name",
                     "witness.example.org/w1", "--out", remove})
                .exit_code,
            0);
  for (int admin : {1, 3, 4}) ASSERT_EQ(Sign(remove, admin).exit_code, 0);
  EXPECT_EQ(Check(remove, {add, set}).exit_code, 0);
  // Without the add before it, there is no such witness.
  std::string early = dir_.File("remove-early.json");
  ASSERT_EQ(Propose({"remove-witness", "--genesis", Genesis(), "--seq", "1", "--name",
                     "witness.example.org/w1", "--out", early})
                .exit_code,
            0);
  for (int admin : {1, 3, 4}) ASSERT_EQ(Sign(early, admin).exit_code, 0);
  auto unknown = Check(early);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("REFUSED governance.unknown_entry"), std::string::npos) << unknown.out;

  // A TSA certificate is no CA; a non-Ed25519 witness key: refused, nothing written.
  auto no_ca = Propose({"set-tsa-ca", "--genesis", Genesis(), "--seq", "1", "--institution",
                        "泗水县人民法院", "--ca-cert", dir_.File("court-tsa.pem"), "--out",
                        dir_.File("bad.json")});
  EXPECT_EQ(no_ca.exit_code, 2);
  EXPECT_NE(no_ca.err.find("not a CA certificate"), std::string::npos) << no_ca.err;
  auto p256 = RunEvidence({"keygen", "--alg", "p256", "--out", dir_.File("p256.pem"), "--pub",
                           dir_.File("p256.pub.pem")});
  ASSERT_EQ(p256.exit_code, 0);
  auto not_ed25519 = Propose({"add-witness", "--genesis", Genesis(), "--seq", "1", "--name", "w",
                              "--key", dir_.File("p256.pub.pem"), "--out", dir_.File("bad.json")});
  EXPECT_EQ(not_ed25519.exit_code, 2) << not_ed25519.err;
  EXPECT_NE(not_ed25519.err.find("Ed25519"), std::string::npos) << not_ed25519.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("bad.json")));
}

// Unusable input exits 2; a file or a node that cannot be reached exits 1.
TEST_F(GovCliTest, SubmitAndShowExitCodesWithoutANode) {
  std::string p = dir_.File("p.json");
  ASSERT_EQ(Propose({"remove-agency", "--genesis", Genesis(), "--seq", "1", "--agency", "market",
                     "--out", p})
                .exit_code,
            0);
  const std::string closed = "http://127.0.0.1:" + std::to_string(testing::ClosedPort());
  auto bad_url = RunEvidence({"gov", "submit", p, "--node", "ftp://127.0.0.1:1"});
  EXPECT_EQ(bad_url.exit_code, 2) << bad_url.err;
  EXPECT_NE(bad_url.err.find("--node"), std::string::npos) << bad_url.err;
  EXPECT_EQ(RunEvidence({"gov", "submit", dir_.File("missing.json"), "--node", closed}).exit_code,
            1);
  dir_.Write("junk.json", "{\"v\":1}");
  EXPECT_EQ(RunEvidence({"gov", "submit", dir_.File("junk.json"), "--node", closed}).exit_code, 2);
  auto unreachable = RunEvidence({"gov", "submit", p, "--node", closed, "--wait"});
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.err;
  EXPECT_EQ(unreachable.out, "");
  EXPECT_EQ(RunEvidence({"gov", "show", "--node", closed}).exit_code, 1);
  EXPECT_EQ(RunEvidence({"gov", "show", "--node", "not a url"}).exit_code, 2);
  EXPECT_NE(RunEvidence({"gov", "show"}).exit_code, 0) << "--node is required";
}

// `gov submit` and `gov show` against a real node: a dev chain made with another
// record window than 7 days has a version-2 genesis with one admin key.
class GovNodeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<testing::DevNode>(dir_.path(),
                                               std::vector<std::string>{"--past-window-days", "8"});
    ASSERT_EQ(node_->WaitReady(), "");
    auto r = RunEvidence({"keygen", "--alg", "p256", "--out", dir_.File("traffic.pem"), "--pub",
                          dir_.File("traffic.pub.pem")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // An add-agency action at `seq`, signed by the chain's admin unless `sign` is false.
  std::string AddAgency(uint64_t seq, bool sign = true, const std::string& chain = "") {
    std::string path = dir_.File("add-" + std::to_string(seq) + chain + ".json");
    std::vector<std::string> args = {"gov",  "propose", "add-agency", "--seq", std::to_string(seq),
                                     "--id", "sishui-traffic-police", "--name",
                                     "泗水县公安局交通管理大队", "--institution", "泗水县公安局",
                                     "--key", dir_.File("traffic.pub.pem"), "--out", path};
    if (chain.empty()) {
      args.insert(args.end(), {"--genesis", node_->genesis()});
    } else {
      args.insert(args.end(), {"--chain-id", chain});
    }
    auto r = RunEvidence(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (sign) {
      auto signed_it = RunEvidence({"gov", "sign", path, "--key", node_->admin_key()});
      EXPECT_EQ(signed_it.exit_code, 0) << signed_it.err;
    }
    return path;
  }

  // The action id a node gives the action in `path` (the dev chain hashes with SHA-256).
  static std::string IdOf(const std::string& path) {
    auto action = ledger::ParseAction(testing::ReadFile(path));
    EXPECT_TRUE(action.ok()) << action.status().ToString();
    if (!action.ok()) return "";
    return crypto::DigestHex(ledger::ActionId(crypto::HashAlgorithm::kSha256, *action));
  }

  RunResult Submit(const std::string& path, bool wait) {
    std::vector<std::string> args = {"gov", "submit", path, "--node", node_->url()};
    if (wait) args.push_back("--wait");
    return RunEvidence(args);
  }

  boost::json::object ShowJson() {
    auto r = RunEvidence({"gov", "show", "--node", node_->url(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    boost::system::error_code error;
    boost::json::value json = boost::json::parse(r.out, error);
    EXPECT_FALSE(error) << r.out;
    return json.is_object() ? json.as_object() : boost::json::object{};
  }

  // What a refused action must leave as it was.
  boost::json::object Unchanged() {
    boost::json::object shown = ShowJson();
    return {{"latest", shown["latest"]},
            {"actions_total", shown["actions_total"]},
            {"pending", shown["pending"]}};
  }

  TempDir dir_;
  std::unique_ptr<testing::DevNode> node_;
};

TEST_F(GovNodeCliTest, SubmitWaitCommitsTheActionAndShowListsIt) {
  std::string p = AddAgency(1);
  auto submitted = Submit(p, true);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err << node_->Log();
  EXPECT_NE(submitted.out.find("add-agency, seq 1, action id "), std::string::npos)
      << submitted.out;
  EXPECT_NE(submitted.out.find("accepted, pending"), std::string::npos) << submitted.out;
  EXPECT_NE(submitted.out.find("committed in block "), std::string::npos) << submitted.out;
  const std::string id = IdOf(p);

  boost::json::object shown = ShowJson();
  EXPECT_EQ(shown["latest"].at("next_seq").as_int64(), 2);
  EXPECT_EQ(shown["actions_total"].as_int64(), 1);
  ASSERT_EQ(shown["actions"].as_array().size(), 1u);
  EXPECT_EQ(shown["actions"].as_array()[0].at("id").as_string(), id);
  EXPECT_EQ(shown["actions"].as_array()[0].at("seq").as_int64(), 1);
  EXPECT_TRUE(shown["pending"].as_array().empty());

  auto text = RunEvidence({"gov", "show", "--node", node_->url()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const std::string& line :
       {std::string("register in force for block "), std::string("validators:\n  dev  "),
        std::string("agencies:\n  dev-agency  "), std::string("2 after the last block"),
        std::string("committed actions (1):\n  seq 1  block "), "add-agency  " + id,
        std::string("pending on this node:\n")}) {
    EXPECT_NE(text.out.find(line), std::string::npos) << "wanted '" << line << "' in:\n"
                                                      << text.out;
  }

  // The same file again is a replay.
  auto replay = Submit(p, true);
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_NE(replay.err.find("governance.bad_sequence"), std::string::npos) << replay.err;
  EXPECT_NE(replay.err.find("(bad-sequence, HTTP 409)"), std::string::npos) << replay.err;
}

TEST_F(GovNodeCliTest, ARefusedActionExitsOneNamingItsProblemAndChangesNothing) {
  const boost::json::object before = Unchanged();
  const struct {
    std::string path;
    const char* problem;
  } cases[] = {
      {AddAgency(1, false), "(too-few-signatures, HTTP 400)"},
      {AddAgency(2), "(bad-sequence, HTTP 409)"},
      {AddAgency(1, true, "another-chain"), "(wrong-chain, HTTP 400)"},
  };
  for (const auto& c : cases) {
    auto refused = Submit(c.path, true);
    EXPECT_EQ(refused.exit_code, 1) << c.problem;
    EXPECT_NE(refused.err.find("the node refused " + c.path + ": governance."), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find(c.problem), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out, "") << "no action id for a refused action";
  }
  EXPECT_EQ(Unchanged(), before);
}

TEST_F(GovNodeCliTest, SubmitWithoutWaitLeavesTheActionPendingOnTheNode) {
  std::string p = AddAgency(1);
  auto submitted = Submit(p, false);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_NE(submitted.out.find("accepted, pending"), std::string::npos) << submitted.out;
  EXPECT_EQ(submitted.out.find("committed in block"), std::string::npos) << submitted.out;
  // The node commits it at its turn: pending there, or committed already.
  const std::string id = IdOf(p);
  boost::json::object shown = ShowJson();
  const boost::json::array& pending = shown["pending"].as_array();
  const boost::json::array& actions = shown["actions"].as_array();
  const bool listed = (!pending.empty() && pending[0].at("id").as_string() == id) ||
                      (!actions.empty() && actions[0].at("id").as_string() == id);
  EXPECT_TRUE(listed) << boost::json::serialize(shown);
}

}  // namespace
}  // namespace evidence::cli
