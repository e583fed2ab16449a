// `evidence keygen --alg p256|ed25519|sm2 --out KEY.pem [--pub PUB.pem]`
//
// Writes a new private key as PKCS#8 PEM (mode 0600, never overwriting a file),
// optionally its public key as SPKI PEM, and prints the key id (hex SHA-256 of
// the SPKI DER) on stdout. Exit 0 on success, 1 when a file cannot be written,
// 2 for unusable arguments.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>
#include <string>

#include "api/cli/commands.h"
#include "crypto/signature.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "keygen";

struct KeygenOptions {
  std::string algorithm;
  std::string private_path;
  std::string public_path;
};

int RunKeygen(const KeygenOptions& options) {
  auto algorithm = crypto::ParseSignatureAlgorithm(options.algorithm);
  if (!algorithm.ok()) {
    PrintError(kCommand, algorithm.status().message());
    return 2;
  }
  if (!options.public_path.empty() && options.public_path == options.private_path) {
    PrintError(kCommand, "--out and --pub must name different files");
    return 2;
  }
  auto key = crypto::PrivateKey::Generate(*algorithm);
  if (!key.ok()) {
    PrintError(kCommand, key.status().message());
    return 1;
  }
  if (Status saved = key->SavePem(options.private_path); !saved.ok()) {
    PrintError(kCommand, saved.message());
    return 1;
  }
  if (!options.public_path.empty()) {
    if (Status saved = key->public_key().SavePem(options.public_path); !saved.ok()) {
      // Leave nothing half-done: the private key we just created goes too.
      ::unlink(options.private_path.c_str());
      PrintError(kCommand, saved.message() + "; " + options.private_path + " was not kept");
      return 1;
    }
  }
  std::cout << key->key_id() << "\n";
  return 0;
}

}  // namespace

void RegisterKeygen(CLI::App& app) {
  static KeygenOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Generate a signing key (PKCS#8 PEM, mode 0600) and print its key id");
  command->add_option("--alg", options.algorithm, "Signature algorithm")
      ->required()
      ->check(CLI::IsMember({"p256", "ed25519", "sm2"}));
  command->add_option("--out", options.private_path, "Private key file to create (never overwritten)")
      ->required();
  command->add_option("--pub", options.public_path,
                      "Also write the public key (SPKI PEM) to this new file");
  command->callback([] { SetExitCode(RunKeygen(options)); });
}

}  // namespace evidence::cli
