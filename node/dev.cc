#include "node/dev.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/genesis.h"

namespace evidence::node {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAgencyId = "dev-agency";

Result<std::string> RandomHex(size_t bytes) {
  Bytes buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    return Status::Internal("dev: no randomness from OpenSSL");
  }
  return HexEncode(buffer);
}

Status WriteSecretFile(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("dev: cannot create " + path);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : Status::IoError("dev: cannot write " + path);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("dev: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<crypto::PrivateKey> NewKey(const std::string& path,
                                  crypto::SignatureAlgorithm algorithm =
                                      crypto::SignatureAlgorithm::kEd25519) {
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(algorithm));
  EVIDENCE_RETURN_IF_ERROR(key.SavePem(path));
  return key;
}

Status CreateDevChain(const DevChain& chain, crypto::HashAlgorithm hash, int64_t past_window_ms,
                      const std::string& admin_key_path) {
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey vote_key, NewKey(chain.vote_key_path));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey node_key, NewKey(chain.node_key_path));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey agency_key, NewKey(chain.agency_key_path));
  EVIDENCE_ASSIGN_OR_RETURN(
      crypto::PrivateKey agency_p256_key,
      NewKey(chain.agency_p256_key_path, crypto::SignatureAlgorithm::kP256));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey agency_sm2_key,
                            NewKey(chain.agency_sm2_key_path, crypto::SignatureAlgorithm::kSm2));
  EVIDENCE_ASSIGN_OR_RETURN(std::string suffix, RandomHex(4));
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::vector<ledger::GenesisValidator> validators;
  // Names people read in the portal and in receipts' printouts.
  validators.push_back({"dev", "本机开发验证节点 (development validator)", vote_key.public_key(),
                        node_key.public_key(), 1, "127.0.0.1:0"});
  std::vector<ledger::GenesisAgency> agencies;
  agencies.push_back({std::string(kAgencyId), "开发测试执法局 (development agency)",
                      "开发测试 (development)",
                      {agency_key.public_key(), agency_p256_key.public_key(),
                       agency_sm2_key.public_key()}});
  std::vector<ledger::GenesisReader> readers;
  readers.push_back({"dev-reader", "court",
                     crypto::Hash(crypto::HashAlgorithm::kSha256, chain.reader_token),
                     std::nullopt});
  // The supervision office's reader (supervision reports, GET /v1/reports/supervision).
  readers.push_back({"dev-supervisor", "supervisor",
                     crypto::Hash(crypto::HashAlgorithm::kSha256, chain.supervisor_token),
                     std::nullopt});
  ledger::GenesisContents contents;
  contents.version = 1;
  contents.chain_id = "dev-" + suffix;
  contents.genesis_time_ms = now_ms;
  contents.hash = hash;
  contents.params = ledger::kLegacyChainParams;
  if (past_window_ms != ledger::kLegacyChainParams.record_past_window_ms) {
    // Params other than the legacy ones need a version-2 genesis, hence an admin.
    EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey admin_key, NewKey(admin_key_path));
    contents.version = 2;
    contents.params.record_past_window_ms = past_window_ms;
    contents.params.governance_threshold = 1;
    contents.admins.push_back({validators[0].institution, {admin_key.public_key()}});
  }
  contents.validators = std::move(validators);
  contents.agencies = std::move(agencies);
  contents.readers = std::move(readers);
  EVIDENCE_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::Genesis::Create(std::move(contents)));
  return genesis.Save(chain.genesis_path);
}

}  // namespace

Result<DevChain> PrepareDevChain(const std::string& dir, crypto::HashAlgorithm hash,
                                 int64_t past_window_ms) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Status::IoError("dev: cannot create " + dir + ": " + error.message());
  DevChain chain;
  chain.genesis_path = dir + "/genesis.json";
  chain.vote_key_path = dir + "/validator-vote.pem";
  chain.node_key_path = dir + "/validator-node.pem";
  chain.agency_id = std::string(kAgencyId);
  chain.agency_key_path = dir + "/agency.pem";
  chain.agency_p256_key_path = dir + "/agency-p256.pem";
  chain.agency_sm2_key_path = dir + "/agency-sm2.pem";
  chain.data_dir = dir + "/data";
  std::string token_path = dir + "/reader-token";
  std::string supervisor_token_path = dir + "/supervisor-token";
  const std::string admin_key_path = dir + "/admin.pem";
  if (!fs::exists(chain.genesis_path)) {
    // Keys and the token first, genesis last: genesis marks a complete dev chain.
    for (const std::string& path :
         {chain.vote_key_path, chain.node_key_path, chain.agency_key_path,
          chain.agency_p256_key_path, chain.agency_sm2_key_path, token_path,
          supervisor_token_path, admin_key_path}) {
      fs::remove(path, error);
    }
    EVIDENCE_ASSIGN_OR_RETURN(chain.reader_token, RandomHex(16));
    EVIDENCE_RETURN_IF_ERROR(WriteSecretFile(token_path, chain.reader_token));
    EVIDENCE_ASSIGN_OR_RETURN(chain.supervisor_token, RandomHex(16));
    EVIDENCE_RETURN_IF_ERROR(WriteSecretFile(supervisor_token_path, chain.supervisor_token));
    EVIDENCE_RETURN_IF_ERROR(CreateDevChain(chain, hash, past_window_ms, admin_key_path));
    chain.created = true;
  } else {
    EVIDENCE_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::Genesis::Load(chain.genesis_path));
    const int64_t made_with = genesis.params().record_past_window_ms;
    if (made_with != past_window_ms) {
      return Status::InvalidArgument(
          "dev: the chain in " + dir + " was made with a past window of " +
          std::to_string(made_with / 86'400'000) + " days, not " +
          std::to_string(past_window_ms / 86'400'000) +
          " (a chain param, fixed in its genesis): remove the directory for a new chain");
    }
    EVIDENCE_ASSIGN_OR_RETURN(chain.reader_token, ReadFile(token_path));
    // Dev chains made before the supervisor reader existed have no token for it.
    if (fs::exists(supervisor_token_path)) {
      EVIDENCE_ASSIGN_OR_RETURN(chain.supervisor_token, ReadFile(supervisor_token_path));
    }
  }
  fs::create_directories(chain.data_dir, error);
  if (error) return Status::IoError("dev: cannot create " + chain.data_dir);
  return chain;
}

}  // namespace evidence::node
