// `evidence hash [--alg sha256|sm3] FILE...`
//
// Prints "<alg>:<hex>  <file>" for each file (the digest form of evidence
// records), reading each file in fixed-size chunks so any size fits in memory.
// "-" reads standard input. A file that cannot be read is reported on stderr by
// name; the others are still hashed, and the exit code is then 1.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "api/cli/commands.h"
#include "api/cli/record_files.h"
#include "crypto/hash.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "hash";
struct HashOptions {
  std::string algorithm = "sha256";
  std::vector<std::string> files;
};

Result<crypto::Digest> HashPath(crypto::HashAlgorithm algorithm, const std::string& path) {
  auto file = path == "-" ? HashDescriptor(algorithm, STDIN_FILENO, "standard input")
                          : HashFile(algorithm, path);
  if (!file.ok()) return file.status();
  return file->digest;
}

int RunHash(const HashOptions& options) {
  auto algorithm = crypto::ParseHashAlgorithm(options.algorithm);
  if (!algorithm.ok()) {
    PrintError(kCommand, algorithm.status().message());
    return 2;
  }
  int exit_code = 0;
  for (const std::string& path : options.files) {
    auto digest = HashPath(*algorithm, path);
    if (!digest.ok()) {
      std::cout.flush();  // keep stdout and stderr lines in file order on a terminal
      PrintError(kCommand, digest.status().message());
      exit_code = 1;
      continue;
    }
    std::cout << crypto::HashAlgorithmName(*algorithm) << ":" << crypto::DigestHex(*digest)
              << "  " << path << "\n";
  }
  std::cout.flush();
  return exit_code;
}

}  // namespace

void RegisterHash(CLI::App& app) {
  static HashOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Print the digest of each file as <alg>:<hex>  <file>");
  command->add_option("--alg", options.algorithm, "Hash algorithm (the chain's)")
      ->check(CLI::IsMember({"sha256", "sm3"}))
      ->capture_default_str();
  command->add_option("files", options.files, "Files to hash (\"-\" for standard input)")
      ->required();
  command->callback([] { SetExitCode(RunHash(options)); });
}

}  // namespace evidence::cli
