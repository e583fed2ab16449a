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
//
// Evidence beside the receipt (docs/receipt-format.md §8; a v1 receipt never
// gains a member): `--token T.tsr` (repeatable), an RFC 3161 token of an
// institution's TSA (docs/timestamps.md), checked as `openssl ts -verify` does
// against the CA certificates of genesis's "tsas" and of `--tsa-ca CA.pem`
// (repeatable), over this file's digest, and, when it names a ledger record
// (the record id extension), naming this receipt's record; `--checkpoint C`
// (repeatable), a C2SP signed checkpoint (docs/witness.md) of this receipt's
// block (its tree size and root are the block's log_size and log_root), whose
// validator signatures and witness cosignatures (genesis's "witnesses" and
// `--witness-vkey VKEY`) are checked and listed. These checks run only after the
// receipt verified, and never change its codes or exit statuses: a file beside
// it that fails gives exit status 3 (the receipt itself holds).
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
#include "common/encoding.h"
#include "crypto/note.h"
#include "crypto/timestamp.h"
#include "ledger/errors.h"
#include "ledger/receipt.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "verify";

constexpr int kExitBesideFailed = 3;
// A token or checkpoint file beside a receipt is read up to this size.
constexpr size_t kBesideFileBytesMax = 64 * 1024;

struct VerifyOptions {
  std::string file;
  std::string receipt;
  std::string genesis;
  std::vector<std::string> tokens;
  std::vector<std::string> tsa_cas;
  std::vector<std::string> checkpoints;
  std::vector<std::string> witness_vkeys;
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

Result<std::string> ReadBeside(const std::string& path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, ReadPrefix(path, kBesideFileBytesMax));
  if (text.size() > kBesideFileBytesMax) {
    return Status::InvalidArgument(path + " is over " + std::to_string(kBesideFileBytesMax) + " bytes");
  }
  return text;
}

// One token beside the receipt: Ok with what it says, or why it does not hold.
Result<std::string> CheckToken(const std::string& path, const std::string& ca_pems,
                               crypto::HashAlgorithm algorithm, const crypto::Digest& digest,
                               const ledger::ProvenFacts& facts) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string der, ReadBeside(path));
  if (ca_pems.empty()) {
    return Status::InvalidArgument("no CA to check it with: genesis names no TSA CA; give --tsa-ca");
  }
  EVIDENCE_ASSIGN_OR_RETURN(crypto::TimestampTokenInfo info,
                            crypto::ReadTimestampResponse(AsBytes(der)));
  EVIDENCE_RETURN_IF_ERROR(crypto::VerifyTimestampResponse(AsBytes(der), algorithm, digest, ca_pems));
  if (!info.record_id_hex.empty() && info.record_id_hex != facts.record_id) {
    return Status::InvalidArgument("the token names record " + info.record_id_hex +
                                   ", not this receipt's " + facts.record_id);
  }
  return "genTime " + info.gen_time + ", TSA " + info.tsa_name +
         (info.record_id_hex.empty() ? ", no ledger record named" : ", record " + info.record_id_hex);
}

// One signed checkpoint beside the receipt: of its block, and who signed it.
Result<std::string> CheckCheckpoint(const std::string& path, const ledger::Genesis& genesis,
                                    const std::vector<crypto::NoteKey>& witnesses,
                                    const ledger::ProvenFacts& facts) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, ReadBeside(path));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Note note, crypto::DecodeNote(text));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Checkpoint checkpoint, crypto::DecodeCheckpointText(note.text));
  if (checkpoint.origin != genesis.chain_id()) {
    return Status::InvalidArgument("the checkpoint is of \"" + checkpoint.origin + "\", not this chain");
  }
  if (checkpoint.size != facts.tree_size || HexEncode(checkpoint.root) != facts.log_root) {
    return Status::InvalidArgument(
        "the checkpoint (tree size " + std::to_string(checkpoint.size) +
        ") is not the tree head of this receipt's block (size " + std::to_string(facts.tree_size) +
        "); a later checkpoint needs a consistency proof, which this offline check does not take");
  }
  std::string validators, cosigners;
  for (const crypto::NoteSignature& signature : note.signatures) {
    for (const ledger::GenesisValidator& v : genesis.validators()) {
      const std::string name = genesis.chain_id() + "/" + v.name;
      if (!crypto::IsNoteKeyName(name)) continue;
      const crypto::NoteKey key = crypto::NoteKey::ForValidator(name, v.vote_key);
      if (!key.Matches(signature)) continue;
      if (!key.Verify(note.text, signature)) {
        return Status::InvalidArgument("the signature of validator " + v.name + " does not verify");
      }
      validators += (validators.empty() ? "" : ", ") + v.name;
    }
    for (const crypto::NoteKey& key : witnesses) {
      if (!key.Matches(signature)) continue;
      uint64_t time_seconds = 0;
      if (!key.Verify(note.text, signature, &time_seconds)) {
        return Status::InvalidArgument("the cosignature of witness " + key.name() + " does not verify");
      }
      cosigners += (cosigners.empty() ? "" : ", ") + key.name() + " (at unix " +
                   std::to_string(time_seconds) + ")";
    }
  }
  if (validators.empty() && cosigners.empty()) {
    return Status::InvalidArgument("no validator of genesis and no known witness signed it");
  }
  return "tree head of block " + std::to_string(facts.height) + "; signed by validators: " +
         (validators.empty() ? "none" : validators) +
         "; cosigned by witnesses: " + (cosigners.empty() ? "none" : cosigners);
}

// The files beside the receipt, after it verified: 0 when each holds, else 3.
int CheckBeside(const VerifyOptions& options, const ledger::Genesis& genesis,
                crypto::HashAlgorithm algorithm, const crypto::Digest& digest,
                const ledger::ProvenFacts& facts) {
  int exit_code = 0;
  auto report = [&exit_code](const std::string& what, const Result<std::string>& result) {
    if (result.ok()) {
      std::cout << "  " << what << ": OK, " << *result << "\n";
    } else {
      std::cout << "  " << what << ": FAILED\n";
      PrintError(kCommand, what + ": " + result.status().message());
      exit_code = kExitBesideFailed;
    }
  };
  std::string ca_pems;
  for (const ledger::GenesisTsa& tsa : genesis.tsas()) ca_pems += tsa.ca_cert.pem;
  for (const std::string& path : options.tsa_cas) {
    auto pem = ReadBeside(path);
    if (!pem.ok()) {
      report("--tsa-ca " + path, pem.status());
      continue;
    }
    ca_pems += *pem;
  }
  for (const std::string& path : options.tokens) {
    report("token " + path, CheckToken(path, ca_pems, algorithm, digest, facts));
  }
  std::vector<crypto::NoteKey> witnesses;
  for (const ledger::GenesisWitness& w : genesis.witnesses()) {
    witnesses.push_back(crypto::NoteKey::ForWitness(w.name, w.key).value());
  }
  for (const std::string& vkey : options.witness_vkeys) {
    auto key = crypto::NoteKey::FromVkey(vkey);
    if (!key.ok()) {
      report("--witness-vkey " + vkey, key.status());
      continue;
    }
    witnesses.push_back(std::move(key).value());
  }
  for (const std::string& path : options.checkpoints) {
    report("checkpoint " + path, CheckCheckpoint(path, genesis, witnesses, facts));
  }
  return exit_code;
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
  if (options.tokens.empty() && options.checkpoints.empty()) return 0;
  std::cout << "  beside the receipt (docs/receipt-format.md §8):\n";
  return CheckBeside(options, *genesis, recorded->algorithm, file->digest, *facts);
}

}  // namespace

void RegisterVerify(CLI::App& app) {
  static VerifyOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Check offline that a receipt proves a file was recorded");
  command->add_option("FILE", options.file, "The document")->required();
  command->add_option("--receipt", options.receipt, "Receipt JSON")->required();
  command->add_option("--genesis", options.genesis, "The chain's genesis JSON")->required();
  command->add_option("--token", options.tokens,
                      "An RFC 3161 token (.tsr) of the document beside the receipt (repeat)");
  command->add_option("--tsa-ca", options.tsa_cas,
                      "A TSA's CA certificate (PEM) besides genesis's tsas (repeat)");
  command->add_option("--checkpoint", options.checkpoints,
                      "A signed checkpoint of the receipt's block, with cosignatures (repeat)");
  command->add_option("--witness-vkey", options.witness_vkeys,
                      "A witness's verifier key besides genesis's witnesses (repeat)");
  command->callback([] { SetExitCode(RunVerify(options)); });
}

}  // namespace evidence::cli
