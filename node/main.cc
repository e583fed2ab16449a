// evidence-node: the validator process (DESIGN.md §5).
//
//   evidence-node --config node.toml [--log-json]
//   evidence-node --dev --data DIR [--api 127.0.0.1:PORT] [--log-json]
//
// SIGTERM and SIGINT stop it cleanly: the API first, then p2p, then consensus.
// Exit codes: 0 after a clean stop, 1 when it cannot start (the log says why),
// 2 for unusable command-line arguments.
#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "node/dev.h"
#include "node/node.h"
#include "node/node_config.h"

namespace evidence::node {
namespace {

// %j: the log message escaped for a JSON string.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& out) override {
    for (char c : std::string_view(message.payload.data(), message.payload.size())) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        out.append(escaped, escaped + 6);
      } else {
        out.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

void SetUpLogging(bool json) {
  // Logs go to standard error; standard output is for what --dev prints to people.
  if (spdlog::get("evidence-node") == nullptr) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("evidence-node"));
  }
  if (!json) {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
    return;
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<JsonEscapedMessage>('j').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","message":"%j"})");
  spdlog::set_formatter(std::move(formatter));
}

struct CommandLine {
  std::string config_path;
  bool dev = false;
  std::string data_dir;
  std::string api_listen = "127.0.0.1:8080";
  bool log_json = false;
};

Result<NodeOptions> DevOptions(const CommandLine& command_line) {
  EVIDENCE_ASSIGN_OR_RETURN(DevChain chain, PrepareDevChain(command_line.data_dir));
  NodeOptions options;
  options.genesis_path = chain.genesis_path;
  options.data_dir = chain.data_dir;
  options.vote_key_path = chain.vote_key_path;
  options.node_key_path = chain.node_key_path;
  options.p2p_listen = "127.0.0.1:0";
  options.api_listen = command_line.api_listen;
  // One validator: no one to wait for, so short timeouts keep commits quick.
  options.consensus.timeout_propose_ms = 200;
  options.consensus.timeout_vote_ms = 200;
  std::cout << (chain.created ? "Created" : "Reusing") << " a development chain in "
            << command_line.data_dir << "\n"
            << "  agency id:    " << chain.agency_id << "\n"
            << "  agency key:   " << chain.agency_key_path << " (Ed25519)\n";
  if (std::filesystem::exists(chain.agency_sm2_key_path)) {  // dev chains made before had one key
    std::cout << "  more keys:    " << chain.agency_p256_key_path << " (P-256), "
              << chain.agency_sm2_key_path << " (SM2)\n";
  }
  std::cout << "  genesis:      " << chain.genesis_path << "\n"
            << "  reader token: " << chain.reader_token << "\n";
  return options;
}

void PrintDevHints(const CommandLine& command_line, uint16_t api_port) {
  std::string host = command_line.api_listen.substr(0, command_line.api_listen.rfind(':'));
  std::string url = "http://" + host + ":" + std::to_string(api_port);
  std::string dir = command_line.data_dir;
  std::cout << "Portal: " << url << "/   (verify a file in the browser)\n"
            << "API: " << url << "\n"
            << "Try:\n"
            << "  curl " << url << "/v1/status\n"
            << "  evidence submit --node " << url << " --key " << dir
            << "/agency.pem --agency dev-agency --kind enforcement_record --case CASE-1 --wait FILE\n"
            << "  curl " << url << "/v1/tree-head\n"
            << "  curl -H \"Authorization: Bearer $(cat " << dir << "/reader-token)\" " << url
            << "/v1/cases/CASE-1\n"
            << "Stop with Ctrl-C.\n"
            << std::flush;
}

int Run(const CommandLine& command_line) {
  SetUpLogging(command_line.log_json);
  Result<NodeOptions> options = command_line.dev ? DevOptions(command_line)
                                                 : LoadNodeOptions(command_line.config_path);
  if (!options.ok()) {
    spdlog::error("event=start_failed reason=\"{}\"", options.status().ToString());
    return 1;
  }
  SetUpLogging(command_line.log_json || options->log_json);
  spdlog::set_level(spdlog::level::from_str(options->log_level));
  // Signals are taken by sigwait below; every thread started from here on
  // inherits the mask, so none of them is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<Node>> node = Node::Create(std::move(*options));
  if (!node.ok()) {
    spdlog::error("event=start_failed reason=\"{}\"", node.status().ToString());
    return 1;
  }
  Status started = (*node)->Start();
  if (!started.ok()) {
    spdlog::error("event=start_failed reason=\"{}\"", started.ToString());
    (*node)->Stop();
    return 1;
  }
  if (command_line.dev) PrintDevHints(command_line, (*node)->api_port());
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("event=shutdown signal={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*node)->Stop();
  return 0;
}

}  // namespace
}  // namespace evidence::node

// Blocks of several MiB are encoded, decoded, copied and written to the WAL at
// every height. Above glibc's mmap threshold each such buffer is a fresh
// mapping that the kernel faults in and zeroes page by page (about 5% of a
// validator's CPU under batched load); keep them in the heap instead. This
// tunes glibc malloc; the default build links tcmalloc, which ignores it.
void KeepLargeBuffersInTheHeap() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int main(int argc, char** argv) {
  KeepLargeBuffersInTheHeap();
  evidence::node::CommandLine command_line;
  CLI::App app{"evidence-node: a validator of the evidence ledger"};
  auto* config = app.add_option("--config", command_line.config_path, "node.toml")
                     ->check(CLI::ExistingFile);
  auto* dev = app.add_flag("--dev", command_line.dev,
                           "Run a single-validator development chain (keys and genesis under --data)");
  auto* data = app.add_option("--data", command_line.data_dir, "Directory of the --dev chain");
  app.add_option("--api", command_line.api_listen, "API address for --dev (host:port)")
      ->capture_default_str();
  app.add_flag("--log-json", command_line.log_json, "Log one JSON object per line");
  config->excludes(dev);
  data->needs(dev);
  dev->needs(data);
  try {
    app.parse(argc, argv);
    if (!command_line.dev && command_line.config_path.empty()) {
      throw CLI::RequiredError("--config or --dev");
    }
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  return evidence::node::Run(command_line);
}
