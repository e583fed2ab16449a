// `evidence witness --log URL --genesis G --key WITNESS.pem --state DIR
//                   [--name NAME] [--once] [--interval-seconds N]`
// `evidence witness --key WITNESS.pem --name NAME --vkey`
//
// An outside witness of the ledger (docs/witness.md). Each round it fetches the
// log's checkpoint (GET /checkpoint, a C2SP signed note), requires a valid
// signature of a validator in genesis on it, and compares it with the last
// checkpoint it verified (DIR/checkpoint): a larger tree must come with a
// consistency proof from the old size (GET /v1/consistency) that holds; the
// same size must have the same root. Then it cosigns the checkpoint
// (tlog-cosignature v1, Ed25519, key name NAME) and posts the cosignature
// (POST /v1/cosignatures), and keeps the checkpoint as its new state.
//
// A split view (two checkpoints of the chain at one size with different roots,
// or a consistency proof that fails) is never cosigned: both signed checkpoints
// are written to DIR/fork-<unix seconds>/ (previous.checkpoint and
// conflicting.checkpoint) with a README saying what they prove, the witness
// prints where they are and exits 3 (also without --once). The state is kept.
//
// With --metrics-file PATH it writes, after every round (a fork included), the
// Prometheus text format for node_exporter's textfile collector:
//   evidence_witness_fork_detected      1 while any fork-*/ proof is in DIR, else 0
//   evidence_witness_checkpoint_size    tree size of the last checkpoint verified
//   evidence_witness_last_round_ok      1 when the last round cosigned or had nothing new
// so an alert fires on a fork even where nobody reads the exit status.
//
// Exit: 0 after --once went well (or --vkey), 1 when the log cannot be
// checked (unreachable, unsigned, malformed), 2 for unusable input, 3 on a fork.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "common/encoding.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "ledger/genesis.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kCommand = "witness";
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr int kExitFork = 3;

struct WitnessOptions {
  std::string log;
  std::string genesis;
  std::string key;
  std::string state;
  std::string metrics_file;
  std::string name = "witness";
  bool once = false;
  bool vkey = false;
  uint32_t interval_seconds = 10;
};

struct Observed {
  std::string note;  // the signed note as served
  crypto::Checkpoint checkpoint;
};

// What went wrong in a round: the log could not be checked, or it forked.
struct RoundError {
  int exit_code = 1;
  std::string message;
};

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteFileAtomically(const fs::path& path, std::string_view bytes) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return Status::IoError("cannot write " + temporary.string());
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) return Status::IoError("cannot write " + path.string() + ": " + error.message());
  return Status::Ok();
}

// The checkpoint in `note`, of this chain, with at least one verifying validator
// signature and no failing one from a known validator key.
Result<Observed> CheckSignedCheckpoint(std::string note_text, const ledger::Genesis& genesis) {
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Note note, crypto::DecodeNote(note_text));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Checkpoint checkpoint, crypto::DecodeCheckpointText(note.text));
  if (checkpoint.origin != genesis.chain_id()) {
    return Status::InvalidArgument("the checkpoint's origin \"" + checkpoint.origin +
                                   "\" is not the chain \"" + genesis.chain_id() + "\"");
  }
  size_t verified = 0;
  for (const ledger::GenesisValidator& validator : genesis.validators()) {
    const std::string name = genesis.chain_id() + "/" + validator.name;
    if (!crypto::IsNoteKeyName(name)) continue;
    const crypto::NoteKey key = crypto::NoteKey::ForValidator(name, validator.vote_key);
    for (const crypto::NoteSignature& signature : note.signatures) {
      if (!key.Matches(signature)) continue;
      if (!key.Verify(note.text, signature)) {
        return Status::InvalidArgument("the signature of validator " + validator.name +
                                       " on the checkpoint does not verify");
      }
      ++verified;
    }
  }
  if (verified == 0) {
    return Status::InvalidArgument("no validator of genesis signed the checkpoint");
  }
  return Observed{std::move(note_text), std::move(checkpoint)};
}

Result<std::vector<crypto::Digest>> FetchConsistency(HttpClient& client, uint64_t from,
                                                     uint64_t to) {
  auto answer = client.Get("/v1/consistency?from=" + std::to_string(from) +
                               "&to=" + std::to_string(to),
                           kRequestTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) return Status::Unavailable("consistency: " + DescribeAnswer(*answer));
  auto body = ParseAnswerJson(*answer);
  const boost::json::value* proof =
      body.ok() && body->is_object() ? body->as_object().if_contains("proof") : nullptr;
  if (proof == nullptr || !proof->is_array() || proof->as_array().size() > 128) {
    return Status::Unavailable("the consistency answer has no proof list");
  }
  std::vector<crypto::Digest> hashes;
  for (const boost::json::value& hash : proof->as_array()) {
    auto digest = hash.is_string() ? crypto::DigestFromHex(hash.as_string())
                                   : Result<crypto::Digest>(Status::InvalidArgument("not hex"));
    if (!digest.ok()) return Status::Unavailable("a consistency proof hash is not 64 hex digits");
    hashes.push_back(*digest);
  }
  return hashes;
}

// Writes both checkpoints as the proof of a fork; returns the directory.
Result<fs::path> RecordFork(const WitnessOptions& options, const Observed& previous,
                            const Observed& conflicting, std::string_view why) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const fs::path dir = fs::path(options.state) / ("fork-" + std::to_string(now.count()));
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Status::IoError("cannot create " + dir.string() + ": " + error.message());
  EVIDENCE_RETURN_IF_ERROR(WriteFileAtomically(dir / "previous.checkpoint", previous.note));
  EVIDENCE_RETURN_IF_ERROR(WriteFileAtomically(dir / "conflicting.checkpoint", conflicting.note));
  EVIDENCE_RETURN_IF_ERROR(WriteFileAtomically(
      dir / "README",
      "Split view of " + previous.checkpoint.origin + " seen by witness " + options.name +
          " at " + options.log + ": " + std::string(why) +
          ".\nBoth files are checkpoints signed by validators of the chain's genesis; no "
          "append-only log can have signed both.\n"));
  return dir;
}

// Whether `next` extends `previous` (nullopt: yes); otherwise why not.
Result<std::optional<std::string>> Inconsistency(HttpClient& client, const ledger::Genesis& genesis,
                                                 const Observed& previous, const Observed& next) {
  const crypto::Checkpoint& a = previous.checkpoint;
  const crypto::Checkpoint& b = next.checkpoint;
  if (a.size == b.size) {
    if (a.root == b.root) return std::optional<std::string>();
    return std::optional<std::string>("two checkpoints of size " + std::to_string(a.size) +
                                      " with different roots");
  }
  const bool grew = b.size > a.size;
  const crypto::Checkpoint& small = grew ? a : b;
  const crypto::Checkpoint& large = grew ? b : a;
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<crypto::Digest> proof,
                            FetchConsistency(client, small.size, large.size));
  const crypto::MerkleHasher hasher(genesis.hash());
  Status holds = crypto::VerifyConsistency(hasher, small.size, crypto::DigestFromBytes(small.root),
                                           large.size, crypto::DigestFromBytes(large.root), proof);
  if (holds.ok()) return std::optional<std::string>();
  return std::optional<std::string>("the checkpoint of size " + std::to_string(large.size) +
                                    " does not extend the one of size " +
                                    std::to_string(small.size) + " (" + holds.message() + ")");
}

Status PostCosignature(HttpClient& client, const crypto::PrivateKey& key,
                       const WitnessOptions& options, const Observed& observed) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  crypto::Note note;
  note.text = crypto::EncodeCheckpointText(observed.checkpoint);
  EVIDENCE_ASSIGN_OR_RETURN(crypto::NoteSignature signature,
                            crypto::SignNote(key, options.name, crypto::NoteKeyType::kCosignatureV1,
                                             note.text, static_cast<uint64_t>(now.count())));
  note.signatures.push_back(std::move(signature));
  auto answer = client.PostText("/v1/cosignatures", crypto::EncodeNote(note), kRequestTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 201) return Status::Unavailable("cosignature refused: " + DescribeAnswer(*answer));
  return Status::Ok();
}

std::optional<RoundError> Round(HttpClient& client, const ledger::Genesis& genesis,
                                const crypto::PrivateKey& key, const WitnessOptions& options) {
  auto answer = client.Get("/checkpoint", kRequestTimeout);
  if (!answer.ok()) return RoundError{1, answer.status().message()};
  if (answer->status != 200) return RoundError{1, "GET /checkpoint: " + DescribeAnswer(*answer)};
  auto observed = CheckSignedCheckpoint(answer->body, genesis);
  if (!observed.ok()) return RoundError{1, observed.status().message()};
  const fs::path state = fs::path(options.state) / "checkpoint";
  auto stored = ReadFile(state);
  bool advance = true;
  if (stored.ok()) {
    auto previous = CheckSignedCheckpoint(*stored, genesis);
    if (!previous.ok()) return RoundError{1, state.string() + ": " + previous.status().message()};
    auto why = Inconsistency(client, genesis, *previous, *observed);
    if (!why.ok()) return RoundError{1, why.status().message()};
    if (*why) {
      auto dir = RecordFork(options, *previous, *observed, **why);
      return RoundError{kExitFork, "FORK: " + **why + "; both signed checkpoints are in " +
                                       (dir.ok() ? dir->string() : dir.status().message())};
    }
    // An older (consistent) view is not cosigned and does not replace the state.
    advance = observed->checkpoint.size >= previous->checkpoint.size;
  }
  if (!advance) return std::nullopt;
  if (Status saved = WriteFileAtomically(state, observed->note); !saved.ok()) {
    return RoundError{1, saved.message()};
  }
  if (Status posted = PostCosignature(client, key, options, *observed); !posted.ok()) {
    return RoundError{1, posted.message()};
  }
  std::cout << "cosigned " << observed->checkpoint.origin << " size " << observed->checkpoint.size
            << " root " << Base64Encode(observed->checkpoint.root) << "\n";
  return std::nullopt;
}

// The metrics of --metrics-file, from the state directory and the last round.
std::string WitnessMetrics(const WitnessOptions& options, const ledger::Genesis& genesis,
                           bool last_round_ok) {
  bool forked = false;
  std::error_code error;
  for (fs::directory_iterator it(options.state, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_directory() && it->path().filename().string().rfind("fork-", 0) == 0) forked = true;
  }
  uint64_t size = 0;
  if (auto stored = ReadFile(fs::path(options.state) / "checkpoint"); stored.ok()) {
    if (auto observed = CheckSignedCheckpoint(*stored, genesis); observed.ok()) {
      size = observed->checkpoint.size;
    }
  }
  std::ostringstream out;
  out << "# HELP evidence_witness_fork_detected 1 while a split view's proof is in the state "
         "directory (docs/witness.md)\n"
      << "# TYPE evidence_witness_fork_detected gauge\n"
      << "evidence_witness_fork_detected " << (forked ? 1 : 0) << "\n"
      << "# HELP evidence_witness_checkpoint_size Tree size of the last checkpoint verified\n"
      << "# TYPE evidence_witness_checkpoint_size gauge\n"
      << "evidence_witness_checkpoint_size " << size << "\n"
      << "# HELP evidence_witness_last_round_ok 1 when the last round checked the log\n"
      << "# TYPE evidence_witness_last_round_ok gauge\n"
      << "evidence_witness_last_round_ok " << (last_round_ok ? 1 : 0) << "\n";
  return out.str();
}

void WriteMetrics(const WitnessOptions& options, const ledger::Genesis& genesis, bool last_round_ok) {
  if (options.metrics_file.empty()) return;
  Status written =
      WriteFileAtomically(options.metrics_file, WitnessMetrics(options, genesis, last_round_ok));
  if (!written.ok()) PrintError(kCommand, "--metrics-file: " + written.message());
}

int RunWitness(const WitnessOptions& options) {
  auto key = crypto::PrivateKey::LoadPem(options.key);
  if (!key.ok()) {
    PrintError(kCommand, "--key: " + key.status().message());
    return 2;
  }
  auto note_key = crypto::NoteKey::ForWitness(options.name, key->public_key());
  if (!note_key.ok()) {
    PrintError(kCommand, note_key.status().message());
    return 2;
  }
  if (options.vkey) {
    std::cout << note_key->Vkey() << "\n";
    return 0;
  }
  if (options.log.empty() || options.genesis.empty() || options.state.empty()) {
    PrintError(kCommand, "--log, --genesis and --state are required");
    return 2;
  }
  auto genesis = ledger::Genesis::Load(options.genesis);
  auto url = ParseNodeUrl(options.log);
  if (!genesis.ok() || !url.ok()) {
    PrintError(kCommand, genesis.ok() ? "--log " + url.status().message()
                                      : genesis.status().message());
    return 2;
  }
  std::error_code error;
  fs::create_directories(options.state, error);
  if (error) {
    PrintError(kCommand, "--state " + options.state + ": " + error.message());
    return 2;
  }
  HttpClient client(*url);
  while (true) {
    std::optional<RoundError> failed = Round(client, *genesis, *key, options);
    WriteMetrics(options, *genesis, !failed.has_value());
    if (failed) {
      PrintError(kCommand, failed->message);
      if (options.once || failed->exit_code == kExitFork) return failed->exit_code;
    } else if (options.once) {
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::seconds(options.interval_seconds));
  }
}

}  // namespace

void RegisterWitness(CLI::App& app) {
  static WitnessOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Watch a ledger's checkpoints, cosign them, report a split view");
  command->add_option("--log", options.log, "A node's API, e.g. http://127.0.0.1:8080");
  command->add_option("--genesis", options.genesis, "The chain's genesis file");
  command->add_option("--key", options.key, "The witness's Ed25519 private key (PEM)")->required();
  command->add_option("--state", options.state, "Directory for the last verified checkpoint");
  command->add_option("--metrics-file", options.metrics_file,
                      "Write Prometheus metrics here after every round (textfile collector)");
  command->add_option("--name", options.name, "The witness's key name (no spaces, no '+')")
      ->capture_default_str();
  command->add_flag("--once", options.once, "Check and cosign once, then exit");
  command->add_flag("--vkey", options.vkey, "Print the witness's verifier key and exit");
  command->add_option("--interval-seconds", options.interval_seconds, "Pause between rounds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  command->callback([] { SetExitCode(RunWitness(options)); });
}

}  // namespace evidence::cli
