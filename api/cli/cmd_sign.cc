// `evidence sign --key K --agency A --chain-id C --kind KIND --case CASE
//                [--stage S] [--time RFC3339] [--title T] [--media-type M] [--link ID]...
//                [--hash sha256|sm3] FILE`
//
// Signs the record of one document offline and prints its JSON (the canonical
// JCS form, one line) on stdout, ready for POST /v1/records: for agencies that
// sign on one machine and send from another, or with curl. The file is hashed
// in chunks; time is --time or now (unix ms), size the file's size, title the file's name
// unless --title; the case id is signed in its canonical form (ledger/case_id.h).
// Keep the printed bytes: a retry sends them again unchanged (a record signed
// again has a new time, so a new id, and would be a second entry). Exit 0 on
// success, 1 when the file cannot be read, 2 for
// unusable input (bad options, unreadable key).
#include <CLI/CLI.hpp>
#include <iostream>

#include "api/cli/commands.h"
#include "api/cli/record_files.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "sign";

struct SignOptions {
  std::string key;
  std::string hash = "sha256";
  std::string file;
  RecordFields fields;
};

int RunSign(SignOptions& options) {
  auto hash = crypto::ParseHashAlgorithm(options.hash);
  if (!hash.ok()) {
    PrintError(kCommand, "--hash: " + hash.status().message());
    return 2;
  }
  options.fields.hash = *hash;
  CanonicaliseCaseId(kCommand, options.fields);
  auto key = LoadSigningKey(options.key);
  if (!key.ok()) {
    PrintError(kCommand, key.status().message());
    return 2;
  }
  Status fields = CheckRecordFields(options.fields, *key);
  if (!fields.ok()) {
    PrintError(kCommand, fields.message());
    return 2;
  }
  auto time = RecordTimeMs(options.fields);
  if (!time.ok()) {
    PrintError(kCommand, time.status().message());
    return 2;
  }
  auto record = RecordForFile(options.fields, *key, options.file, *time);
  if (!record.ok()) {
    PrintError(kCommand, record.status().message());
    return record.status().code() == StatusCode::kIoError ? 1 : 2;
  }
  Status signed_ok = ledger::SignRecord(*key, *record);
  if (!signed_ok.ok()) {
    PrintError(kCommand, options.file + ": cannot sign: " + signed_ok.message());
    return 1;
  }
  std::cout << ledger::RecordLeaf(*record) << "\n";
  return 0;
}

}  // namespace

void RegisterSign(CLI::App& app) {
  static SignOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Sign the record of one document offline and print its JSON");
  AddRecordFieldOptions(*command, options.key, options.fields);
  command->add_option("--chain-id", options.fields.chain_id, "The chain's id (GET /v1/status)")
      ->required();
  command->add_option("--title", options.fields.title, "Title (default: the file's name)");
  command->add_option("--media-type", options.fields.media_type,
                      "Media type (default: guessed from the extension)");
  command->add_option("--link", options.fields.links, "Id of an earlier record of the case");
  command->add_option("--hash", options.hash, "The chain's hash: sha256 or sm3")
      ->capture_default_str();
  command->add_option("FILE", options.file, "The document")->required();
  command->callback([] { SetExitCode(RunSign(options)); });
}

}  // namespace evidence::cli
