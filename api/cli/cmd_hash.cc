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
#include "crypto/hash.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "hash";
constexpr size_t kChunkBytes = 64 * 1024;

struct HashOptions {
  std::string algorithm = "sha256";
  std::vector<std::string> files;
};

Result<crypto::Digest> HashFile(crypto::HashAlgorithm algorithm, const std::string& path) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  crypto::Hasher hasher(algorithm);
  std::array<uint8_t, kChunkBytes> chunk;
  int error = 0;
  for (;;) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    hasher.Update(ByteView(chunk.data(), static_cast<size_t>(n)));
  }
  if (!is_stdin) ::close(fd);
  if (error != 0) return Status::IoError("cannot read " + path + ": " + std::strerror(error));
  return hasher.Finish();
}

int RunHash(const HashOptions& options) {
  auto algorithm = crypto::ParseHashAlgorithm(options.algorithm);
  if (!algorithm.ok()) {
    PrintError(kCommand, algorithm.status().message());
    return 2;
  }
  int exit_code = 0;
  for (const std::string& path : options.files) {
    auto digest = HashFile(*algorithm, path);
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
