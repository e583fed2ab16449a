#include "node/timestamps.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <set>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/timestamp.h"
#include "ledger/vote.h"
#include "tests/ledger/test_chain.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::node {
namespace {

namespace fs = std::filesystem;
using ledger::testing::TestChain;

class TimestampServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("timestamps-test-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(WallClockMs()));
    auto store = ledger::Store::Open(dir_.string(), chain_.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Commits `records` in one block; returns the block's commit.
  ledger::Commit Commit(const std::vector<ledger::Record>& records) {
    TestChain::Step step = chain_.Next(records);
    std::vector<crypto::Digest> ids;
    EXPECT_TRUE(store_->Append(step.block, step.commit, &ids).ok());
    return step.commit;
  }

  TimestampService Service(uint32_t own_index, bool with_authority = true) {
    std::optional<crypto::TimestampAuthority> authority;
    if (with_authority) {
      auto loaded = crypto::TimestampAuthority::FromPem(court_.tsa_key_pem, court_.tsa_cert_pem);
      EXPECT_TRUE(loaded.ok());
      authority = std::move(*loaded);
    }
    std::map<std::string, std::string> peers;
    const std::string other = chain_.genesis().validators()[(own_index + 1) % 4].name;
    peers[other] = "http://127.0.0.1:9";
    return TimestampService(chain_.genesis(), *store_, own_index, std::move(authority), peers);
  }

  std::string IdOf(const ledger::Record& record) {
    return crypto::DigestHex(ledger::RecordId(chain_.hash(), record));
  }

  TestChain chain_;
  fs::path dir_;
  std::unique_ptr<ledger::Store> store_;
  testing::TsaInstitution court_ = testing::MakeTsaInstitution("Court");
};

TEST_F(TimestampServiceTest, ATokenImprintsTheDigestAtTheCommitTimeOfTheRecord) {
  ledger::Record record = chain_.MakeRecord(0, "(2026)鲁0831行罚1号", 1);
  ledger::Commit commit = Commit({record});
  TimestampService service = Service(2);
  auto answer = service.Get(IdOf(record), "");
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  ASSERT_TRUE(answer->redirect_url.empty());
  auto info = crypto::ReadTimestampResponse(AsBytes(answer->token_der));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ("sha256:" + crypto::DigestHex(info->imprint), record.digest);
  EXPECT_EQ(info->record_id_hex, IdOf(record));
  const std::string name = chain_.genesis().validators()[2].name;
  EXPECT_EQ(info->serial_hex, HexEncode(TimestampService::Serial(IdOf(record), name)));
  // genTime is the weighted median of the commit's precommit times, in UTC.
  const int64_t median_ms = ledger::CommitMedianTimeMs(chain_.genesis().validator_set(), commit);
  const time_t seconds = static_cast<time_t>(median_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%d%H%M%S", &utc);
  std::string expected = text;
  if (median_ms % 1000 != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof(fraction), ".%03d", static_cast<int>(median_ms % 1000));
    expected += fraction;
    while (expected.back() == '0') expected.pop_back();
  }
  EXPECT_EQ(info->gen_time, expected + "Z");
  EXPECT_TRUE(crypto::VerifyTimestampResponse(AsBytes(answer->token_der),
                                              crypto::HashAlgorithm::kSha256, info->imprint,
                                              court_.ca_pem)
                  .ok());
  // Asked by name or by institution: the same TSTInfo.
  auto again = service.Get(IdOf(record), chain_.genesis().validators()[2].institution);
  ASSERT_TRUE(again.ok());
  auto again_info = crypto::ReadTimestampResponse(AsBytes(again->token_der));
  ASSERT_TRUE(again_info.ok());
  EXPECT_EQ(again_info->serial_hex, info->serial_hex);
  EXPECT_EQ(again_info->gen_time, info->gen_time);
}

TEST_F(TimestampServiceTest, EachInstitutionHasItsOwnSerialForOneRecord) {
  std::set<std::string> serials;
  for (const auto& validator : chain_.genesis().validators()) {
    serials.insert(HexEncode(TimestampService::Serial(std::string(64, 'a'), validator.name)));
  }
  EXPECT_EQ(serials.size(), chain_.genesis().validators().size());
  EXPECT_NE(TimestampService::Serial(std::string(64, 'a'), "court"),
            TimestampService::Serial(std::string(64, 'b'), "court"));
}

TEST_F(TimestampServiceTest, AnotherInstitutionsTokenIsARedirectToItsNodeOrNotFound) {
  ledger::Record record = chain_.MakeRecord(0, "(2026)鲁0831行罚1号", 2);
  Commit({record});
  TimestampService service = Service(0);
  const auto& validators = chain_.genesis().validators();
  auto redirect = service.Get(IdOf(record), validators[1].name);
  ASSERT_TRUE(redirect.ok());
  EXPECT_EQ(redirect->redirect_url, "http://127.0.0.1:9/v1/records/" + IdOf(record) +
                                        "/timestamp?institution=" + PercentEncode(validators[1].name));
  EXPECT_TRUE(redirect->token_der.empty());
  auto unknown_url = service.Get(IdOf(record), validators[2].name);
  EXPECT_EQ(unknown_url.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service.Get(IdOf(record), "nobody").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TimestampServiceTest, NoTokenForAnUnknownOrUncommittedRecordOrWithoutATsa) {
  ledger::Record committed = chain_.MakeRecord(0, "(2026)鲁0831行罚1号", 3);
  Commit({committed});
  ledger::Record pending = chain_.MakeRecord(0, "(2026)鲁0831行罚1号", 4);
  TimestampService service = Service(0);
  EXPECT_EQ(service.Get(IdOf(pending), "").status().code(), StatusCode::kNotFound);
  // Even a redirect needs the record committed here first.
  EXPECT_EQ(service.Get(IdOf(pending), chain_.genesis().validators()[1].name).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service.Get("zz", "").status().code(), StatusCode::kInvalidArgument);
  TimestampService without = Service(0, false);
  EXPECT_EQ(without.Get(IdOf(committed), "").status().code(), StatusCode::kUnavailable);
}

TEST_F(TimestampServiceTest, ABatchedRecordGetsItsOwnToken) {
  std::vector<ledger::Record> batch = chain_.MakeBatch(0, "(2026)鲁0831行罚2号", 10, 3);
  Commit(batch);
  TimestampService service = Service(1);
  std::set<std::string> serials;
  for (const ledger::Record& record : batch) {
    auto answer = service.Get(IdOf(record), "");
    ASSERT_TRUE(answer.ok()) << answer.status().message();
    auto info = crypto::ReadTimestampResponse(AsBytes(answer->token_der));
    ASSERT_TRUE(info.ok());
    EXPECT_EQ("sha256:" + crypto::DigestHex(info->imprint), record.digest);
    EXPECT_EQ(info->record_id_hex, IdOf(record));
    serials.insert(info->serial_hex);
  }
  EXPECT_EQ(serials.size(), batch.size());
}

}  // namespace
}  // namespace evidence::node
