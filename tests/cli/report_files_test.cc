// api/cli/report_files.cc (compiled into this test): findings.csv and the filling
// of the report page template.
#include "api/cli/report_files.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace evidence::cli {
namespace {

namespace json = boost::json;

json::object Report() {
  return json::parse(R"({
    "format": "evidence-supervision-report/1",
    "rules": [{"id": "missing_stage", "title_zh": "结案前缺少必要环节"}],
    "findings": [
      {"rule": "missing_stage", "case_id": "(2026)鲁0831行罚1号", "agency": "a",
       "records": ["aa", "bb"], "time": "2026-03-01T10:00:00+08:00", "due": null,
       "detail": "closed on 2026-03-01 without service, \"really\"", "detail_zh": "结案前缺少：service"},
      {"rule": "missing_stage", "case_id": "x,y", "agency": "a", "records": [],
       "time": "t", "due": "d", "detail": "line\nbreak </script><!--", "detail_zh": ""}
    ]})").as_object();
}

TEST(FindingsCsvTest, OneQuotedLineAFindingWithAByteOrderMark) {
  const std::string csv = FindingsCsv(Report());
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  const std::string expected =
      "\xEF\xBB\xBF"
      "rule,rule_title,case_id,agency,time,due,records,detail,detail_zh\r\n"
      "missing_stage,结案前缺少必要环节,(2026)鲁0831行罚1号,a,2026-03-01T10:00:00+08:00,,aa bb,"
      "\"closed on 2026-03-01 without service, \"\"really\"\"\",结案前缺少：service\r\n"
      "missing_stage,结案前缺少必要环节,\"x,y\",a,t,d,,\"line\nbreak </script><!--\",\r\n";
  EXPECT_EQ(csv, expected);
  EXPECT_EQ(FindingsCsv(json::object{}), "\xEF\xBB\xBF" "rule,rule_title,case_id,agency,time,due,records,detail,detail_zh\r\n");
}

TEST(ReportHtmlTest, TheReportGoesIntoTheDataElementAndCannotEndTheScript) {
  const std::string page_template =
      "<html><script id=\"report-data\" type=\"application/json\"></script><script>draw()</script></html>";
  auto html = ReportHtml(page_template, Report());
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  const size_t open = html->find("application/json\">");
  const size_t close = html->find("</script>", open);
  ASSERT_NE(close, std::string::npos);
  const std::string data = html->substr(open + 18, close - open - 18);
  EXPECT_EQ(data.find('<'), std::string::npos) << "a '<' in the data could end the script";
  EXPECT_NE(data.find("\\u003c/script>"), std::string::npos);
  // The data is the report, as JSON.
  EXPECT_EQ(json::parse(data).as_object(), Report());
  EXPECT_NE(html->find("<script>draw()</script></html>"), std::string::npos);
  EXPECT_FALSE(ReportHtml("<html>no element</html>", Report()).ok());
}

}  // namespace
}  // namespace evidence::cli
