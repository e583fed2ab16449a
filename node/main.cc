// evidence-node: the validator process (DESIGN.md §5).
//
//   evidence-node --config node.toml [--log-json]
//   evidence-node --config node.toml --check
//   evidence-node --config node.toml --resync [--log-json]
//   evidence-node --dev --data DIR [--api 127.0.0.1:PORT] [--dev-hash sha256|sm3]
//                 [--past-window-days N] [--log-json]
//
// --resync sets a damaged store aside (node/resync.h) and starts with an empty
// one that it syncs from its peers; the write-ahead log is kept.
// SIGTERM and SIGINT stop it cleanly: the API first, then p2p, then consensus.
// SIGHUP reopens the log file ([log] file) after logrotate moved it.
// Exit codes: 0 after a clean stop (or --check found nothing wrong), 1 when it
// cannot start (the log says why) or --check found problems, 2 for unusable
// command-line arguments.
#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "common/check.h"
#include "node/dev.h"
#include "node/logging.h"
#include "node/node.h"
#include "node/node_config.h"
#include "node/resync.h"

namespace evidence::node {
namespace {

struct CommandLine {
  std::string config_path;
  bool check = false;
  bool resync = false;
  bool dev = false;
  std::string data_dir;
  std::string api_listen = "127.0.0.1:8080";
  std::string dev_hash = "sha256";
  int64_t dev_past_window_days = 7;
  bool log_json = false;
};

Result<NodeOptions> DevOptions(const CommandLine& command_line) {
  EVIDENCE_ASSIGN_OR_RETURN(crypto::HashAlgorithm hash,
                            crypto::ParseHashAlgorithm(command_line.dev_hash));
  EVIDENCE_ASSIGN_OR_RETURN(DevChain chain,
                            PrepareDevChain(command_line.data_dir, hash,
                                            command_line.dev_past_window_days * 86'400'000));
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
  if (!chain.supervisor_token.empty()) {
    std::cout << "  supervisor token: " << chain.supervisor_token << " (supervision reports)\n";
  }
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

// --check: every problem of node.toml, the genesis file and the key files, on
// standard output; exit 0 when there is none, 1 otherwise. Starts nothing.
int Check(const std::string& config_path) {
  NodeConfig config = ReadNodeConfig(config_path);
  std::vector<std::string> problems = config.problems;
  Node::CheckReport report;
  if (config.parsed) {
    report = Node::Check(config.options);
    problems.insert(problems.end(), report.problems.begin(), report.problems.end());
  }
  if (problems.empty()) {
    std::string summary = report.summary;
    for (size_t at = summary.find('\n'); at != std::string::npos; at = summary.find('\n', at + 3)) {
      summary.replace(at, 1, "\n  ");
    }
    std::cout << config_path << ": OK\n  " << summary << "\n";
    return 0;
  }
  std::cout << config_path << ": " << problems.size()
            << (problems.size() == 1 ? " problem" : " problems") << "\n";
  for (const std::string& problem : problems) std::cout << "  " << problem << "\n";
  return 1;
}

void LogStartFailure(const Status& status) {
  // One event per problem: a refused start names everything to fix at once.
  std::string message = status.ToString();
  size_t at = 0;
  while (at <= message.size()) {
    size_t end = message.find('\n', at);
    if (end == std::string::npos) end = message.size();
    spdlog::error("event=start_failed reason=\"{}\"", message.substr(at, end - at));
    at = end + 1;
  }
}

int Run(const CommandLine& command_line) {
  if (command_line.check) return Check(command_line.config_path);
  // Signals are taken by sigwait below; every thread started from here on
  // (the log flusher included) inherits the mask, so none of them is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto log = LogOutput::SetUp(command_line.log_json, "");
  EVIDENCE_CHECK(log.ok());
  Result<NodeOptions> options = command_line.dev ? DevOptions(command_line)
                                                 : LoadNodeOptions(command_line.config_path);
  if (!options.ok()) {
    LogStartFailure(options.status());
    return 1;
  }
  log = LogOutput::SetUp(command_line.log_json || options->log_json, options->log_file);
  if (!log.ok()) {
    (void)LogOutput::SetUp(command_line.log_json || options->log_json, "");
    LogStartFailure(log.status());
    return 1;
  }
  spdlog::set_level(spdlog::level::from_str(options->log_level));
  if (command_line.resync) {
    Result<std::string> aside = SetStoreAsideForResync(options->data_dir, UtcStampNow());
    if (!aside.ok()) {
      LogStartFailure(aside.status());
      return 1;
    }
    spdlog::warn("event=store_set_aside to={} reason=\"--resync: the store is rebuilt from the "
                 "peers; consensus.wal is kept, so this validator signs nothing that conflicts "
                 "with what it signed before\"",
                 *aside);
  }

  Result<std::unique_ptr<Node>> node = Node::Create(std::move(*options));
  if (!node.ok()) {
    LogStartFailure(node.status());
    return 1;
  }
  Status started = (*node)->Start();
  if (!started.ok()) {
    LogStartFailure(started);
    (*node)->Stop();
    return 1;
  }
  if (command_line.dev) PrintDevHints(command_line, (*node)->api_port());
  int signal_number = 0;
  for (;;) {
    sigwait(&signals, &signal_number);
    if (signal_number != SIGHUP) break;
    (*log)->Reopen();  // logrotate moved the file
  }
  spdlog::info("event=shutdown signal={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*node)->Stop();
  spdlog::default_logger()->flush();
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
  CLI::App app{"evidence-node: a validator of the evidence ledger.\n"
               "Configuration: configs/node.toml (every setting), docs/operations.md."};
  app.set_version_flag("--version", "evidence-node " EVIDENCE_VERSION);
  auto* config = app.add_option("--config", command_line.config_path, "node.toml")
                     ->check(CLI::ExistingFile);
  auto* dev = app.add_flag("--dev", command_line.dev,
                           "Run a single-validator development chain (keys and genesis under --data)");
  auto* data = app.add_option("--data", command_line.data_dir, "Directory of the --dev chain");
  app.add_option("--api", command_line.api_listen, "API address for --dev (host:port)")
      ->capture_default_str();
  auto* check = app.add_flag("--check", command_line.check,
                             "Check node.toml, its genesis and key files, print every problem and "
                             "exit (0: none, 1: problems); starts nothing");
  auto* dev_hash = app.add_option("--dev-hash", command_line.dev_hash,
                                  "Hash of a --dev chain when it is created: sha256 or sm3")
                       ->check(CLI::IsMember({"sha256", "sm3"}))
                       ->capture_default_str();
  auto* past_window = app.add_option("--past-window-days", command_line.dev_past_window_days,
                                     "How old a record's time may be on a --dev chain, in days "
                                     "(a chain param, set when the chain is made; evidence "
                                     "demo-cases needs a year: 400)")
                          ->check(CLI::Range(1, 3650))
                          ->capture_default_str();
  past_window->needs(dev);
  auto* resync = app.add_flag(
      "--resync", command_line.resync,
      "Set the store aside (DATA_DIR/store.damaged-<time>) and rebuild it from the peers; the "
      "write-ahead log is kept. For a store that fails its checks at start");
  app.add_flag("--log-json", command_line.log_json, "Log one JSON object per line");
  resync->needs(config);
  resync->excludes(check);
  check->needs(config);
  dev_hash->needs(dev);
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
