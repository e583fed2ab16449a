// `evidence report --node URL --token T --from DATE --to DATE [--agency A]
//                  --out DIR [--no-receipts]`
//
// Fetches the supervision report of a period (GET /v1/reports/supervision, a
// reader token whose role may read reports, e.g. "supervisor") and writes into
// DIR:
//   report.json    the report as the node answered it (supervision/report.h)
//   findings.csv   one finding a line (api/cli/report_files.h)
//   report.html    the report page with its charts, self-contained (opens offline)
//   receipts/<record id>.json  the receipt of every record a finding cites, for
//                  `evidence verify` (unless --no-receipts)
// DATE is YYYY-MM-DD in 北京时间; both days are included. The token may come
// from the environment (EVIDENCE_READER_TOKEN) instead of the command line.
// Exit 0 when everything was written, 1 when the node refused or could not be
// reached or a file could not be written, 2 for unusable input.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <iostream>
#include <set>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "api/cli/record_files.h"
#include "api/cli/report_files.h"
#include "common/time_text.h"
#include "ledger/receipt.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kCommand = "report";
constexpr auto kReportTimeout = std::chrono::minutes(10);
constexpr auto kReceiptTimeout = std::chrono::seconds(60);

struct ReportOptions {
  std::string node;
  std::string token;
  std::string from;
  std::string to;
  std::string agency;
  std::string out;
  bool no_receipts = false;
};

bool IsIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (char c : text) {
    const bool good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    if (!good) return false;
  }
  return true;
}

Status CheckOptions(const ReportOptions& options) {
  auto from = ParseCivilDate(options.from);
  if (!from.ok()) return from.status().WithContext("--from");
  auto to = ParseCivilDate(options.to);
  if (!to.ok()) return to.status().WithContext("--to");
  if (*from > *to) return Status::InvalidArgument("--from must not be after --to");
  if (!options.agency.empty() && !IsIdentifier(options.agency)) {
    return Status::InvalidArgument("--agency: an agency id holds only A-Z a-z 0-9 . _ -");
  }
  if (options.token.empty()) {
    return Status::InvalidArgument(
        "give a reader token with --token or EVIDENCE_READER_TOKEN (a reader of role supervisor)");
  }
  return Status::Ok();
}

Result<json::object> FetchReport(HttpClient& client, const ReportOptions& options) {
  std::string target = "/v1/reports/supervision?from=" + options.from + "&to=" + options.to;
  if (!options.agency.empty()) target += "&agency=" + options.agency;
  auto answer = client.Get(target, kReportTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) return Status::Unavailable(DescribeAnswer(*answer));
  auto body = ParseAnswerJson(*answer);
  if (!body.ok() || !body->is_object()) return Status::Unavailable("the node's report is not a JSON object");
  return std::move(body->as_object());
}

// Every record a finding cites.
std::set<std::string> CitedRecords(const json::object& report) {
  std::set<std::string> ids;
  const json::value* findings = report.if_contains("findings");
  if (findings == nullptr || !findings->is_array()) return ids;
  for (const json::value& finding : findings->as_array()) {
    const json::value* records = finding.is_object() ? finding.as_object().if_contains("records") : nullptr;
    if (records == nullptr || !records->is_array()) continue;
    for (const json::value& id : records->as_array()) {
      if (id.is_string()) ids.insert(std::string(id.as_string()));
    }
  }
  return ids;
}

Status WriteReceipts(HttpClient& client, const json::object& report, const fs::path& directory) {
  const std::set<std::string> ids = CitedRecords(report);
  if (ids.empty()) return Status::Ok();
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return Status::IoError("cannot create " + directory.string() + ": " + error.message());
  for (const std::string& id : ids) {
    if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Status::Unavailable("the report cites a record id that is not 64 hex digits");
    }
    auto answer = client.Get("/v1/records/" + id, kReceiptTimeout);
    if (!answer.ok()) return answer.status();
    if (answer->status != 200) return Status::Unavailable("record " + id + ": " + DescribeAnswer(*answer));
    auto body = ParseAnswerJson(*answer);
    const json::value* receipt =
        body.ok() && body->is_object() ? body->as_object().if_contains("receipt") : nullptr;
    if (receipt == nullptr || receipt->is_null()) {
      return Status::Unavailable("record " + id + " has no receipt");
    }
    auto parsed = ledger::ReceiptFromJson(*receipt);
    if (!parsed.ok()) return Status::Unavailable("record " + id + ": " + parsed.status().message());
    EVIDENCE_RETURN_IF_ERROR(
        WriteFileAtomically((directory / (id + ".json")).string(), ledger::ReceiptToText(*parsed)));
  }
  std::cerr << "report: " << ids.size() << " receipts of cited records in " << directory.string()
            << "\n";
  return Status::Ok();
}

int RunReport(const ReportOptions& options) {
  if (Status checked = CheckOptions(options); !checked.ok()) {
    PrintError(kCommand, checked.message());
    return 2;
  }
  auto url = ParseNodeUrl(options.node);
  if (!url.ok()) {
    PrintError(kCommand, "--node " + url.status().message());
    return 2;
  }
  HttpClient client(*url);
  client.set_bearer_token(options.token);
  auto report = FetchReport(client, options);
  if (!report.ok()) {
    PrintError(kCommand, report.status().message());
    return 1;
  }
  std::error_code error;
  fs::create_directories(options.out, error);
  if (error) {
    PrintError(kCommand, "cannot create --out " + options.out + ": " + error.message());
    return 1;
  }
  const fs::path out(options.out);
  Status written = WriteFileAtomically((out / "report.json").string(), json::serialize(*report) + "\n");
  if (written.ok()) written = WriteFileAtomically((out / "findings.csv").string(), FindingsCsv(*report));
  if (written.ok()) {
    auto html = ReportHtml(ReportPageTemplate(), *report);
    written = html.ok() ? WriteFileAtomically((out / "report.html").string(), *html) : html.status();
  }
  if (written.ok() && !options.no_receipts) written = WriteReceipts(client, *report, out / "receipts");
  if (!written.ok()) {
    PrintError(kCommand, written.message());
    return 1;
  }
  const json::value* total = report->if_contains("findings_total");
  std::cout << "report: " << (total != nullptr ? json::serialize(*total) : "?") << " findings; wrote "
            << (out / "report.html").string() << ", report.json and findings.csv\n";
  return 0;
}

}  // namespace

void RegisterReport(CLI::App& app) {
  static ReportOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand),
      "Write the supervision report (行政执法监督) of a period: report.json, findings.csv, report.html");
  command->add_option("--node", options.node, "The node's API, e.g. http://127.0.0.1:8701")->required();
  command->add_option("--token", options.token, "A reader token of role supervisor")
      ->envname("EVIDENCE_READER_TOKEN");
  command->add_option("--from", options.from, "First day, YYYY-MM-DD (北京时间)")->required();
  command->add_option("--to", options.to, "Last day, YYYY-MM-DD (included)")->required();
  command->add_option("--agency", options.agency, "Only the cases of this agency");
  command->add_option("--out", options.out, "Directory to write the files into")->required();
  command->add_flag("--no-receipts", options.no_receipts,
                    "Do not fetch the receipts of the records the findings cite");
  command->callback([] { SetExitCode(RunReport(options)); });
}

}  // namespace evidence::cli
