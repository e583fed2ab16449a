// The supervision rule engine: one case trail in, the case's findings and, per
// rule, whether the rule applied to the case and whether the case kept it. Pure:
// no I/O, no clock (the caller gives the time the report is made "as of").
//
// Rules (ids in supervision/rules.h; settings and legal basis in the rules file;
// docs/supervision.md for the supervision office). Times are the agency-claimed
// `time` of each record except in late_recording, which compares it with the
// commit time. Days are civil days in the rules' UTC offset; a period of N days
// runs from the day after the starting act to 24:00 of its last day, which is
// the N-th working day (working-day limits) or the N-th calendar day after it
// (moved to the next working day when roll_to_working_day is set). An act on
// the last day is in time. "Earliest X" is the first record of stage X in the
// case's track by time (ties: log order).
//   enforcement track (kinds with track = "enforcement"):
//     decision_within_90_days     earliest decision or major_decision vs 90 days
//                                 after the earliest filing
//     legal_review_before_major_decision  every major_decision needs a
//                                 legal_review earlier than it
//     service_within_7_working_days / publicity_within_7_working_days
//                                 earliest service / publicity vs 7 working days
//                                 after the earliest decision
//     hearing_request_within_5_working_days  earliest hearing_request vs 5
//                                 working days after the earliest notification
//                                 (only a request made is judged)
//     hearing_notice_7_working_days_before  the earliest hearing no earlier
//                                 than the 7th working day after the day of the
//                                 last hearing_notice before it (a hearing with
//                                 no notice before it: only with flag_missing)
//     missing_stage               a case with a closing record has a record of
//                                 every required group (filing; a decision; service)
//     out_of_order                (both tracks) no record of stage S earlier than
//                                 the earliest record of a group S must follow
//   reconsideration track:
//     reconsideration_acceptance_within_5_working_days  earliest acceptance or
//                                 refusal vs 5 working days after the application;
//                                 an application not refused in time counts as
//                                 accepted on the period's last day (第三十条)
//     reconsideration_reply_within_17_working_days  reply vs 17 working days
//                                 after (deemed) acceptance
//     reconsideration_decision_within_60_days  decision vs 60 days after (deemed)
//                                 acceptance, 90 when an extension record comes
//                                 before the decision and within the 60 days
//   every record: late_recording  committed more than the stage's threshold
//                                 after its time (acts dated before genesis are
//                                 exempt when the rules say so)
// A deadline whose act is missing is a finding once the period has ended before
// `as_of` (when the rule's flag_missing is set), except where the case is closed
// and missing_stage requires that stage (missing_stage reports it, once).
//
// Thread-safety: pure function.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "supervision/calendar.h"
#include "supervision/rules.h"

namespace evidence::supervision {

// One committed record of a case, as the rules see it.
struct TrailRecord {
  crypto::Digest id{};
  uint64_t leaf_index = 0;  // place in the log (ties of time are broken by it)
  std::string kind;
  std::string stage;
  std::string agency;
  int64_t time_ms = 0;       // the time the agency claims for the act
  int64_t committed_ms = 0;  // median of the signed times of the commit that holds it
};

struct CaseTrail {
  std::string case_id;
  std::vector<TrailRecord> records;  // any order
};

struct EvaluationContext {
  int64_t as_of_ms = 0;         // a missing act is overdue when its period ended before this
  int64_t genesis_time_ms = 0;  // for late_recording's exemption of earlier acts
};

struct Finding {
  RuleId rule = RuleId::kLateRecording;
  std::string case_id;
  std::string agency;                   // the agency whose act (or missing act) it is
  std::vector<crypto::Digest> records;  // the records that prove it, in time order
  int64_t time_ms = 0;                  // the act's time, or the end of the period it missed
  std::optional<int64_t> due_ms;        // end of the period (24:00 of its last day), if any
  std::string detail;                   // English
  std::string detail_zh;                // 中文
};

struct RuleOutcome {
  bool applicable = false;  // the rule had something to judge in this case
  bool kept = false;        // ... and the case kept it
};

struct CaseEvaluation {
  std::string case_id;
  std::string owner;     // agency of the filing or application, else of the earliest record
  int64_t opened_ms = 0;  // time of that record
  size_t records = 0;
  std::vector<Finding> findings;  // in rule order, then time
  std::array<RuleOutcome, kRuleCount> outcomes{};
};

// `trail` must hold at least one record.
CaseEvaluation EvaluateCase(const RuleSet& rules, const WorkingCalendar& calendar,
                            const CaseTrail& trail, const EvaluationContext& context);

}  // namespace evidence::supervision
