#include "supervision/engine.h"

#include <gtest/gtest.h>

#include "common/time_text.h"

namespace evidence::supervision {
namespace {

constexpr const char* kE = "enforcement_record";
constexpr const char* kR = "reconsideration_document";
constexpr int64_t kHourMs = 3'600'000;

int64_t At(const std::string& text) {
  auto parsed = ParseRfc3339Ms(text.size() == 10 ? text + "T10:00:00+08:00" : text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : 0;
}

// A case trail written the way a case system would record it; each record
// commits an hour after its act unless told otherwise.
class Trail {
 public:
  explicit Trail(std::string case_id = "(2026)鲁0831行罚1号") { trail_.case_id = std::move(case_id); }

  Trail& Add(const char* kind, const char* stage, const std::string& time,
             std::optional<int64_t> commit_delay_ms = std::nullopt) {
    TrailRecord record;
    record.id[0] = static_cast<uint8_t>(trail_.records.size() + 1);
    record.leaf_index = trail_.records.size();
    record.kind = kind;
    record.stage = stage;
    record.agency = "sishui-market-supervision";
    record.time_ms = At(time);
    record.committed_ms = record.time_ms + commit_delay_ms.value_or(kHourMs);
    trail_.records.push_back(std::move(record));
    return *this;
  }
  const crypto::Digest& id(size_t index) const { return trail_.records.at(index).id; }

  CaseEvaluation Evaluate(const std::string& as_of = "2027-06-01",
                          const RuleSet& rules = RuleSet::Default()) const {
    return EvaluateCase(rules, WorkingCalendar::Default(), trail_,
                        {At(as_of), At("2025-01-01T00:00:00+08:00")});
  }

 private:
  CaseTrail trail_;
};

std::vector<RuleId> Rules(const CaseEvaluation& evaluation) {
  std::vector<RuleId> out;
  for (const Finding& finding : evaluation.findings) out.push_back(finding.rule);
  return out;
}

const RuleOutcome& Outcome(const CaseEvaluation& evaluation, RuleId rule) {
  return evaluation.outcomes[RuleIndex(rule)];
}

// A complete enforcement trail that keeps every rule; the decision on `decision`.
Trail CompleteEnforcement(const std::string& filing, const std::string& decision,
                          const std::string& service, const std::string& publicity,
                          const std::string& closing) {
  Trail trail;
  trail.Add(kE, "filing", filing)
      .Add(kE, "investigation", filing.substr(0, 10) + "T15:00:00+08:00")
      .Add(kE, "notification", filing.substr(0, 10) + "T16:00:00+08:00")
      .Add(kE, "decision", decision)
      .Add(kE, "service", service)
      .Add(kE, "publicity", publicity)
      .Add(kE, "closing", closing);
  return trail;
}

// ---------------------------------------------------------------- decision_within_90_days

TEST(DecisionWithin90DaysTest, TheNinetiethDayIsInTimeAndTheNextIsNot) {
  // Filed Monday 2026-01-05; the 90th day is Sunday 2026-04-05 (清明), which is
  // not moved: 行政处罚法 counts calendar days.
  auto kept = CompleteEnforcement("2026-01-05", "2026-04-05T23:59:59+08:00", "2026-04-07",
                                  "2026-04-07", "2026-04-20")
                  .Evaluate();
  EXPECT_TRUE(kept.findings.empty()) << kept.findings.front().detail;
  EXPECT_TRUE(Outcome(kept, RuleId::kDecisionWithin90Days).applicable);
  EXPECT_TRUE(Outcome(kept, RuleId::kDecisionWithin90Days).kept);

  Trail late = CompleteEnforcement("2026-01-05", "2026-04-06T00:00:00+08:00", "2026-04-07",
                                   "2026-04-07", "2026-04-20");
  auto evaluation = late.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kDecisionWithin90Days});
  const Finding& finding = evaluation.findings[0];
  EXPECT_EQ(finding.records, (std::vector<crypto::Digest>{late.id(0), late.id(3)}));
  EXPECT_EQ(finding.case_id, "(2026)鲁0831行罚1号");
  EXPECT_EQ(finding.agency, "sishui-market-supervision");
  EXPECT_EQ(finding.due_ms, At("2026-04-06T00:00:00+08:00"));
  EXPECT_NE(finding.detail.find("due by 2026-04-05"), std::string::npos) << finding.detail;
  EXPECT_FALSE(finding.detail_zh.empty());
  EXPECT_FALSE(Outcome(evaluation, RuleId::kDecisionWithin90Days).kept);
}

TEST(DecisionWithin90DaysTest, AMajorDecisionCountsAsTheDecision) {
  Trail trail;
  trail.Add(kE, "filing", "2026-01-05")
      .Add(kE, "legal_review", "2026-03-02")
      .Add(kE, "major_decision", "2026-04-07");
  EXPECT_EQ(Rules(trail.Evaluate("2026-04-08")), std::vector<RuleId>{RuleId::kDecisionWithin90Days});
}

TEST(DecisionWithin90DaysTest, AMissingDecisionIsLateOnlyOnceThePeriodHasRunOut) {
  Trail trail;
  trail.Add(kE, "filing", "2026-01-05").Add(kE, "investigation", "2026-01-06");
  auto before = trail.Evaluate("2026-04-05T23:00:00+08:00");
  EXPECT_TRUE(before.findings.empty());
  EXPECT_FALSE(Outcome(before, RuleId::kDecisionWithin90Days).applicable);
  auto after = trail.Evaluate("2026-04-06T00:00:00+08:00");
  ASSERT_EQ(Rules(after), std::vector<RuleId>{RuleId::kDecisionWithin90Days});
  EXPECT_EQ(after.findings[0].records, std::vector<crypto::Digest>{trail.id(0)});
  EXPECT_NE(after.findings[0].detail.find("no decision recorded"), std::string::npos)
      << after.findings[0].detail;
}

TEST(DecisionWithin90DaysTest, AClosedCaseWithoutADecisionIsReportedOnceAsAMissingStage) {
  Trail trail;
  trail.Add(kE, "filing", "2026-01-05").Add(kE, "closing", "2026-02-02");
  auto evaluation = trail.Evaluate();
  EXPECT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kMissingStage});
  EXPECT_NE(evaluation.findings[0].detail.find("decision or major_decision, service"),
            std::string::npos)
      << evaluation.findings[0].detail;
}

// ---------------------------------------------------------------- service and publicity

TEST(ServiceWithin7WorkingDaysTest, SevenWorkingDaysAcrossNationalDayAndAnAdjustedSaturday) {
  // Decided Wednesday 2026-09-30. 国庆 10/1–10/7 is off; Sat 10/10 is worked (调休上班):
  // 10/8, 10/9, 10/10, 10/12, 10/13, 10/14, 10/15 -> the 7th working day is Thursday 10/15.
  auto kept = CompleteEnforcement("2026-09-01", "2026-09-30", "2026-10-15T17:30:00+08:00",
                                  "2026-10-09", "2026-10-30")
                  .Evaluate();
  EXPECT_TRUE(kept.findings.empty()) << kept.findings.front().detail;
  EXPECT_TRUE(Outcome(kept, RuleId::kServiceWithin7WorkingDays).kept);
  // Friday 10/16 is late only because Saturday 10/10 was a working day.
  Trail late = CompleteEnforcement("2026-09-01", "2026-09-30", "2026-10-16T09:00:00+08:00",
                                   "2026-10-09", "2026-10-30");
  auto evaluation = late.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kServiceWithin7WorkingDays});
  EXPECT_EQ(evaluation.findings[0].records, (std::vector<crypto::Digest>{late.id(3), late.id(4)}));
  EXPECT_NE(evaluation.findings[0].detail.find("due by 2026-10-15"), std::string::npos);
}

TEST(ServiceWithin7WorkingDaysTest, AcrossTheSpringFestival) {
  // Decided Friday 2026-02-13: Sat 2/14 worked (1), 春节 2/15–2/23, 2/24–2/27 (5),
  // Sat 2/28 worked (6), Monday 3/2 (7).
  EXPECT_TRUE(CompleteEnforcement("2026-01-20", "2026-02-13", "2026-03-02T16:00:00+08:00",
                                  "2026-02-14", "2026-03-20")
                  .Evaluate()
                  .findings.empty());
  EXPECT_EQ(Rules(CompleteEnforcement("2026-01-20", "2026-02-13", "2026-03-03T09:00:00+08:00",
                                      "2026-02-14", "2026-03-20")
                      .Evaluate()),
            std::vector<RuleId>{RuleId::kServiceWithin7WorkingDays});
}

TEST(ServiceWithin7WorkingDaysTest, ServiceHandedOverOnTheDayOfTheDecisionIsInTime) {
  EXPECT_TRUE(CompleteEnforcement("2026-03-02", "2026-03-20T10:00:00+08:00",
                                  "2026-03-20T10:30:00+08:00", "2026-03-23", "2026-04-01")
                  .Evaluate()
                  .findings.empty());
}

TEST(PublicityWithin7WorkingDaysTest, LateAndMissingPublicity) {
  Trail late = CompleteEnforcement("2026-03-02", "2026-03-20", "2026-03-23", "2026-04-01",
                                   "2026-04-10");  // 3/20 + 7 working days = 3/31
  EXPECT_EQ(Rules(late.Evaluate()), std::vector<RuleId>{RuleId::kPublicityWithin7WorkingDays});
  Trail missing;
  missing.Add(kE, "filing", "2026-03-02")
      .Add(kE, "decision", "2026-03-20")
      .Add(kE, "service", "2026-03-23")
      .Add(kE, "closing", "2026-04-10");
  // Missing publicity is not one of missing_stage's groups: its own rule reports it.
  EXPECT_EQ(Rules(missing.Evaluate()), std::vector<RuleId>{RuleId::kPublicityWithin7WorkingDays});
  EXPECT_TRUE(missing.Evaluate("2026-03-31T20:00:00+08:00").findings.empty());
}

// ---------------------------------------------------------------- legal review

TEST(LegalReviewBeforeMajorDecisionTest, AMajorDecisionNeedsAnEarlierLegalReview) {
  Trail reviewed;
  reviewed.Add(kE, "filing", "2026-03-02")
      .Add("review_opinion", "legal_review", "2026-03-10")
      .Add(kE, "notification", "2026-03-12")
      .Add(kE, "major_decision", "2026-03-16");
  auto kept = reviewed.Evaluate("2026-03-17");
  EXPECT_TRUE(kept.findings.empty()) << kept.findings.front().detail;
  EXPECT_TRUE(Outcome(kept, RuleId::kLegalReviewBeforeMajorDecision).kept);

  Trail unreviewed;
  unreviewed.Add(kE, "filing", "2026-03-02")
      .Add(kE, "notification", "2026-03-12")
      .Add(kE, "major_decision", "2026-03-16");
  auto missing = unreviewed.Evaluate("2026-03-17");
  ASSERT_EQ(Rules(missing), std::vector<RuleId>{RuleId::kLegalReviewBeforeMajorDecision});
  EXPECT_EQ(missing.findings[0].records, std::vector<crypto::Digest>{unreviewed.id(2)});

  Trail late_review;
  late_review.Add(kE, "filing", "2026-03-02")
      .Add(kE, "notification", "2026-03-12")
      .Add(kE, "major_decision", "2026-03-16")
      .Add(kE, "legal_review", "2026-03-17");
  auto after = late_review.Evaluate("2026-03-18");
  ASSERT_EQ(Rules(after), std::vector<RuleId>{RuleId::kLegalReviewBeforeMajorDecision});
  EXPECT_EQ(after.findings[0].records, (std::vector<crypto::Digest>{late_review.id(2), late_review.id(3)}));
}

TEST(LegalReviewBeforeMajorDecisionTest, AnOrdinaryDecisionNeedsNone) {
  auto evaluation = CompleteEnforcement("2026-03-02", "2026-03-20", "2026-03-23", "2026-03-24",
                                        "2026-04-10")
                        .Evaluate();
  EXPECT_TRUE(evaluation.findings.empty());
  EXPECT_FALSE(Outcome(evaluation, RuleId::kLegalReviewBeforeMajorDecision).applicable);
}

// ---------------------------------------------------------------- hearings (第六十四条)

// Filed, then notified on Monday 2026-09-28 (before 国庆 10/1–10/7; Saturday 10/10 is worked).
Trail NotifiedBeforeNationalDay() {
  Trail trail;
  trail.Add(kE, "filing", "2026-09-21").Add(kE, "notification", "2026-09-28");
  return trail;
}

TEST(HearingRequestTest, FiveWorkingDaysEndOnTheAdjustedWorkingSaturday) {
  // 9/29, 9/30, 10/8, 10/9 and Saturday 10/10 (调休上班): the 5th working day.
  Trail kept = NotifiedBeforeNationalDay();
  kept.Add(kE, "hearing_request", "2026-10-10T23:59:59+08:00");
  auto in_time = kept.Evaluate("2026-10-13");
  EXPECT_TRUE(in_time.findings.empty()) << in_time.findings.front().detail;
  EXPECT_TRUE(Outcome(in_time, RuleId::kHearingRequestWithin5WorkingDays).applicable);
  EXPECT_TRUE(Outcome(in_time, RuleId::kHearingRequestWithin5WorkingDays).kept);

  Trail late = NotifiedBeforeNationalDay();
  late.Add(kE, "hearing_request", "2026-10-12T09:00:00+08:00");
  auto evaluation = late.Evaluate("2026-10-13");
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kHearingRequestWithin5WorkingDays});
  const Finding& finding = evaluation.findings[0];
  EXPECT_EQ(finding.records, (std::vector<crypto::Digest>{late.id(1), late.id(2)}));
  EXPECT_EQ(finding.due_ms, At("2026-10-11T00:00:00+08:00"));
  EXPECT_NE(finding.detail.find("later than 5 working days after notification on 2026-09-28 "
                                "(due by 2026-10-10)"),
            std::string::npos)
      << finding.detail;
  EXPECT_FALSE(Outcome(evaluation, RuleId::kHearingRequestWithin5WorkingDays).kept);
}

TEST(HearingRequestTest, NoRequestIsNoFindingAndARequestBeforeNotificationIsOutOfOrder) {
  // A party need not ask for a hearing, however long ago it was notified.
  auto none = NotifiedBeforeNationalDay().Evaluate("2027-01-05");
  EXPECT_EQ(Rules(none), std::vector<RuleId>{RuleId::kDecisionWithin90Days});  // that one, not ours
  EXPECT_FALSE(Outcome(none, RuleId::kHearingRequestWithin5WorkingDays).applicable);
  Trail early;
  early.Add(kE, "filing", "2026-09-21")
      .Add(kE, "hearing_request", "2026-09-25")
      .Add(kE, "notification", "2026-09-28");
  EXPECT_EQ(Rules(early.Evaluate("2026-10-13")), std::vector<RuleId>{RuleId::kOutOfOrder});
}

TEST(HearingNoticeTest, TheHearingOnTheSeventhWorkingDayAfterTheNoticeAndNotBefore) {
  // Notice on Monday 9/28: 9/29, 9/30, 10/8, 10/9, Sat 10/10, 10/12, 10/13 -> the
  // hearing may be held from Tuesday 10/13.
  Trail kept = NotifiedBeforeNationalDay();
  kept.Add(kE, "hearing_request", "2026-09-28T15:00:00+08:00")
      .Add(kE, "hearing_notice", "2026-09-28T16:00:00+08:00")
      .Add(kE, "hearing", "2026-10-13T09:00:00+08:00");
  auto in_time = kept.Evaluate("2026-10-14");
  EXPECT_TRUE(in_time.findings.empty()) << in_time.findings.front().detail;
  EXPECT_TRUE(Outcome(in_time, RuleId::kHearingNotice7WorkingDaysBefore).applicable);
  EXPECT_TRUE(Outcome(in_time, RuleId::kHearingNotice7WorkingDaysBefore).kept);

  Trail early = NotifiedBeforeNationalDay();
  early.Add(kE, "hearing_request", "2026-09-28T15:00:00+08:00")
      .Add(kE, "hearing_notice", "2026-09-28T16:00:00+08:00")
      .Add(kE, "hearing", "2026-10-12T17:00:00+08:00");
  auto evaluation = early.Evaluate("2026-10-14");
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kHearingNotice7WorkingDaysBefore});
  const Finding& finding = evaluation.findings[0];
  EXPECT_EQ(finding.records, (std::vector<crypto::Digest>{early.id(3), early.id(4)}));
  EXPECT_EQ(finding.agency, "sishui-market-supervision");
  EXPECT_EQ(finding.due_ms, At("2026-10-13T00:00:00+08:00"));
  EXPECT_NE(finding.detail.find("held on 2026-10-13 at the earliest"), std::string::npos)
      << finding.detail;
  EXPECT_NE(finding.detail_zh.find("2026-10-13"), std::string::npos) << finding.detail_zh;
}

TEST(HearingNoticeTest, TheLastNoticeBeforeTheHearingCounts) {
  // Re-scheduled: the first notice (9/8) was in time for a hearing on 10/12, the
  // second one, on Friday 10/9, is not (its 7th working day is 10/19).
  Trail trail;
  trail.Add(kE, "filing", "2026-09-01")
      .Add(kE, "notification", "2026-09-07")
      .Add(kE, "hearing_notice", "2026-09-08")
      .Add(kE, "hearing_notice", "2026-10-09")
      .Add(kE, "hearing", "2026-10-12");
  auto evaluation = trail.Evaluate("2026-10-14");
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kHearingNotice7WorkingDaysBefore});
  EXPECT_EQ(evaluation.findings[0].records, (std::vector<crypto::Digest>{trail.id(3), trail.id(4)}));
}

TEST(HearingNoticeTest, AHearingWithoutANoticeIsAFindingOnlyWithFlagMissing) {
  Trail trail = NotifiedBeforeNationalDay();
  trail.Add(kE, "hearing", "2026-10-13");
  auto silent = trail.Evaluate("2026-10-14");
  EXPECT_TRUE(silent.findings.empty()) << silent.findings.front().detail;
  EXPECT_FALSE(Outcome(silent, RuleId::kHearingNotice7WorkingDaysBefore).applicable);

  std::string text(RuleSet::DefaultText());
  const std::string section = "[rules.hearing_notice_7_working_days_before]";
  const size_t flag = text.find("flag_missing = false", text.find(section));
  ASSERT_NE(flag, std::string::npos);
  text.replace(flag, std::string("flag_missing = false").size(), "flag_missing = true");
  auto strict = RuleSet::Parse(text);
  ASSERT_TRUE(strict.ok()) << strict.status().ToString();
  auto evaluation = trail.Evaluate("2026-10-14", *strict);
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kHearingNotice7WorkingDaysBefore});
  EXPECT_EQ(evaluation.findings[0].records, std::vector<crypto::Digest>{trail.id(2)});
  EXPECT_NE(evaluation.findings[0].detail.find("no notice"), std::string::npos);
  // A notice recorded only after the hearing: the order is wrong, not the notice period.
  Trail after = NotifiedBeforeNationalDay();
  after.Add(kE, "hearing", "2026-10-13").Add(kE, "hearing_notice", "2026-10-14");
  EXPECT_EQ(Rules(after.Evaluate("2026-10-15")), std::vector<RuleId>{RuleId::kOutOfOrder});
}

// ---------------------------------------------------------------- reconsideration

Trail Reconsideration(const std::string& application, const std::string& acceptance,
                      const std::string& reply, const std::string& decision) {
  Trail trail("(2026)鲁0831行复1号");
  trail.Add(kR, "application", application).Add(kR, "acceptance", acceptance).Add(kR, "reply", reply);
  if (!decision.empty()) trail.Add(kR, "decision", decision);
  return trail;
}

TEST(ReconsiderationAcceptanceTest, FiveWorkingDaysAcrossLabourDayAndItsSaturday) {
  // Applied Thursday 2026-04-30; 劳动节 5/1–5/5; 5/6, 5/7, 5/8, Sat 5/9 (worked), Mon 5/11.
  auto kept = Reconsideration("2026-04-30", "2026-05-11T17:00:00+08:00", "2026-05-20", "2026-06-20")
                  .Evaluate();
  EXPECT_TRUE(kept.findings.empty()) << kept.findings.front().detail;
  Trail late = Reconsideration("2026-04-30", "2026-05-12", "2026-05-20", "2026-06-20");
  auto evaluation = late.Evaluate();
  ASSERT_EQ(Rules(evaluation),
            std::vector<RuleId>{RuleId::kReconsiderationAcceptanceWithin5WorkingDays});
  EXPECT_EQ(evaluation.findings[0].records, (std::vector<crypto::Digest>{late.id(0), late.id(1)}));
}

TEST(ReconsiderationAcceptanceTest, NotRefusedInTimeCountsAsAcceptedWhenThePeriodEnds) {
  // Nothing decided on the application: a finding, and the reply and decision
  // periods run from Monday 5/11, the last day of the review period (第三十条).
  Trail silent("(2026)鲁0831行复2号");
  silent.Add(kR, "application", "2026-04-30");
  EXPECT_TRUE(silent.Evaluate("2026-05-11T20:00:00+08:00").findings.empty());
  auto evaluation = silent.Evaluate("2026-05-12T08:00:00+08:00");
  EXPECT_EQ(Rules(evaluation),
            std::vector<RuleId>{RuleId::kReconsiderationAcceptanceWithin5WorkingDays});
  // 17 working days after 5/11 is 6/3; the reply is overdue from 6/4 on.
  auto later = silent.Evaluate("2026-06-04T08:00:00+08:00");
  EXPECT_EQ(Rules(later), (std::vector<RuleId>{RuleId::kReconsiderationAcceptanceWithin5WorkingDays,
                                               RuleId::kReconsiderationReplyWithin17WorkingDays}));
  // A late acceptance on 5/14: the reply is still due 17 working days after 5/11.
  Trail late_acceptance = Reconsideration("2026-04-30", "2026-05-14", "2026-06-04", "2026-07-01");
  EXPECT_EQ(Rules(late_acceptance.Evaluate()),
            (std::vector<RuleId>{RuleId::kReconsiderationAcceptanceWithin5WorkingDays,
                                 RuleId::kReconsiderationReplyWithin17WorkingDays}));
}

TEST(ReconsiderationAcceptanceTest, ARefusalInTimeEndsTheCase) {
  Trail refused("(2026)鲁0831行复3号");
  refused.Add(kR, "application", "2026-03-02").Add(kR, "refusal", "2026-03-05");
  auto evaluation = refused.Evaluate();
  EXPECT_TRUE(evaluation.findings.empty());
  EXPECT_TRUE(Outcome(evaluation, RuleId::kReconsiderationAcceptanceWithin5WorkingDays).kept);
  EXPECT_FALSE(Outcome(evaluation, RuleId::kReconsiderationReplyWithin17WorkingDays).applicable);
  EXPECT_FALSE(Outcome(evaluation, RuleId::kReconsiderationDecisionWithin60Days).applicable);
}

TEST(ReconsiderationReplyTest, SeventeenWorkingDaysAfterAcceptance) {
  // Accepted Monday 2026-03-02; the 17th working day after it is Wednesday 3/25.
  EXPECT_TRUE(Reconsideration("2026-02-27", "2026-03-02", "2026-03-25T18:00:00+08:00", "2026-04-20")
                  .Evaluate()
                  .findings.empty());
  Trail late = Reconsideration("2026-02-27", "2026-03-02", "2026-03-26", "2026-04-20");
  auto evaluation = late.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kReconsiderationReplyWithin17WorkingDays});
  EXPECT_EQ(evaluation.findings[0].records, (std::vector<crypto::Digest>{late.id(1), late.id(2)}));
}

TEST(ReconsiderationDecisionTest, SixtyDaysMovedPastLabourDay) {
  // Accepted 2026-03-02; day 60 is Friday 5/1, inside 劳动节 (5/1–5/5), so the
  // period ends on Wednesday 5/6 (民事诉讼法 第八十五条 through 行政复议法 第八十八条).
  EXPECT_TRUE(Reconsideration("2026-02-27", "2026-03-02", "2026-03-20", "2026-05-06T17:00:00+08:00")
                  .Evaluate()
                  .findings.empty());
  Trail late = Reconsideration("2026-02-27", "2026-03-02", "2026-03-20", "2026-05-07");
  auto evaluation = late.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kReconsiderationDecisionWithin60Days});
  EXPECT_NE(evaluation.findings[0].detail.find("due by 2026-05-06"), std::string::npos)
      << evaluation.findings[0].detail;
}

TEST(ReconsiderationDecisionTest, NinetyDaysAfterAnExtensionWithinTheSixty) {
  // With an extension on 4/20, 90 days: 5/31 is a Sunday, so Monday 6/1.
  Trail extended("(2026)鲁0831行复4号");
  extended.Add(kR, "application", "2026-02-27")
      .Add(kR, "acceptance", "2026-03-02")
      .Add(kR, "reply", "2026-03-20")
      .Add(kR, "extension", "2026-04-20")
      .Add(kR, "decision", "2026-06-01T16:00:00+08:00");
  EXPECT_TRUE(extended.Evaluate().findings.empty());
  Trail too_late("(2026)鲁0831行复5号");
  too_late.Add(kR, "application", "2026-02-27")
      .Add(kR, "acceptance", "2026-03-02")
      .Add(kR, "reply", "2026-03-20")
      .Add(kR, "extension", "2026-04-20")
      .Add(kR, "decision", "2026-06-02");
  auto evaluation = too_late.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kReconsiderationDecisionWithin60Days});
  // The extension is one of the records that prove it.
  EXPECT_EQ(evaluation.findings[0].records.size(), 3u);
  // An extension made after the 60 days had run out extends nothing.
  Trail late_extension("(2026)鲁0831行复6号");
  late_extension.Add(kR, "application", "2026-02-27")
      .Add(kR, "acceptance", "2026-03-02")
      .Add(kR, "reply", "2026-03-20")
      .Add(kR, "extension", "2026-05-07")
      .Add(kR, "decision", "2026-05-20");
  EXPECT_EQ(Rules(late_extension.Evaluate()),
            std::vector<RuleId>{RuleId::kReconsiderationDecisionWithin60Days});
}

// ---------------------------------------------------------------- missing_stage, out_of_order

TEST(MissingStageTest, AClosedCaseNeedsFilingADecisionAndService) {
  Trail trail;
  trail.Add(kE, "filing", "2026-03-02")
      .Add(kE, "decision", "2026-03-20")
      .Add(kE, "publicity", "2026-03-23")
      .Add(kE, "closing", "2026-04-10");
  auto evaluation = trail.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kMissingStage});
  EXPECT_EQ(evaluation.findings[0].records, std::vector<crypto::Digest>{trail.id(3)});
  EXPECT_NE(evaluation.findings[0].detail.find("without service"), std::string::npos);
  // Open cases are not judged by it.
  Trail open;
  open.Add(kE, "filing", "2026-03-02");
  EXPECT_FALSE(Outcome(open.Evaluate("2026-03-03"), RuleId::kMissingStage).applicable);
}

TEST(OutOfOrderTest, AStageBeforeOneItMustFollow) {
  Trail trail;
  trail.Add(kE, "investigation", "2026-02-27")
      .Add(kE, "filing", "2026-03-02")
      .Add(kE, "notification", "2026-03-10")
      .Add(kE, "decision", "2026-03-20")
      .Add(kE, "service", "2026-03-23")
      .Add(kE, "publicity", "2026-03-23")
      .Add(kE, "closing", "2026-04-10");
  auto evaluation = trail.Evaluate();
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kOutOfOrder});
  EXPECT_EQ(evaluation.findings[0].records, (std::vector<crypto::Digest>{trail.id(0), trail.id(1)}));
  EXPECT_NE(evaluation.findings[0].detail.find("earlier than filing on 2026-03-02"), std::string::npos);
  // A decision without notification first, and service before the decision.
  Trail reversed;
  reversed.Add(kE, "filing", "2026-03-02")
      .Add(kE, "service", "2026-03-19")
      .Add(kE, "decision", "2026-03-20")
      .Add(kE, "notification", "2026-03-21");
  EXPECT_EQ(Rules(reversed.Evaluate("2026-03-22")),
            (std::vector<RuleId>{RuleId::kOutOfOrder, RuleId::kOutOfOrder}));
}

TEST(OutOfOrderTest, MissingOptionalStagesAreNoFinding) {
  // No investigation, hearing, legal review, collective discussion or execution:
  // a lawful short trail.
  auto evaluation = CompleteEnforcement("2026-03-02", "2026-03-20", "2026-03-23", "2026-03-24",
                                        "2026-04-10")
                        .Evaluate();
  EXPECT_TRUE(evaluation.findings.empty());
  EXPECT_TRUE(Outcome(evaluation, RuleId::kOutOfOrder).kept);
  Trail minimal;
  minimal.Add(kE, "filing", "2026-03-02")
      .Add(kE, "decision", "2026-03-20")
      .Add(kE, "service", "2026-03-20T15:00:00+08:00")
      .Add(kE, "publicity", "2026-03-25")
      .Add(kE, "closing", "2026-03-26");
  EXPECT_TRUE(minimal.Evaluate().findings.empty());
}

// ---------------------------------------------------------------- late_recording

TEST(LateRecordingTest, TwentyFourHoursIsInTimeAndAMillisecondMoreIsNot) {
  Trail trail;
  trail.Add(kE, "filing", "2026-03-02", 24 * kHourMs);
  EXPECT_TRUE(trail.Evaluate("2026-03-04").findings.empty());
  Trail late;
  late.Add(kE, "filing", "2026-03-02", 24 * kHourMs + 1);
  auto evaluation = late.Evaluate("2026-03-04");
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kLateRecording});
  EXPECT_EQ(evaluation.findings[0].records, std::vector<crypto::Digest>{late.id(0)});
}

TEST(LateRecordingTest, ActsBeforeGenesisAreHistoryNotLateRecords) {
  Trail history;
  history.Add(kE, "filing", "2024-12-30", 400 * 24 * kHourMs);
  auto evaluation = history.Evaluate("2026-03-04");
  EXPECT_FALSE(Outcome(evaluation, RuleId::kLateRecording).applicable);
  for (const Finding& finding : evaluation.findings) EXPECT_NE(finding.rule, RuleId::kLateRecording);
}

TEST(LateRecordingTest, AThresholdPerStage) {
  std::string text(RuleSet::DefaultText());
  const std::string table = "[rules.late_recording.hours_by_stage]\n";
  text.replace(text.find(table), table.size(), table + "filing = 72\n");
  auto rules = RuleSet::Parse(text);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  Trail trail;
  trail.Add(kE, "filing", "2026-03-02", 48 * kHourMs).Add(kE, "investigation", "2026-03-03", 48 * kHourMs);
  auto evaluation = trail.Evaluate("2026-03-10", *rules);
  ASSERT_EQ(Rules(evaluation), std::vector<RuleId>{RuleId::kLateRecording});
  EXPECT_EQ(evaluation.findings[0].records, std::vector<crypto::Digest>{trail.id(1)});
}

// ---------------------------------------------------------------- whole cases

TEST(EvaluateCaseTest, TheOwnerIsTheAgencyThatFiledAndDisabledRulesAreSilent) {
  Trail trail;
  trail.Add(kE, "investigation", "2026-02-27").Add(kE, "filing", "2026-03-02");
  auto evaluation = trail.Evaluate("2026-03-03");
  EXPECT_EQ(evaluation.owner, "sishui-market-supervision");
  EXPECT_EQ(evaluation.opened_ms, At("2026-03-02"));
  EXPECT_EQ(evaluation.records, 2u);
  std::string text(RuleSet::DefaultText());
  const std::string rule = "[rules.out_of_order]\nenabled = true";
  text.replace(text.find(rule), rule.size(), "[rules.out_of_order]\nenabled = false");
  auto rules = RuleSet::Parse(text);
  ASSERT_TRUE(rules.ok());
  auto quiet = trail.Evaluate("2026-03-03", *rules);
  EXPECT_TRUE(quiet.findings.empty());
  EXPECT_FALSE(Outcome(quiet, RuleId::kOutOfOrder).applicable);
}

TEST(EvaluateCaseTest, AClosedEnforcementTrackDoesNotSilenceTheReconsiderationTrack) {
  Trail trail;
  trail.Add(kE, "filing", "2026-01-05")
      .Add(kE, "closing", "2026-02-02")
      .Add(kR, "application", "2026-02-27")
      .Add(kR, "acceptance", "2026-03-02")
      .Add(kR, "reply", "2026-03-10");
  EXPECT_EQ(Rules(trail.Evaluate("2026-06-01")),
            (std::vector<RuleId>{RuleId::kReconsiderationDecisionWithin60Days, RuleId::kMissingStage}));
}

TEST(EvaluateCaseTest, LitigationAndOtherKindsAreJudgedOnlyForLateRecording) {
  Trail trail("(2026)鲁0831行初7号");
  trail.Add("litigation_document", "judgment", "2026-03-02")
      .Add("litigation_document", "filing", "2026-03-05");
  EXPECT_TRUE(trail.Evaluate().findings.empty());
}

}  // namespace
}  // namespace evidence::supervision
