#include "supervision/engine.h"

#include <algorithm>
#include <initializer_list>

#include "common/check.h"
#include "common/time_text.h"

namespace evidence::supervision {
namespace {

// The case's records in time order, with what every rule asks of them.
class CaseView {
 public:
  CaseView(const RuleSet& rules, const WorkingCalendar& calendar, const CaseTrail& trail,
           const EvaluationContext& context)
      : rules_(rules), calendar_(calendar), trail_(trail), context_(context) {
    for (const TrailRecord& record : trail.records) sorted_.push_back(&record);
    std::sort(sorted_.begin(), sorted_.end(), [](const TrailRecord* a, const TrailRecord* b) {
      return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->leaf_index < b->leaf_index;
    });
  }

  const std::vector<const TrailRecord*>& sorted() const { return sorted_; }
  const RuleSet& rules() const { return rules_; }
  const EvaluationContext& context() const { return context_; }
  const std::string& case_id() const { return trail_.case_id; }
  int offset() const { return rules_.utc_offset_minutes(); }

  bool InTrack(const TrailRecord& record, Track track) const {
    return rules_.TrackOf(record.kind) == track;
  }

  // The first record of the track whose stage is one of `stages`.
  const TrailRecord* Earliest(Track track, std::initializer_list<std::string_view> stages) const {
    return Earliest(track, std::vector<std::string>(stages.begin(), stages.end()));
  }
  const TrailRecord* Earliest(Track track, const std::vector<std::string>& stages) const {
    for (const TrailRecord* record : sorted_) {
      if (InTrack(*record, track) &&
          std::find(stages.begin(), stages.end(), record->stage) != stages.end()) {
        return record;
      }
    }
    return nullptr;
  }

  int32_t Day(int64_t time_ms) const { return CivilDayOf(time_ms, offset()); }

  // The last day of a period of `limit` days after `start_day`.
  int32_t LastDay(const RuleSettings& rule, int32_t start_day, int limit) const {
    if (rule.working_days) return calendar_.AddWorkingDays(start_day, limit);
    const int32_t last = start_day + limit;
    return rule.roll_to_working_day ? calendar_.WorkingDayOnOrAfter(last) : last;
  }
  // 24:00 of the last day: an act before this is in time.
  int64_t EndOf(int32_t last_day) const { return StartOfCivilDayMs(last_day + 1, offset()); }

  std::string Date(int64_t time_ms) const { return FormatCivilDate(Day(time_ms)); }
  // A stage's Chinese name (its id when the vocabulary has none).
  std::string StageZh(const std::string& kind, const std::string& stage) const {
    const std::string_view label = rules_.StageLabelZh(kind, stage);
    return label.empty() ? stage : std::string(label);
  }

  // The case is closed and missing_stage requires `stage`: that rule reports its absence.
  bool MissingStageReports(std::string_view stage) const {
    const RuleSettings& missing = rules_.rule(RuleId::kMissingStage);
    if (!missing.enabled || Earliest(Track::kEnforcement, {"closing"}) == nullptr) return false;
    for (const StageGroup& group : missing.required) {
      if (std::find(group.begin(), group.end(), stage) != group.end()) return true;
    }
    return false;
  }

 private:
  const RuleSet& rules_;
  const WorkingCalendar& calendar_;
  const CaseTrail& trail_;
  const EvaluationContext& context_;
  std::vector<const TrailRecord*> sorted_;
};

Finding MakeFinding(const CaseView& view, RuleId rule, const TrailRecord& responsible,
                    std::initializer_list<const TrailRecord*> records) {
  Finding finding;
  finding.rule = rule;
  finding.case_id = view.case_id();
  finding.agency = responsible.agency;
  finding.time_ms = responsible.time_ms;
  std::vector<const TrailRecord*> cited;
  for (const TrailRecord* record : records) {
    if (record != nullptr) cited.push_back(record);
  }
  std::sort(cited.begin(), cited.end(), [](const TrailRecord* a, const TrailRecord* b) {
    return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->leaf_index < b->leaf_index;
  });
  for (const TrailRecord* record : cited) finding.records.push_back(record->id);
  return finding;
}

// One deadline: `end` (earliest of `end_stages`) must come before the period of
// `limit` days after `start` (on `start_day`) ends.
struct Deadline {
  RuleId rule;
  const TrailRecord* start = nullptr;
  int32_t start_day = 0;
  int limit = 0;
  const TrailRecord* end = nullptr;
  std::string_view end_stage;     // for the missing-act check and the text
  std::string_view start_what;    // "filing", "the decision", ...
  std::string_view start_what_zh;
  std::string_view end_what;
  std::string_view end_what_zh;
  std::string unit;       // "days" or "working days"
  std::string unit_zh;    // "日" or "个工作日"
};

void CheckDeadline(const CaseView& view, const Deadline& d, CaseEvaluation& out,
                   const TrailRecord* also_cite = nullptr) {
  const RuleSettings& rule = view.rules().rule(d.rule);
  RuleOutcome& outcome = out.outcomes[RuleIndex(d.rule)];
  const int32_t last_day = view.LastDay(rule, d.start_day, d.limit);
  const int64_t due = view.EndOf(last_day);
  const std::string limit = std::to_string(d.limit);
  const std::string start_date = FormatCivilDate(d.start_day);
  const std::string due_date = FormatCivilDate(last_day);
  if (d.end != nullptr) {
    outcome.applicable = true;
    outcome.kept = d.end->time_ms < due;
    if (outcome.kept) return;
    Finding finding = MakeFinding(view, d.rule, *d.end, {d.start, d.end, also_cite});
    finding.due_ms = due;
    finding.detail = std::string(d.end_what) + " on " + view.Date(d.end->time_ms) +
                     ", later than " + limit + " " + d.unit + " after " +
                     std::string(d.start_what) + " on " + start_date + " (due by " + due_date + ")";
    finding.detail_zh = std::string(d.start_what_zh) + start_date + "，" + std::string(d.end_what_zh) +
                        view.Date(d.end->time_ms) + "，超过" + limit + d.unit_zh + "期限（期限届满日" +
                        due_date + "）";
    out.findings.push_back(std::move(finding));
    return;
  }
  const bool enforcement = d.rule == RuleId::kDecisionWithin90Days ||
                           d.rule == RuleId::kServiceWithin7WorkingDays ||
                           d.rule == RuleId::kPublicityWithin7WorkingDays;
  if (!rule.flag_missing || view.context().as_of_ms < due ||
      (enforcement && view.MissingStageReports(d.end_stage))) {
    return;  // not due yet, or reported by missing_stage
  }
  outcome.applicable = true;
  outcome.kept = false;
  const TrailRecord& responsible = d.start != nullptr ? *d.start : *view.sorted().front();
  Finding finding = MakeFinding(view, d.rule, responsible, {d.start, also_cite});
  finding.time_ms = due;
  finding.due_ms = due;
  finding.detail = "no " + std::string(d.end_what) + " recorded; the " + limit + " " + d.unit +
                   " after " + std::string(d.start_what) + " on " + start_date + " ended on " +
                   due_date;
  finding.detail_zh = std::string(d.start_what_zh) + start_date + "，至" + due_date + "期满仍无" +
                      std::string(d.end_what_zh) + "记录";
  out.findings.push_back(std::move(finding));
}

void CheckEnforcementDeadlines(const CaseView& view, CaseEvaluation& out) {
  const TrailRecord* filing = view.Earliest(Track::kEnforcement, {"filing"});
  const TrailRecord* decision = view.Earliest(Track::kEnforcement, {"decision", "major_decision"});
  const RuleSettings& within_90 = view.rules().rule(RuleId::kDecisionWithin90Days);
  if (within_90.enabled && filing != nullptr) {
    CheckDeadline(view,
                  {RuleId::kDecisionWithin90Days, filing, view.Day(filing->time_ms),
                   within_90.limit_days, decision, "decision", "filing", "立案日", "decision",
                   "决定日", "days", "日"},
                  out);
  }
  if (decision == nullptr) return;
  struct After {
    RuleId rule;
    std::string_view stage;
    std::string_view what_zh;
  };
  for (const After& after : {After{RuleId::kServiceWithin7WorkingDays, "service", "送达日"},
                             After{RuleId::kPublicityWithin7WorkingDays, "publicity", "公示日"}}) {
    const RuleSettings& rule = view.rules().rule(after.rule);
    if (!rule.enabled) continue;
    const TrailRecord* end = view.Earliest(Track::kEnforcement, {after.stage});
    CheckDeadline(view,
                  {after.rule, decision, view.Day(decision->time_ms), rule.limit_days, end,
                   after.stage, "the decision", "决定日", after.stage, after.what_zh,
                   rule.working_days ? "working days" : "days",
                   rule.working_days ? "个工作日" : "日"},
                  out);
  }
}

// hearing_request_within_5_working_days: the earliest hearing_request vs 5
// working days after the earliest notification. Only a request that was made
// is judged: a party need not ask for a hearing.
void CheckHearingRequest(const CaseView& view, CaseEvaluation& out) {
  const RuleSettings& rule = view.rules().rule(RuleId::kHearingRequestWithin5WorkingDays);
  if (!rule.enabled) return;
  const TrailRecord* notification = view.Earliest(Track::kEnforcement, {"notification"});
  const TrailRecord* request = view.Earliest(Track::kEnforcement, {"hearing_request"});
  if (notification == nullptr || request == nullptr) return;
  CheckDeadline(view,
                {RuleId::kHearingRequestWithin5WorkingDays, notification,
                 view.Day(notification->time_ms), rule.limit_days, request, "hearing_request",
                 "notification", "告知日", "the request for a hearing", "听证申请日",
                 rule.working_days ? "working days" : "days",
                 rule.working_days ? "个工作日" : "日"},
                out);
}

// hearing_notice_7_working_days_before: the earliest hearing may be held at the
// earliest on the 7th working day after the day of the last hearing_notice
// before it (the notice's day is not counted). A hearing with no notice before
// it is a finding only when flag_missing is set.
void CheckHearingNotice(const CaseView& view, CaseEvaluation& out) {
  const RuleSettings& rule = view.rules().rule(RuleId::kHearingNotice7WorkingDaysBefore);
  if (!rule.enabled) return;
  const TrailRecord* hearing = view.Earliest(Track::kEnforcement, {"hearing"});
  if (hearing == nullptr) return;
  const TrailRecord* notice = nullptr;
  for (const TrailRecord* record : view.sorted()) {
    if (record->time_ms >= hearing->time_ms) break;
    if (view.InTrack(*record, Track::kEnforcement) && record->stage == "hearing_notice") notice = record;
  }
  RuleOutcome& outcome = out.outcomes[RuleIndex(RuleId::kHearingNotice7WorkingDaysBefore)];
  const std::string limit = std::to_string(rule.limit_days);
  const std::string unit = rule.working_days ? " working days" : " days";
  const std::string unit_zh = rule.working_days ? "个工作日" : "日";
  if (notice == nullptr) {
    if (!rule.flag_missing) return;
    outcome.applicable = true;
    outcome.kept = false;
    Finding finding = MakeFinding(view, RuleId::kHearingNotice7WorkingDaysBefore, *hearing, {hearing});
    finding.detail = "hearing on " + view.Date(hearing->time_ms) + " with no notice of it recorded before";
    finding.detail_zh = "听证（" + view.Date(hearing->time_ms) + "）前无听证通知记录";
    out.findings.push_back(std::move(finding));
    return;
  }
  const int32_t earliest_day = view.LastDay(rule, view.Day(notice->time_ms), rule.limit_days);
  outcome.applicable = true;
  outcome.kept = view.Day(hearing->time_ms) >= earliest_day;
  if (outcome.kept) return;
  Finding finding = MakeFinding(view, RuleId::kHearingNotice7WorkingDaysBefore, *hearing,
                                {notice, hearing});
  finding.due_ms = StartOfCivilDayMs(earliest_day, view.offset());
  finding.detail = "hearing on " + view.Date(hearing->time_ms) + ", fewer than " + limit + unit +
                   " after its notice on " + view.Date(notice->time_ms) +
                   " (held on " + FormatCivilDate(earliest_day) + " at the earliest)";
  finding.detail_zh = "听证通知" + view.Date(notice->time_ms) + "，听证" + view.Date(hearing->time_ms) +
                      "，未在举行听证" + limit + unit_zh + "前通知（最早可于" +
                      FormatCivilDate(earliest_day) + "举行）";
  out.findings.push_back(std::move(finding));
}

void CheckLegalReview(const CaseView& view, CaseEvaluation& out) {
  if (!view.rules().rule(RuleId::kLegalReviewBeforeMajorDecision).enabled) return;
  RuleOutcome& outcome = out.outcomes[RuleIndex(RuleId::kLegalReviewBeforeMajorDecision)];
  const TrailRecord* review = view.Earliest(Track::kEnforcement, {"legal_review"});
  for (const TrailRecord* record : view.sorted()) {
    if (!view.InTrack(*record, Track::kEnforcement) || record->stage != "major_decision") continue;
    if (!outcome.applicable) outcome.kept = true;
    outcome.applicable = true;
    if (review != nullptr && review->time_ms < record->time_ms) continue;
    outcome.kept = false;
    Finding finding = MakeFinding(view, RuleId::kLegalReviewBeforeMajorDecision, *record,
                                  {record, review});
    if (review == nullptr) {
      finding.detail = "major decision on " + view.Date(record->time_ms) +
                       " with no legal review recorded in the case";
      finding.detail_zh = "重大执法决定（" + view.Date(record->time_ms) + "）无法制审核记录";
    } else {
      finding.detail = "major decision on " + view.Date(record->time_ms) +
                       " before the case's legal review on " + view.Date(review->time_ms);
      finding.detail_zh = "重大执法决定（" + view.Date(record->time_ms) + "）早于法制审核（" +
                          view.Date(review->time_ms) + "）";
    }
    out.findings.push_back(std::move(finding));
  }
}

void CheckReconsideration(const CaseView& view, CaseEvaluation& out) {
  const RuleSet& rules = view.rules();
  const TrailRecord* application = view.Earliest(Track::kReconsideration, {"application"});
  const TrailRecord* acceptance = view.Earliest(Track::kReconsideration, {"acceptance"});
  const TrailRecord* refusal = view.Earliest(Track::kReconsideration, {"refusal"});
  const TrailRecord* answer = view.Earliest(Track::kReconsideration, {"acceptance", "refusal"});
  const RuleSettings& accept_rule = rules.rule(RuleId::kReconsiderationAcceptanceWithin5WorkingDays);
  // The day acceptance counts from: the recorded acceptance, or the last day of
  // the review period when that comes first or nothing was decided in it (第三十条).
  std::optional<int32_t> accepted_day;
  const TrailRecord* accepted_by = acceptance;
  if (acceptance != nullptr) accepted_day = view.Day(acceptance->time_ms);
  if (application != nullptr) {
    const int32_t application_day = view.Day(application->time_ms);
    if (accept_rule.enabled) {
      CheckDeadline(view,
                    {RuleId::kReconsiderationAcceptanceWithin5WorkingDays, application,
                     application_day, accept_rule.limit_days, answer, "acceptance",
                     "the application", "申请日", "acceptance or refusal", "受理或不予受理决定",
                     "working days", "个工作日"},
                    out);
    }
    const int32_t review_end = view.LastDay(accept_rule, application_day, accept_rule.limit_days);
    const bool refused_in_time = acceptance == nullptr && refusal != nullptr &&
                                 refusal->time_ms < view.EndOf(review_end);
    if (!refused_in_time && (!accepted_day || *accepted_day > review_end) &&
        (acceptance != nullptr || view.context().as_of_ms >= view.EndOf(review_end))) {
      accepted_day = review_end;
      if (acceptance == nullptr) accepted_by = application;
    }
    if (refused_in_time) accepted_day.reset();
  }
  if (!accepted_day) return;
  const RuleSettings& reply_rule = rules.rule(RuleId::kReconsiderationReplyWithin17WorkingDays);
  if (reply_rule.enabled) {
    CheckDeadline(view,
                  {RuleId::kReconsiderationReplyWithin17WorkingDays, accepted_by, *accepted_day,
                   reply_rule.limit_days, view.Earliest(Track::kReconsideration, {"reply"}),
                   "reply", "acceptance", "受理日", "reply", "答复日", "working days",
                   "个工作日"},
                  out);
  }
  const RuleSettings& decide_rule = rules.rule(RuleId::kReconsiderationDecisionWithin60Days);
  if (!decide_rule.enabled) return;
  const TrailRecord* decision = view.Earliest(Track::kReconsideration, {"decision"});
  const int64_t base_due = view.EndOf(view.LastDay(decide_rule, *accepted_day, decide_rule.limit_days));
  const TrailRecord* extension = view.Earliest(Track::kReconsideration, {"extension"});
  const bool extended = extension != nullptr && extension->time_ms < base_due &&
                        (decision == nullptr || extension->time_ms < decision->time_ms);
  CheckDeadline(view,
                {RuleId::kReconsiderationDecisionWithin60Days, accepted_by, *accepted_day,
                 extended ? decide_rule.extended_limit_days : decide_rule.limit_days, decision,
                 "decision", "acceptance", "受理日", "the reconsideration decision", "复议决定日",
                 "days", "日"},
                out, extended ? extension : nullptr);
}

void CheckMissingStage(const CaseView& view, CaseEvaluation& out) {
  const RuleSettings& rule = view.rules().rule(RuleId::kMissingStage);
  const TrailRecord* closing = view.Earliest(Track::kEnforcement, {"closing"});
  if (!rule.enabled || closing == nullptr) return;
  RuleOutcome& outcome = out.outcomes[RuleIndex(RuleId::kMissingStage)];
  outcome.applicable = true;
  std::string missing;
  std::string missing_zh;
  for (const StageGroup& group : rule.required) {
    if (view.Earliest(Track::kEnforcement, group) != nullptr) continue;
    std::string names;
    std::string names_zh;
    for (const std::string& stage : group) {
      names += (names.empty() ? "" : " or ") + stage;
      names_zh += (names_zh.empty() ? "" : "或") + view.StageZh(closing->kind, stage);
    }
    missing += (missing.empty() ? "" : ", ") + names;
    missing_zh += (missing_zh.empty() ? "" : "、") + names_zh;
  }
  outcome.kept = missing.empty();
  if (outcome.kept) return;
  Finding finding = MakeFinding(view, RuleId::kMissingStage, *closing, {closing});
  finding.detail = "closed on " + view.Date(closing->time_ms) + " without " + missing;
  finding.detail_zh = "结案（" + view.Date(closing->time_ms) + "）前缺少：" + missing_zh;
  out.findings.push_back(std::move(finding));
}

void CheckOrder(const CaseView& view, Track track,
                const std::map<std::string, std::vector<StageGroup>>& must_follow,
                CaseEvaluation& out) {
  RuleOutcome& outcome = out.outcomes[RuleIndex(RuleId::kOutOfOrder)];
  for (const TrailRecord* record : view.sorted()) {
    if (!view.InTrack(*record, track)) continue;
    auto groups = must_follow.find(record->stage);
    if (groups == must_follow.end()) continue;
    if (!outcome.applicable) outcome.kept = true;
    outcome.applicable = true;
    std::vector<const TrailRecord*> before;
    std::string what;
    std::string what_zh;
    for (const StageGroup& group : groups->second) {
      const TrailRecord* first = view.Earliest(track, group);
      if (first == nullptr || first->time_ms <= record->time_ms) continue;
      before.push_back(first);
      what += (what.empty() ? "" : ", ") + first->stage + " on " + view.Date(first->time_ms);
      what_zh += (what_zh.empty() ? "" : "、") + view.StageZh(first->kind, first->stage) + "（" +
                 view.Date(first->time_ms) + "）";
    }
    if (before.empty()) continue;
    outcome.kept = false;
    Finding finding = MakeFinding(view, RuleId::kOutOfOrder, *record, {record});
    for (const TrailRecord* first : before) finding.records.push_back(first->id);
    finding.detail = record->stage + " on " + view.Date(record->time_ms) + " is earlier than " + what;
    finding.detail_zh = view.StageZh(record->kind, record->stage) + "（" +
                        view.Date(record->time_ms) + "）早于应在其前的环节：" + what_zh;
    out.findings.push_back(std::move(finding));
  }
}

void CheckLateRecording(const CaseView& view, CaseEvaluation& out) {
  const RuleSettings& rule = view.rules().rule(RuleId::kLateRecording);
  if (!rule.enabled) return;
  RuleOutcome& outcome = out.outcomes[RuleIndex(RuleId::kLateRecording)];
  for (const TrailRecord* record : view.sorted()) {
    if (rule.exempt_before_genesis && record->time_ms < view.context().genesis_time_ms) continue;
    if (!outcome.applicable) outcome.kept = true;
    outcome.applicable = true;
    auto by_stage = rule.late_after_ms_by_stage.find(record->stage);
    const int64_t limit = by_stage != rule.late_after_ms_by_stage.end() ? by_stage->second
                                                                         : rule.late_after_ms;
    const int64_t delay = record->committed_ms - record->time_ms;
    if (delay <= limit) continue;
    outcome.kept = false;
    Finding finding = MakeFinding(view, RuleId::kLateRecording, *record, {record});
    const std::string hours = std::to_string(delay / 3'600'000);
    const std::string limit_hours = std::to_string(limit / 3'600'000);
    finding.detail = record->stage + " of " + FormatRfc3339Ms(record->time_ms, view.offset()) +
                     " committed " + hours + " h later, on " +
                     FormatRfc3339Ms(record->committed_ms, view.offset()) + " (limit " +
                     limit_hours + " h)";
    finding.detail_zh = view.StageZh(record->kind, record->stage) + "（" +
                        FormatRfc3339Ms(record->time_ms, view.offset()) + "）" + hours +
                        "小时后才上链（限" + limit_hours + "小时）";
    out.findings.push_back(std::move(finding));
  }
}

}  // namespace

CaseEvaluation EvaluateCase(const RuleSet& rules, const WorkingCalendar& calendar,
                            const CaseTrail& trail, const EvaluationContext& context) {
  EVIDENCE_CHECK(!trail.records.empty());
  CaseView view(rules, calendar, trail, context);
  CaseEvaluation out;
  out.case_id = trail.case_id;
  out.records = trail.records.size();
  const TrailRecord* opening = view.Earliest(Track::kEnforcement, {"filing"});
  if (opening == nullptr) opening = view.Earliest(Track::kReconsideration, {"application"});
  if (opening == nullptr) opening = view.sorted().front();
  out.owner = opening->agency;
  out.opened_ms = opening->time_ms;

  CheckEnforcementDeadlines(view, out);
  CheckHearingRequest(view, out);
  CheckHearingNotice(view, out);
  CheckLegalReview(view, out);
  CheckReconsideration(view, out);
  CheckMissingStage(view, out);
  if (rules.rule(RuleId::kOutOfOrder).enabled) {
    const RuleSettings& order = rules.rule(RuleId::kOutOfOrder);
    CheckOrder(view, Track::kEnforcement, order.must_follow_enforcement, out);
    CheckOrder(view, Track::kReconsideration, order.must_follow_reconsideration, out);
  }
  CheckLateRecording(view, out);
  std::stable_sort(out.findings.begin(), out.findings.end(), [](const Finding& a, const Finding& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.time_ms < b.time_ms;
  });
  return out;
}

}  // namespace evidence::supervision
