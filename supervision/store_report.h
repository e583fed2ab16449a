// The supervision report read from a node's store: the cases of a period come
// from the store's indexes, never from a scan of the blocks:
//   1. the agency+time index of each agency (or the one asked for) gives the
//      records the agencies dated inside the period; their case ids are the
//      period's cases;
//   2. the case index gives each case's whole trail (records outside the period
//      or by other agencies included), each record read once;
//   3. the commit that holds a record gives its commit time (the median of the
//      commit's signed times), read once per height.
// Then supervision/engine.h judges each case and supervision/report.h adds it up.
// Cost: O(records of the period's cases) reads, plus one commit per height.
// Memory: the period's records in a compact form until their case is judged.
//
// Thread-safety: reads the store (safe from any thread); no shared state.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>

#include "common/status.h"
#include "ledger/store.h"
#include "supervision/calendar.h"
#include "supervision/report.h"
#include "supervision/rules.h"

namespace evidence::supervision {

struct StoreReportOptions {
  ReportLimits limits;
  size_t period_records_max = 5'000'000;  // records dated in the period (all agencies)
  size_t case_records_max = 10'000;       // records of one case
  // Checked between cases (and every few thousand records): once it is true the
  // report stops with kUnavailable. Null: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

// ResourceExhausted when the period holds more records than the options allow
// (the message says to narrow the period or pick an agency); Unavailable when
// options.cancel was set while it ran.
Result<boost::json::object> BuildReportFromStore(const ledger::Store& store, const RuleSet& rules,
                                                 const WorkingCalendar& calendar,
                                                 const ReportRequest& request, int64_t as_of_ms,
                                                 const StoreReportOptions& options = {});

}  // namespace evidence::supervision
