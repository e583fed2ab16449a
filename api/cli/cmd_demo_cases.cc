// `evidence demo-cases --node URL --key K --agency A --cases N --seed S
//                      [--plant RULE=COUNT,...] [--kinds enforcement,reconsideration]
//                      [--span-days 365] [--documents DIR]`
//
// Writes a year of realistic demo case trails of agency A to a node (signed
// batches, waiting for commit), with exactly the planted violations, so that a
// supervision report (`evidence report`) has something to show: every case keeps
// the law's stages and deadlines except the planted ones, one planted violation
// per case (supervision/demo.h). The acts are dated before the chain's genesis
// (history entered now, which late_recording does not judge), so the node must
// accept old times: the chain's param record_past_window_ms (genesis [params], or a
// set-params governance action), e.g. scripts/localnet.sh with
// LOCALNET_PAST_WINDOW_DAYS=400 (scripts/run.sh does it). The same options write
// the same records again (the node answers that it has them); other options use
// other case numbers. --documents writes the
// stand-in documents as DIR/<record id>.txt, for `evidence verify`.
// stdout: what was written and the `evidence report` command that shows it.
// Exit 0 when every record is committed, 1 when the node refused or could not be
// reached, 2 for unusable input.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <iostream>
#include <thread>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "api/cli/record_files.h"
#include "common/clock.h"
#include "common/time_text.h"
#include "ledger/batch.h"
#include "supervision/demo.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kCommand = "demo-cases";
constexpr size_t kRecordsPerBatch = 2000;  // ~3 MB of JSON, well inside the body limit
constexpr auto kRequestTimeout = std::chrono::seconds(150);
constexpr uint64_t kWaitTimeoutMs = 120'000;
constexpr auto kRetryDeadline = std::chrono::minutes(5);

struct DemoCasesOptions {
  std::string node;
  std::string key;
  std::string agency;
  size_t cases = 200;
  uint64_t seed = 1;
  std::string plant;
  std::string kinds = "enforcement,reconsideration";
  int span_days = 365;
  std::string documents;
};

// "rule=count,rule=count" -> plants.
Result<std::map<supervision::RuleId, size_t>> ParsePlants(std::string_view text) {
  std::map<supervision::RuleId, size_t> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t equals = item.find('=');
    const auto rule = supervision::RuleFromName(item.substr(0, equals));
    size_t count = 0;
    const std::string_view number = equals == std::string_view::npos ? "" : item.substr(equals + 1);
    const bool numeric = !number.empty() && number.size() <= 6 &&
                         number.find_first_not_of("0123456789") == std::string_view::npos;
    if (!rule || !numeric) {
      std::string rules;
      for (supervision::RuleId id : supervision::kAllRules) {
        rules += (rules.empty() ? "" : ", ") + std::string(supervision::RuleName(id));
      }
      return Status::InvalidArgument("--plant takes RULE=COUNT,... with RULE one of " + rules +
                                     "; not '" + std::string(item) + "'");
    }
    count = std::stoul(std::string(number));
    out[*rule] += count;
  }
  return out;
}

Status ParseKinds(std::string_view text, supervision::DemoOptions& options) {
  options.enforcement = options.reconsideration = false;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view kind = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (kind == "enforcement") {
      options.enforcement = true;
    } else if (kind == "reconsideration") {
      options.reconsideration = true;
    } else {
      return Status::InvalidArgument("--kinds takes enforcement, reconsideration or both, not '" +
                                     std::string(kind) + "'");
    }
  }
  return Status::Ok();
}

struct Chain {
  std::string chain_id;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
  int64_t genesis_time_ms = 0;
};

Result<Chain> FetchChain(HttpClient& client) {
  auto answer = client.Get("/v1/status", kRequestTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) return Status::Unavailable("GET /v1/status: " + DescribeAnswer(*answer));
  auto body = ParseAnswerJson(*answer);
  if (!body.ok() || !body->is_object()) return Status::Unavailable("GET /v1/status is not JSON");
  const json::object& status = body->as_object();
  const json::value* chain_id = status.if_contains("chain_id");
  const json::value* hash = status.if_contains("hash");
  const json::value* genesis = status.if_contains("genesis_time_ms");
  if (chain_id == nullptr || !chain_id->is_string() || genesis == nullptr || !genesis->is_int64()) {
    return Status::Unavailable("GET /v1/status lacks chain_id or genesis_time_ms (an older node?)");
  }
  Chain out;
  out.chain_id = std::string(chain_id->as_string());
  out.genesis_time_ms = genesis->as_int64();
  if (hash != nullptr && hash->is_string()) {
    EVIDENCE_ASSIGN_OR_RETURN(out.hash, crypto::ParseHashAlgorithm(std::string(hash->as_string())));
  }
  return out;
}

ledger::Record RecordOf(const Chain& chain, const std::string& agency,
                        const supervision::DemoCase& demo, const supervision::DemoRecord& planned) {
  ledger::Record record;
  record.chain_id = chain.chain_id;
  record.kind = planned.kind;
  record.case_id = demo.case_id;
  record.stage = planned.stage;
  record.agency = agency;
  record.digest = ledger::FormatDocumentDigest(chain.hash, crypto::Hash(chain.hash, planned.content));
  record.size = planned.size;
  record.media_type = planned.media_type;
  record.title = planned.title;
  record.time_ms = planned.time_ms;
  return record;
}

struct Sent {
  size_t records = 0;
  size_t new_records = 0;
};

// Posts one signed batch and waits for its commit; 429/503 are retried.
Status PostBatch(HttpClient& client, const std::vector<ledger::Record>& records, Sent& sent) {
  json::array array;
  for (const ledger::Record& record : records) array.push_back(ledger::RecordToJson(record));
  const std::string body = json::serialize(json::object{{"records", std::move(array)}});
  const auto deadline = std::chrono::steady_clock::now() + kRetryDeadline;
  for (;;) {
    auto answer = client.PostJson("/v1/batches?wait=commit&timeout_ms=" + std::to_string(kWaitTimeoutMs),
                                  body, kRequestTimeout);
    if (!answer.ok()) return answer.status();
    if ((answer->status == 429 || answer->status == 503) &&
        std::chrono::steady_clock::now() < deadline) {
      // The node asked to be called again later.
      std::this_thread::sleep_for(std::chrono::seconds(std::max<uint32_t>(answer->retry_after_seconds, 1)));
      continue;
    }
    if (answer->status >= 300) {
      std::string hint;
      if (ProblemName(*answer) == "time-out-of-window") {
        hint = "; the chain must accept a year of past times: its param record_past_window_ms "
               "(genesis [params] or set-params), e.g. scripts/localnet.sh with "
               "LOCALNET_PAST_WINDOW_DAYS=400 or evidence-node --dev --past-window-days 400";
      }
      return Status::Unavailable("batch refused: " + DescribeAnswer(*answer) + hint);
    }
    auto parsed = ParseAnswerJson(*answer);
    const json::value* answered =
        parsed.ok() && parsed->is_object() ? parsed->as_object().if_contains("records") : nullptr;
    if (answered == nullptr || !answered->is_array() || answered->as_array().size() != records.size()) {
      return Status::Unavailable("unexpected answer: " + DescribeAnswer(*answer));
    }
    for (const json::value& outcome : answered->as_array()) {
      const json::object* object = outcome.if_object();
      const json::value* status = object != nullptr ? object->if_contains("status") : nullptr;
      if (status == nullptr || !status->is_string() || status->as_string() != "committed") {
        return Status::Unavailable("records not committed within " +
                                   std::to_string(kWaitTimeoutMs / 1000) + " s; run again later");
      }
      const json::value* known = object->if_contains("already_known");
      if (known == nullptr || !known->is_bool() || !known->as_bool()) ++sent.new_records;
    }
    sent.records += records.size();
    return Status::Ok();
  }
}

Status WriteDocuments(const std::string& directory, const Chain& chain,
                      const std::vector<ledger::Record>& records,
                      const std::vector<const supervision::DemoRecord*>& planned) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return Status::IoError("cannot create " + directory + ": " + error.message());
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string id = crypto::DigestHex(ledger::RecordId(chain.hash, records[i]));
    EVIDENCE_RETURN_IF_ERROR(
        WriteFileAtomically((fs::path(directory) / (id + ".txt")).string(), planned[i]->content));
  }
  return Status::Ok();
}

Status Submit(HttpClient& client, const Chain& chain, const crypto::PrivateKey& key,
              const DemoCasesOptions& options, const supervision::DemoPlan& plan, Sent& sent) {
  std::vector<ledger::Record> batch;
  std::vector<const supervision::DemoRecord*> planned;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    EVIDENCE_RETURN_IF_ERROR(ledger::SignBatch(chain.hash, key, batch));
    if (!options.documents.empty()) {
      EVIDENCE_RETURN_IF_ERROR(WriteDocuments(options.documents, chain, batch, planned));
    }
    EVIDENCE_RETURN_IF_ERROR(PostBatch(client, batch, sent));
    std::cerr << "demo-cases: " << sent.records << " records committed\n";
    batch.clear();
    planned.clear();
    return Status::Ok();
  };
  for (const supervision::DemoCase& demo : plan.cases) {
    for (const supervision::DemoRecord& record : demo.records) {
      batch.push_back(RecordOf(chain, options.agency, demo, record));
      planned.push_back(&record);
      if (batch.size() == kRecordsPerBatch) EVIDENCE_RETURN_IF_ERROR(flush());
    }
  }
  return flush();
}

int RunDemoCases(const DemoCasesOptions& options) {
  supervision::DemoOptions demo;
  demo.agency = options.agency;
  demo.cases = options.cases;
  demo.seed = options.seed;
  demo.span_days = options.span_days;
  auto plants = ParsePlants(options.plant);
  Status kinds = ParseKinds(options.kinds, demo);
  auto url = ParseNodeUrl(options.node);
  auto key = LoadSigningKey(options.key);
  for (const Status& status : {plants.status(), kinds, url.status(), key.status()}) {
    if (!status.ok()) {
      PrintError(kCommand, status.message());
      return 2;
    }
  }
  demo.plant = *plants;
  HttpClient client(*url);
  auto chain = FetchChain(client);
  if (!chain.ok()) {
    PrintError(kCommand, chain.status().message());
    return 1;
  }
  const int64_t now = WallClockMs();
  demo.end_ms = now;
  demo.commit_at_ms = now;
  demo.genesis_time_ms = chain->genesis_time_ms;
  auto plan = supervision::PlanDemoCases(supervision::RuleSet::Default(),
                                         supervision::WorkingCalendar::Default(), demo);
  if (!plan.ok()) {
    PrintError(kCommand, plan.status().message());
    return 2;
  }
  Sent sent;
  if (Status submitted = Submit(client, *chain, *key, options, *plan, sent); !submitted.ok()) {
    PrintError(kCommand, submitted.message());
    return 1;
  }
  const int offset = supervision::RuleSet::Default().utc_offset_minutes();
  const std::string from = FormatCivilDate(CivilDayOf(plan->first_ms, offset));
  const std::string to = FormatCivilDate(CivilDayOf(now, offset));
  std::cout << "demo-cases: " << plan->cases.size() << " cases of " << options.agency << ", "
            << sent.records << " records (" << sent.new_records << " new), acts from " << from
            << " to " << FormatCivilDate(CivilDayOf(plan->last_ms, offset)) << "\nplanted:";
  if (plan->planted.empty()) std::cout << " none";
  for (const auto& [rule, count] : plan->planted) {
    std::cout << " " << supervision::RuleName(rule) << "=" << count;
  }
  std::cout << "\nsee the report: evidence report --node " << url->text
            << " --token $SUPERVISOR_TOKEN --from " << from << " --to " << to
            << " --out supervision-report\n";
  return 0;
}

}  // namespace

void RegisterDemoCases(CLI::App& app) {
  static DemoCasesOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand),
      "Write a year of demo case trails (行政处罚, 行政复议) with planted violations to a node");
  command->add_option("--node", options.node, "The node's API, e.g. http://127.0.0.1:8701")->required();
  command->add_option("--key", options.key, "The agency's private key (PEM)")->required();
  command->add_option("--agency", options.agency, "Agency id registered in genesis")->required();
  command->add_option("--cases", options.cases, "Number of cases")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, supervision::kDemoCasesMax));
  command->add_option("--seed", options.seed, "Seed of the generator (same options, same cases)")
      ->capture_default_str();
  command->add_option("--plant", options.plant,
                      "Violations to plant, RULE=COUNT,... (one per case), e.g. "
                      "decision_within_90_days=3,missing_stage=2");
  command->add_option("--kinds", options.kinds, "enforcement, reconsideration or both")
      ->capture_default_str();
  command->add_option("--span-days", options.span_days,
                      "Every act lies within this many days before now (the node's past window "
                      "must cover them)")
      ->capture_default_str()
      ->check(CLI::Range(supervision::kDemoSpanDaysMin, supervision::kDemoSpanDaysMax));
  command->add_option("--documents", options.documents,
                      "Write the stand-in documents as DIR/<record id>.txt");
  command->callback([] { SetExitCode(RunDemoCases(options)); });
}

}  // namespace evidence::cli
