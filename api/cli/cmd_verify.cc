// `evidence verify FILE --receipt R.json --genesis G.json`
//
// Offline check of a receipt (docs/receipt-format.md): the file's digest, the
// agency's signature, inclusion in the block's log root, the block header hash,
// and the commit by more than 2/3 of the genesis validators' power. Prints what
// was proven, first the time the document existed by (the weighted median of
// the commit's precommit times). Exit 0 only when everything holds; 1 when a
// well-formed receipt does not prove the file (the first failed check); 2 for
// unusable input (a missing or unreadable file, an invalid genesis, a receipt
// that is not a well-formed v1 receipt). A failure prints one line on stderr,
// "evidence verify: <code>: <detail>", the code first (docs/receipt-format.md §7).
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
#include "common/check.h"
#include "ledger/errors.h"
#include "ledger/receipt.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "verify";

struct VerifyOptions {
  std::string file;
  std::string receipt;
  std::string genesis;
};

// At most max_bytes + 1 bytes: ParseReceipt refuses a longer receipt with its code.
Result<std::string> ReadPrefix(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::IoError("cannot read " + path);
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

// The status's message with its ledger code first ("genesis.invalid: g.json: ..."),
// so that the code is always the first word after "evidence verify: ".
std::string CodeFirst(const Status& status) {
  std::optional<ledger::ErrorCode> code = ledger::ErrorCodeOf(status);
  if (!code.has_value()) return status.message();
  const std::string name(ledger::ErrorCodeName(*code));
  std::string message = status.message();
  if (size_t at = message.find(name + ": "); at != std::string::npos) {
    message.erase(at, name.size() + 2);
  }
  return name + ": " + message;
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
            << "  existed no later than (存在时间不晚于): " << FormatTime(f.existed_by_ms)
            << " (unix ms " << f.existed_by_ms << ")\n"
            << "    (the weighted median of the times the committing validators signed)\n"
            << "  record id:    " << f.record_id << "\n"
            << "  agency:       " << f.agency
            << (f.receipt_version == 1 ? " (signature checked against genesis)\n"
                                       : " (signature checked against the register in force)\n")
            << "  case:         " << f.case_id << "\n"
            << "  kind, stage:  " << f.kind << ", " << f.stage << "\n"
            << "  digest:       " << f.digest << "\n"
            << "  block height: " << f.height << "\n"
            << "  leaf index:   " << f.leaf_index << " of tree size " << f.tree_size << "\n"
            << "  log root:     " << f.log_root << "\n"
            << "  committed by: validators holding " << f.signing_power << " of "
            << f.total_power << " voting power\n"
            << "  other times (details, not what the receipt proves):\n"
            << "    agency time: " << FormatTime(f.record_time_ms)
            << " (claimed by the agency in the record)\n"
            << "    block time:  " << FormatTime(f.block_time_ms)
            << " (the block header's BFT time, from the previous block's commit: it can be"
               " earlier than the record)\n";
  // Which governance state the receipt was checked against.
  if (f.receipt_version == 1) {
    std::cout << "  governance:   the register of genesis (state " << f.state_hash
              << "; receipt v1)\n";
  } else {
    std::cout << "  governance:   the register in force at block " << f.height << " (state "
              << f.state_hash << "): genesis and " << f.governance_changes_in_force
              << " governance block(s) replayed from it (" << f.governance_blocks
              << " carried by the receipt v2, each checked against its commit)\n";
  }
  for (const std::string& note : f.notes) std::cout << "  note:         " << note << "\n";
  for (const std::string& warning : f.warnings) {
    std::cout << "  WARNING:      " << warning << "\n";
  }
}

// Exit status 2 for unusable input, 1 for a receipt that proves nothing.
int Fail(const Status& status, const std::string& file) {
  if (ledger::IsUnusableInput(status)) {
    PrintError(kCommand, CodeFirst(status));
    return 2;
  }
  std::cout << "INVALID: the receipt does not prove " << file << "\n";
  PrintError(kCommand, CodeFirst(status));
  return 1;
}

int RunVerify(const VerifyOptions& options) {
  auto genesis = ledger::Genesis::Load(options.genesis);
  if (!genesis.ok()) return Fail(genesis.status(), options.file);
  auto text = ReadPrefix(options.receipt, ledger::kReceiptV2BytesMax);
  if (!text.ok()) return Fail(text.status(), options.file);
  auto receipt = ledger::ParseReceipt(*text);
  if (!receipt.ok()) return Fail(receipt.status().WithContext(options.receipt), options.file);
  // ParseReceipt has checked the digest's form: only its algorithm is needed here.
  auto recorded = ledger::ParseDocumentDigest(receipt->record.digest);
  EVIDENCE_CHECK(recorded.ok());
  auto file = HashFile(recorded->algorithm, options.file);
  if (!file.ok()) return Fail(file.status(), options.file);
  auto facts = ledger::VerifyReceiptForDigest(
      ledger::FormatDocumentDigest(recorded->algorithm, file->digest), *receipt, *genesis);
  if (!facts.ok()) return Fail(facts.status(), options.file);
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
