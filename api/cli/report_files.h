// The files `evidence report` writes from a supervision report (report.json as
// GET /v1/reports/supervision answers it; supervision/report.h has its shape):
//   findings.csv  one finding a line (RFC 4180; UTF-8 with a byte-order mark so
//                 that spreadsheet programs in zh-CN read the Chinese right):
//                 rule, rule_title, case_id, agency, time, due, records, detail,
//                 detail_zh (records: the record ids, separated by spaces)
//   report.html   the report page (web/: charts with Apache ECharts, tables),
//                 self-contained: the page template with everything inlined and
//                 the report JSON put into it, so it opens offline.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence::cli {

std::string FindingsCsv(const boost::json::object& report);

// The page: `page_template` (web/ build output) with the report put into its
// <script id="report-data" type="application/json"></script> element; "<" in
// the JSON is written as \u003c so nothing in a finding can end the script.
// InvalidArgument when the template lacks that element.
Result<std::string> ReportHtml(std::string_view page_template, const boost::json::object& report);

// The report page template built into the CLI (web/ build); empty when this
// build has none.
std::string_view ReportPageTemplate();

}  // namespace evidence::cli
