// evidence genesis --spec SPEC.toml --out genesis.json
//
// Builds a genesis file from a TOML spec that names the institutions' validator
// keys, the agencies' keys and the readers. Key paths may point at public or
// private PEM files (only the public part goes into genesis) and are relative to
// the spec file. Readers hold a bearer token (only its SHA-256 goes into genesis)
// given as `token_sha256`, or `token_file` (a file whose content, without a final
// newline, is the token), or a client key `key`.
//
// A spec with [[admin]] tables (institution, keys) makes a governed genesis
// (version 2, docs/governance.md): its optional [params] table sets the chain's
// rules (ledger/chain_params.h; every one left out keeps its default, and
// governance_threshold defaults to more than 2/3 of the admin institutions),
// and [[observer]] tables (name, institution, node_key, address) admit nodes
// that do not vote. Without [[admin]] the genesis is version 1, as before.
#include <toml++/toml.h>

#include <boost/json.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
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

// Checks that a table holds only the allowed keys, so a typo is not silently ignored.
Status CheckKeys(const toml::table& table, const std::set<std::string>& allowed,
                 const std::string& where) {
  for (const auto& [key, value] : table) {
    if (!allowed.contains(std::string(key.str()))) {
      return Status::InvalidArgument(where + ": unknown key '" + std::string(key.str()) + "'");
    }
  }
  return Status::Ok();
}

Result<std::string> RequiredString(const toml::table& table, const char* key,
                                   const std::string& where) {
  auto value = table[key].value<std::string>();
  if (!value || value->empty()) {
    return Status::InvalidArgument(where + ": '" + key + "' (a non-empty string) is required");
  }
  return *value;
}

const toml::array* ArrayOfTables(const toml::table& spec, const char* key) {
  return spec[key].as_array();
}

Result<std::vector<ledger::GenesisValidator>> ParseValidators(const toml::table& spec,
                                                              const fs::path& base) {
  std::vector<ledger::GenesisValidator> out;
  const toml::array* array = ArrayOfTables(spec, "validator");
  if (array == nullptr || array->empty()) {
    return Status::InvalidArgument("spec: at least one [[validator]] is required");
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "validator[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(where + ": must be a table");
    EVIDENCE_RETURN_IF_ERROR(CheckKeys(
        *table, {"name", "institution", "vote_key", "node_key", "power", "address"}, where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string name, RequiredString(*table, "name", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string institution,
                              RequiredString(*table, "institution", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string vote_path, RequiredString(*table, "vote_key", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string node_path, RequiredString(*table, "node_key", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string address, RequiredString(*table, "address", where));
    int64_t power = (*table)["power"].value_or<int64_t>(1);
    if (power <= 0) return Status::InvalidArgument(where + ": power must be positive");
    EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey vote_key, LoadAnyPublicKey(base / vote_path));
    EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node_key, LoadAnyPublicKey(base / node_path));
    out.push_back(ledger::GenesisValidator{std::move(name), std::move(institution),
                                           std::move(vote_key), std::move(node_key),
                                           static_cast<uint64_t>(power), std::move(address)});
  }
  return out;
}

Result<std::vector<ledger::GenesisAgency>> ParseAgencies(const toml::table& spec,
                                                         const fs::path& base) {
  std::vector<ledger::GenesisAgency> out;
  const toml::array* array = ArrayOfTables(spec, "agency");
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "agency[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(where + ": must be a table");
    EVIDENCE_RETURN_IF_ERROR(CheckKeys(*table, {"id", "name", "institution", "keys"}, where));
    ledger::GenesisAgency agency;
    EVIDENCE_ASSIGN_OR_RETURN(agency.id, RequiredString(*table, "id", where));
    EVIDENCE_ASSIGN_OR_RETURN(agency.name, RequiredString(*table, "name", where));
    EVIDENCE_ASSIGN_OR_RETURN(agency.institution, RequiredString(*table, "institution", where));
    const toml::array* keys = (*table)["keys"].as_array();
    if (keys == nullptr || keys->empty()) {
      return Status::InvalidArgument(where + ": 'keys' (a list of key file paths) is required");
    }
    for (const auto& key_node : *keys) {
      auto path = key_node.value<std::string>();
      if (!path) return Status::InvalidArgument(where + ": 'keys' must hold file paths");
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadAnyPublicKey(base / *path));
      agency.keys.push_back(std::move(key));
    }
    out.push_back(std::move(agency));
  }
  return out;
}

Result<ledger::GenesisReader> ParseReader(const toml::table& table, const fs::path& base,
                                          const std::string& where) {
  EVIDENCE_RETURN_IF_ERROR(
      CheckKeys(table, {"id", "role", "token_sha256", "token_file", "key"}, where));
  ledger::GenesisReader reader;
  EVIDENCE_ASSIGN_OR_RETURN(reader.id, RequiredString(table, "id", where));
  EVIDENCE_ASSIGN_OR_RETURN(reader.role, RequiredString(table, "role", where));
  int given = table.contains("token_sha256") + table.contains("token_file") + table.contains("key");
  if (given != 1) {
    return Status::InvalidArgument(where + ": give exactly one of token_sha256, token_file, key");
  }
  if (auto hex = table["token_sha256"].value<std::string>()) {
    auto digest = crypto::DigestFromHex(*hex);
    if (!digest.ok()) return digest.status().WithContext(where + ": token_sha256");
    reader.token_sha256 = *digest;
  } else if (auto token_path = table["token_file"].value<std::string>()) {
    EVIDENCE_ASSIGN_OR_RETURN(std::string token, ReadSmallFile(base / *token_path));
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.size() < 16) {
      return Status::InvalidArgument(where + ": the token in " + *token_path +
                                     " is shorter than 16 characters");
    }
    reader.token_sha256 = crypto::Hash(crypto::HashAlgorithm::kSha256, token);
    SecureWipe(token.data(), token.size());
  } else {
    auto key_path = table["key"].value<std::string>();
    if (!key_path) return Status::InvalidArgument(where + ": 'key' must be a file path");
    EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadAnyPublicKey(base / *key_path));
    reader.key = std::move(key);
  }
  return reader;
}

Result<std::vector<ledger::GenesisReader>> ParseReaders(const toml::table& spec,
                                                        const fs::path& base) {
  std::vector<ledger::GenesisReader> out;
  const toml::array* array = ArrayOfTables(spec, "reader");
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "reader[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(where + ": must be a table");
    EVIDENCE_ASSIGN_OR_RETURN(ledger::GenesisReader reader, ParseReader(*table, base, where));
    out.push_back(std::move(reader));
  }
  return out;
}

Result<std::vector<ledger::GenesisAdmin>> ParseAdmins(const toml::table& spec,
                                                     const fs::path& base) {
  std::vector<ledger::GenesisAdmin> out;
  const toml::array* array = ArrayOfTables(spec, "admin");
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "admin[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(where + ": must be a table");
    EVIDENCE_RETURN_IF_ERROR(CheckKeys(*table, {"institution", "keys"}, where));
    ledger::GenesisAdmin admin;
    EVIDENCE_ASSIGN_OR_RETURN(admin.institution, RequiredString(*table, "institution", where));
    const toml::array* keys = (*table)["keys"].as_array();
    if (keys == nullptr || keys->empty()) {
      return Status::InvalidArgument(where + ": 'keys' (a list of admin key file paths) is required");
    }
    for (const auto& key_node : *keys) {
      auto path = key_node.value<std::string>();
      if (!path) return Status::InvalidArgument(where + ": 'keys' must hold file paths");
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, LoadAnyPublicKey(base / *path));
      admin.keys.push_back(std::move(key));
    }
    out.push_back(std::move(admin));
  }
  return out;
}

Result<std::vector<ledger::GenesisObserver>> ParseObservers(const toml::table& spec,
                                                           const fs::path& base) {
  std::vector<ledger::GenesisObserver> out;
  const toml::array* array = ArrayOfTables(spec, "observer");
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = "observer[" + std::to_string(i) + "]";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(where + ": must be a table");
    EVIDENCE_RETURN_IF_ERROR(
        CheckKeys(*table, {"name", "institution", "node_key", "address"}, where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string name, RequiredString(*table, "name", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string institution,
                              RequiredString(*table, "institution", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string node_path, RequiredString(*table, "node_key", where));
    EVIDENCE_ASSIGN_OR_RETURN(std::string address, RequiredString(*table, "address", where));
    EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node_key, LoadAnyPublicKey(base / node_path));
    out.push_back(ledger::GenesisObserver{std::move(name), std::move(institution),
                                          std::move(node_key), std::move(address)});
  }
  return out;
}

// The [params] table over the defaults; the threshold defaults to more than
// 2/3 of the admin institutions.
Result<ledger::ChainParams> ParseParams(const toml::table& spec, size_t institutions) {
  ledger::ChainParams params;
  params.governance_threshold = ledger::DefaultGovernanceThreshold(institutions);
  const toml::node* node = spec.get("params");
  if (node == nullptr) return params;
  const toml::table* table = node->as_table();
  if (table == nullptr) return Status::InvalidArgument("params: must be a table");
  boost::json::object changes;
  for (const auto& [key, value] : *table) {
    auto integer = value.value<int64_t>();
    if (!integer) {
      return Status::InvalidArgument("params." + std::string(key.str()) + ": must be an integer");
    }
    changes[std::string(key.str())] = *integer;
  }
  if (changes.empty()) return params;
  auto updated = ledger::ChainParamsUpdateFromJson(params, changes, "params", ledger::kGenesisCodes);
  if (!updated.ok()) return Status::InvalidArgument(updated.status().message());
  return *updated;
}

Result<ledger::Genesis> BuildGenesis(const std::string& spec_path) {
  toml::table spec;
  try {
    spec = toml::parse_file(spec_path);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << spec_path << ":" << error.source().begin.line << ":" << error.source().begin.column
            << ": " << error.description();
    return Status::InvalidArgument(message.str());
  }
  EVIDENCE_RETURN_IF_ERROR(CheckKeys(spec,
                                     {"chain_id", "hash", "genesis_time_ms", "validator", "agency",
                                      "reader", "admin", "observer", "params"},
                                     "spec"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string chain_id, RequiredString(spec, "chain_id", "spec"));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::HashAlgorithm hash,
                            crypto::ParseHashAlgorithm(spec["hash"].value_or<std::string>("sha256")));
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int64_t genesis_time_ms = spec["genesis_time_ms"].value_or(now_ms);
  fs::path base = fs::path(spec_path).parent_path();
  EVIDENCE_ASSIGN_OR_RETURN(auto validators, ParseValidators(spec, base));
  EVIDENCE_ASSIGN_OR_RETURN(auto agencies, ParseAgencies(spec, base));
  EVIDENCE_ASSIGN_OR_RETURN(auto readers, ParseReaders(spec, base));
  EVIDENCE_ASSIGN_OR_RETURN(auto admins, ParseAdmins(spec, base));
  EVIDENCE_ASSIGN_OR_RETURN(auto observers, ParseObservers(spec, base));
  ledger::GenesisContents contents;
  contents.version = admins.empty() ? 1 : 2;
  if (admins.empty() && (spec.contains("params") || !observers.empty())) {
    return Status::InvalidArgument(
        "spec: [params] and [[observer]] belong to a governed chain: add an [[admin]] table "
        "(institution and admin keys) for each validator institution");
  }
  contents.chain_id = std::move(chain_id);
  contents.genesis_time_ms = genesis_time_ms;
  contents.hash = hash;
  if (!admins.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(contents.params, ParseParams(spec, admins.size()));
  }
  contents.admins = std::move(admins);
  contents.validators = std::move(validators);
  contents.observers = std::move(observers);
  contents.agencies = std::move(agencies);
  contents.readers = std::move(readers);
  return ledger::Genesis::Create(std::move(contents));
}

}  // namespace

void RegisterGenesis(CLI::App& app) {
  auto* command = app.add_subcommand(
      "genesis", "Build a genesis file from a TOML spec of validators, agencies and readers");
  auto spec_path = std::make_shared<std::string>();
  auto out_path = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  command->add_option("--spec", *spec_path, "TOML spec (see docs/operations.md)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--out", *out_path, "Where to write genesis.json")->required();
  command->add_flag("--force", *force, "Overwrite an existing output file");
  command->callback([spec_path, out_path, force] {
    if (!*force && fs::exists(*out_path)) {
      PrintError(kCommand, *out_path + " exists; pass --force to overwrite it");
      SetExitCode(1);
      return;
    }
    auto genesis = BuildGenesis(*spec_path);
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
    std::cout << "wrote " << *out_path << ": chain " << genesis->chain_id() << ", "
              << genesis->validators().size() << " validators, " << genesis->agencies().size()
              << " agencies, " << genesis->readers().size() << " readers, ";
    if (genesis->governed()) {
      std::cout << genesis->observers().size() << " observers, governed by "
                << genesis->admins().size() << " institutions (threshold "
                << genesis->params().governance_threshold << "), ";
    }
    std::cout << "genesis hash " << crypto::DigestHex(genesis->Hash()) << "\n";
  });
}

}  // namespace evidence::cli
