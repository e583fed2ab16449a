#include "supervision/rules.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ledger/errors.h"

namespace evidence::supervision {
namespace {

const RuleSet& Rules() { return RuleSet::Default(); }

std::string SourceFile(const std::string& path) {
  std::ifstream in(std::string(EVIDENCE_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The built-in rules with `from` replaced by `to` (once; the test checks it was there).
std::string EditedRules(const std::string& from, const std::string& to) {
  std::string text(RuleSet::DefaultText());
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(RuleSetTest, TheBuiltInFileIsConfigsSupervisionRules) {
  EXPECT_EQ(RuleSet::DefaultText(), SourceFile("configs/supervision-rules.toml"));
  EXPECT_EQ(Rules().utc_offset_minutes(), 480);
  EXPECT_EQ(Rules().sha256_hex().size(), 64u);
}

TEST(RuleSetTest, EveryRuleHasItsIdTitleAndQuotedBasis) {
  for (RuleId id : kAllRules) {
    EXPECT_EQ(RuleFromName(RuleName(id)), id);
    const RuleSettings& rule = Rules().rule(id);
    EXPECT_TRUE(rule.enabled) << RuleName(id);
    EXPECT_FALSE(rule.title_zh.empty());
    EXPECT_FALSE(rule.basis.empty());
  }
  EXPECT_EQ(RuleName(RuleId::kDecisionWithin90Days), "decision_within_90_days");
  EXPECT_FALSE(RuleFromName("decision_within_91_days"));
  // The thresholds and the articles they come from.
  EXPECT_EQ(Rules().rule(RuleId::kDecisionWithin90Days).limit_days, 90);
  EXPECT_NE(Rules().rule(RuleId::kDecisionWithin90Days).basis.find("第六十条"), std::string::npos);
  EXPECT_TRUE(Rules().rule(RuleId::kServiceWithin7WorkingDays).working_days);
  EXPECT_NE(Rules().rule(RuleId::kServiceWithin7WorkingDays).basis.find("第八十五条"), std::string::npos);
  EXPECT_NE(Rules().rule(RuleId::kPublicityWithin7WorkingDays).basis.find("国办发〔2018〕118号"),
            std::string::npos);
  EXPECT_NE(Rules().rule(RuleId::kReconsiderationAcceptanceWithin5WorkingDays).basis.find("视为受理"),
            std::string::npos);
  EXPECT_EQ(Rules().rule(RuleId::kReconsiderationReplyWithin17WorkingDays).limit_days, 17);
  EXPECT_EQ(Rules().rule(RuleId::kReconsiderationDecisionWithin60Days).extended_limit_days, 90);
  EXPECT_TRUE(Rules().rule(RuleId::kReconsiderationDecisionWithin60Days).roll_to_working_day);
  EXPECT_EQ(Rules().rule(RuleId::kLateRecording).late_after_ms, 24 * 3'600'000);
}

TEST(RuleSetTest, StageVocabularyPerKind) {
  EXPECT_TRUE(Rules().CheckStage("enforcement_record", "filing").ok());
  EXPECT_TRUE(Rules().CheckStage("enforcement_record", "major_decision").ok());
  EXPECT_TRUE(Rules().CheckStage("reconsideration_document", "extension").ok());
  EXPECT_TRUE(Rules().CheckStage("review_opinion", "legal_review").ok());
  // Every kind keeps unspecified and other.
  for (const char* kind : {"enforcement_record", "review_opinion", "reconsideration_document",
                           "litigation_document", "other"}) {
    EXPECT_TRUE(Rules().CheckStage(kind, "unspecified").ok()) << kind;
    EXPECT_TRUE(Rules().CheckStage(kind, "other").ok()) << kind;
  }
  Status refused = Rules().CheckStage("reconsideration_document", "filing");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(refused), ledger::ErrorCode::kRecordUnknownStage);
  EXPECT_NE(refused.message().find("application (申请)"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("unspecified, other"), std::string::npos);
  EXPECT_FALSE(Rules().CheckStage("enforcement_record", "Decision").ok());  // case matters
  EXPECT_FALSE(Rules().CheckStage("other", "decision").ok());
  EXPECT_EQ(Rules().TrackOf("review_opinion"), Track::kEnforcement);
  EXPECT_EQ(Rules().TrackOf("litigation_document"), Track::kNone);
  EXPECT_EQ(Rules().StageLabelZh("enforcement_record", "publicity"), "公示");
}

TEST(RuleSetTest, AKindTheFileDoesNotListTakesAnyStage) {
  std::string text(RuleSet::DefaultText());
  const size_t begin = text.find("[kinds.other]");
  const size_t end = text.find("# ---", begin);
  ASSERT_NE(end, std::string::npos);
  text.erase(begin, end - begin);
  auto rules = RuleSet::Parse(text);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_TRUE(rules->CheckStage("other", "anything_at_all").ok());
}

TEST(RuleSetTest, ThresholdsComeFromTheFile) {
  auto rules = RuleSet::Parse(EditedRules("limit_days = 90\n", "limit_days = 60\n"));
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(rules->rule(RuleId::kDecisionWithin90Days).limit_days, 60);
  EXPECT_NE(rules->sha256_hex(), Rules().sha256_hex());
  auto by_stage = RuleSet::Parse(EditedRules("[rules.late_recording.hours_by_stage]\n",
                                             "[rules.late_recording.hours_by_stage]\nexecution = 72\n"));
  ASSERT_TRUE(by_stage.ok()) << by_stage.status().ToString();
  EXPECT_EQ(by_stage->rule(RuleId::kLateRecording).late_after_ms_by_stage.at("execution"),
            72 * 3'600'000);
}

TEST(RuleSetTest, RefusesBadFilesNamingTheField) {
  const std::pair<std::string, std::string> cases[] = {
      {EditedRules("limit_days = 90\n", "limit_days = 0\n"), "rules.decision_within_90_days.limit_days"},
      {EditedRules("limit_days = 90\n", "limit_days = 90\nextra = 1\n"), "not a setting of this rule"},
      {EditedRules("[rules.missing_stage]", "[rules.missing_stages]"), "rules.missing_stages"},
      {EditedRules("{ id = \"publicity\", zh = \"公示\", en = \"publicity\" },", ""),
       "publicity"},
      {EditedRules("required = [[\"filing\"]", "required = [[\"filling\"]"), "rules.missing_stage.required"},
      {EditedRules("{ id = \"closing\",", "{ id = \"Closing\","), "kinds.enforcement_record.stages"},
      {EditedRules("[kinds.other]", "[kinds.others]"), "not a record kind"},
      {EditedRules("track = \"reconsideration\"", "track = \"appeal\""), "track"},
      {EditedRules("hours = 24\n", "hours = -1\n"), "rules.late_recording.hours"},
      {EditedRules("utc_offset_minutes = 480", "utc_offset_minutes = 9999"), "utc_offset_minutes"},
      {EditedRules("format = \"evidence-supervision-rules/1\"", "format = \"x\""), "format"},
      {"kinds = 1 2", "line"},
      // A missing request for a hearing is never a finding: the rule has no flag_missing.
      {EditedRules("limit_days = 5\nworking_days = true\nbasis = \"《中华人民共和国行政处罚法》第六十四条",
                   "limit_days = 5\nworking_days = true\nflag_missing = true\nbasis = \"《中华人民共和国行政处罚法》第六十四条"),
       "rules.hearing_request_within_5_working_days.flag_missing"},
      // The engine looks for the hearing stages.
      {EditedRules("{ id = \"hearing_notice\", zh = \"听证通知\", en = \"notice of the hearing\" },", ""),
       "hearing_notice"},
  };
  for (const auto& [text, expected] : cases) {
    auto rules = RuleSet::Parse(text);
    ASSERT_FALSE(rules.ok()) << expected;
    EXPECT_NE(rules.status().message().find(expected), std::string::npos)
        << rules.status().message();
  }
}

TEST(RuleSetTest, EveryRuleMustBePresent) {
  std::string text(RuleSet::DefaultText());
  const size_t begin = text.find("[rules.late_recording]");
  text.erase(begin);
  auto rules = RuleSet::Parse(text);
  ASSERT_FALSE(rules.ok());
  EXPECT_NE(rules.status().message().find("rules.late_recording: is missing"), std::string::npos)
      << rules.status().message();
}

}  // namespace
}  // namespace evidence::supervision
