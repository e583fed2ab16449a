// The supervision report (GET /v1/reports/supervision, report.json): the
// findings of every case in a period and their statistics, built from case
// evaluations (supervision/engine.h). Pure: no I/O; the caller feeds it cases.
//
// Shape ("format": "evidence-supervision-report/1"; docs/supervision.md explains
// every field):
//   period {from, to, agency}, as_of, generated_at, chain_id, tree_head {height,
//   size, root} (the log the report was read from), rules_sha256, rules [{id,
//   title_zh, title_en, basis, enabled, threshold}], stages {kind: {stage: 中文}},
//   calendar_years, warnings [text],
//   summary {agencies: [{agency, name, cases, records, findings {rule: n},
//            findings_total, on_time {rule: {applicable, kept, rate}}}], totals {...}},
//   months [{month: "2026-03", agencies: {agency: {cases, findings}}}],
//   findings [{rule, case_id, agency, records: [id], time, due, detail, detail_zh}],
//   findings_total, findings_truncated,
//   timelines [{case_id, owner, records: [{id, kind, stage, agency, time, committed}],
//               rules: [rule ids of its findings]}]
// A case counts in the month it was opened (its filing or application) when that
// month is in the period; a finding in the month of its time. `rate` is kept /
// applicable (1 when nothing applied), rounded to 4 places.
//
// Thread-safety: not thread-safe; one builder per report.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervision/calendar.h"
#include "supervision/engine.h"
#include "supervision/rules.h"

namespace evidence::supervision {

inline constexpr std::string_view kReportFormat = "evidence-supervision-report/1";

struct ReportRequest {
  int32_t from_day = 0;  // civil days, both included
  int32_t to_day = 0;
  std::optional<std::string> agency;
};

struct ReportLimits {
  size_t findings_max = 20'000;  // findings listed (all are counted)
  size_t timelines_max = 200;    // cases with findings whose timeline is included
};

// What the report says about the ledger it was read from.
struct ReportSource {
  std::string chain_id;
  uint64_t height = 0;
  uint64_t tree_size = 0;
  std::string tree_root_hex;
  std::map<std::string, std::string> agency_names;  // id -> name, from genesis
};

class ReportBuilder {
 public:
  ReportBuilder(const RuleSet& rules, const WorkingCalendar& calendar, ReportRequest request,
                EvaluationContext context, ReportLimits limits = {});

  // Adds one case: `evaluation` is EvaluateCase of `trail`.
  void Add(const CaseTrail& trail, const CaseEvaluation& evaluation);
  size_t cases() const { return cases_; }

  boost::json::object Finish(const ReportSource& source) const;

 private:
  struct RuleCount {
    uint64_t findings = 0;
    uint64_t applicable = 0;
    uint64_t kept = 0;
  };
  struct AgencyStats {
    uint64_t cases = 0;
    uint64_t records = 0;
    std::array<RuleCount, kRuleCount> rules{};
  };
  struct MonthStats {
    uint64_t cases = 0;
    uint64_t findings = 0;
  };
  std::optional<std::string> MonthOfPeriod(int64_t time_ms) const;
  boost::json::object StatsJson(const AgencyStats& stats) const;

  const RuleSet& rules_;
  const WorkingCalendar& calendar_;
  ReportRequest request_;
  EvaluationContext context_;
  ReportLimits limits_;
  size_t cases_ = 0;
  uint64_t findings_total_ = 0;
  std::map<std::string, AgencyStats> agencies_;
  std::map<std::string, std::map<std::string, MonthStats>> months_;  // month -> agency -> stats
  std::vector<Finding> findings_;
  boost::json::array timelines_;
};

}  // namespace evidence::supervision
