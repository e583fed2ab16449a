// `evidence receipt ID --node URL (--file DOCUMENT | --digest ALG:HEX | --token TOKEN)
//                    [--out FILE]`
//
// Fetches the receipt of a committed record (GET /v1/records/{id}) and prints it
// (canonical JSON, docs/receipt-format.md) or writes it to FILE, ready for
// `evidence verify`. The node shows a record only to whoever holds its document
// (--file hashes it with the chain's hash; --digest gives the digest) or to a
// reader (--token, or EVIDENCE_READER_TOKEN); see docs/api.md, "Access". Exit 0
// with the receipt; 1 when the record is still pending, unknown to the node,
// not shown (no or a wrong document or token), or the node cannot be reached; 2 for unusable input (an
// id that is not 64 hex digits, a bad URL, an unreadable file).
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "api/cli/record_files.h"
#include "ledger/receipt.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "receipt";
constexpr auto kRequestTimeout = std::chrono::seconds(60);

struct ReceiptOptions {
  std::string id;
  std::string node;
  std::string out;
  std::string file;
  std::string digest;
  std::string token;
};

Result<std::string> NormalizeId(std::string id) {
  bool good = id.size() == 2 * crypto::kDigestBytes;
  for (char& c : id) {
    good = good && std::isxdigit(static_cast<unsigned char>(c));
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!good) return Status::InvalidArgument("a record id is 64 hex digits, not '" + id + "'");
  return id;
}

// The receipt's record must be the one asked for, under either chain hash.
bool IsReceiptOf(const ledger::Receipt& receipt, const std::string& id) {
  for (auto algorithm : {crypto::HashAlgorithm::kSha256, crypto::HashAlgorithm::kSm3}) {
    if (crypto::DigestHex(ledger::RecordId(algorithm, receipt.record)) == id) return true;
  }
  return false;
}

// The receipt in the node's answer to GET /v1/records/{id}, or why there is none.
Result<ledger::Receipt> ReceiptFromAnswer(const HttpAnswer& answer, const std::string& id,
                                          const std::string& url) {
  if (answer.status == 404) {
    return Status::NotFound(url + " has no record " + id + " (not-found, HTTP 404)");
  }
  if (answer.status == 401 || answer.status == 403) {
    return Status::PermissionDenied(
        "the node shows record " + id + " and its receipt only to whoever holds its document "
        "or to a reader: give --file DOCUMENT, --digest ALG:HEX or --token TOKEN (" +
        DescribeAnswer(answer) + ")");
  }
  if (answer.status != 200) return Status::Unavailable(DescribeAnswer(answer));
  EVIDENCE_ASSIGN_OR_RETURN(boost::json::value body, ParseAnswerJson(answer));
  const boost::json::object* object = body.if_object();
  const boost::json::value* status = object ? object->if_contains("status") : nullptr;
  const boost::json::value* receipt = object ? object->if_contains("receipt") : nullptr;
  if (status == nullptr || !status->is_string()) {
    return Status::Unavailable("the node's answer has no status: " + DescribeAnswer(answer));
  }
  if (status->as_string() != "committed" || receipt == nullptr || receipt->is_null()) {
    return Status::FailedPrecondition("record " + id + " is " + std::string(status->as_string()) +
                                      ": not committed yet, so it has no receipt; try again "
                                      "in a few seconds");
  }
  auto parsed = ledger::ReceiptFromJson(*receipt);
  if (!parsed.ok()) return parsed.status().WithContext("the node's receipt does not parse");
  if (!IsReceiptOf(*parsed, id)) {
    return Status::Corruption("the node answered a receipt of another record than " + id);
  }
  return parsed;
}

// The document digest to show the node ("" for none): --digest as given, or
// --file hashed with the chain's hash (GET /v1/status).
Result<std::string> DocumentDigest(const ReceiptOptions& options, HttpClient& client) {
  if (!options.digest.empty()) {
    std::string digest = options.digest;
    for (char& c : digest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return digest;
  }
  if (options.file.empty()) return std::string();
  auto answer = client.Get("/v1/status", kRequestTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) return Status::Unavailable("GET /v1/status: " + DescribeAnswer(*answer));
  EVIDENCE_ASSIGN_OR_RETURN(boost::json::value status, ParseAnswerJson(*answer));
  const boost::json::value* hash = status.is_object() ? status.as_object().if_contains("hash") : nullptr;
  crypto::HashAlgorithm algorithm = crypto::HashAlgorithm::kSha256;
  if (hash != nullptr && hash->is_string() && hash->as_string() == "sm3") {
    algorithm = crypto::HashAlgorithm::kSm3;
  }
  auto file = HashFile(algorithm, options.file);
  if (!file.ok()) return Status::InvalidArgument(file.status().message());
  return std::string(crypto::HashAlgorithmName(algorithm)) + ":" + crypto::DigestHex(file->digest);
}

int RunReceipt(const ReceiptOptions& options) {
  auto id = NormalizeId(options.id);
  if (!id.ok()) {
    PrintError(kCommand, id.status().message());
    return 2;
  }
  auto url = ParseNodeUrl(options.node);
  if (!url.ok()) {
    PrintError(kCommand, "--node " + url.status().message());
    return 2;
  }
  HttpClient client(*url);
  std::string token = options.token;
  if (token.empty()) {
    if (const char* from_env = std::getenv("EVIDENCE_READER_TOKEN")) token = from_env;
  }
  client.set_bearer_token(token);
  auto digest = DocumentDigest(options, client);
  if (!digest.ok()) {
    PrintError(kCommand, digest.status().message());
    return digest.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const std::string query = digest->empty() ? "" : "?digest=" + *digest;
  auto answer = client.Get("/v1/records/" + *id + query, kRequestTimeout);
  if (!answer.ok()) {
    PrintError(kCommand, answer.status().message());
    return 1;
  }
  auto receipt = ReceiptFromAnswer(*answer, *id, url->text);
  if (!receipt.ok()) {
    PrintError(kCommand, receipt.status().message());
    return 1;
  }
  const std::string text = ledger::ReceiptToText(*receipt);
  if (options.out.empty()) {
    std::cout << text << std::flush;
    return 0;
  }
  if (Status written = WriteFileAtomically(options.out, text); !written.ok()) {
    PrintError(kCommand, written.message());
    return 1;
  }
  std::cout << "wrote " << options.out << ": record " << *id << ", block " << receipt->header.height
            << ", leaf " << receipt->leaf_index << " of tree size " << receipt->tree_size << "\n";
  return 0;
}

}  // namespace

void RegisterReceipt(CLI::App& app) {
  static ReceiptOptions options;
  CLI::App* command = app.add_subcommand(std::string(kCommand),
                                         "Fetch the receipt of a committed record from a node");
  command->add_option("ID", options.id, "The record id (64 hex digits)")->required();
  command->add_option("--node", options.node, "The node's API, e.g. http://127.0.0.1:8080")
      ->required();
  command->add_option("--out", options.out, "Write the receipt here instead of stdout");
  command->add_option("--file", options.file,
                      "The record's document: its digest shows the node you hold it");
  command->add_option("--digest", options.digest,
                      "The record's document digest, sha256:<64 hex> or sm3:<64 hex>");
  command->add_option("--token", options.token,
                      "A reader token (default: $EVIDENCE_READER_TOKEN)");
  command->callback([] { SetExitCode(RunReceipt(options)); });
}

}  // namespace evidence::cli
