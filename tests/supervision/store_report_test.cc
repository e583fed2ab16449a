#include "supervision/store_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>

#include "common/time_text.h"
#include "ledger/receipt.h"
#include "supervision/demo.h"
#include "tests/ledger/test_chain.h"

namespace evidence::supervision {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

int64_t At(const std::string& text) { return *ParseRfc3339Ms(text); }

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("supervision-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// A chain whose blocks commit every demo record at its planned commit time.
class DemoChain {
 public:
  DemoChain() : chain_(Options()) {
    auto store = ledger::Store::Open(directory_.path(), chain_.genesis());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  static ledger::testing::TestChainOptions Options() {
    ledger::testing::TestChainOptions options;
    options.genesis_time_ms = At("2025-01-01T00:00:00+08:00");
    return options;
  }

  ledger::Record Sign(const DemoCase& demo, const DemoRecord& planned, size_t agency) {
    ledger::Record record;
    record.chain_id = chain_.genesis().chain_id();
    record.kind = planned.kind;
    record.case_id = demo.case_id;
    record.stage = planned.stage;
    record.agency = chain_.agency_id(agency);
    record.digest = ledger::FormatDocumentDigest(
        crypto::HashAlgorithm::kSha256, crypto::Hash(crypto::HashAlgorithm::kSha256, planned.content));
    record.size = planned.size;
    record.media_type = planned.media_type;
    record.title = planned.title;
    record.time_ms = planned.time_ms;
    EXPECT_TRUE(ledger::SignRecord(chain_.agency_key(agency), record).ok());
    contents_[crypto::DigestHex(ledger::RecordId(chain_.hash(), record))] = planned.content;
    return record;
  }

  // Commits the plan's records in blocks, each block at the latest commit time
  // of the records it holds (records grouped by the hour they should commit in).
  void Commit(const DemoPlan& plan, size_t agency) {
    std::multimap<int64_t, ledger::Record> by_commit;
    for (const DemoCase& demo : plan.cases) {
      for (const DemoRecord& record : demo.records) {
        by_commit.emplace(record.commit_ms, Sign(demo, record, agency));
      }
    }
    auto it = by_commit.begin();
    while (it != by_commit.end()) {
      const int64_t hour = it->first / 3'600'000;
      std::vector<ledger::Record> records;
      int64_t latest = it->first;
      for (; it != by_commit.end() && it->first / 3'600'000 == hour; ++it) {
        records.push_back(it->second);
        latest = it->first;
      }
      ledger::Block block = chain_.MakeNextBlock(records);
      // Precommit times latest-2000 ... latest+1000: the median is `latest`.
      ledger::Commit commit = chain_.MakeCommit(block.header.height,
                                                ledger::BlockHash(chain_.hash(), block.header),
                                                latest - 3000);
      ASSERT_TRUE(store_->Append(block, commit).ok());
      chain_.Advance(block, commit);
    }
  }

  const ledger::Store& store() const { return *store_; }
  const ledger::Genesis& genesis() const { return chain_.genesis(); }
  const std::string& content(const std::string& id) const { return contents_.at(id); }
  const std::string& agency_id(size_t agency) const { return chain_.agency_id(agency); }

 private:
  TempDir directory_;
  ledger::testing::TestChain chain_;
  std::unique_ptr<ledger::Store> store_;
  std::map<std::string, std::string> contents_;
};

ReportRequest Period(const std::string& from, const std::string& to,
                     std::optional<std::string> agency = std::nullopt) {
  return {*ParseCivilDate(from), *ParseCivilDate(to), std::move(agency)};
}

TEST(StoreReportTest, AGeneratedYearOnAChainGivesExactlyThePlantedFindingsWithReceiptsThatVerify) {
  DemoChain chain;
  DemoOptions options;
  options.agency = chain.agency_id(0);
  options.cases = 300;
  options.seed = 14;
  for (RuleId rule : kAllRules) options.plant[rule] = 2;
  options.end_ms = At("2026-11-30T00:00:00+08:00");
  options.genesis_time_ms = chain.genesis().genesis_time_ms();
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  chain.Commit(*plan, 0);

  auto report = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                     Period("2024-01-01", "2026-11-30"), options.end_ms + 86'400'000);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const json::object& totals = report->at("summary").at("totals").as_object();
  EXPECT_EQ(totals.at("cases").to_number<int64_t>(), 300);
  for (RuleId rule : kAllRules) {
    EXPECT_EQ(totals.at("findings").at(RuleName(rule)).to_number<int64_t>(), 2) << RuleName(rule);
  }
  const json::array& findings = report->at("findings").as_array();
  ASSERT_EQ(findings.size(), 2 * kRuleCount);
  for (const json::value& finding : findings) {
    ASSERT_FALSE(finding.at("records").as_array().empty());
    for (const json::value& id : finding.at("records").as_array()) {
      const std::string hex(id.as_string());
      auto receipt = ledger::BuildReceipt(chain.store(), *crypto::DigestFromHex(hex));
      ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
      auto proven = ledger::VerifyReceipt(AsBytes(chain.content(hex)), *receipt, chain.genesis());
      EXPECT_TRUE(proven.ok()) << finding.at("rule").as_string() << ": " << proven.status().ToString();
      EXPECT_EQ(receipt->record.case_id, std::string(finding.at("case_id").as_string()));
    }
  }
  EXPECT_EQ(report->at("tree_head").at("height").to_number<int64_t>(),
            static_cast<int64_t>(chain.store().height()));
}

TEST(StoreReportTest, ThePeriodAndTheAgencyPickTheCases) {
  DemoChain chain;
  DemoOptions options;
  options.agency = chain.agency_id(0);
  options.cases = 40;
  options.seed = 3;
  options.plant[RuleId::kMissingStage] = 1;
  options.end_ms = At("2026-11-30T00:00:00+08:00");
  options.genesis_time_ms = chain.genesis().genesis_time_ms();
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(plan.ok());
  chain.Commit(*plan, 0);

  auto all = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                  Period("2024-01-01", "2026-12-31"), options.end_ms);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->at("summary").at("totals").at("cases").to_number<int64_t>(), 40);
  // The other agency recorded nothing.
  auto other = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                    Period("2024-01-01", "2026-12-31", chain.agency_id(1)),
                                    options.end_ms);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->at("summary").at("totals").at("cases").to_number<int64_t>(), 0);
  EXPECT_TRUE(other->at("findings").as_array().empty());
  // A period after every act has no case; a case with an act in the period is
  // judged on its whole trail.
  auto later = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                    Period("2026-12-01", "2026-12-31"), options.end_ms);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->at("summary").at("totals").at("cases").to_number<int64_t>(), 0);
  int64_t records_in_november = 0;
  for (const DemoCase& demo : plan->cases) {
    bool in_november = false;
    for (const DemoRecord& record : demo.records) {
      in_november = in_november || record.time_ms >= At("2026-11-01T00:00:00+08:00");
    }
    if (in_november) records_in_november += static_cast<int64_t>(demo.records.size());
  }
  auto november = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                       Period("2026-11-01", "2026-11-30"), options.end_ms);
  ASSERT_TRUE(november.ok());
  EXPECT_EQ(november->at("summary").at("totals").at("records").to_number<int64_t>(), records_in_november);
}

TEST(StoreReportTest, APeriodOverItsBoundIsRefusedWithAHint) {
  DemoChain chain;
  DemoOptions options;
  options.agency = chain.agency_id(0);
  options.cases = 5;
  options.end_ms = At("2026-11-30T00:00:00+08:00");
  options.genesis_time_ms = chain.genesis().genesis_time_ms();
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(plan.ok());
  chain.Commit(*plan, 0);
  StoreReportOptions bounds;
  bounds.period_records_max = 3;
  auto refused = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                      Period("2024-01-01", "2026-12-31"), options.end_ms, bounds);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("narrow it"), std::string::npos);
}

TEST(StoreReportTest, ACancelledReportStopsWithUnavailable) {
  DemoChain chain;
  DemoOptions options;
  options.agency = chain.agency_id(0);
  options.cases = 5;
  options.end_ms = At("2026-11-30T00:00:00+08:00");
  options.genesis_time_ms = chain.genesis().genesis_time_ms();
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(plan.ok());
  chain.Commit(*plan, 0);
  std::atomic<bool> cancel{false};
  StoreReportOptions cancellable;
  cancellable.cancel = &cancel;
  auto made = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                   Period("2024-01-01", "2026-12-31"), options.end_ms, cancellable);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->at("summary").at("totals").at("cases").to_number<int64_t>(), 5);
  cancel.store(true);
  auto cancelled = BuildReportFromStore(chain.store(), RuleSet::Default(), WorkingCalendar::Default(),
                                        Period("2024-01-01", "2026-12-31"), options.end_ms, cancellable);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(cancelled.status().message().find("stopping"), std::string::npos);
}

}  // namespace
}  // namespace evidence::supervision
