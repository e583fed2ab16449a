#include "api/cli/report_files.h"

#include <boost/json/serialize.hpp>

#include <map>

namespace evidence::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kDataElement =
    R"(<script id="report-data" type="application/json"></script>)";

// One CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180).
std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Text(const json::value* value) {
  if (value == nullptr || !value->is_string()) return "";
  return std::string(value->as_string());
}

}  // namespace

std::string FindingsCsv(const json::object& report) {
  std::map<std::string, std::string> titles;
  if (const json::value* rules = report.if_contains("rules"); rules && rules->is_array()) {
    for (const json::value& rule : rules->as_array()) {
      if (!rule.is_object()) continue;
      titles[Text(rule.as_object().if_contains("id"))] = Text(rule.as_object().if_contains("title_zh"));
    }
  }
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark
  out += "rule,rule_title,case_id,agency,time,due,records,detail,detail_zh\r\n";
  const json::value* findings = report.if_contains("findings");
  if (findings == nullptr || !findings->is_array()) return out;
  for (const json::value& value : findings->as_array()) {
    if (!value.is_object()) continue;
    const json::object& finding = value.as_object();
    std::string records;
    if (const json::value* ids = finding.if_contains("records"); ids && ids->is_array()) {
      for (const json::value& id : ids->as_array()) {
        records += (records.empty() ? "" : " ") + Text(&id);
      }
    }
    const std::string rule = Text(finding.if_contains("rule"));
    const std::string fields[] = {rule,
                                  titles[rule],
                                  Text(finding.if_contains("case_id")),
                                  Text(finding.if_contains("agency")),
                                  Text(finding.if_contains("time")),
                                  Text(finding.if_contains("due")),
                                  records,
                                  Text(finding.if_contains("detail")),
                                  Text(finding.if_contains("detail_zh"))};
    for (size_t i = 0; i < std::size(fields); ++i) {
      out += (i == 0 ? "" : ",") + CsvField(fields[i]);
    }
    out += "\r\n";
  }
  return out;
}

Result<std::string> ReportHtml(std::string_view page_template, const json::object& report) {
  const size_t at = page_template.find(kDataElement);
  if (at == std::string_view::npos) {
    return Status::InvalidArgument("the report page template has no report-data element");
  }
  std::string data;
  for (char c : json::serialize(report)) {
    if (c == '<') {
      data += "\\u003c";
    } else {
      data += c;
    }
  }
  std::string out(page_template.substr(0, at));
  const size_t close = kDataElement.find("</script>");
  out += kDataElement.substr(0, close);
  out += data;
  out += kDataElement.substr(close);
  out += page_template.substr(at + kDataElement.size());
  return out;
}

}  // namespace evidence::cli
