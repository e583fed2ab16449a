#include "node/anchors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/note.h"
#include "crypto/timestamp.h"
#include "tests/ledger/test_chain.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::node {
namespace {

namespace fs = std::filesystem;
using ledger::testing::TestChain;

class AnchorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("anchors-test-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(WallClockMs()));
    auto store = ledger::Store::Open(dir_.string(), chain_.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    outside_ = testing::MakeTsaInstitution("Outside");
    stranger_ = testing::MakeTsaInstitution("Stranger");
    service_ = Make(outside_.ca_pem);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      TestChain::Step step = chain_.Next({chain_.MakeRecord(0, "(2026)鲁0831行罚1号", seed)});
      ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
    }
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
    fs::remove(StatePath());
  }

  std::string StatePath() const { return dir_.string() + "-anchors.json"; }
  std::unique_ptr<AnchorService> Make(std::string ca_pem) {
    return std::make_unique<AnchorService>(chain_.genesis(), *store_, std::move(ca_pem), StatePath());
  }

  // The checkpoint body of the head of `height` blocks (one record each).
  std::string Body(uint64_t size) {
    const ledger::BlockHeader header = store_->GetHeader(size).value();
    crypto::Checkpoint checkpoint{chain_.genesis().chain_id(), header.log_size,
                                  Bytes(header.log_root.begin(), header.log_root.end())};
    return crypto::EncodeCheckpointText(checkpoint);
  }
  // A token of `institution`'s TSA over `text`.
  Bytes Token(const testing::TsaInstitution& institution, std::string_view text) {
    auto tsa = crypto::TimestampAuthority::FromPem(institution.tsa_key_pem, institution.tsa_cert_pem);
    EXPECT_TRUE(tsa.ok());
    crypto::TimestampRequest request;
    request.imprint = crypto::Hash(crypto::HashAlgorithm::kSha256, text);
    request.serial = {0x01, 0x02};
    request.gen_time_ms = 1'796'000'000'000;
    return tsa->Issue(request).value();
  }
  static std::string Request(uint64_t tree_size, ByteView token) {
    return boost::json::serialize(
        boost::json::object{{"tree_size", tree_size}, {"token", Base64Encode(token)}});
  }
  size_t Total() {
    size_t total = 0;
    service_->List(0, &total);
    return total;
  }

  TestChain chain_;
  fs::path dir_;
  std::unique_ptr<ledger::Store> store_;
  testing::TsaInstitution outside_, stranger_;
  std::unique_ptr<AnchorService> service_;
};

TEST_F(AnchorServiceTest, ATrustedTokenOverACommittedCheckpointIsKeptAndSurvivesARestart) {
  const std::string body = Body(2);
  const Bytes token = Token(outside_, body);
  auto anchor = service_->Add(Request(2, token));
  ASSERT_TRUE(anchor.ok()) << anchor.status().ToString();
  EXPECT_EQ(anchor->tree_size, 2u);
  EXPECT_EQ(anchor->checkpoint, body);
  EXPECT_EQ(anchor->tsa_name, "CN=Outside TSA");
  EXPECT_EQ(anchor->gen_time, "20261130005320Z");  // 1796000000 s
  EXPECT_EQ(anchor->token, token);
  EXPECT_TRUE(crypto::VerifyTimestampResponse(anchor->token, crypto::HashAlgorithm::kSha256,
                                              crypto::Hash(crypto::HashAlgorithm::kSha256, body),
                                              outside_.ca_pem)
                  .ok());
  // A later checkpoint of the same TSA is taken too.
  ASSERT_TRUE(service_->Add(Request(3, Token(outside_, Body(3)))).ok());

  service_ = Make(outside_.ca_pem);
  ASSERT_TRUE(service_->LoadStatus().ok()) << service_->LoadStatus().ToString();
  size_t total = 0;
  std::vector<Anchor> listed = service_->List(0, &total);
  ASSERT_EQ(total, 2u);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].token, token);
  EXPECT_EQ(listed[0].checkpoint, body);
  EXPECT_EQ(listed[1].tree_size, 3u);
  EXPECT_EQ(service_->List(1, &total).size(), 1u);
}

TEST_F(AnchorServiceTest, BadAnchorsAreRefusedAndStoreNothing) {
  const std::string body = Body(2);
  struct Case {
    std::string name;
    std::string request;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {"not our checkpoint", Request(2, Token(outside_, "another chain\n2\nAAAA\n")),
       StatusCode::kInvalidArgument},
      {"the checkpoint of another size", Request(3, Token(outside_, body)),
       StatusCode::kInvalidArgument},
      {"garbage bytes", Request(2, AsBytes(std::string_view("\x30\x03garbage"))),
       StatusCode::kInvalidArgument},
      {"too large", Request(2, Bytes(kAnchorTokenBytesMax + 1, 0x30)), StatusCode::kInvalidArgument},
      {"an untrusted TSA", Request(2, Token(stranger_, body)), StatusCode::kInvalidArgument},
      {"no tree head of that size", Request(9, Token(outside_, body)), StatusCode::kInvalidArgument},
      {"not base64", R"({"tree_size": 2, "token": "%%%"})", StatusCode::kInvalidArgument},
      {"a missing member", R"({"token": "AAAA"})", StatusCode::kInvalidArgument},
      {"an extra member", R"({"tree_size": 2, "token": "AAAA", "x": 1})", StatusCode::kInvalidArgument},
      {"not JSON", "garbage", StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    auto refused = service_->Add(c.request);
    EXPECT_EQ(refused.status().code(), c.code) << c.name << ": " << refused.status().ToString();
  }
  EXPECT_EQ(Total(), 0u);
  EXPECT_FALSE(fs::exists(StatePath()));

  // The same TSA again at the same or an earlier size: nothing new.
  ASSERT_TRUE(service_->Add(Request(2, Token(outside_, body))).ok());
  EXPECT_EQ(service_->Add(Request(2, Token(outside_, body))).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->Add(Request(1, Token(outside_, Body(1)))).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Total(), 1u);
}

TEST_F(AnchorServiceTest, ANodeThatTrustsNoTsaTakesNoAnchors) {
  service_ = Make("");
  EXPECT_EQ(service_->Add(Request(2, Token(outside_, Body(2)))).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Total(), 0u);
}

TEST_F(AnchorServiceTest, ADamagedFileIsReportedAndNeverOverwritten) {
  ASSERT_TRUE(service_->Add(Request(2, Token(outside_, Body(2)))).ok());
  std::string text;
  {
    std::ifstream in(StatePath());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string damaged = text.substr(0, text.size() - 10);
  std::ofstream(StatePath(), std::ios::trunc) << damaged;
  service_ = Make(outside_.ca_pem);
  EXPECT_EQ(service_->LoadStatus().code(), StatusCode::kCorruption);
  EXPECT_EQ(service_->Add(Request(3, Token(outside_, Body(3)))).status().code(),
            StatusCode::kUnavailable);
  std::ifstream in(StatePath());
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), damaged);
}

TEST(AnchorCaFileTest, AFileWithoutACertificateIsRefused) {
  const std::string path = (fs::temp_directory_path() / ("anchor-ca-" + std::to_string(WallClockMs()))).string();
  std::ofstream(path) << "not a certificate\n";
  EXPECT_FALSE(LoadAnchorCaFile(path).ok());
  std::ofstream(path, std::ios::trunc) << testing::MakeTsaInstitution("File").ca_pem;
  EXPECT_TRUE(LoadAnchorCaFile(path).ok());
  fs::remove(path);
  EXPECT_FALSE(LoadAnchorCaFile(path).ok());
}

}  // namespace
}  // namespace evidence::node
