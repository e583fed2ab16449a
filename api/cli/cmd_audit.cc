// `evidence audit --data DIR --genesis G.json`
//
// Re-checks a node's store from the bytes on disk (ledger/audit.h): every block,
// commit, signature, Merkle node and root. Progress goes to stderr. Exit 0 when
// the store is sound; 1 naming the first bad block (or the damage found) when it
// is not; 2 for unusable input (no store, unreadable genesis, a store in use by
// a running node). --data may name the store or the node's data directory that
// holds it (store/). Run it on a stopped node or on a copy made by
// `evidence backup`: LevelDB admits one process at a time.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "api/cli/commands.h"
#include "ledger/audit.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "audit";

struct AuditOptions {
  std::string data;
  std::string genesis;
};

int RunAudit(const AuditOptions& options) {
  auto genesis = ledger::Genesis::Load(options.genesis);
  if (!genesis.ok()) {
    PrintError(kCommand, "genesis: " + genesis.status().message());
    return 2;
  }
  Result<std::string> store = ledger::LocateStore(options.data);
  if (!store.ok()) {
    PrintError(kCommand, store.status().message());
    return 2;
  }
  if (*store != options.data) std::cerr << "audit: the store is " << *store << "\n";
  // On a terminal one line is rewritten in place; in a file or a pipe (a cron
  // job's mail, journald) one line per 10% instead of carriage returns.
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  const uint64_t step = terminal ? 1 : 10;
  uint64_t last_percent = 101;
  auto progress = [&](uint64_t height, uint64_t total) {
    uint64_t percent = total == 0 ? 100 : height * 100 / total;
    if (height != total && (percent / step == last_percent / step)) return;
    last_percent = percent;
    std::cerr << (terminal ? "\r" : "") << "audit: block " << height << "/" << total << " ("
              << percent << "%)" << (terminal ? "" : "\n") << std::flush;
    if (terminal && height == total) std::cerr << "\n";
  };
  ledger::AuditReport report = ledger::Audit(*store, *genesis, progress);
  if (!report.ok) {
    if (report.in_use) {
      PrintError(kCommand, report.reason);
      return 2;
    }
    if (report.bad_height) {
      PrintError(kCommand, "block " + std::to_string(*report.bad_height) + " is bad: " + report.reason);
    } else {
      PrintError(kCommand, "the store is damaged: " + report.reason);
    }
    return 1;
  }
  std::cout << "OK: " << report.blocks_checked << " blocks, " << report.records_checked
            << " records, " << report.governance_actions_checked << " governance actions, "
            << report.signature_checks << " record/batch signatures, "
            << report.keys_scanned << " keys checked; chain " << genesis->chain_id() << "\n";
  return 0;
}

}  // namespace

void RegisterAudit(CLI::App& app) {
  static AuditOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Re-check every block, commit, signature and Merkle root of a store");
  command->add_option("--data", options.data, "The node's data directory, or its store/ inside it")
      ->required();
  command->add_option("--genesis", options.genesis, "The chain's genesis JSON")->required();
  command->callback([] { SetExitCode(RunAudit(options)); });
}

}  // namespace evidence::cli
