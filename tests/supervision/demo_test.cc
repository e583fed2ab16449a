#include "supervision/demo.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/time_text.h"
#include "supervision/engine.h"

namespace evidence::supervision {
namespace {

int64_t At(const std::string& text) { return *ParseRfc3339Ms(text); }

std::map<RuleId, size_t> OneOfEach(size_t count) {
  std::map<RuleId, size_t> plant;
  for (RuleId rule : kAllRules) plant[rule] = count;
  return plant;
}

DemoOptions YearOptions() {
  DemoOptions options;
  options.agency = "sishui-market-supervision";
  options.cases = 400;
  options.seed = 20260601;
  options.plant = OneOfEach(3);
  options.end_ms = At("2026-11-30T00:00:00+08:00");
  options.genesis_time_ms = At("2025-01-01T00:00:00+08:00");
  return options;
}

// The plan's cases as the engine sees them once committed at their commit_ms.
std::map<RuleId, size_t> Judge(const DemoPlan& plan, int64_t as_of_ms, int64_t genesis_ms,
                               std::set<std::string>* cases_with_findings = nullptr) {
  std::map<RuleId, size_t> found;
  for (const DemoCase& demo : plan.cases) {
    CaseTrail trail;
    trail.case_id = demo.case_id;
    for (const DemoRecord& record : demo.records) {
      TrailRecord entry;
      entry.id[0] = static_cast<uint8_t>(trail.records.size());
      entry.leaf_index = trail.records.size();
      entry.kind = record.kind;
      entry.stage = record.stage;
      entry.agency = "sishui-market-supervision";
      entry.time_ms = record.time_ms;
      entry.committed_ms = record.commit_ms;
      trail.records.push_back(entry);
    }
    const CaseEvaluation evaluation = EvaluateCase(RuleSet::Default(), WorkingCalendar::Default(),
                                                   trail, {as_of_ms, genesis_ms});
    for (const Finding& finding : evaluation.findings) {
      ++found[finding.rule];
      EXPECT_TRUE(demo.planted.has_value() && *demo.planted == finding.rule)
          << demo.case_id << ": " << RuleName(finding.rule) << ": " << finding.detail;
      if (cases_with_findings != nullptr) cases_with_findings->insert(demo.case_id);
    }
  }
  return found;
}

TEST(DemoCasesTest, AYearWithPlantedViolationsGivesExactlyThePlantedFindings) {
  const DemoOptions options = YearOptions();
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->cases.size(), 400u);
  EXPECT_EQ(plan->planted, options.plant);
  EXPECT_LT(plan->last_ms, options.end_ms);
  EXPECT_GE(plan->first_ms, options.end_ms - int64_t{367} * 86'400'000);  // within the span
  // Judged at the end, and again half a year later: nothing else falls due.
  for (int64_t as_of : {options.end_ms, options.end_ms + int64_t{180} * 86'400'000}) {
    std::set<std::string> cases;
    EXPECT_EQ(Judge(*plan, as_of, options.genesis_time_ms, &cases), options.plant);
    EXPECT_EQ(cases.size(), 3 * kRuleCount);
  }
}

TEST(DemoCasesTest, EverySeedPlansEveryDayOfTheYearHolidaysIncluded) {
  // Many cases per seed put a case on every day of the year, so some
  // reconsideration's 60 days end in a long holiday (春节, 国庆), where an
  // extension may find no working day before the end: the plan leaves it out
  // rather than aborting, and still keeps every unplanted rule.
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    DemoOptions options = YearOptions();
    options.cases = 3'000;
    options.seed = seed;
    options.plant = OneOfEach(2);
    auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
    ASSERT_TRUE(plan.ok()) << seed << ": " << plan.status().ToString();
    EXPECT_EQ(Judge(*plan, options.end_ms, options.genesis_time_ms), options.plant) << seed;
  }
}

TEST(DemoCasesTest, TrailsLookLikeRealCases) {
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), YearOptions());
  ASSERT_TRUE(plan.ok());
  std::set<std::string> ids;
  std::set<std::string> kinds;
  size_t records = 0;
  for (const DemoCase& demo : plan->cases) {
    EXPECT_TRUE(ids.insert(demo.case_id).second) << demo.case_id;
    EXPECT_NE(demo.case_id.find("鲁0831"), std::string::npos);
    EXPECT_TRUE(demo.case_id.find("行罚") != std::string::npos ||
                demo.case_id.find("行复") != std::string::npos);
    for (const DemoRecord& record : demo.records) {
      kinds.insert(record.kind);
      EXPECT_TRUE(RuleSet::Default().CheckStage(record.kind, record.stage).ok()) << record.stage;
      EXPECT_NE(record.title.find(demo.case_id), std::string::npos);
      EXPECT_EQ(record.size, record.content.size());
      ++records;
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"enforcement_record", "reconsideration_document"}));
  EXPECT_GT(records, 400u * 5);
}

TEST(DemoCasesTest, TheSameSeedGivesTheSamePlan) {
  auto first = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), YearOptions());
  auto second = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), YearOptions());
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(first->cases.size(), second->cases.size());
  for (size_t i = 0; i < first->cases.size(); ++i) {
    ASSERT_EQ(first->cases[i].records.size(), second->cases[i].records.size());
    EXPECT_EQ(first->cases[i].case_id, second->cases[i].case_id);
    EXPECT_EQ(first->cases[i].records.back().time_ms, second->cases[i].records.back().time_ms);
  }
  DemoOptions other = YearOptions();
  other.seed = 7;
  auto third = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), other);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(first->cases[0].case_id, third->cases[0].case_id);
  // Other plants with the same seed: other case numbers, so two sets never share a case.
  DemoOptions replanted = YearOptions();
  replanted.plant[RuleId::kMissingStage] = 4;
  auto fourth = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), replanted);
  ASSERT_TRUE(fourth.ok());
  std::set<std::string> ids;
  for (const DemoCase& demo : first->cases) ids.insert(demo.case_id);
  for (const DemoCase& demo : fourth->cases) EXPECT_FALSE(ids.contains(demo.case_id)) << demo.case_id;
}

TEST(DemoCasesTest, LiveDatesEveryActBeforeGenesisSoOnlyPlantedLateRecordsAreLate) {
  DemoOptions options = YearOptions();
  options.cases = 120;
  options.plant = OneOfEach(1);
  options.plant.erase(RuleId::kLateRecording);
  options.genesis_time_ms = At("2026-11-20T08:00:00+08:00");
  options.commit_at_ms = At("2026-11-20T09:00:00+08:00");
  auto plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_LT(plan->last_ms, options.genesis_time_ms);
  EXPECT_EQ(Judge(*plan, *options.commit_at_ms, options.genesis_time_ms), options.plant);
  // A planted late recording needs a chain older than the threshold.
  options.plant[RuleId::kLateRecording] = 1;
  auto young = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_FALSE(young.ok());
  EXPECT_NE(young.status().message().find("started more than"), std::string::npos);
  options.genesis_time_ms = At("2026-11-17T08:00:00+08:00");
  auto old_enough = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_TRUE(old_enough.ok()) << old_enough.status().ToString();
  EXPECT_EQ(Judge(*old_enough, *options.commit_at_ms, options.genesis_time_ms), options.plant);
}

TEST(DemoCasesTest, RefusesPlantsItCannotMeet) {
  DemoOptions options = YearOptions();
  options.cases = 5;
  EXPECT_FALSE(PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options).ok());
  options = YearOptions();
  options.reconsideration = false;
  auto refused = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("reconsideration"), std::string::npos);
  options = YearOptions();
  options.agency.clear();
  EXPECT_FALSE(PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options).ok());
  options = YearOptions();
  options.cases = 0;
  EXPECT_FALSE(PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options).ok());
}

}  // namespace
}  // namespace evidence::supervision
