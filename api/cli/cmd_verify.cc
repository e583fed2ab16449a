// `evidence verify FILE --receipt R.json --genesis G.json`
//
// Offline check of a receipt (docs/receipt-format.md): the file's digest, the
// agency's signature, inclusion in the block's log root, the block header hash,
// and the commit by more than 2/3 of the genesis validators' power. Prints what
// was proven. Exit 0 only when everything holds; 1 when the receipt does not
// prove the file (with the first failed check); 2 for unusable input (missing or
// unreadable files, a genesis or receipt that does not parse).
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/cli/commands.h"
#include "api/cli/record_files.h"
#include "ledger/receipt.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "verify";

struct VerifyOptions {
  std::string file;
  std::string receipt;
  std::string genesis;
};

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::IoError("cannot read " + path);
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > max_bytes) return Status::InvalidArgument(path + " is larger than a receipt can be");
  return text;
}

std::string FormatTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  if (unix_ms < 0 || gmtime_r(&seconds, &tm) == nullptr) return std::to_string(unix_ms) + " ms";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return std::string(text) + millis;
}

void PrintFacts(const ledger::ProvenFacts& f, const std::string& file) {
  std::cout << "VALID: " << file << " is recorded on the evidence ledger\n"
            << "  record id:    " << f.record_id << "\n"
            << "  agency:       " << f.agency << " (signature checked against genesis)\n"
            << "  case:         " << f.case_id << "\n"
            << "  kind, stage:  " << f.kind << ", " << f.stage << "\n"
            << "  digest:       " << f.digest << "\n"
            << "  agency time:  " << FormatTime(f.record_time_ms) << " (claimed by the agency)\n"
            << "  block time:   " << FormatTime(f.block_time_ms) << " (BFT time of the validators)\n"
            << "  block height: " << f.height << "\n"
            << "  leaf index:   " << f.leaf_index << " of tree size " << f.tree_size << "\n"
            << "  log root:     " << f.log_root << "\n"
            << "  committed by: validators holding " << f.signing_power << " of "
            << f.total_power << " voting power\n";
}

int RunVerify(const VerifyOptions& options) {
  auto genesis = ledger::Genesis::Load(options.genesis);
  if (!genesis.ok()) {
    PrintError(kCommand, "genesis: " + genesis.status().message());
    return 2;
  }
  auto text = ReadSmallFile(options.receipt, ledger::kReceiptBytesMax);
  if (!text.ok()) {
    PrintError(kCommand, "receipt: " + text.status().message());
    return 2;
  }
  auto receipt = ledger::ParseReceipt(*text);
  if (!receipt.ok()) {
    PrintError(kCommand, options.receipt + ": " + receipt.status().message());
    return 2;
  }
  auto recorded = ledger::ParseDocumentDigest(receipt->record.digest);
  if (!recorded.ok()) {
    PrintError(kCommand, recorded.status().message());
    return 2;
  }
  auto file = HashFile(recorded->algorithm, options.file);
  if (!file.ok()) {
    PrintError(kCommand, file.status().message());
    return 2;
  }
  auto facts = ledger::VerifyReceiptForDigest(
      ledger::FormatDocumentDigest(recorded->algorithm, file->digest), *receipt, *genesis);
  if (!facts.ok()) {
    std::cout << "INVALID: the receipt does not prove " << options.file << "\n";
    PrintError(kCommand, facts.status().message());
    return 1;
  }
  PrintFacts(*facts, options.file);
  return 0;
}

}  // namespace

void RegisterVerify(CLI::App& app) {
  static VerifyOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Check offline that a receipt proves a file was recorded");
  command->add_option("FILE", options.file, "The document")->required();
  command->add_option("--receipt", options.receipt, "Receipt JSON")->required();
  command->add_option("--genesis", options.genesis, "The chain's genesis JSON")->required();
  command->callback([] { SetExitCode(RunVerify(options)); });
}

}  // namespace evidence::cli
