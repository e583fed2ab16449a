// `evidence submit --node URL --key KEY.pem --agency ID --kind KIND --case CASE
//                  [--stage S] [--time RFC3339] [--chain-id C] [--hash sha256|sm3] [--wait]
//                  [--timeout SECONDS] [--receipt-dir DIR] FILE|DIR...`
//
// Hashes each document, signs its record and sends it to a node. One file goes
// alone to POST /v1/records; several files or a directory (walked recursively,
// skipping hidden files and *.receipt.json) go as signed batches to
// POST /v1/batches, each batch at most limits::kBatchRecordsMax records and
// small enough for the node's body limit. With --wait every record is waited
// for until committed (?wait=commit, then polling GET /v1/records/{id} while
// the --timeout lasts) and its receipt written as "<file name>.receipt.json"
// into --receipt-dir, or beside the file. 429 and 503 answers are retried after
// Retry-After, and transport failures (node unreachable, connection reset,
// timeout) with a growing pause, while the deadline allows, always with the same
// signed bytes. The case id is signed in its canonical form (ledger/case_id.h).
//
// stdout: one line per submitted file, "<record id>  <pending|committed>  <file>".
// stderr: progress (a bar on a terminal, otherwise a line every few seconds),
// and one line per failed file naming it and the node's reason.
// Exit 0 when every file went through (a record the node already had counts),
// 1 when any file failed, 2 for unusable input.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "api/cli/record_files.h"
#include "common/limits.h"
#include "ledger/batch.h"
#include "ledger/receipt.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kCommand = "submit";
constexpr auto kRequestTimeout = std::chrono::seconds(60);
constexpr auto kRetryDeadline = std::chrono::seconds(120);  // for 429/503 without --wait
constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr auto kRetryAfterMax = std::chrono::seconds(30);
// Room for {"records":[...]} and commas around the records.
constexpr size_t kBatchBodyBudgetBytes = limits::kHttpBodyBytesMax - 64 * 1024;

struct SubmitOptions {
  std::string node;
  std::string key;
  std::string hash;  // "" = the node's (GET /v1/status "hash"), else sha256
  std::string receipt_dir;
  bool wait = false;
  uint64_t timeout_seconds = 60;
  RecordFields fields;  // chain_id "" = the node's
  std::vector<std::string> inputs;
};

struct Document {
  std::string path;
  ledger::Record record;
  std::string id;  // set once signed
};

// Files named on the command line and found in directories, in a stable order.
struct Inputs {
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> unreadable;  // path, reason
  bool one_file = false;  // exactly one input, and it is a file
};

bool IsSkippedInDirectory(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.starts_with(".") || name.ends_with(".receipt.json");
}

Inputs ExpandInputs(const std::vector<std::string>& given) {
  Inputs out;
  std::set<std::string> seen;
  auto add = [&](const std::string& path) {
    if (seen.insert(fs::absolute(path).lexically_normal().string()).second) {
      out.files.push_back(path);
    }
  };
  for (const std::string& input : given) {
    std::error_code error;
    if (fs::is_directory(input, error)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(input, fs::directory_options::skip_permission_denied,
                                          error);
      for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (IsSkippedInDirectory(it->path())) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file()) found.push_back(it->path().string());
      }
      if (error) out.unreadable.emplace_back(input, "cannot list: " + error.message());
      std::sort(found.begin(), found.end());
      for (const std::string& path : found) add(path);
    } else if (fs::exists(input, error)) {
      add(input);
    } else {
      out.unreadable.emplace_back(input, "no such file or directory");
    }
  }
  out.one_file = given.size() == 1 && out.files.size() == 1 && out.unreadable.empty() &&
                 !fs::is_directory(given[0]);
  return out;
}

// Progress on stderr: a bar redrawn in place on a terminal, otherwise a plain
// line at most every few seconds.
class Progress {
 public:
  Progress(size_t total, bool enabled)
      : total_(total),
        enabled_(enabled),
        tty_(::isatty(STDERR_FILENO) == 1),
        last_(tty_ ? Clock::time_point{} : Clock::now()) {}

  void Update(size_t hashed, size_t done, size_t failed) {
    if (!enabled_) return;
    hashed_ = hashed;
    done_ = done;
    failed_ = failed;
    const auto now = Clock::now();
    const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(5);
    if (!cleared_ && now - last_ < interval && done + failed < total_) return;
    last_ = now;
    Draw();
  }
  // Clears the bar before a line is printed; the next Update puts it back.
  void Clear() {
    if (!enabled_ || !tty_ || !drawn_) return;
    std::cerr << "\r\033[K" << std::flush;
    cleared_ = true;
  }
  void Finish() {
    if (!enabled_) return;
    if (cleared_ || drawn_state_ != std::tuple(hashed_, done_, failed_)) Draw();
    if (tty_) std::cerr << "\n";
  }

 private:
  void Draw() {
    constexpr size_t kWidth = 30;
    const size_t finished = done_ + failed_;
    const size_t percent = total_ == 0 ? 100 : finished * 100 / total_;
    std::string line = "submit: ";
    if (tty_) {
      const size_t filled = total_ == 0 ? kWidth : finished * kWidth / total_;
      line =
          "\r\033[Ksubmit: [" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    }
    line += std::to_string(finished) + "/" + std::to_string(total_) + " files (" +
            std::to_string(percent) + "%): " + std::to_string(done_) + " submitted, " +
            std::to_string(failed_) + " failed, " + std::to_string(hashed_) + " hashed";
    std::cerr << line << (tty_ ? "" : "\n") << std::flush;
    drawn_ = true;
    cleared_ = false;
    drawn_state_ = std::tuple(hashed_, done_, failed_);
  }

  size_t total_;
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  bool cleared_ = false;
  size_t hashed_ = 0, done_ = 0, failed_ = 0;
  std::tuple<size_t, size_t, size_t> drawn_state_{};
  Clock::time_point last_{};
};

std::string JsonString(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

class Submitter {
 public:
  Submitter(const SubmitOptions& options, const crypto::PrivateKey& key, HttpClient& client,
            size_t total)
      : options_(options), key_(key), client_(client), progress_(total, total > 1) {}

  void Fail(const std::string& path, const std::string& reason) {
    progress_.Clear();
    PrintError(kCommand, path + ": " + reason);
    ++failed_;
    progress_.Update(hashed_, done_, failed_);
  }

  void NoteHashed() {
    ++hashed_;
    progress_.Update(hashed_, done_, failed_);
  }

  void SubmitOne(Document document);
  void SubmitBatch(std::vector<Document> documents);
  void Finish() { progress_.Finish(); }
  size_t failed() const { return failed_; }

 private:
  Clock::time_point WaitDeadline() const {
    return Clock::now() + std::chrono::seconds(options_.timeout_seconds);
  }
  std::string WaitQuery() const;
  Result<HttpAnswer> PostWithRetry(const std::string& target, const std::string& body,
                                   Clock::time_point deadline);
  void FailAll(const std::vector<Document>& documents, const std::string& reason) {
    for (const Document& document : documents) Fail(document.path, reason);
  }
  void HandleOutcome(const Document& document, const json::value& outcome,
                     Clock::time_point deadline);
  void WaitForReceipt(const Document& document, Clock::time_point deadline);
  Status WriteReceipt(const Document& document, const json::value& receipt);
  void Succeed(const Document& document, std::string_view status);

  const SubmitOptions& options_;
  const crypto::PrivateKey& key_;
  HttpClient& client_;
  Progress progress_;
  size_t hashed_ = 0, done_ = 0, failed_ = 0;
  std::string abort_reason_;  // set once the node cannot be reached
};

std::string Submitter::WaitQuery() const {
  if (!options_.wait) return "";
  const uint64_t timeout_ms =
      std::min<uint64_t>(options_.timeout_seconds * 1000, limits::kHttpWaitTimeoutMsMax);
  return "?wait=commit&timeout_ms=" + std::to_string(std::max<uint64_t>(timeout_ms, 1));
}

Result<HttpAnswer> Submitter::PostWithRetry(const std::string& target, const std::string& body,
                                            Clock::time_point deadline) {
  const auto http_timeout =
      options_.wait ? std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::seconds(options_.timeout_seconds) + kRequestTimeout)
                    : std::chrono::duration_cast<std::chrono::milliseconds>(kRequestTimeout);
  // Every retry sends `body` again, byte for byte: the record id covers the
  // record's time, so signing again would make a second entry, while the same
  // bytes are idempotent (200, already known) if the first attempt got through.
  auto transport_pause = std::chrono::seconds(1);
  for (;;) {
    auto answer = client_.PostJson(target, body, http_timeout);
    std::chrono::seconds pause;
    if (!answer.ok()) {
      // Connection refused, reset or timed out: the node may be restarting.
      pause = transport_pause;
      transport_pause = std::min<std::chrono::seconds>(2 * transport_pause, kRetryAfterMax);
      if (Clock::now() + pause >= deadline) return answer;
      progress_.Clear();
      PrintError(kCommand, answer.status().message() + "; sending the same signed bytes again in " +
                               std::to_string(pause.count()) + " s");
    } else {
      if (answer->status != 429 && answer->status != 503) return answer;
      pause = std::min<std::chrono::seconds>(
          std::chrono::seconds(std::max<uint32_t>(answer->retry_after_seconds, 1)), kRetryAfterMax);
      if (Clock::now() + pause >= deadline) return answer;
    }
    std::this_thread::sleep_for(pause);  // the node asked, or needs, to be called back later
  }
}

void Submitter::Succeed(const Document& document, std::string_view status) {
  ++done_;
  progress_.Clear();
  std::cout << document.id << "  " << status << "  " << document.path << "\n" << std::flush;
  progress_.Update(hashed_, done_, failed_);
}

Status Submitter::WriteReceipt(const Document& document, const json::value& receipt_json) {
  auto receipt = ledger::ReceiptFromJson(receipt_json);
  if (!receipt.ok()) {
    return Status::InvalidArgument("the node's receipt does not parse: " +
                                   receipt.status().message());
  }
  if (receipt->record != document.record) {
    return Status::InvalidArgument("the node's receipt is for another record");
  }
  const fs::path directory = options_.receipt_dir.empty() ? fs::path(document.path).parent_path()
                                                          : fs::path(options_.receipt_dir);
  const fs::path path = directory / (fs::path(document.path).filename().string() + ".receipt.json");
  return WriteFileAtomically(path.string(), ledger::ReceiptToText(*receipt));
}

void Submitter::HandleOutcome(const Document& document, const json::value& outcome,
                              Clock::time_point deadline) {
  if (!outcome.is_object() || JsonString(outcome.as_object(), "id") != document.id) {
    return Fail(document.path, "the node answered for another record than " + document.id);
  }
  const json::object& object = outcome.as_object();
  const bool committed = JsonString(object, "status") == "committed";
  if (!options_.wait) return Succeed(document, committed ? "committed" : "pending");
  const json::value* receipt = object.if_contains("receipt");
  if (!committed || receipt == nullptr) return WaitForReceipt(document, deadline);
  Status written = WriteReceipt(document, *receipt);
  if (!written.ok()) return Fail(document.path, written.message());
  Succeed(document, "committed");
}

void Submitter::WaitForReceipt(const Document& document, Clock::time_point deadline) {
  for (;;) {
    if (Clock::now() >= deadline) {
      return Fail(document.path, "not committed within " +
                                     std::to_string(options_.timeout_seconds) + " s; record " +
                                     document.id +
                                     " stays pending: fetch its receipt later "
                                     "with 'evidence receipt " +
                                     document.id + " --node " + client_.url().text + "'");
    }
    // The document's digest shows the node we hold it: it answers the record
    // and its receipt, not only its status (docs/api.md, "Access").
    auto answer = client_.Get("/v1/records/" + document.id + "?digest=" + document.record.digest,
                              kRequestTimeout);
    if (!answer.ok()) return Fail(document.path, answer.status().message());
    if (answer->status != 200) return Fail(document.path, DescribeAnswer(*answer));
    auto body = ParseAnswerJson(*answer);
    if (!body.ok() || !body->is_object()) return Fail(document.path, "unexpected answer");
    const json::object& object = body->as_object();
    const json::value* receipt = object.if_contains("receipt");
    if (JsonString(object, "status") == "committed" && receipt != nullptr && !receipt->is_null()) {
      Status written = WriteReceipt(document, *receipt);
      if (!written.ok()) return Fail(document.path, written.message());
      return Succeed(document, "committed");
    }
    std::this_thread::sleep_for(kPollInterval);  // polling the node at a bounded rate
  }
}

void Submitter::SubmitOne(Document document) {
  if (!abort_reason_.empty()) return Fail(document.path, "not submitted: " + abort_reason_);
  Status signed_ok = ledger::SignRecord(key_, document.record);
  if (!signed_ok.ok()) return Fail(document.path, "cannot sign: " + signed_ok.message());
  document.id = crypto::DigestHex(ledger::RecordId(options_.fields.hash, document.record));
  const auto deadline = options_.wait ? WaitDeadline() : Clock::now() + kRetryDeadline;
  auto answer =
      PostWithRetry("/v1/records" + WaitQuery(), ledger::RecordLeaf(document.record), deadline);
  if (!answer.ok()) {
    abort_reason_ = answer.status().message();
    return Fail(document.path, abort_reason_);
  }
  if (answer->status >= 300) {
    return Fail(document.path, "refused by the node: " + DescribeAnswer(*answer));
  }
  auto body = ParseAnswerJson(*answer);
  if (!body.ok()) return Fail(document.path, body.status().message());
  HandleOutcome(document, *body, deadline);
}

void Submitter::SubmitBatch(std::vector<Document> documents) {
  if (documents.empty()) return;
  if (!abort_reason_.empty()) return FailAll(documents, "not submitted: " + abort_reason_);
  std::vector<ledger::Record> records;
  records.reserve(documents.size());
  for (const Document& document : documents) records.push_back(document.record);
  Status signed_ok = ledger::SignBatch(options_.fields.hash, key_, records);
  if (!signed_ok.ok()) return FailAll(documents, "cannot sign the batch: " + signed_ok.message());
  json::array array;
  array.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    documents[i].record = std::move(records[i]);
    documents[i].id = crypto::DigestHex(RecordId(options_.fields.hash, documents[i].record));
    array.push_back(ledger::RecordToJson(documents[i].record));
  }
  const std::string body = json::serialize(json::object{{"records", std::move(array)}});
  EVIDENCE_CHECK_MSG(body.size() <= limits::kHttpBodyBytesMax, "batch body over the node's limit");
  const auto deadline = options_.wait ? WaitDeadline() : Clock::now() + kRetryDeadline;
  auto answer = PostWithRetry("/v1/batches" + WaitQuery(), body, deadline);
  if (!answer.ok()) {
    abort_reason_ = answer.status().message();
    return FailAll(documents, abort_reason_);
  }
  if (answer->status >= 300) {
    return FailAll(documents, "batch refused by the node: " + DescribeAnswer(*answer));
  }
  auto parsed = ParseAnswerJson(*answer);
  const json::value* answered =
      parsed.ok() && parsed->is_object() ? parsed->as_object().if_contains("records") : nullptr;
  if (answered == nullptr || !answered->is_array() ||
      answered->as_array().size() != documents.size()) {
    return FailAll(documents, "unexpected answer from the node: " + DescribeAnswer(*answer));
  }
  for (size_t i = 0; i < documents.size(); ++i) {
    HandleOutcome(documents[i], answered->as_array()[i], deadline);
  }
}

struct ChainSettings {
  std::string chain_id;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
};

// --chain-id and --hash, or what the node's /v1/status says.
Result<ChainSettings> ResolveChain(const SubmitOptions& options, HttpClient& client) {
  ChainSettings out;
  out.chain_id = options.fields.chain_id;
  std::string hash = options.hash;
  if (out.chain_id.empty() || hash.empty()) {
    auto answer = client.Get("/v1/status", kRequestTimeout);
    if (!answer.ok()) return answer.status();
    if (answer->status != 200) {
      return Status::Unavailable("GET /v1/status: " + DescribeAnswer(*answer));
    }
    auto status = ParseAnswerJson(*answer);
    if (!status.ok() || !status->is_object()) {
      return Status::Unavailable("GET /v1/status did not answer a JSON object");
    }
    if (out.chain_id.empty()) out.chain_id = JsonString(status->as_object(), "chain_id");
    if (out.chain_id.empty()) {
      return Status::Unavailable("GET /v1/status names no chain_id; give --chain-id");
    }
    if (hash.empty()) hash = JsonString(status->as_object(), "hash");
  }
  if (hash.empty()) hash = "sha256";
  auto algorithm = crypto::ParseHashAlgorithm(hash);
  if (!algorithm.ok()) return algorithm.status().WithContext("--hash");
  out.hash = *algorithm;
  return out;
}

// Receipts of two files with one name would land on one path in --receipt-dir.
Status CheckReceiptNames(const SubmitOptions& options, const Inputs& inputs) {
  if (!options.wait || options.receipt_dir.empty()) return Status::Ok();
  std::map<std::string, std::string> by_name;
  for (const std::string& path : inputs.files) {
    auto [it, fresh] = by_name.emplace(fs::path(path).filename().string(), path);
    if (!fresh) {
      return Status::InvalidArgument("both " + it->second + " and " + path + " would write " +
                                     it->first + ".receipt.json into " + options.receipt_dir +
                                     "; submit them separately or leave out --receipt-dir");
    }
  }
  std::error_code error;
  fs::create_directories(options.receipt_dir, error);
  if (error) {
    return Status::InvalidArgument("cannot create --receipt-dir " + options.receipt_dir + ": " +
                                   error.message());
  }
  return Status::Ok();
}

// Hashes the files and sends them in batches that fit the node's limits.
void SubmitInBatches(const Inputs& inputs, const SubmitOptions& options,
                     const crypto::PrivateKey& key, int64_t time_ms, Submitter& submitter) {
  std::vector<Document> batch;
  size_t batch_bytes = 0;
  for (const std::string& path : inputs.files) {
    auto record = RecordForFile(options.fields, key, path, time_ms);
    if (!record.ok()) {
      submitter.Fail(path, record.status().message());
      continue;
    }
    const size_t bytes = SignedRecordBytesMax(*record) + kBatchedRecordOverheadBytesMax;
    if (batch.size() == limits::kBatchRecordsMax || batch_bytes + bytes > kBatchBodyBudgetBytes) {
      submitter.SubmitBatch(std::move(batch));
      batch.clear();
      batch_bytes = 0;
    }
    batch.push_back(Document{path, std::move(record).value(), ""});
    batch_bytes += bytes;
    submitter.NoteHashed();
  }
  submitter.SubmitBatch(std::move(batch));
}

int RunSubmit(SubmitOptions& options) {
  auto url = ParseNodeUrl(options.node);
  if (!url.ok()) {
    PrintError(kCommand, "--node " + url.status().message());
    return 2;
  }
  auto key = LoadSigningKey(options.key);
  if (!key.ok()) {
    PrintError(kCommand, key.status().message());
    return 2;
  }
  Inputs inputs = ExpandInputs(options.inputs);
  if (Status names = CheckReceiptNames(options, inputs); !names.ok()) {
    PrintError(kCommand, names.message());
    return 2;
  }
  HttpClient client(*url);
  auto chain = ResolveChain(options, client);
  if (!chain.ok()) {
    PrintError(kCommand, chain.status().message());
    return chain.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  options.fields.chain_id = chain->chain_id;
  options.fields.hash = chain->hash;
  CanonicaliseCaseId(kCommand, options.fields);
  if (Status fields = CheckRecordFields(options.fields, *key); !fields.ok()) {
    PrintError(kCommand, fields.message());
    return 2;
  }
  auto time = RecordTimeMs(options.fields);
  if (!time.ok()) {
    PrintError(kCommand, time.status().message());
    return 2;
  }
  const size_t total = inputs.files.size() + inputs.unreadable.size();
  Submitter submitter(options, *key, client, total);
  for (const auto& [path, reason] : inputs.unreadable) submitter.Fail(path, reason);
  if (inputs.one_file) {
    auto record = RecordForFile(options.fields, *key, inputs.files[0], *time);
    if (!record.ok()) {
      submitter.Fail(inputs.files[0], record.status().message());
    } else {
      submitter.NoteHashed();
      submitter.SubmitOne(Document{inputs.files[0], std::move(record).value(), ""});
    }
  } else {
    SubmitInBatches(inputs, options, *key, *time, submitter);
  }
  submitter.Finish();
  if (submitter.failed() > 0) {
    PrintError(kCommand, std::to_string(submitter.failed()) + " of " + std::to_string(total) +
                             " files failed");
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterSubmit(CLI::App& app) {
  static SubmitOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Sign and send documents' records to a node (batches for many)");
  command->add_option("--node", options.node, "The node's API, e.g. http://127.0.0.1:8080")
      ->required();
  AddRecordFieldOptions(*command, options.key, options.fields);
  command->add_option("--media-type", options.fields.media_type,
                      "Media type of every file (default: guessed from each extension)");
  command->add_option("--chain-id", options.fields.chain_id,
                      "The chain's id (default: the node's, from GET /v1/status)");
  command->add_option("--hash", options.hash,
                      "The chain's hash, sha256 or sm3 (default: the "
                      "node's if it says, else sha256)");
  command->add_flag("--wait", options.wait, "Wait until committed and write the receipts");
  command->add_option("--timeout", options.timeout_seconds, "Seconds --wait waits for commit")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{24 * 3600}));
  command->add_option("--receipt-dir", options.receipt_dir,
                      "Where --wait writes <file name>.receipt.json (default: beside each file)");
  command->add_option("FILES", options.inputs, "Documents, or directories of documents")
      ->required();
  command->callback([] { SetExitCode(RunSubmit(options)); });
}

}  // namespace evidence::cli
