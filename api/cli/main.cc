// evidence: the client CLI for agencies, verifiers and operators (DESIGN.md §7).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "api/cli/commands.h"

namespace evidence::cli {
namespace {
int g_exit_code = 0;
}  // namespace

void SetExitCode(int code) { g_exit_code = code; }
int ExitCode() { return g_exit_code; }

void PrintError(std::string_view command, std::string_view message) {
  std::cerr << "evidence " << command << ": " << message << "\n";
}

}  // namespace evidence::cli

int main(int argc, char** argv) {
  CLI::App app{"evidence: notarize and verify administrative law-enforcement records"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "evidence " EVIDENCE_VERSION);
  evidence::cli::RegisterKeygen(app);
  evidence::cli::RegisterHash(app);
  evidence::cli::RegisterMerkle(app);
  evidence::cli::RegisterVerify(app);
  evidence::cli::RegisterAudit(app);
  evidence::cli::RegisterGenesis(app);
  evidence::cli::RegisterSign(app);
  evidence::cli::RegisterSubmit(app);
  evidence::cli::RegisterReceipt(app);
  evidence::cli::RegisterStatus(app);
  evidence::cli::RegisterTimestamp(app);
  evidence::cli::RegisterWitness(app);
  evidence::cli::RegisterAnchor(app);
  evidence::cli::RegisterBackup(app);
  evidence::cli::RegisterReport(app);
  evidence::cli::RegisterDemoCases(app);
  evidence::cli::RegisterGov(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Usage errors are "unusable input" (exit 2) for every subcommand; --help is 0.
    return code == 0 ? 0 : 2;
  }
  return evidence::cli::ExitCode();
}
