#include "supervision/report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/time_text.h"

namespace evidence::supervision {
namespace {

namespace json = boost::json;

int64_t At(const std::string& date) { return *ParseRfc3339Ms(date + "T10:00:00+08:00"); }

TrailRecord Record(uint8_t id, const char* stage, const std::string& date, const char* agency,
                   const char* kind = "enforcement_record") {
  TrailRecord record;
  record.id[0] = id;
  record.leaf_index = id;
  record.kind = kind;
  record.stage = stage;
  record.agency = agency;
  record.time_ms = At(date);
  record.committed_ms = record.time_ms + 60'000;
  return record;
}

class ReportBuilderTest : public ::testing::Test {
 protected:
  ReportBuilderTest()
      : builder_(RuleSet::Default(), WorkingCalendar::Default(),
                 ReportRequest{*ParseCivilDate("2026-01-01"), *ParseCivilDate("2026-03-31"), std::nullopt},
                 {At("2026-06-01"), At("2025-01-01")}) {}

  void Add(CaseTrail trail) {
    builder_.Add(trail, EvaluateCase(RuleSet::Default(), WorkingCalendar::Default(), trail,
                                     {At("2026-06-01"), At("2025-01-01")}));
  }

  json::object Finish() {
    ReportSource source;
    source.chain_id = "test-chain";
    source.height = 7;
    source.tree_size = 42;
    source.tree_root_hex = std::string(64, 'a');
    source.agency_names["agency-a"] = "泗水县市场监督管理局";
    return builder_.Finish(source);
  }

  ReportBuilder builder_;
};

TEST_F(ReportBuilderTest, CountsCasesFindingsAndOnTimeSharesPerAgency) {
  // agency-a: one case kept in time (January), one decided late (February).
  Add({"(2026)鲁0831行罚1号",
       {Record(1, "filing", "2026-01-05", "agency-a"), Record(2, "decision", "2026-01-20", "agency-a"),
        Record(3, "service", "2026-01-21", "agency-a"), Record(4, "publicity", "2026-01-22", "agency-a")}});
  Add({"(2026)鲁0831行罚2号",
       {Record(5, "filing", "2026-02-02", "agency-a"), Record(6, "decision", "2026-05-20", "agency-a"),
        Record(7, "service", "2026-05-21", "agency-a"), Record(8, "publicity", "2026-05-21", "agency-a")}});
  // agency-b: a reconsideration case accepted late in March.
  Add({"(2026)鲁0831行复1号",
       {Record(9, "application", "2026-03-02", "agency-b", "reconsideration_document"),
        Record(10, "acceptance", "2026-03-12", "agency-b", "reconsideration_document"),
        Record(11, "reply", "2026-03-20", "agency-b", "reconsideration_document"),
        Record(12, "decision", "2026-04-20", "agency-b", "reconsideration_document")}});
  const json::object report = Finish();
  EXPECT_EQ(report.at("format").as_string(), "evidence-supervision-report/1");
  EXPECT_EQ(report.at("period").at("from").as_string(), "2026-01-01");
  EXPECT_TRUE(report.at("period").at("agency").is_null());
  EXPECT_EQ(report.at("tree_head").at("size").to_number<int64_t>(), 42);
  EXPECT_EQ(report.at("rules").as_array().size(), kRuleCount);
  EXPECT_EQ(report.at("rules_sha256").as_string(), RuleSet::Default().sha256_hex());

  const json::array& agencies = report.at("summary").at("agencies").as_array();
  ASSERT_EQ(agencies.size(), 2u);
  const json::object& a = agencies[0].as_object();
  EXPECT_EQ(a.at("agency").as_string(), "agency-a");
  EXPECT_EQ(a.at("name").as_string(), "泗水县市场监督管理局");
  EXPECT_EQ(a.at("cases").to_number<int64_t>(), 2);
  EXPECT_EQ(a.at("records").to_number<int64_t>(), 8);
  EXPECT_EQ(a.at("findings").at("decision_within_90_days").to_number<int64_t>(), 1);
  EXPECT_EQ(a.at("findings_total").to_number<int64_t>(), 1);
  const json::object& on_time = a.at("on_time").at("decision_within_90_days").as_object();
  EXPECT_EQ(on_time.at("applicable").to_number<int64_t>(), 2);
  EXPECT_EQ(on_time.at("kept").to_number<int64_t>(), 1);
  EXPECT_DOUBLE_EQ(on_time.at("rate").as_double(), 0.5);
  // A rule that applied to no case reads as fully kept.
  EXPECT_DOUBLE_EQ(a.at("on_time").at("missing_stage").at("rate").as_double(), 1.0);
  EXPECT_EQ(agencies[1].at("name").as_string(), "agency-b");  // no name in genesis: its id
  EXPECT_EQ(agencies[1].at("findings").at("reconsideration_acceptance_within_5_working_days").to_number<int64_t>(), 1);
  EXPECT_EQ(report.at("summary").at("totals").at("cases").to_number<int64_t>(), 3);
  EXPECT_EQ(report.at("summary").at("totals").at("findings_total").to_number<int64_t>(), 2);

  // Months of the period; the late decision of May lies outside it and counts
  // only in the totals.
  const json::array& months = report.at("months").as_array();
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(months[0].at("month").as_string(), "2026-01");
  EXPECT_EQ(months[0].at("agencies").at("agency-a").at("cases").to_number<int64_t>(), 1);
  EXPECT_EQ(months[1].at("agencies").at("agency-a").at("cases").to_number<int64_t>(), 1);
  EXPECT_EQ(months[1].at("agencies").at("agency-a").at("findings").to_number<int64_t>(), 0);
  EXPECT_EQ(months[2].at("agencies").at("agency-b").at("findings").to_number<int64_t>(), 1);

  const json::array& findings = report.at("findings").as_array();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].at("rule").as_string(), "reconsideration_acceptance_within_5_working_days");
  EXPECT_EQ(findings[0].at("case_id").as_string(), "(2026)鲁0831行复1号");
  EXPECT_EQ(findings[0].at("records").as_array().size(), 2u);
  EXPECT_EQ(findings[0].at("records").at(0).as_string().size(), 64u);
  EXPECT_EQ(findings[1].at("rule").as_string(), "decision_within_90_days");
  EXPECT_EQ(findings[1].at("due").as_string(), "2026-05-04T00:00:00+08:00");
  EXPECT_FALSE(report.at("findings_truncated").as_bool());
  ASSERT_EQ(report.at("timelines").as_array().size(), 2u);
  const json::object& timeline = report.at("timelines").at(0).as_object();
  EXPECT_EQ(timeline.at("case_id").as_string(), "(2026)鲁0831行罚2号");
  EXPECT_EQ(timeline.at("records").as_array().size(), 4u);
  EXPECT_EQ(timeline.at("records").at(0).at("stage").as_string(), "filing");
  EXPECT_EQ(report.at("stages").at("enforcement_record").at("filing").as_string(), "立案");
  EXPECT_TRUE(report.at("warnings").as_array().empty());
}

TEST(ReportBuilderLimitsTest, FindingsBeyondTheLimitAreCountedNotListed) {
  ReportBuilder builder(RuleSet::Default(), WorkingCalendar::Default(),
                        {*ParseCivilDate("2026-01-01"), *ParseCivilDate("2026-12-31"), "agency-a"},
                        {At("2027-02-01"), At("2025-01-01")}, ReportLimits{2, 1});
  for (uint8_t i = 0; i < 3; ++i) {
    CaseTrail trail{"case " + std::to_string(i), {Record(i, "filing", "2026-01-05", "agency-a")}};
    builder.Add(trail, EvaluateCase(RuleSet::Default(), WorkingCalendar::Default(), trail,
                                    {At("2027-02-01"), At("2025-01-01")}));
  }
  const json::object report = builder.Finish({});
  EXPECT_EQ(report.at("findings_total").to_number<int64_t>(), 3);  // three decisions never made
  EXPECT_EQ(report.at("findings").as_array().size(), 2u);
  EXPECT_TRUE(report.at("findings_truncated").as_bool());
  EXPECT_EQ(report.at("timelines").as_array().size(), 1u);
  EXPECT_EQ(report.at("period").at("agency").as_string(), "agency-a");
  // The as-of day lies in 2027, whose holidays are not published yet.
  ASSERT_EQ(report.at("warnings").as_array().size(), 1u);
  EXPECT_NE(std::string(report.at("warnings").at(0).as_string()).find("2027"), std::string::npos);
  EXPECT_EQ(report.at("calendar_years").as_array().size(), 1u);
}

}  // namespace
}  // namespace evidence::supervision
