// evidence genesis --spec SPEC.toml --out genesis.json [--genesis-time-ms MS]
//
// Builds a genesis file from a TOML spec that names the institutions' validator
// keys, the agencies' keys and the readers. configs/genesis-spec.toml is a
// complete, commented example of every field; docs/operations.md ("Genesis")
// says who assembles genesis and what the others compare.
//
// Key paths may point at public or private PEM files (only the public part goes
// into genesis) and are relative to the spec file. Readers hold a bearer token
// (only its SHA-256 goes into genesis) given as `token_sha256`, or `token_file`
// (a file whose content, without a final newline, is the token), or a client
// key `key`.
//
// A spec with [[admin]] tables (institution, keys) makes a governed genesis
// (version 2, docs/governance.md): its optional [params] table sets the chain's
// rules (ledger/chain_params.h; every one left out keeps its default, and
// governance_threshold defaults to more than 2/3 of the admin institutions),
// and [[observer]] tables (name, institution, node_key, address) admit nodes
// that do not vote, [[tsa]] tables (institution, ca_cert: a path to the CA
// certificate of its time-stamping authority, docs/timestamps.md) and
// [[witness]] tables (name, key: an outside witness's note key name and Ed25519
// key, docs/witness.md) name trusted time. Without [[admin]] the genesis is
// version 1, as before.
//
// Reproducible: the same spec and key files give the same genesis.json, byte
// for byte. The genesis time comes from the spec (genesis_time_ms) or from
// --genesis-time-ms, never from the clock. Every problem of the spec (unknown
// or missing fields, unreadable keys) is reported at once, one per line; the
// rules over the whole genesis (unique names and keys) are checked after.
//
// Output: the file's SHA-256 ("genesis file sha256"), which is what the
// institutions compare (`sha256sum genesis.json`).
#include <toml++/toml.h>

#include <boost/json.hpp>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "api/cli/commands.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/genesis.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kCommand = "genesis";

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (content.str().size() > 1024 * 1024) {
    return Status::InvalidArgument(path.string() + " is larger than 1 MiB");
  }
  return content.str();
}

// Loads a public key from a public or private PEM file.
Result<crypto::PublicKey> LoadAnyPublicKey(const fs::path& path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path));
  if (pem.find("PRIVATE KEY") != std::string::npos) {
    auto key = crypto::PrivateKey::FromPem(pem);
    SecureWipe(pem.data(), pem.size());
    if (!key.ok()) return key.status().WithContext(path.string());
    return key->public_key();
  }
  auto key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path.string());
  return std::move(key).value();
}

// Reads the spec, recording every problem and carrying on, so that one run
// names everything to fix.
class SpecReader {
 public:
  explicit SpecReader(fs::path base) : base_(std::move(base)) {}

  void Problem(const std::string& where, const std::string& what) {
    problems_.push_back(where + ": " + what);
  }
  const std::vector<std::string>& problems() const { return problems_; }

  // Unknown keys are refused, so a typo is never silently ignored.
  void CheckKeys(const toml::table& table, const std::set<std::string>& allowed,
                 const std::string& where) {
    for (const auto& [key, value] : table) {
      if (!allowed.contains(std::string(key.str()))) {
        Problem(where, "unknown key '" + std::string(key.str()) + "'");
      }
    }
  }

  std::string RequiredString(const toml::table& table, const char* key, const std::string& where,
                             const char* what = "a non-empty string") {
    auto value = table[key].value<std::string>();
    if (!value || value->empty()) {
      Problem(where, std::string("'") + key + "' (" + what + ") is required");
      return "";
    }
    return *value;
  }

  // `key` names a PEM file (public or private) relative to the spec.
  std::optional<crypto::PublicKey> KeyFile(const toml::table& table, const char* key,
                                           const std::string& where, const char* what) {
    std::string path = RequiredString(table, key, where, what);
    if (path.empty()) return std::nullopt;
    return KeyAt(path, where + "." + key);
  }

  // `table`'s "keys": a non-empty list of paths to public PEM files. Nullopt (and
  // one problem naming `what`) when the list is missing or empty; a bad entry is a
  // problem of its own and is left out of the keys returned.
  std::optional<std::vector<crypto::PublicKey>> KeyFiles(const toml::table& table,
                                                         const std::string& where,
                                                         const char* what) {
    const toml::array* paths = table["keys"].as_array();
    if (paths == nullptr || paths->empty()) {
      Problem(where, std::string("'keys' (") + what + ") is required");
      return std::nullopt;
    }
    std::vector<crypto::PublicKey> keys;
    for (size_t k = 0; k < paths->size(); ++k) {
      auto path = paths->get(k)->value<std::string>();
      std::string key_where = where + ".keys[" + std::to_string(k) + "]";
      if (!path) {
        Problem(key_where, "must be a path to a public PEM file");
        continue;
      }
      if (auto key = KeyAt(*path, key_where)) keys.push_back(std::move(*key));
    }
    return keys;
  }

  std::optional<crypto::PublicKey> KeyAt(const std::string& path, const std::string& where) {
    auto key = LoadAnyPublicKey(base_ / path);
    if (!key.ok()) {
      Problem(where, key.status().message());
      return std::nullopt;
    }
    return std::move(key).value();
  }

  const fs::path& base() const { return base_; }

 private:
  fs::path base_;
  std::vector<std::string> problems_;
};

std::vector<ledger::GenesisValidator> ParseValidators(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisValidator> out;
  const toml::array* array = spec["validator"].as_array();
  if (array == nullptr || array->empty()) {
    r.Problem("spec", "at least one [[validator]] is required");
    return out;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "validator[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    r.CheckKeys(*table, {"name", "institution", "vote_key", "node_key", "power", "address"}, where);
    std::string name = r.RequiredString(*table, "name", where);
    std::string institution = r.RequiredString(*table, "institution", where);
    auto vote_key = r.KeyFile(*table, "vote_key", where,
                              "path to the validator's vote key, a public PEM file");
    auto node_key = r.KeyFile(*table, "node_key", where,
                              "path to the validator's p2p TLS key, a public PEM file");
    std::string address =
        r.RequiredString(*table, "address", where, "host:port of its p2p listen");
    const toml::node* power = table->get("power");
    int64_t power_value = 1;
    if (power != nullptr) {
      auto value = power->value<int64_t>();
      if (!value || *value <= 0) {
        r.Problem(where, "power must be a positive integer");
      } else {
        power_value = *value;
      }
    }
    if (vote_key && node_key) {
      out.push_back(ledger::GenesisValidator{std::move(name), std::move(institution),
                                             std::move(*vote_key), std::move(*node_key),
                                             static_cast<uint64_t>(power_value),
                                             std::move(address)});
    }
  }
  return out;
}

std::vector<ledger::GenesisAgency> ParseAgencies(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisAgency> out;
  const toml::array* array = spec["agency"].as_array();
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "agency[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    r.CheckKeys(*table, {"id", "name", "institution", "keys"}, where);
    ledger::GenesisAgency agency;
    agency.id = r.RequiredString(*table, "id", where);
    agency.name = r.RequiredString(*table, "name", where);
    agency.institution = r.RequiredString(*table, "institution", where);
    auto keys = r.KeyFiles(*table, where, "a list of paths to public PEM files");
    if (!keys) continue;
    agency.keys = std::move(*keys);
    out.push_back(std::move(agency));
  }
  return out;
}

std::optional<ledger::GenesisReader> ParseReader(const toml::table& table, SpecReader& r,
                                                 const std::string& where) {
  r.CheckKeys(table, {"id", "role", "token_sha256", "token_file", "key"}, where);
  ledger::GenesisReader reader;
  reader.id = r.RequiredString(table, "id", where);
  reader.role = r.RequiredString(table, "role", where, "the reader's role, e.g. \"court\"");
  int given = table.contains("token_sha256") + table.contains("token_file") + table.contains("key");
  if (given != 1) {
    r.Problem(where, "give exactly one of token_sha256, token_file, key");
    return std::nullopt;
  }
  if (table.contains("token_sha256")) {
    auto digest = crypto::DigestFromHex(table["token_sha256"].value_or<std::string>(""));
    if (!digest.ok()) {
      r.Problem(where + ".token_sha256", "must be 64 hex digits (the token's SHA-256)");
      return std::nullopt;
    }
    reader.token_sha256 = *digest;
  } else if (table.contains("token_file")) {
    std::string token_path = r.RequiredString(table, "token_file", where, "a path");
    if (token_path.empty()) return std::nullopt;
    auto token = ReadSmallFile(r.base() / token_path);
    if (!token.ok()) {
      r.Problem(where + ".token_file", token.status().message());
      return std::nullopt;
    }
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
    if (token->size() < 16) {
      r.Problem(where + ".token_file",
                "the token in " + token_path + " is shorter than 16 characters");
      return std::nullopt;
    }
    reader.token_sha256 = crypto::Hash(crypto::HashAlgorithm::kSha256, *token);
    SecureWipe(token->data(), token->size());
  } else {
    auto key = r.KeyFile(table, "key", where, "path to the reader's public PEM file");
    if (!key) return std::nullopt;
    reader.key = std::move(*key);
  }
  if (reader.id.empty() || reader.role.empty()) return std::nullopt;
  return reader;
}

std::vector<ledger::GenesisReader> ParseReaders(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisReader> out;
  const toml::array* array = spec["reader"].as_array();
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "reader[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    if (auto reader = ParseReader(*table, r, where)) out.push_back(std::move(*reader));
  }
  return out;
}

std::vector<ledger::GenesisAdmin> ParseAdmins(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisAdmin> out;
  const toml::node* node = spec.get("admin");
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    r.Problem("spec", "'admin' must be an array of tables ([[admin]])");
    return out;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "admin[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    r.CheckKeys(*table, {"institution", "keys"}, where);
    ledger::GenesisAdmin admin;
    admin.institution = r.RequiredString(*table, "institution", where);
    auto keys = r.KeyFiles(*table, where, "a list of admin key file paths");
    if (!keys) continue;
    admin.keys = std::move(*keys);
    out.push_back(std::move(admin));
  }
  return out;
}

// [[tsa]] tables: institution and ca_cert (a path to its TSA's CA certificate, PEM).
std::vector<ledger::GenesisTsa> ParseTsas(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisTsa> out;
  const toml::node* node = spec.get("tsa");
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    r.Problem("spec", "'tsa' must be an array of tables ([[tsa]])");
    return out;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "tsa[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    r.CheckKeys(*table, {"institution", "ca_cert"}, where);
    std::string institution = r.RequiredString(*table, "institution", where);
    std::string path = r.RequiredString(*table, "ca_cert", where,
                                        "path to the CA certificate of its TSA, a PEM file");
    if (path.empty()) continue;
    auto pem = ReadSmallFile(r.base() / path);
    if (!pem.ok()) {
      r.Problem(where + ".ca_cert", pem.status().message());
      continue;
    }
    auto ca = crypto::ParseCaCertificate(*pem);
    if (!ca.ok()) {
      r.Problem(where + ".ca_cert", path + ": " + ca.status().message());
      continue;
    }
    out.push_back(ledger::GenesisTsa{std::move(institution), std::move(ca).value()});
  }
  return out;
}

// [[witness]] tables: name (its note key name) and key (its Ed25519 key, PEM).
std::vector<ledger::GenesisWitness> ParseWitnesses(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisWitness> out;
  const toml::node* node = spec.get("witness");
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    r.Problem("spec", "'witness' must be an array of tables ([[witness]])");
    return out;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "witness[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    r.CheckKeys(*table, {"name", "key"}, where);
    std::string name = r.RequiredString(*table, "name", where, "its key name, e.g. witness.example.org/w1");
    auto key = r.KeyFile(*table, "key", where, "path to the witness's Ed25519 key, a public PEM file");
    if (key) out.push_back(ledger::GenesisWitness{std::move(name), std::move(*key)});
  }
  return out;
}

std::vector<ledger::GenesisObserver> ParseObservers(const toml::table& spec, SpecReader& r) {
  std::vector<ledger::GenesisObserver> out;
  const toml::node* node = spec.get("observer");
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    r.Problem("spec", "'observer' must be an array of tables ([[observer]])");
    return out;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "observer[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      r.Problem(where, "must be a table");
      continue;
    }
    r.CheckKeys(*table, {"name", "institution", "node_key", "address"}, where);
    std::string name = r.RequiredString(*table, "name", where);
    std::string institution = r.RequiredString(*table, "institution", where);
    auto node_key = r.KeyFile(*table, "node_key", where,
                              "path to the observer's p2p TLS key, a public PEM file");
    std::string address =
        r.RequiredString(*table, "address", where, "host:port of its p2p listen");
    if (node_key) {
      out.push_back(ledger::GenesisObserver{std::move(name), std::move(institution),
                                            std::move(*node_key), std::move(address)});
    }
  }
  return out;
}

// The [params] table over the defaults; the threshold defaults to more than
// 2/3 of the admin institutions.
ledger::ChainParams ParseParams(const toml::table& spec, size_t institutions, SpecReader& r) {
  ledger::ChainParams params;
  params.governance_threshold = ledger::DefaultGovernanceThreshold(institutions);
  const toml::node* node = spec.get("params");
  if (node == nullptr) return params;
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    r.Problem("params", "must be a table");
    return params;
  }
  boost::json::object changes;
  for (const auto& [key, value] : *table) {
    auto integer = value.value<int64_t>();
    if (!integer) {
      r.Problem("params." + std::string(key.str()), "must be an integer");
      continue;
    }
    changes[std::string(key.str())] = *integer;
  }
  if (changes.empty()) return params;
  auto updated = ledger::ChainParamsUpdateFromJson(params, changes, "params", ledger::kGenesisCodes);
  if (!updated.ok()) {
    r.Problem("spec", updated.status().message());
    return params;
  }
  return *updated;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

Result<ledger::Genesis> BuildGenesis(const std::string& spec_path,
                                     std::optional<int64_t> genesis_time_option) {
  toml::table spec;
  try {
    spec = toml::parse_file(spec_path);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << spec_path << ":" << error.source().begin.line << ":" << error.source().begin.column
            << ": " << error.description();
    return Status::InvalidArgument(message.str());
  }
  SpecReader r(fs::path(spec_path).parent_path());
  r.CheckKeys(spec,
              {"chain_id", "hash", "genesis_time_ms", "validator", "agency", "reader", "admin",
               "observer", "params", "tsa", "witness"},
              "spec");
  std::string chain_id = r.RequiredString(spec, "chain_id", "spec");
  std::string hash_name = spec["hash"].value_or<std::string>("sha256");
  auto hash = crypto::ParseHashAlgorithm(hash_name);
  if (!hash.ok()) r.Problem("spec", "hash must be \"sha256\" or \"sm3\", not \"" + hash_name + "\"");
  std::optional<int64_t> genesis_time_ms = spec["genesis_time_ms"].value<int64_t>();
  if (spec.contains("genesis_time_ms") && !genesis_time_ms) {
    r.Problem("spec", "genesis_time_ms must be an integer (unix milliseconds)");
  }
  if (genesis_time_option && genesis_time_ms && *genesis_time_option != *genesis_time_ms) {
    r.Problem("spec", "genesis_time_ms " + std::to_string(*genesis_time_ms) +
                          " differs from --genesis-time-ms " + std::to_string(*genesis_time_option));
  }
  if (!genesis_time_ms) genesis_time_ms = genesis_time_option;
  if (!genesis_time_ms && !spec.contains("genesis_time_ms")) {
    r.Problem("spec", "genesis_time_ms (unix milliseconds of the chain's start) is required, in "
                      "the spec or as --genesis-time-ms: every institution that runs the same spec "
                      "must get the same genesis");
  }
  auto validators = ParseValidators(spec, r);
  auto agencies = ParseAgencies(spec, r);
  auto readers = ParseReaders(spec, r);
  auto admins = ParseAdmins(spec, r);
  auto observers = ParseObservers(spec, r);
  auto tsas = ParseTsas(spec, r);
  auto witnesses = ParseWitnesses(spec, r);
  if (admins.empty() &&
      (spec.contains("params") || !observers.empty() || !tsas.empty() || !witnesses.empty())) {
    r.Problem("spec",
              "[params], [[observer]], [[tsa]] and [[witness]] belong to a governed chain: add an "
              "[[admin]] table (institution and admin keys) for each validator institution");
  }
  ledger::GenesisContents contents;
  contents.version = admins.empty() ? 1 : 2;
  if (!admins.empty()) contents.params = ParseParams(spec, admins.size(), r);
  if (!r.problems().empty()) return Status::InvalidArgument(JoinLines(r.problems()));
  contents.chain_id = std::move(chain_id);
  contents.genesis_time_ms = *genesis_time_ms;
  contents.hash = *hash;
  contents.admins = std::move(admins);
  contents.validators = std::move(validators);
  contents.observers = std::move(observers);
  contents.tsas = std::move(tsas);
  contents.witnesses = std::move(witnesses);
  contents.agencies = std::move(agencies);
  contents.readers = std::move(readers);
  return ledger::Genesis::Create(std::move(contents));
}

}  // namespace

void RegisterGenesis(CLI::App& app) {
  auto* command = app.add_subcommand(
      "genesis",
      "Build a genesis file from a TOML spec of validators, agencies and readers.\n"
      "Every field, with a complete example: configs/genesis-spec.toml. Prints the file's\n"
      "sha256, which every institution compares (sha256sum genesis.json).");
  auto spec_path = std::make_shared<std::string>();
  auto out_path = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto genesis_time_ms = std::make_shared<std::optional<int64_t>>();
  command->add_option("--spec", *spec_path, "TOML spec (configs/genesis-spec.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--out", *out_path, "Where to write genesis.json")->required();
  command->add_option("--genesis-time-ms", *genesis_time_ms,
                      "The chain's start in unix milliseconds, when the spec has no "
                      "genesis_time_ms");
  command->add_flag("--force", *force, "Overwrite an existing output file");
  command->callback([spec_path, out_path, force, genesis_time_ms] {
    if (!*force && fs::exists(*out_path)) {
      PrintError(kCommand, *out_path + " exists; pass --force to overwrite it");
      SetExitCode(1);
      return;
    }
    auto genesis = BuildGenesis(*spec_path, *genesis_time_ms);
    if (!genesis.ok()) {
      PrintError(kCommand, genesis.status().message());
      SetExitCode(2);
      return;
    }
    Status saved = genesis->Save(*out_path);
    if (!saved.ok()) {
      PrintError(kCommand, saved.message());
      SetExitCode(1);
      return;
    }
    // The bytes just written: what every institution's sha256sum must show.
    std::string text = genesis->ToJson();
    std::cout << "wrote " << *out_path << ": chain " << genesis->chain_id() << ", "
              << genesis->validators().size() << " validators, " << genesis->agencies().size()
              << " agencies, " << genesis->readers().size() << " readers";
    if (genesis->governed()) {
      std::cout << ", " << genesis->observers().size() << " observers, governed by "
                << genesis->admins().size() << " institutions (threshold "
                << genesis->params().governance_threshold << ")";
    }
    std::cout << "\n"
              << "genesis file sha256 "
              << crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, text))
              << "  (every institution compares this with `sha256sum genesis.json`)\n";
  });
}

}  // namespace evidence::cli
