// Demo case trails for a supervision report (`evidence demo-cases`, tests): a
// year of realistic enforcement (行政处罚) and reconsideration (行政复议) cases of
// one agency, Chinese case numbers like (2026)鲁0831行罚37001号, every one within
// the law's stages and deadlines except the violations planted on purpose, one
// per planted case, so that a report over them finds exactly what was planted.
//
// Every case is planned whole and lies within `span_days` before `end_ms`, so a
// report made at any time after that finds no act missing, and a node whose past
// window covers the span (plus a day) accepts every record. Two ways to commit the records:
//   - live (commit_at_ms set: everything is submitted now): every act is dated
//     before the chain's genesis, so late_recording exempts it as history entered
//     later (存量补录); a planted late_recording dates one case's closing between
//     genesis and commit_at_ms - threshold (the chain must be old enough);
//   - simulated (commit_at_ms unset: tests build blocks at each record's
//     commit_ms): records commit minutes to hours after their act, the planted
//     late ones a day or more after.
// Deterministic for a given seed and options (std::mt19937_64); the case numbers
// come from a hash of the options, so two different plans use different numbers.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "supervision/calendar.h"
#include "supervision/rules.h"

namespace evidence::supervision {

inline constexpr size_t kDemoCasesMax = 100'000;
// The longest planned case (a planted late decision, then service, execution and
// closing) takes under 180 days, so every case fits in a span of this many days.
inline constexpr int kDemoSpanDaysMin = 180;
inline constexpr int kDemoSpanDaysMax = 3660;

struct DemoOptions {
  std::string agency;
  size_t cases = 100;
  uint64_t seed = 1;
  bool enforcement = true;      // plan 行政处罚 cases
  bool reconsideration = true;  // plan 行政复议 cases
  std::map<RuleId, size_t> plant;
  int64_t end_ms = 0;           // no act at or after this
  int span_days = 365;          // every act lies within this many days before the end
  int64_t genesis_time_ms = 0;
  std::optional<int64_t> commit_at_ms;  // live: every record commits at about this time
  std::string region = "鲁0831";         // 泗水县
  uint32_t first_number = 0;  // case numbers start after this; 0: from a hash of these options
};

struct DemoRecord {
  std::string kind;
  std::string stage;
  std::string title;
  std::string media_type;
  std::string content;   // the stand-in document (its digest goes on the ledger)
  uint64_t size = 0;     // the size the record states
  int64_t time_ms = 0;
  int64_t commit_ms = 0;  // when it should commit (simulated), or commit_at_ms (live)
};

struct DemoCase {
  std::string case_id;
  std::vector<DemoRecord> records;  // in time order
  std::optional<RuleId> planted;
};

struct DemoPlan {
  std::vector<DemoCase> cases;
  std::map<RuleId, size_t> planted;  // what a report must find, rule by rule
  int64_t first_ms = 0;              // earliest act
  int64_t last_ms = 0;               // latest act
};

// InvalidArgument when the plants cannot be met (more plants than cases, a rule
// whose track is not planned, late_recording live on a chain too young, ...).
Result<DemoPlan> PlanDemoCases(const RuleSet& rules, const WorkingCalendar& calendar,
                               const DemoOptions& options);

}  // namespace evidence::supervision
