// `evidence status --node URL [--json]`
//
// A summary of a node's state for operators: chain id, height, tree size and
// root, validator, peers, mempool, sync and readiness (GET /v1/status and
// /readyz). --json prints the /v1/status body as the node sent it. Exit 0 when
// the node answered, 1 when it cannot be reached or refuses, 2 for a bad URL.
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "status";
constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct StatusOptions {
  std::string node;
  bool json = false;
};

// A field as text: strings as they are, other values as JSON, "?" when absent.
std::string Field(const boost::json::object& status, std::string_view key) {
  const boost::json::value* value = status.if_contains(key);
  if (value == nullptr) return "?";
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_bool()) return value->as_bool() ? "yes" : "no";
  if (value->is_null()) return "none";
  return boost::json::serialize(*value);
}

// "yes", or "no: <reason>" from /readyz.
std::string Readiness(HttpClient& client) {
  auto answer = client.Get("/readyz", kRequestTimeout);
  if (!answer.ok()) return "unknown (" + answer.status().message() + ")";
  if (answer->status == 200) return "yes";
  return "no: " + DescribeAnswer(*answer);
}

void PrintSummary(const boost::json::object& status, const std::string& url,
                  const std::string& ready) {
  const std::string validator = Field(status, "validator");
  std::cout << "node:         " << url << "\n"
            << "chain id:     " << Field(status, "chain_id") << "\n"
            << "height:       " << Field(status, "height") << "\n"
            << "tree size:    " << Field(status, "tree_size") << " records\n"
            << "tree root:    " << Field(status, "tree_root") << "\n"
            << "validator:    "
            << (validator == "none" ? "none (this node does not vote)" : validator) << " ("
            << Field(status, "validators") << " validators in genesis)\n"
            << "peers:        " << Field(status, "peers")
            << " connected, quorum connected: " << Field(status, "quorum_connected") << "\n"
            << "mempool:      " << Field(status, "mempool") << " records waiting\n"
            << "syncing:      " << Field(status, "syncing") << " (best peer height "
            << Field(status, "best_peer_height") << ")\n"
            << "ready:        " << ready << "\n"
            << "version:      " << Field(status, "version") << "\n";
}

int RunStatus(const StatusOptions& options) {
  auto url = ParseNodeUrl(options.node);
  if (!url.ok()) {
    PrintError(kCommand, "--node " + url.status().message());
    return 2;
  }
  HttpClient client(*url);
  auto answer = client.Get("/v1/status", kRequestTimeout);
  if (!answer.ok()) {
    PrintError(kCommand, answer.status().message());
    return 1;
  }
  if (answer->status != 200) {
    PrintError(kCommand, "GET /v1/status: " + DescribeAnswer(*answer));
    return 1;
  }
  auto status = ParseAnswerJson(*answer);
  if (!status.ok() || !status->is_object()) {
    PrintError(kCommand, "GET /v1/status did not answer a JSON object");
    return 1;
  }
  if (options.json) {
    std::cout << answer->body << (answer->body.ends_with("\n") ? "" : "\n");
    return 0;
  }
  PrintSummary(status->as_object(), url->text, Readiness(client));
  return 0;
}

}  // namespace

void RegisterStatus(CLI::App& app) {
  static StatusOptions options;
  CLI::App* command =
      app.add_subcommand(std::string(kCommand), "Show a node's height, tree head, peers, mempool");
  command->add_option("--node", options.node, "The node's API, e.g. http://127.0.0.1:8080")
      ->required();
  command->add_flag("--json", options.json, "Print GET /v1/status as JSON");
  command->callback([] { SetExitCode(RunStatus(options)); });
}

}  // namespace evidence::cli
