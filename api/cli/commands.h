// The `evidence` command line: each file cmd_*.cc adds one subcommand to the app.
// A subcommand's callback returns the process exit code through SetExitCode;
// errors are printed to stderr as "evidence <command>: <what is wrong>".
#pragma once

#include <string_view>

namespace CLI {
class App;
}

namespace evidence::cli {

void RegisterKeygen(CLI::App& app);
void RegisterHash(CLI::App& app);
void RegisterMerkle(CLI::App& app);
void RegisterVerify(CLI::App& app);
void RegisterAudit(CLI::App& app);
void RegisterGenesis(CLI::App& app);
void RegisterSign(CLI::App& app);
void RegisterSubmit(CLI::App& app);
void RegisterReceipt(CLI::App& app);
void RegisterStatus(CLI::App& app);
void RegisterTimestamp(CLI::App& app);
void RegisterWitness(CLI::App& app);
void RegisterAnchor(CLI::App& app);
void RegisterBackup(CLI::App& app);
void RegisterReport(CLI::App& app);
void RegisterDemoCases(CLI::App& app);
void RegisterGov(CLI::App& app);

// Exit code of the subcommand that ran (0 unless it sets one).
void SetExitCode(int code);
int ExitCode();

// Prints "evidence <command>: <message>" to stderr.
void PrintError(std::string_view command, std::string_view message);

}  // namespace evidence::cli
