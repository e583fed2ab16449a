#include "supervision/report.h"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/time_text.h"

namespace evidence::supervision {
namespace {

namespace json = boost::json;

std::string MonthText(int32_t civil_day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", YearOf(civil_day), MonthOf(civil_day));
  return text;
}

// The months from `from_day` to `to_day`, as "YYYY-MM".
std::vector<std::string> MonthsOf(int32_t from_day, int32_t to_day) {
  std::vector<std::string> out;
  for (int32_t day = from_day; day <= to_day; ++day) {
    std::string month = MonthText(day);
    if (out.empty() || out.back() != month) out.push_back(std::move(month));
  }
  return out;
}

std::string Threshold(RuleId id, const RuleSettings& rule) {
  switch (id) {
    case RuleId::kLegalReviewBeforeMajorDecision:
      return "legal review before every major decision";
    case RuleId::kMissingStage: {
      std::string out = "closing needs:";
      for (const StageGroup& group : rule.required) {
        std::string names;
        for (const std::string& stage : group) names += (names.empty() ? " " : " or ") + stage;
        out += names + ";";
      }
      out.pop_back();
      return out;
    }
    case RuleId::kOutOfOrder:
      return "stage order of the rules file";
    case RuleId::kLateRecording:
      return std::to_string(rule.late_after_ms / 3'600'000) + " hours";
    case RuleId::kHearingNotice7WorkingDaysBefore:
      return std::to_string(rule.limit_days) + (rule.working_days ? " working days" : " days") +
             " before the hearing";
    default:
      break;
  }
  std::string out = std::to_string(rule.limit_days) + (rule.working_days ? " working days" : " days");
  if (rule.extended_limit_days != 0) {
    out += " (" + std::to_string(rule.extended_limit_days) + " with an extension)";
  }
  return out;
}

json::object FindingJson(const Finding& finding, int offset) {
  json::array records;
  for (const crypto::Digest& id : finding.records) records.emplace_back(crypto::DigestHex(id));
  json::object out;
  out["rule"] = RuleName(finding.rule);
  out["case_id"] = finding.case_id;
  out["agency"] = finding.agency;
  out["records"] = std::move(records);
  out["time"] = FormatRfc3339Ms(finding.time_ms, offset);
  out["due"] = finding.due_ms ? json::value(FormatRfc3339Ms(*finding.due_ms, offset)) : nullptr;
  out["detail"] = finding.detail;
  out["detail_zh"] = finding.detail_zh;
  return out;
}

json::object TimelineJson(const CaseTrail& trail, const CaseEvaluation& evaluation, int offset) {
  std::vector<const TrailRecord*> sorted;
  for (const TrailRecord& record : trail.records) sorted.push_back(&record);
  std::sort(sorted.begin(), sorted.end(), [](const TrailRecord* a, const TrailRecord* b) {
    return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->leaf_index < b->leaf_index;
  });
  json::array records;
  for (const TrailRecord* record : sorted) {
    records.push_back(json::object{{"id", crypto::DigestHex(record->id)},
                                   {"kind", record->kind},
                                   {"stage", record->stage},
                                   {"agency", record->agency},
                                   {"time", FormatRfc3339Ms(record->time_ms, offset)},
                                   {"committed", FormatRfc3339Ms(record->committed_ms, offset)}});
  }
  std::set<std::string_view> rules;
  for (const Finding& finding : evaluation.findings) rules.insert(RuleName(finding.rule));
  json::array rule_names;
  for (std::string_view rule : rules) rule_names.emplace_back(rule);
  return json::object{{"case_id", trail.case_id},
                      {"owner", evaluation.owner},
                      {"records", std::move(records)},
                      {"rules", std::move(rule_names)}};
}

}  // namespace

ReportBuilder::ReportBuilder(const RuleSet& rules, const WorkingCalendar& calendar,
                             ReportRequest request, EvaluationContext context, ReportLimits limits)
    : rules_(rules),
      calendar_(calendar),
      request_(std::move(request)),
      context_(context),
      limits_(limits) {}

std::optional<std::string> ReportBuilder::MonthOfPeriod(int64_t time_ms) const {
  const int32_t day = CivilDayOf(time_ms, rules_.utc_offset_minutes());
  if (day < request_.from_day || day > request_.to_day) return std::nullopt;
  return MonthText(day);
}

void ReportBuilder::Add(const CaseTrail& trail, const CaseEvaluation& evaluation) {
  ++cases_;
  AgencyStats& stats = agencies_[evaluation.owner];
  ++stats.cases;
  stats.records += evaluation.records;
  for (RuleId rule : kAllRules) {
    const RuleOutcome& outcome = evaluation.outcomes[RuleIndex(rule)];
    stats.rules[RuleIndex(rule)].applicable += outcome.applicable ? 1 : 0;
    stats.rules[RuleIndex(rule)].kept += outcome.applicable && outcome.kept ? 1 : 0;
  }
  if (auto month = MonthOfPeriod(evaluation.opened_ms)) ++months_[*month][evaluation.owner].cases;
  for (const Finding& finding : evaluation.findings) {
    ++findings_total_;
    ++stats.rules[RuleIndex(finding.rule)].findings;
    if (auto month = MonthOfPeriod(finding.time_ms)) ++months_[*month][evaluation.owner].findings;
    if (findings_.size() < limits_.findings_max) findings_.push_back(finding);
  }
  if (!evaluation.findings.empty() && timelines_.size() < limits_.timelines_max) {
    timelines_.push_back(TimelineJson(trail, evaluation, rules_.utc_offset_minutes()));
  }
}

json::object ReportBuilder::StatsJson(const AgencyStats& stats) const {
  json::object findings;
  json::object on_time;
  uint64_t total = 0;
  for (RuleId rule : kAllRules) {
    const RuleCount& count = stats.rules[RuleIndex(rule)];
    findings[RuleName(rule)] = count.findings;
    total += count.findings;
    const double rate = count.applicable == 0
                            ? 1.0
                            : std::round(10'000.0 * static_cast<double>(count.kept) /
                                         static_cast<double>(count.applicable)) / 10'000.0;
    on_time[RuleName(rule)] =
        json::object{{"applicable", count.applicable}, {"kept", count.kept}, {"rate", rate}};
  }
  return json::object{{"cases", stats.cases},
                      {"records", stats.records},
                      {"findings", std::move(findings)},
                      {"findings_total", total},
                      {"on_time", std::move(on_time)}};
}

json::object ReportBuilder::Finish(const ReportSource& source) const {
  const int offset = rules_.utc_offset_minutes();
  json::object out;
  out["format"] = kReportFormat;
  out["chain_id"] = source.chain_id;
  out["period"] = json::object{
      {"from", FormatCivilDate(request_.from_day)},
      {"to", FormatCivilDate(request_.to_day)},
      {"agency", request_.agency ? json::value(*request_.agency) : json::value(nullptr)}};
  out["as_of"] = FormatRfc3339Ms(context_.as_of_ms, offset);
  out["tree_head"] = json::object{
      {"height", source.height}, {"size", source.tree_size}, {"root", source.tree_root_hex}};
  out["rules_sha256"] = rules_.sha256_hex();

  json::array rules;
  for (RuleId id : kAllRules) {
    const RuleSettings& rule = rules_.rule(id);
    rules.push_back(json::object{{"id", RuleName(id)},
                                 {"title_zh", rule.title_zh},
                                 {"title_en", rule.title_en},
                                 {"basis", rule.basis},
                                 {"enabled", rule.enabled},
                                 {"threshold", Threshold(id, rule)}});
  }
  out["rules"] = std::move(rules);
  json::object stages;
  for (const KindInfo& kind : rules_.kinds()) {
    json::object labels;
    for (const StageInfo& stage : kind.stages) labels[stage.id] = stage.label_zh;
    labels[kStageUnspecified] = "未指明";
    labels[kStageOther] = "其他";
    stages[kind.kind] = std::move(labels);
  }
  out["stages"] = std::move(stages);

  // The calendar years the period and the as-of day touch, and which are missing.
  json::array years;
  json::array warnings;
  const int first_year = YearOf(request_.from_day);
  const int last_year =
      std::max(YearOf(request_.to_day), YearOf(CivilDayOf(context_.as_of_ms, offset)));
  for (int year = first_year; year <= last_year; ++year) {
    if (calendar_.Covers(year)) {
      years.emplace_back(year);
    } else {
      warnings.emplace_back("the holiday calendar has no published holidays for " +
                            std::to_string(year) +
                            ": working days in it were counted as Monday to Friday");
    }
  }
  out["calendar_years"] = std::move(years);
  out["warnings"] = std::move(warnings);

  json::array agencies;
  AgencyStats totals;
  for (const auto& [agency, stats] : agencies_) {
    json::object row = StatsJson(stats);
    auto name = source.agency_names.find(agency);
    row["agency"] = agency;
    row["name"] = name == source.agency_names.end() ? agency : name->second;
    agencies.push_back(std::move(row));
    totals.cases += stats.cases;
    totals.records += stats.records;
    for (size_t i = 0; i < kRuleCount; ++i) {
      totals.rules[i].findings += stats.rules[i].findings;
      totals.rules[i].applicable += stats.rules[i].applicable;
      totals.rules[i].kept += stats.rules[i].kept;
    }
  }
  out["summary"] = json::object{{"agencies", std::move(agencies)}, {"totals", StatsJson(totals)}};

  json::array months;
  for (const std::string& month : MonthsOf(request_.from_day, request_.to_day)) {
    json::object by_agency;
    auto found = months_.find(month);
    if (found != months_.end()) {
      for (const auto& [agency, stats] : found->second) {
        by_agency[agency] = json::object{{"cases", stats.cases}, {"findings", stats.findings}};
      }
    }
    months.push_back(json::object{{"month", month}, {"agencies", std::move(by_agency)}});
  }
  out["months"] = std::move(months);

  std::vector<const Finding*> sorted;
  for (const Finding& finding : findings_) sorted.push_back(&finding);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Finding* a, const Finding* b) {
    return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->case_id < b->case_id;
  });
  json::array findings;
  for (const Finding* finding : sorted) findings.push_back(FindingJson(*finding, offset));
  out["findings"] = std::move(findings);
  out["findings_total"] = findings_total_;
  out["findings_truncated"] = findings_total_ > findings_.size();
  out["timelines"] = timelines_;
  return out;
}

}  // namespace evidence::supervision
