#include "supervision/demo.h"

#include <algorithm>
#include <random>

#include "common/check.h"
#include "common/time_text.h"

namespace evidence::supervision {
namespace {

constexpr int64_t kMsPerMinuteDemo = 60'000;
constexpr int64_t kMsPerHourDemo = 3'600'000;
constexpr int kPlanAttemptsMax = 64;

bool IsEnforcementRule(RuleId rule) {
  switch (rule) {
    case RuleId::kReconsiderationAcceptanceWithin5WorkingDays:
    case RuleId::kReconsiderationReplyWithin17WorkingDays:
    case RuleId::kReconsiderationDecisionWithin60Days:
      return false;
    default:
      return true;
  }
}

struct Document {
  std::string_view stage;
  std::string_view title;
  std::string_view media_type;
};

constexpr Document kEnforcementDocuments[] = {
    {"filing", "立案审批表", "application/pdf"},
    {"investigation", "现场检查笔录及询问笔录", "application/pdf"},
    {"legal_review", "法制审核意见书", "application/pdf"},
    {"notification", "行政处罚事先告知书", "application/pdf"},
    {"hearing_request", "听证申请书", "application/pdf"},
    {"hearing_notice", "行政处罚听证通知书", "application/pdf"},
    {"hearing", "听证笔录", "application/pdf"},
    {"collective_discussion", "重大案件集体讨论记录", "application/pdf"},
    {"decision", "行政处罚决定书", "application/pdf"},
    {"major_decision", "行政处罚决定书（重大执法决定）", "application/pdf"},
    {"service", "送达回证", "image/jpeg"},
    {"publicity", "行政处罚决定信息公示截图", "image/png"},
    {"execution", "罚没款缴纳凭证", "application/pdf"},
    {"closing", "结案审批表", "application/pdf"},
};
constexpr Document kReconsiderationDocuments[] = {
    {"application", "行政复议申请书", "application/pdf"},
    {"acceptance", "行政复议受理通知书", "application/pdf"},
    {"refusal", "不予受理决定书", "application/pdf"},
    {"reply", "行政复议答复书", "application/pdf"},
    {"hearing", "行政复议听证笔录", "application/pdf"},
    {"extension", "延期审理通知书", "application/pdf"},
    {"decision", "行政复议决定书", "application/pdf"},
    {"service", "送达回证", "image/jpeg"},
};

class Planner {
 public:
  Planner(const RuleSet& rules, const WorkingCalendar& calendar, const DemoOptions& options)
      : rules_(rules), calendar_(calendar), options_(options), random_(options.seed) {}

  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  int offset() const { return rules_.utc_offset_minutes(); }

  // The `count`-th working day after `day` (0: the day itself).
  int32_t Working(int32_t day, int count) const {
    return count == 0 ? day : calendar_.AddWorkingDays(day, count);
  }
  int32_t WorkingOnOrAfter(int32_t day) const { return calendar_.WorkingDayOnOrAfter(day); }
  // The last day of a rule's period after `day` (as supervision/engine.cc counts it).
  int32_t LastDay(RuleId id, int32_t day, int limit) const {
    const RuleSettings& rule = rules_.rule(id);
    if (rule.working_days) return calendar_.AddWorkingDays(day, limit);
    return rule.roll_to_working_day ? calendar_.WorkingDayOnOrAfter(day + limit) : day + limit;
  }

  // A time in office hours (08:30 to 17:30) of `day`, later than `after_ms`.
  int64_t OfficeTime(int32_t day, int64_t after_ms) {
    int64_t time = StartOfCivilDayMs(day, offset()) + 8 * kMsPerHourDemo + 30 * kMsPerMinuteDemo +
                   Uniform(0, 9 * 60) * kMsPerMinuteDemo;
    if (time <= after_ms) time = after_ms + Uniform(10, 90) * kMsPerMinuteDemo;
    return time;
  }

  void Add(DemoCase& demo, std::string_view kind, std::string_view stage, int64_t time_ms) {
    DemoRecord record;
    record.kind = std::string(kind);
    record.stage = std::string(stage);
    const bool enforcement = kind != "reconsideration_document";
    std::string_view title = stage;
    std::string_view media_type = "application/pdf";
    auto documents = enforcement ? std::begin(kEnforcementDocuments) : std::begin(kReconsiderationDocuments);
    auto documents_end = enforcement ? std::end(kEnforcementDocuments) : std::end(kReconsiderationDocuments);
    for (auto it = documents; it != documents_end; ++it) {
      if (it->stage == stage) {
        title = it->title;
        media_type = it->media_type;
      }
    }
    record.title = demo.case_id + " " + std::string(title);
    record.media_type = std::string(media_type);
    record.content = "evidence-ledger demo document (stand-in, not a real case)\nagency: " +
                     options_.agency + "\ncase: " + demo.case_id + "\nstage: " + record.stage +
                     "\ntitle: " + std::string(title) + "\ntime: " +
                     FormatRfc3339Ms(time_ms, offset()) + "\nseed: " + std::to_string(options_.seed) +
                     "\n";
    record.size = record.content.size();
    record.time_ms = time_ms;
    record.commit_ms = options_.commit_at_ms ? *options_.commit_at_ms
                                             : time_ms + Uniform(1, 6 * 60) * kMsPerMinuteDemo;
    demo.records.push_back(std::move(record));
  }

  DemoCase Enforcement(const std::string& case_id, int32_t filing_day, std::optional<RuleId> plant);
  // A hearing the party asked for after the notification (on `notified_day`, at
  // `last`): request, notice, hearing, each in time unless planted. Returns the
  // hearing's time.
  int64_t Hearing(DemoCase& demo, int32_t notified_day, int64_t last, std::optional<RuleId> plant);
  DemoCase Reconsideration(const std::string& case_id, int32_t application_day,
                           std::optional<RuleId> plant);

 private:
  const RuleSet& rules_;
  const WorkingCalendar& calendar_;
  const DemoOptions& options_;
  std::mt19937_64 random_;
};

int32_t DayOf(const Planner& planner, int64_t time_ms) { return CivilDayOf(time_ms, planner.offset()); }

DemoCase Planner::Enforcement(const std::string& case_id, int32_t filing_day,
                              std::optional<RuleId> plant) {
  constexpr std::string_view kKind = "enforcement_record";
  auto planted = [&](RuleId rule) { return plant && *plant == rule; };
  DemoCase demo;
  demo.case_id = case_id;
  demo.planted = plant;
  const int64_t filing = OfficeTime(filing_day, 0);
  Add(demo, kKind, "filing", filing);
  int64_t last = filing;
  // Investigation: after filing, or (planted out_of_order) a few days before it.
  if (planted(RuleId::kOutOfOrder)) {
    Add(demo, kKind, "investigation", OfficeTime(filing_day - Uniform(1, 3), 0));
  } else {
    last = OfficeTime(Working(filing_day, Uniform(1, 8)), last);
    Add(demo, kKind, "investigation", last);
  }
  const bool major = planted(RuleId::kLegalReviewBeforeMajorDecision) || Chance(15);
  if (!planted(RuleId::kLegalReviewBeforeMajorDecision) && (major || Chance(30))) {
    last = OfficeTime(Working(DayOf(*this, last), Uniform(1, 4)), last);
    Add(demo, kKind, "legal_review", last);
  }
  last = OfficeTime(Working(DayOf(*this, last), Uniform(1, 4)), last);
  Add(demo, kKind, "notification", last);
  if (planted(RuleId::kHearingRequestWithin5WorkingDays) ||
      planted(RuleId::kHearingNotice7WorkingDaysBefore) || Chance(20)) {
    last = Hearing(demo, DayOf(*this, last), last, plant);
  }
  if (major) {
    last = OfficeTime(Working(DayOf(*this, last), Uniform(1, 3)), last);
    Add(demo, kKind, "collective_discussion", last);
  }
  int32_t decision_day = Working(DayOf(*this, last), Uniform(1, 4));
  if (planted(RuleId::kDecisionWithin90Days)) {
    const RuleSettings& rule = rules_.rule(RuleId::kDecisionWithin90Days);
    decision_day = WorkingOnOrAfter(LastDay(RuleId::kDecisionWithin90Days, filing_day,
                                            rule.limit_days) + Uniform(1, 15));
  }
  EVIDENCE_CHECK_MSG(planted(RuleId::kDecisionWithin90Days) ||
                         decision_day <= LastDay(RuleId::kDecisionWithin90Days, filing_day,
                                                 rules_.rule(RuleId::kDecisionWithin90Days).limit_days),
                     "demo: an unplanted decision would be late");
  const int64_t decision = OfficeTime(decision_day, last);
  Add(demo, kKind, major ? "major_decision" : "decision", decision);
  last = decision;
  // Service and publicity: each within its working days of the decision unless planted.
  int64_t service = 0;
  if (!planted(RuleId::kMissingStage)) {
    int32_t day = Working(decision_day, Uniform(0, 5));
    if (planted(RuleId::kServiceWithin7WorkingDays)) {
      day = WorkingOnOrAfter(LastDay(RuleId::kServiceWithin7WorkingDays, decision_day,
                                     rules_.rule(RuleId::kServiceWithin7WorkingDays).limit_days) +
                             Uniform(1, 6));
    }
    service = OfficeTime(day, decision);
    Add(demo, kKind, "service", service);
    last = std::max(last, service);
  }
  int32_t publicity_day = Working(decision_day, Uniform(1, 6));
  if (planted(RuleId::kPublicityWithin7WorkingDays)) {
    publicity_day = WorkingOnOrAfter(LastDay(RuleId::kPublicityWithin7WorkingDays, decision_day,
                                             rules_.rule(RuleId::kPublicityWithin7WorkingDays).limit_days) +
                                     Uniform(1, 10));
  }
  const int64_t publicity = OfficeTime(publicity_day, decision);
  Add(demo, kKind, "publicity", publicity);
  last = std::max(last, publicity);
  if (service != 0 && Chance(60)) {
    const int64_t execution = OfficeTime(Working(DayOf(*this, service), Uniform(5, 15)), service);
    Add(demo, kKind, "execution", execution);
    last = std::max(last, execution);
  }
  Add(demo, kKind, "closing", OfficeTime(Working(DayOf(*this, last), Uniform(1, 10)), last));
  std::stable_sort(demo.records.begin(), demo.records.end(),
                   [](const DemoRecord& a, const DemoRecord& b) { return a.time_ms < b.time_ms; });
  return demo;
}

int64_t Planner::Hearing(DemoCase& demo, int32_t notified_day, int64_t last,
                         std::optional<RuleId> plant) {
  constexpr std::string_view kKind = "enforcement_record";
  const RuleId request_rule = RuleId::kHearingRequestWithin5WorkingDays;
  const RuleId notice_rule = RuleId::kHearingNotice7WorkingDaysBefore;
  const int request_limit = rules_.rule(request_rule).limit_days;
  int32_t request_day = Working(notified_day, Uniform(1, request_limit));
  if (plant == request_rule) {
    request_day = WorkingOnOrAfter(LastDay(request_rule, notified_day, request_limit) + Uniform(1, 4));
  }
  last = OfficeTime(request_day, last);
  Add(demo, kKind, "hearing_request", last);
  const int32_t notice_day = Working(request_day, Uniform(1, 3));
  last = OfficeTime(notice_day, last);
  Add(demo, kKind, "hearing_notice", last);
  const RuleSettings& notice = rules_.rule(notice_rule);
  int32_t hearing_day = Working(LastDay(notice_rule, notice_day, notice.limit_days), Uniform(0, 3));
  if (plant == notice_rule) {
    // Fewer days than the notice needs, counted as the rule counts them.
    const int days = Uniform(std::min(1, notice.limit_days - 1), notice.limit_days - 1);
    hearing_day = notice.working_days ? Working(notice_day, days) : notice_day + days;
  }
  last = OfficeTime(hearing_day, last);
  Add(demo, kKind, "hearing", last);
  return last;
}

DemoCase Planner::Reconsideration(const std::string& case_id, int32_t application_day,
                                  std::optional<RuleId> plant) {
  constexpr std::string_view kKind = "reconsideration_document";
  auto planted = [&](RuleId rule) { return plant && *plant == rule; };
  DemoCase demo;
  demo.case_id = case_id;
  demo.planted = plant;
  const int64_t application = OfficeTime(application_day, 0);
  Add(demo, kKind, "application", application);
  const RuleSettings& accept_rule = rules_.rule(RuleId::kReconsiderationAcceptanceWithin5WorkingDays);
  const int32_t review_end = LastDay(RuleId::kReconsiderationAcceptanceWithin5WorkingDays,
                                     application_day, accept_rule.limit_days);
  if (!plant && Chance(5)) {
    Add(demo, kKind, "refusal",
        OfficeTime(Working(application_day, Uniform(1, std::max(1, accept_rule.limit_days - 1))),
                   application));
    return demo;
  }
  int32_t acceptance_day =
      Working(application_day, Uniform(1, std::max(1, accept_rule.limit_days - 1)));
  if (planted(RuleId::kReconsiderationAcceptanceWithin5WorkingDays)) {
    acceptance_day = WorkingOnOrAfter(review_end + Uniform(1, 3));
  }
  int64_t last = OfficeTime(acceptance_day, application);
  Add(demo, kKind, "acceptance", last);
  // Deadlines run from the acceptance, or from the end of the review period when
  // the acceptance came later (第三十条).
  const int32_t accepted = std::min(acceptance_day, review_end);
  const int reply_limit = rules_.rule(RuleId::kReconsiderationReplyWithin17WorkingDays).limit_days;
  const int32_t reply_last = LastDay(RuleId::kReconsiderationReplyWithin17WorkingDays, accepted, reply_limit);
  int32_t reply_day = std::min(Working(acceptance_day, Uniform(3, 10)), reply_last);
  if (planted(RuleId::kReconsiderationReplyWithin17WorkingDays)) {
    reply_day = WorkingOnOrAfter(reply_last + Uniform(1, 5));
  }
  EVIDENCE_CHECK_MSG(reply_day > acceptance_day, "demo: the reply would precede the acceptance");
  last = OfficeTime(reply_day, last);
  Add(demo, kKind, "reply", last);
  if (Chance(15)) {
    last = OfficeTime(Working(DayOf(*this, last), Uniform(3, 8)), last);
    Add(demo, kKind, "hearing", last);
  }
  const RuleSettings& decide = rules_.rule(RuleId::kReconsiderationDecisionWithin60Days);
  const int32_t base_last = LastDay(RuleId::kReconsiderationDecisionWithin60Days, accepted, decide.limit_days);
  int32_t decision_day = Working(DayOf(*this, last), Uniform(1, 5));
  if (planted(RuleId::kReconsiderationDecisionWithin60Days)) {
    decision_day = WorkingOnOrAfter(base_last + Uniform(1, 8));
  } else {
    decision_day = std::min(decision_day, base_last);
    if (Chance(20)) {
      // An extension inside the 60 days, then a decision inside the 90. A long
      // holiday near the 60th day can leave no working day for it: no extension then.
      const int low = std::max(1, decide.limit_days * 2 / 3);
      const int32_t extension_day = WorkingOnOrAfter(
          std::max(accepted + Uniform(low, std::max(low, decide.limit_days - 8)), DayOf(*this, last) + 1));
      if (extension_day < base_last) {
        const int64_t extension = OfficeTime(extension_day, last);
        Add(demo, kKind, "extension", extension);
        last = extension;
        decision_day = std::min(Working(DayOf(*this, last), Uniform(1, 10)),
                                LastDay(RuleId::kReconsiderationDecisionWithin60Days, accepted,
                                        decide.extended_limit_days));
      }
    }
  }
  EVIDENCE_CHECK_MSG(decision_day > DayOf(*this, last), "demo: the decision would precede its steps");
  last = OfficeTime(decision_day, last);
  Add(demo, kKind, "decision", last);
  Add(demo, kKind, "service", OfficeTime(Working(decision_day, Uniform(1, 5)), last));
  return demo;
}

Status CheckOptions(const RuleSet& rules, const DemoOptions& options, size_t enforcement_plants,
                    size_t reconsideration_plants) {
  if (options.agency.empty()) return Status::InvalidArgument("name the agency of the demo cases");
  if (options.cases == 0 || options.cases > kDemoCasesMax) {
    return Status::InvalidArgument("--cases must be 1 to " + std::to_string(kDemoCasesMax));
  }
  if (!options.enforcement && !options.reconsideration) {
    return Status::InvalidArgument("plan enforcement cases, reconsideration cases or both");
  }
  if (options.span_days < kDemoSpanDaysMin || options.span_days > kDemoSpanDaysMax) {
    return Status::InvalidArgument("the span must be " + std::to_string(kDemoSpanDaysMin) + " to " +
                                   std::to_string(kDemoSpanDaysMax) + " days");
  }
  for (const auto& [rule, count] : options.plant) {
    if (count > 0 && !rules.rule(rule).enabled) {
      return Status::InvalidArgument("cannot plant " + std::string(RuleName(rule)) +
                                     ": the rules file turns it off");
    }
  }
  if (enforcement_plants > 0 && !options.enforcement) {
    return Status::InvalidArgument("the planted rules need enforcement (行政处罚) cases");
  }
  if (reconsideration_plants > 0 && !options.reconsideration) {
    return Status::InvalidArgument("the planted rules need reconsideration (行政复议) cases");
  }
  if (enforcement_plants + reconsideration_plants > options.cases) {
    return Status::InvalidArgument("more planted violations (" +
                                   std::to_string(enforcement_plants + reconsideration_plants) +
                                   ") than cases (" + std::to_string(options.cases) +
                                   "): one violation is planted per case");
  }
  return Status::Ok();
}

// Moves the closing of a planted late_recording case (live) to a time after
// genesis that is late by the time everything commits.
Status PlantLiveLateRecording(const RuleSet& rules, const DemoOptions& options, Planner& planner,
                              DemoCase& demo) {
  const RuleSettings& late = rules.rule(RuleId::kLateRecording);
  auto by_stage = late.late_after_ms_by_stage.find("closing");
  const int64_t limit = by_stage != late.late_after_ms_by_stage.end() ? by_stage->second : late.late_after_ms;
  const int64_t earliest = std::max(options.genesis_time_ms, demo.records[demo.records.size() - 2].time_ms) +
                           kMsPerHourDemo;
  const int64_t latest = *options.commit_at_ms - limit - kMsPerHourDemo;
  if (latest <= earliest) {
    return Status::InvalidArgument(
        "late_recording can be planted on a live chain only when the chain started more than " +
        std::to_string(limit / kMsPerHourDemo + 2) +
        " hours ago (acts dated before genesis are history entered later, which late_recording "
        "does not judge); plant it in a test chain, or later");
  }
  DemoRecord& closing = demo.records.back();
  EVIDENCE_CHECK(closing.stage == "closing");
  closing.time_ms = earliest + static_cast<int64_t>(planner.Uniform(0, 1'000'000)) * (latest - earliest) / 1'000'000;
  return Status::Ok();
}

// FNV-1a of everything that shapes a plan: the same options give the same case
// numbers (running again writes the same records), other options other numbers
// (so that two different sets of cases do not merge into one case's trail).
uint64_t PlanHash(const DemoOptions& options) {
  std::string key = options.agency + "|" + std::to_string(options.seed) + "|" +
                    std::to_string(options.cases) + "|" + std::to_string(options.enforcement) +
                    std::to_string(options.reconsideration) + "|" +
                    std::to_string(options.span_days) + "|" + options.region;
  for (const auto& [rule, count] : options.plant) {
    key += "|" + std::string(RuleName(rule)) + "=" + std::to_string(count);
  }
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : key) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

}  // namespace

Result<DemoPlan> PlanDemoCases(const RuleSet& rules, const WorkingCalendar& calendar,
                               const DemoOptions& options) {
  size_t enforcement_plants = 0;
  size_t reconsideration_plants = 0;
  for (const auto& [rule, count] : options.plant) {
    (IsEnforcementRule(rule) ? enforcement_plants : reconsideration_plants) += count;
  }
  EVIDENCE_RETURN_IF_ERROR(CheckOptions(rules, options, enforcement_plants, reconsideration_plants));
  const bool live = options.commit_at_ms.has_value();
  // Live: every act before genesis (history entered now), so only planted late
  // recordings are late.
  const int64_t end_ms = live ? std::min(options.end_ms, options.genesis_time_ms) : options.end_ms;
  const int32_t end_day = CivilDayOf(end_ms, rules.utc_offset_minutes()) - 1;
  const int32_t start_day = end_day - options.span_days;

  // Which cases carry which plant: planted cases first, in rule order, then the rest.
  std::vector<std::optional<RuleId>> plants;
  for (const auto& [rule, count] : options.plant) plants.insert(plants.end(), count, rule);
  Planner planner(rules, calendar, options);
  plants.resize(options.cases);
  std::shuffle(plants.begin(), plants.end(), std::mt19937_64(options.seed));

  DemoPlan plan;
  plan.first_ms = INT64_MAX;
  plan.last_ms = INT64_MIN;
  const uint64_t number_base =
      options.first_number != 0 ? options.first_number : (100 + PlanHash(options) % 9000) * 1000;
  for (size_t i = 0; i < options.cases; ++i) {
    const std::optional<RuleId> plant = plants[i];
    const bool enforcement =
        plant ? IsEnforcementRule(*plant)
              : (options.enforcement && (!options.reconsideration || planner.Chance(80)));
    int32_t first_day = planner.WorkingOnOrAfter(start_day + planner.Uniform(0, options.span_days - 1));
    DemoCase demo;
    for (int attempt = 0;; ++attempt) {
      EVIDENCE_CHECK_MSG(attempt < kPlanAttemptsMax, "demo: no case fits before the end");
      const std::string number = std::to_string(number_base + i + 1);
      const std::string year = std::to_string(YearOf(first_day));
      const std::string case_id = "(" + year + ")" + options.region +
                                  (enforcement ? "行罚" : "行复") + number + "号";
      demo = enforcement ? planner.Enforcement(case_id, first_day, plant)
                         : planner.Reconsideration(case_id, first_day, plant);
      const int32_t last_day = CivilDayOf(demo.records.back().time_ms, rules.utc_offset_minutes());
      const int32_t earliest_day = CivilDayOf(demo.records.front().time_ms, rules.utc_offset_minutes());
      if (last_day <= end_day && earliest_day >= start_day) break;
      // Too late: open it earlier (but never before the span), by the overshoot and a little.
      first_day = std::max(start_day + 3, first_day - std::max(0, last_day - end_day) - planner.Uniform(1, 20));
      first_day = planner.WorkingOnOrAfter(first_day);
    }
    if (plant && *plant == RuleId::kLateRecording) {
      if (live) {
        EVIDENCE_RETURN_IF_ERROR(PlantLiveLateRecording(rules, options, planner, demo));
      } else {
        DemoRecord& record = demo.records[planner.Uniform(0, static_cast<int>(demo.records.size()) - 1)];
        const RuleSettings& late = rules.rule(RuleId::kLateRecording);
        auto by_stage = late.late_after_ms_by_stage.find(record.stage);
        const int64_t limit =
            by_stage != late.late_after_ms_by_stage.end() ? by_stage->second : late.late_after_ms;
        record.commit_ms = record.time_ms + limit + planner.Uniform(1, 48) * kMsPerHourDemo;
      }
    }
    for (const DemoRecord& record : demo.records) {
      plan.first_ms = std::min(plan.first_ms, record.time_ms);
      plan.last_ms = std::max(plan.last_ms, record.time_ms);
    }
    if (plant) ++plan.planted[*plant];
    plan.cases.push_back(std::move(demo));
  }
  return plan;
}

}  // namespace evidence::supervision
