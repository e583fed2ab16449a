// `evidence gov`: make, sign and check governance actions (docs/governance.md).
//
//   evidence gov propose ACTION (--genesis G.json | --chain-id ID) --seq N
//                       [the action's flags] --out P.json [--force]
//   evidence gov sign P.json --key ADMIN.pem
//   evidence gov check P.json --genesis G.json [--after EARLIER.json]...
//   evidence gov submit P.json --node URL [--wait] [--timeout-ms N]
//   evidence gov show --node URL [--json]
//
// `propose` writes the unsigned action (JCS, one line) after reading it back
// exactly as a node will (ledger::ParseAction), so a bad operand is refused
// here and not by the network. `sign` adds one admin signature in place (the
// file is replaced atomically; a second signature by the same key is refused).
// `check` applies the action offline to the register of genesis after the
// earlier actions given with --after, in order, with every check a node makes
// (chain, sequence, admin keys and signatures, the threshold, the operation's
// rules), and says which institutions signed and whether it would be applied.
//
// `submit` posts the signed action to a node (POST /v1/governance), which
// checks it like a block would and passes it on to the validators; with --wait it then watches
// GET /v1/governance until the register has passed the action's seq, and says
// whether that action (its id) is the one committed. `show` prints a node's
// register in force, its committed actions and the pending ones.
//
// Key operands are public PEM files (a private key file is refused, so an
// institution never hands its private key to whoever writes the proposal).
//
// Exit status: 0 done (check: the action would be applied; submit: accepted,
// with --wait committed); 1 check or the node refused the action, --wait saw
// another action committed at its seq or timed out, the node cannot be reached,
// or a file cannot be read or written; 2 unusable input (bad options,
// an operand the action format refuses, a file that is not an action).
#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <thread>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "api/cli/record_files.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "common/limits.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/errors.h"
#include "ledger/genesis.h"
#include "ledger/governance.h"
#include "ledger/governance_state.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kCommand = "gov";

// A usage problem (exit 2) or a file problem (exit 1).
struct Failure {
  int exit_code;
  std::string message;
};

int Fail(const Failure& failure) {
  PrintError(kCommand, failure.message);
  return failure.exit_code;
}

Result<std::string> ReadBounded(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(path + " is larger than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  return text;
}

// A public key operand. A private key file is refused: proposals are written
// with other parties' public keys.
Result<crypto::PublicKey> LoadPublicKeyFile(const std::string& path, const std::string& option) {
  auto pem = ReadBounded(path, 64 * 1024);
  if (!pem.ok()) return Status::InvalidArgument(option + ": " + pem.status().message());
  if (pem->find("PRIVATE KEY") != std::string::npos) {
    SecureWipe(pem->data(), pem->size());
    return Status::InvalidArgument(option + ": " + path +
                                   " is a private key; give the public key file "
                                   "(evidence keygen --pub)");
  }
  auto key = crypto::PublicKey::FromPem(*pem);
  if (!key.ok()) return Status::InvalidArgument(option + ": " + path + ": " + key.status().message());
  return std::move(key).value();
}

// RFC 3339 with an offset ("2026-12-01T08:00:00+08:00", "...Z", fractions of
// a second allowed) to unix milliseconds. toml++ reads the text (TOML's offset
// date-time is RFC 3339's), the civil calendar is std::chrono's.
Result<int64_t> ParseRfc3339Ms(const std::string& text) {
  const Status bad = Status::InvalidArgument(
      "--effective: \"" + text +
      "\" is not an RFC 3339 time with an offset, e.g. 2026-12-01T08:00:00+08:00");
  // Only what a date-time holds, so the text cannot be any other TOML.
  if (text.empty() || text.size() > 40 ||
      text.find_first_not_of("0123456789-:.+TtZz") != std::string::npos) {
    return bad;
  }
  toml::table table;
  try {
    table = toml::parse("t = " + text);
  } catch (const toml::parse_error&) {
    return bad;
  }
  const toml::value<toml::date_time>* value = table["t"].as_date_time();
  if (table.size() != 1 || value == nullptr || !value->get().offset) return bad;
  const toml::date_time& time = value->get();
  const std::chrono::year_month_day day{std::chrono::year{time.date.year},
                                        std::chrono::month{time.date.month},
                                        std::chrono::day{time.date.day}};
  if (!day.ok()) return bad;
  const std::chrono::sys_time<std::chrono::milliseconds> utc =
      std::chrono::sys_days{day} + std::chrono::hours{time.time.hour} +
      std::chrono::minutes{time.time.minute} + std::chrono::seconds{time.time.second} +
      std::chrono::milliseconds{time.time.nanosecond / 1'000'000} -
      std::chrono::minutes{time.offset->minutes};
  return utc.time_since_epoch().count();
}

// Options of every `propose`.
struct ProposeCommon {
  std::string genesis;
  std::string chain_id;
  uint64_t seq = 0;
  std::string out;
  bool force = false;
};

// Every flag any action takes; each action's subcommand registers its own.
struct ProposeFlags {
  std::string id, name, institution, role, agency, reason, address, effective, token_sha256;
  std::string key, key_id, vote_key, node_key, token_file, ca_cert;
  std::vector<std::string> keys;
  std::optional<int64_t> effective_ms;
  std::optional<uint64_t> power;
  // set-params
  std::optional<int64_t> record_future_skew_ms, record_past_window_ms;
  std::optional<uint64_t> block_records_max, block_bytes_max, batch_records_max,
      governance_threshold;
};

Result<ledger::GenesisReader> ReaderOperand(const ProposeFlags& f) {
  ledger::GenesisReader reader;
  reader.id = f.id;
  reader.role = f.role;
  int given = !f.token_sha256.empty() + !f.token_file.empty() + !f.key.empty();
  if (given != 1) {
    return Status::InvalidArgument("give exactly one of --token-sha256, --token-file, --key");
  }
  if (!f.token_sha256.empty()) {
    auto digest = crypto::DigestFromHex(f.token_sha256);
    if (!digest.ok()) {
      return Status::InvalidArgument("--token-sha256 must be 64 hex digits (the token's SHA-256)");
    }
    reader.token_sha256 = *digest;
  } else if (!f.token_file.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(std::string token, ReadBounded(f.token_file, 4096));
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.size() < 16) {
      return Status::InvalidArgument("--token-file: the token is shorter than 16 characters");
    }
    reader.token_sha256 = crypto::Hash(crypto::HashAlgorithm::kSha256, token);
    SecureWipe(token.data(), token.size());
  } else {
    EVIDENCE_ASSIGN_OR_RETURN(reader.key, LoadPublicKeyFile(f.key, "--key"));
  }
  return reader;
}

// The key id a revocation names: --key-id, or the id of --key's public key.
Result<std::string> KeyIdOperand(const ProposeFlags& f) {
  if (f.key.empty() == f.key_id.empty()) {
    return Status::InvalidArgument("give exactly one of --key PUB.pem, --key-id HEX");
  }
  if (!f.key_id.empty()) return f.key_id;
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadPublicKeyFile(f.key, "--key"));
  return key.key_id();
}

Result<ledger::ActionBody> BuildBody(ledger::ActionType type, const ProposeFlags& f) {
  using ledger::ActionType;
  switch (type) {
    case ActionType::kAddAgency: {
      ledger::GenesisAgency agency{f.id, f.name, f.institution, {}};
      for (const std::string& path : f.keys) {
        EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadPublicKeyFile(path, "--key"));
        agency.keys.push_back(std::move(key));
      }
      return ledger::ActionBody(ledger::AddAgency{std::move(agency)});
    }
    case ActionType::kRemoveAgency:
      return ledger::ActionBody(ledger::RemoveAgency{f.agency});
    case ActionType::kAddAgencyKey: {
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadPublicKeyFile(f.key, "--key"));
      return ledger::ActionBody(ledger::AddAgencyKey{f.agency, std::move(key)});
    }
    case ActionType::kRevokeAgencyKey: {
      ledger::RevokeAgencyKey out{f.agency, "", f.reason, 0};
      EVIDENCE_ASSIGN_OR_RETURN(out.key_id, KeyIdOperand(f));
      if (!f.effective.empty() && f.effective_ms) {
        return Status::InvalidArgument("give at most one of --effective, --effective-ms");
      }
      if (!f.effective.empty()) {
        EVIDENCE_ASSIGN_OR_RETURN(out.effective_ms, ParseRfc3339Ms(f.effective));
      } else {
        out.effective_ms = f.effective_ms ? *f.effective_ms : WallClockMs();
      }
      return ledger::ActionBody(std::move(out));
    }
    case ActionType::kAddReader: {
      EVIDENCE_ASSIGN_OR_RETURN(ledger::GenesisReader reader, ReaderOperand(f));
      return ledger::ActionBody(ledger::AddReader{std::move(reader)});
    }
    case ActionType::kRemoveReader:
      return ledger::ActionBody(ledger::RemoveReader{f.id});
    case ActionType::kAddValidator: {
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey vote, LoadPublicKeyFile(f.vote_key, "--vote-key"));
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node, LoadPublicKeyFile(f.node_key, "--node-key"));
      return ledger::ActionBody(ledger::AddValidator{ledger::GenesisValidator{
          f.name, f.institution, std::move(vote), std::move(node), f.power.value_or(1), f.address}});
    }
    case ActionType::kRemoveValidator:
      return ledger::ActionBody(ledger::RemoveValidator{f.name});
    case ActionType::kSetPower:
      return ledger::ActionBody(ledger::SetPower{f.name, f.power.value_or(0)});
    case ActionType::kRotateValidatorKeys: {
      ledger::RotateValidatorKeys out;
      out.name = f.name;
      if (!f.vote_key.empty()) {
        EVIDENCE_ASSIGN_OR_RETURN(out.vote_key, LoadPublicKeyFile(f.vote_key, "--vote-key"));
      }
      if (!f.node_key.empty()) {
        EVIDENCE_ASSIGN_OR_RETURN(out.node_key, LoadPublicKeyFile(f.node_key, "--node-key"));
      }
      if (!f.address.empty()) out.address = f.address;
      if (!out.vote_key && !out.node_key && !out.address) {
        return Status::InvalidArgument("give one or more of --vote-key, --node-key, --address");
      }
      return ledger::ActionBody(std::move(out));
    }
    case ActionType::kAddObserver: {
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node, LoadPublicKeyFile(f.node_key, "--node-key"));
      return ledger::ActionBody(ledger::AddObserver{
          ledger::GenesisObserver{f.name, f.institution, std::move(node), f.address}});
    }
    case ActionType::kRemoveObserver:
      return ledger::ActionBody(ledger::RemoveObserver{f.name});
    case ActionType::kAddAdminKey: {
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadPublicKeyFile(f.key, "--key"));
      return ledger::ActionBody(ledger::AddAdminKey{f.institution, std::move(key)});
    }
    case ActionType::kRevokeAdminKey: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string key_id, KeyIdOperand(f));
      return ledger::ActionBody(ledger::RevokeAdminKey{f.institution, std::move(key_id)});
    }
    case ActionType::kSetParams: {
      boost::json::object params;
      if (f.record_future_skew_ms) params["record_future_skew_ms"] = *f.record_future_skew_ms;
      if (f.record_past_window_ms) params["record_past_window_ms"] = *f.record_past_window_ms;
      if (f.block_records_max) params["block_records_max"] = *f.block_records_max;
      if (f.block_bytes_max) params["block_bytes_max"] = *f.block_bytes_max;
      if (f.batch_records_max) params["batch_records_max"] = *f.batch_records_max;
      if (f.governance_threshold) params["governance_threshold"] = *f.governance_threshold;
      if (params.empty()) return Status::InvalidArgument("give at least one param to change");
      return ledger::ActionBody(ledger::SetParams{std::move(params)});
    }
    case ActionType::kAddWitness: {
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadPublicKeyFile(f.key, "--key"));
      return ledger::ActionBody(ledger::AddWitness{ledger::GenesisWitness{f.name, std::move(key)}});
    }
    case ActionType::kRemoveWitness:
      return ledger::ActionBody(ledger::RemoveWitness{f.name});
    case ActionType::kSetTsaCa: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string pem, ReadBounded(f.ca_cert, crypto::kCaCertificatePemBytesMax));
      auto ca = crypto::ParseCaCertificate(pem);
      if (!ca.ok()) return ca.status().WithContext("--ca-cert " + f.ca_cert);
      return ledger::ActionBody(ledger::SetTsaCa{f.institution, std::move(ca).value()});
    }
  }
  EVIDENCE_CHECK_MSG(false, "every action type is handled");
  return Status::Internal("unreachable");
}

int RunPropose(ledger::ActionType type, const ProposeCommon& common, const ProposeFlags& flags) {
  if (common.genesis.empty() == common.chain_id.empty()) {
    return Fail({2, "give exactly one of --genesis G.json, --chain-id ID"});
  }
  std::string chain_id = common.chain_id;
  if (!common.genesis.empty()) {
    auto genesis = ledger::Genesis::Load(common.genesis);
    if (!genesis.ok()) return Fail({2, genesis.status().message()});
    if (!genesis->governed()) {
      return Fail({2, common.genesis + " has no admins: its chain is not governed "
                                       "(docs/governance.md, genesis version 2)"});
    }
    chain_id = genesis->chain_id();
  }
  if (!common.force && fs::exists(common.out)) {
    return Fail({1, common.out + " exists; pass --force to overwrite it"});
  }
  auto body = BuildBody(type, flags);
  if (!body.ok()) return Fail({2, body.status().message()});
  ledger::GovernanceAction action{chain_id, common.seq, std::move(*body), {}};
  // Read back exactly as a node reads it, so a bad operand is refused here.
  std::string text = ledger::ActionLeaf(action);
  auto parsed = ledger::ParseAction(text);
  if (!parsed.ok()) return Fail({2, parsed.status().message()});
  Status written = WriteFileAtomically(common.out, text + "\n");
  if (!written.ok()) return Fail({1, written.message()});
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
  if (!common.genesis.empty()) hash = ledger::Genesis::Load(common.genesis)->hash();
  std::cout << "wrote " << common.out << ": " << ledger::ActionTypeName(type) << ", seq "
            << common.seq << ", chain " << chain_id << ", unsigned\n";
  if (!common.genesis.empty()) {
    std::cout << "action id " << crypto::DigestHex(ledger::ActionId(hash, *parsed)) << "\n";
  }
  std::cout << "next: each institution's admin runs `evidence gov sign " << common.out
            << " --key ADMIN.pem`\n";
  return 0;
}

Result<ledger::GovernanceAction> LoadAction(const std::string& path) {
  auto text = ReadBounded(path, limits::kGovernanceActionBytesMax + 2);
  if (!text.ok()) return text.status();
  auto action = ledger::ParseAction(*text);
  if (!action.ok()) return action.status().WithContext(path);
  return action;
}

int RunSign(const std::string& path, const std::string& key_path) {
  auto action = LoadAction(path);
  if (!action.ok()) {
    return Fail({action.status().code() == StatusCode::kNotFound ? 1 : 2,
                 action.status().message()});
  }
  auto key = LoadSigningKey(key_path);
  if (!key.ok()) return Fail({2, key.status().message()});
  Status signed_ok = ledger::SignAction(*key, *action);
  if (!signed_ok.ok()) return Fail({2, path + ": " + signed_ok.message()});
  std::string text = ledger::ActionLeaf(*action);
  if (text.size() > limits::kGovernanceActionBytesMax) {
    return Fail({2, path + ": signed, the action would exceed " +
                        std::to_string(limits::kGovernanceActionBytesMax) + " bytes"});
  }
  Status written = WriteFileAtomically(path, text + "\n");
  if (!written.ok()) return Fail({1, written.message()});
  std::cout << "signed " << path << " with admin key " << key->key_id() << " ("
            << action->sigs.size() << " signature" << (action->sigs.size() == 1 ? "" : "s")
            << ")\n";
  return 0;
}

// The institutions whose admin keys signed `action` in `state` (unknown and
// revoked keys count for none).
std::set<std::string> SigningInstitutions(const ledger::GovernanceState& state,
                                          const ledger::GovernanceAction& action) {
  std::set<std::string> out;
  for (const ledger::ActionSignature& sig : action.sigs) {
    const ledger::RegisteredKey* key = nullptr;
    const ledger::AdminEntry* admin = state.FindAdminOfKey(sig.key_id, &key);
    if (admin != nullptr && key != nullptr && !key->revoked) out.insert(admin->institution);
  }
  return out;
}

int RunCheck(const std::string& path, const std::string& genesis_path,
             const std::vector<std::string>& after) {
  auto genesis = ledger::Genesis::Load(genesis_path);
  if (!genesis.ok()) return Fail({2, genesis.status().message()});
  ledger::GovernanceStatePtr state = ledger::GovernanceState::FromGenesis(*genesis);
  const ledger::ActionContext context{};
  for (const std::string& earlier : after) {
    auto action = LoadAction(earlier);
    if (!action.ok()) return Fail({2, action.status().message()});
    auto next = ledger::ApplyAction(*state, *action, context);
    if (!next.ok()) {
      return Fail({2, "--after " + earlier + " is refused itself: " + next.status().message()});
    }
    state = std::move(*next);
  }
  auto action = LoadAction(path);
  if (!action.ok()) {
    return Fail({action.status().code() == StatusCode::kNotFound ? 1 : 2,
                 action.status().message()});
  }
  std::set<std::string> institutions = SigningInstitutions(*state, *action);
  std::cout << path << ": " << ledger::ActionTypeName(action->type()) << ", seq " << action->seq
            << ", action id " << crypto::DigestHex(ledger::ActionId(genesis->hash(), *action))
            << "\nsigned by " << institutions.size() << " of " << state->admins().size()
            << " institutions (threshold " << state->params().governance_threshold << ")";
  for (const std::string& institution : institutions) std::cout << "\n  " << institution;
  std::cout << "\n";
  auto next = ledger::ApplyAction(*state, *action, context);
  if (!next.ok()) {
    // The ledger's message starts with its code (governance.*).
    std::cout << "REFUSED " << next.status().message() << "\n";
    return 1;
  }
  std::cout << "OK: the register would accept it (next seq " << (*next)->next_seq() << ")\n";
  return 0;
}

constexpr auto kRequestTimeout = std::chrono::seconds(30);

Result<boost::json::object> GetGovernance(HttpClient& client) {
  auto answer = client.Get("/v1/governance", kRequestTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) {
    return Status::Unavailable("GET /v1/governance: " + DescribeAnswer(*answer));
  }
  auto json = ParseAnswerJson(*answer);
  if (!json.ok() || !json->is_object()) {
    return Status::Unavailable("GET /v1/governance did not answer a JSON object");
  }
  return json->as_object();
}

// The committed action with `seq` in a GET /v1/governance answer, if listed.
const boost::json::object* CommittedAt(const boost::json::object& governance, uint64_t seq) {
  const boost::json::value* actions = governance.if_contains("actions");
  if (actions == nullptr || !actions->is_array()) return nullptr;
  for (const boost::json::value& entry : actions->as_array()) {
    const boost::json::object* object = entry.if_object();
    if (object == nullptr) continue;
    const boost::json::value* at = object->if_contains("seq");
    if (at != nullptr && at->is_int64() && static_cast<uint64_t>(at->as_int64()) == seq) {
      return object;
    }
  }
  return nullptr;
}

uint64_t LatestNextSeq(const boost::json::object& governance) {
  const boost::json::value* latest = governance.if_contains("latest");
  if (latest == nullptr || !latest->is_object()) return 0;
  const boost::json::value* next = latest->as_object().if_contains("next_seq");
  return next != nullptr && next->is_int64() ? static_cast<uint64_t>(next->as_int64()) : 0;
}

// Polls the node until the register's next_seq passes `seq`; 0 when the
// action with `id` is committed there, 1 otherwise.
int WaitCommitted(HttpClient& client, uint64_t seq, const std::string& id,
                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto governance = GetGovernance(client);
    if (!governance.ok()) return Fail({1, governance.status().message()});
    if (LatestNextSeq(*governance) > seq) {
      const boost::json::object* committed = CommittedAt(*governance, seq);
      const boost::json::value* committed_id =
          committed != nullptr ? committed->if_contains("id") : nullptr;
      if (committed_id == nullptr || !committed_id->is_string() ||
          committed_id->as_string() != id) {
        return Fail({1, "another action was committed at seq " + std::to_string(seq)});
      }
      std::cout << "committed in block " << boost::json::serialize(committed->at("height"))
                << "; it takes effect at that height + " << ledger::kGovernanceActivationDelay
                << "\n";
      return 0;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Fail({1, "not committed within " + std::to_string(timeout.count()) +
                          " ms (the next proposer puts it in a block; see evidence gov show)"});
    }
    // A person waits at a terminal: polling twice a second is plenty.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int RunSubmit(const std::string& path, const std::string& node, bool wait, int64_t timeout_ms) {
  auto url = ParseNodeUrl(node);
  if (!url.ok()) return Fail({2, "--node " + url.status().message()});
  auto action = LoadAction(path);
  if (!action.ok()) {
    return Fail({action.status().code() == StatusCode::kNotFound ? 1 : 2,
                 action.status().message()});
  }
  HttpClient client(*url);
  auto answer = client.PostJson("/v1/governance", ledger::ActionLeaf(*action), kRequestTimeout);
  if (!answer.ok()) return Fail({1, answer.status().message()});
  if (answer->status != 200 && answer->status != 202) {
    return Fail({1, "the node refused " + path + ": " + DescribeAnswer(*answer)});
  }
  auto json = ParseAnswerJson(*answer);
  if (!json.ok() || !json->is_object() || !json->as_object().contains("id")) {
    return Fail({1, "POST /v1/governance did not answer an action id"});
  }
  const std::string id(json->as_object().at("id").as_string());
  std::cout << path << ": " << ledger::ActionTypeName(action->type()) << ", seq " << action->seq
            << ", action id " << id << ": "
            << (answer->status == 200 ? "pending already" : "accepted, pending") << "\n";
  if (!wait) return 0;
  return WaitCommitted(client, action->seq, id, std::chrono::milliseconds(timeout_ms));
}

std::string JsonText(const boost::json::value* value) {
  if (value == nullptr) return "?";
  if (value->is_string()) return std::string(value->as_string());
  return boost::json::serialize(*value);
}

void PrintRegister(const boost::json::object& governance) {
  const boost::json::object empty;
  const boost::json::value* registered = governance.if_contains("register");
  const boost::json::object& r =
      registered != nullptr && registered->is_object() ? registered->as_object() : empty;
  std::cout << "register in force for block " << JsonText(governance.if_contains("height"))
            << " (state " << JsonText(governance.if_contains("state_hash")) << ")\n";
  auto list = [&](std::string_view name) -> const boost::json::array& {
    static const boost::json::array none;
    const boost::json::value* value = r.if_contains(name);
    return value != nullptr && value->is_array() ? value->as_array() : none;
  };
  std::cout << "validators:\n";
  for (const boost::json::value& v : list("validators")) {
    const boost::json::object* o = v.if_object();
    if (o == nullptr) continue;
    std::cout << "  " << JsonText(o->if_contains("name")) << "  "
              << JsonText(o->if_contains("institution")) << "  power "
              << JsonText(o->if_contains("power")) << "  " << JsonText(o->if_contains("address"))
              << "\n";
  }
  std::cout << "agencies:\n";
  for (const boost::json::value& v : list("agencies")) {
    const boost::json::object* o = v.if_object();
    if (o == nullptr) continue;
    size_t keys = 0, revoked = 0;
    if (const boost::json::value* k = o->if_contains("keys"); k != nullptr && k->is_array()) {
      for (const boost::json::value& key : k->as_array()) {
        ++keys;
        if (key.is_object() && key.as_object().contains("revoked")) ++revoked;
      }
    }
    std::cout << "  " << JsonText(o->if_contains("id")) << "  " << JsonText(o->if_contains("name"))
              << "  " << keys << " key(s), " << revoked << " revoked"
              << (o->contains("removed") ? "  (removed)" : "") << "\n";
  }
  std::cout << "readers: " << list("readers").size() << ", admins: " << list("admins").size()
            << " institutions, params: " << JsonText(r.if_contains("params")) << "\n";
  std::cout << "next seq: " << JsonText(r.if_contains("next_seq")) << " in force; "
            << LatestNextSeq(governance) << " after the last block\n";
  std::cout << "committed actions (" << JsonText(governance.if_contains("actions_total"))
            << "):\n";
  for (std::string_view part : {"actions", "pending"}) {
    const boost::json::value* entries = governance.if_contains(part);
    if (part == "pending") std::cout << "pending on this node:\n";
    if (entries == nullptr || !entries->is_array()) continue;
    for (const boost::json::value& entry : entries->as_array()) {
      const boost::json::object* o = entry.if_object();
      if (o == nullptr) continue;
      const boost::json::value* action = o->if_contains("action");
      std::cout << "  seq " << JsonText(o->if_contains("seq"));
      if (o->contains("height")) std::cout << "  block " << JsonText(o->if_contains("height"));
      std::cout << "  "
                << (action != nullptr && action->is_object()
                        ? JsonText(action->as_object().if_contains("action"))
                        : "?")
                << "  " << JsonText(o->if_contains("id")) << "\n";
    }
  }
}

int RunShow(const std::string& node, bool json) {
  auto url = ParseNodeUrl(node);
  if (!url.ok()) return Fail({2, "--node " + url.status().message()});
  HttpClient client(*url);
  auto governance = GetGovernance(client);
  if (!governance.ok()) return Fail({1, governance.status().message()});
  if (json) {
    std::cout << boost::json::serialize(*governance) << "\n";
    return 0;
  }
  PrintRegister(*governance);
  return 0;
}

void AddCommonOptions(CLI::App& command, ProposeCommon& common) {
  command.add_option("--genesis", common.genesis, "The chain's genesis.json (gives the chain id)");
  command.add_option("--chain-id", common.chain_id, "The chain id (instead of --genesis)");
  command.add_option("--seq", common.seq,
                     "The register's next sequence number (1 for the chain's first action)")
      ->required()
      ->check(CLI::Range(uint64_t{1}, uint64_t{9007199254740991}));
  command.add_option("--out", common.out, "Where to write the unsigned action")->required();
  command.add_flag("--force", common.force, "Overwrite an existing output file");
}

void RegisterPropose(CLI::App& gov) {
  auto* propose = gov.add_subcommand("propose", "Write an unsigned governance action");
  propose->require_subcommand(1);
  auto common = std::make_shared<ProposeCommon>();
  auto flags = std::make_shared<ProposeFlags>();
  for (size_t i = 0; i < ledger::kActionTypes; ++i) {
    const auto type = static_cast<ledger::ActionType>(i);
    using ledger::ActionType;
    auto* c = propose->add_subcommand(std::string(ledger::ActionTypeName(type)));
    AddCommonOptions(*c, *common);
    ProposeFlags& f = *flags;
    switch (type) {
      case ActionType::kAddAgency:
        c->description("Register a new enforcement agency and its signing keys");
        c->add_option("--id", f.id, "Agency id (A-Z a-z 0-9 . _ -)")->required();
        c->add_option("--name", f.name, "Its name, e.g. 泗水县市场监督管理局")->required();
        c->add_option("--institution", f.institution, "The government it belongs to")->required();
        c->add_option("--key", f.keys, "Public PEM of a signing key (repeat for more)")->required();
        break;
      case ActionType::kRemoveAgency:
        c->description("Remove an agency: its records are no longer accepted");
        c->add_option("--agency", f.agency, "Agency id")->required();
        break;
      case ActionType::kAddAgencyKey:
        c->description("Add a signing key to an agency (rotation: add, then revoke the old)");
        c->add_option("--agency", f.agency, "Agency id")->required();
        c->add_option("--key", f.key, "Public PEM of the new key")->required();
        break;
      case ActionType::kRevokeAgencyKey:
        c->description("Revoke an agency's signing key");
        c->add_option("--agency", f.agency, "Agency id")->required();
        c->add_option("--key", f.key, "Public PEM of the key to revoke");
        c->add_option("--key-id", f.key_id, "Or its key id (64 hex)");
        c->add_option("--reason", f.reason, "rotated | compromised")
            ->required()
            ->check(CLI::IsMember({"rotated", "compromised"}));
        c->add_option("--effective", f.effective,
                      "RFC 3339 time from which the key is not to be trusted (default: now)");
        c->add_option("--effective-ms", f.effective_ms, "The same in unix milliseconds");
        break;
      case ActionType::kAddReader:
        c->description("Register a reader (court, procuratorate, lawyer) of case trails");
        c->add_option("--id", f.id, "Reader id")->required();
        c->add_option("--role", f.role, "Role, e.g. court")->required();
        c->add_option("--token-sha256", f.token_sha256, "SHA-256 (hex) of its bearer token");
        c->add_option("--token-file", f.token_file, "Or a file holding the token");
        c->add_option("--key", f.key, "Or the public PEM of its client key");
        break;
      case ActionType::kRemoveReader:
        c->description("Remove a reader");
        c->add_option("--id", f.id, "Reader id")->required();
        break;
      case ActionType::kAddValidator:
        c->description("Add a validator (or promote an observer with the same node key)");
        c->add_option("--name", f.name, "Validator name")->required();
        c->add_option("--institution", f.institution, "Its institution (must hold an admin key)")
            ->required();
        c->add_option("--vote-key", f.vote_key, "Public PEM of its vote key")->required();
        c->add_option("--node-key", f.node_key, "Public PEM of its p2p node key")->required();
        c->add_option("--power", f.power, "Voting power (default 1)");
        c->add_option("--address", f.address, "host:port of its p2p listen")->required();
        break;
      case ActionType::kRemoveValidator:
        c->description("Remove a validator (never below 4)");
        c->add_option("--name", f.name, "Validator name")->required();
        break;
      case ActionType::kSetPower:
        c->description("Change a validator's voting power");
        c->add_option("--name", f.name, "Validator name")->required();
        c->add_option("--power", f.power, "New voting power")->required();
        break;
      case ActionType::kRotateValidatorKeys:
        c->description("Replace a validator's vote key, node key or address");
        c->add_option("--name", f.name, "Validator name")->required();
        c->add_option("--vote-key", f.vote_key, "Public PEM of the new vote key");
        c->add_option("--node-key", f.node_key, "Public PEM of the new node key");
        c->add_option("--address", f.address, "New host:port");
        break;
      case ActionType::kAddObserver:
        c->description("Admit a node that syncs and serves reads but never votes");
        c->add_option("--name", f.name, "Observer name")->required();
        c->add_option("--institution", f.institution, "Its institution")->required();
        c->add_option("--node-key", f.node_key, "Public PEM of its p2p node key")->required();
        c->add_option("--address", f.address, "host:port of its p2p listen")->required();
        break;
      case ActionType::kRemoveObserver:
        c->description("Remove an observer node");
        c->add_option("--name", f.name, "Observer name")->required();
        break;
      case ActionType::kAddAdminKey:
        c->description("Give an institution an admin key (a new institution joins governance)");
        c->add_option("--institution", f.institution, "Institution")->required();
        c->add_option("--key", f.key, "Public PEM of the admin key")->required();
        break;
      case ActionType::kRevokeAdminKey:
        c->description("Revoke an institution's admin key");
        c->add_option("--institution", f.institution, "Institution")->required();
        c->add_option("--key", f.key, "Public PEM of the key to revoke");
        c->add_option("--key-id", f.key_id, "Or its key id (64 hex)");
        break;
      case ActionType::kSetParams:
        c->description("Change the chain's rules (docs/governance.md §1)");
        c->add_option("--record-future-skew-ms,--records-future-skew-ms", f.record_future_skew_ms,
                      "A record's time at most this after its block's time");
        c->add_option("--record-past-window-ms,--records-past-window-ms", f.record_past_window_ms,
                      "... and at most this before it");
        c->add_option("--block-records-max", f.block_records_max, "Records in one block");
        c->add_option("--block-bytes-max", f.block_bytes_max, "Leaf bytes in one block");
        c->add_option("--batch-records-max", f.batch_records_max,
                      "Records one batch signature may cover");
        c->add_option("--governance-threshold", f.governance_threshold,
                      "Institutions whose admins must sign an action");
        break;
      case ActionType::kAddWitness:
        c->description("Accept an outside witness's checkpoint cosignatures (docs/witness.md)");
        c->add_option("--name", f.name, "The witness's key name, e.g. witness.example.org/w1")
            ->required();
        c->add_option("--key", f.key, "Public PEM of its Ed25519 key")->required();
        break;
      case ActionType::kRemoveWitness:
        c->description("Stop accepting a witness's cosignatures (its key never comes back)");
        c->add_option("--name", f.name, "The witness's key name")->required();
        break;
      case ActionType::kSetTsaCa:
        c->description("Set the CA certificate of an institution's time-stamping authority");
        c->add_option("--institution", f.institution, "Institution (must hold an admin key)")
            ->required();
        c->add_option("--ca-cert", f.ca_cert, "PEM of the CA certificate (docs/timestamps.md)")
            ->required();
        break;
    }
    c->callback([type, common, flags] { SetExitCode(RunPropose(type, *common, *flags)); });
  }
}

}  // namespace

void RegisterGov(CLI::App& app) {
  auto* gov = app.add_subcommand(
      "gov",
      "Governance actions: propose one, sign it with each institution's admin key, check it\n"
      "offline against genesis (docs/governance.md).");
  gov->require_subcommand(1);
  RegisterPropose(*gov);

  auto* sign = gov->add_subcommand("sign", "Add one admin signature to an action file, in place");
  auto sign_path = std::make_shared<std::string>();
  auto key_path = std::make_shared<std::string>();
  sign->add_option("action", *sign_path, "The action file (gov propose --out)")->required();
  sign->add_option("--key", *key_path, "The admin's private key PEM")->required();
  sign->callback([sign_path, key_path] { SetExitCode(RunSign(*sign_path, *key_path)); });

  auto* check = gov->add_subcommand(
      "check", "Check an action offline against genesis and the actions before it");
  auto check_path = std::make_shared<std::string>();
  auto genesis_path = std::make_shared<std::string>();
  auto after = std::make_shared<std::vector<std::string>>();
  check->add_option("action", *check_path, "The action file")->required();
  check->add_option("--genesis", *genesis_path, "The chain's genesis.json")->required();
  check->add_option("--after", *after,
                    "An earlier action, applied first (repeat, in sequence order)");
  check->callback([check_path, genesis_path, after] {
    SetExitCode(RunCheck(*check_path, *genesis_path, *after));
  });

  struct SubmitOptions {
    std::string path;
    std::string node;
    bool wait = false;
    int64_t timeout_ms = 60'000;
  };
  auto submit_options = std::make_shared<SubmitOptions>();
  auto* submit = gov->add_subcommand(
      "submit", "Send a signed action to a node (POST /v1/governance); --wait for its commit");
  submit->add_option("action", submit_options->path, "The signed action file")->required();
  submit->add_option("--node", submit_options->node, "The node's API, e.g. http://127.0.0.1:8080")
      ->required();
  submit->add_flag("--wait", submit_options->wait, "Wait until a block commits the action");
  submit->add_option("--timeout-ms", submit_options->timeout_ms, "How long --wait waits")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  submit->callback([submit_options] {
    SetExitCode(RunSubmit(submit_options->path, submit_options->node, submit_options->wait,
                          submit_options->timeout_ms));
  });

  auto show_node = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  auto* show = gov->add_subcommand(
      "show", "Show a node's register, committed actions and pending ones (GET /v1/governance)");
  show->add_option("--node", *show_node, "The node's API, e.g. http://127.0.0.1:8080")->required();
  show->add_flag("--json", *show_json, "Print the node's JSON answer");
  show->callback([show_node, show_json] { SetExitCode(RunShow(*show_node, *show_json)); });
}

}  // namespace evidence::cli
