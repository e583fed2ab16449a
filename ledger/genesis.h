// The genesis file (DESIGN.md §3): the chain's identity and every key it trusts.
//
//   { "chain_id": "...", "genesis_time_ms": <unix ms>, "hash": "sha256" | "sm3",
//     "validators": [ { "name", "institution", "vote_key": "<SPKI PEM>",
//                       "node_key": "<SPKI PEM>", "power": N, "address": "host:port" } ],
//     "agencies":   [ { "id", "name", "institution", "keys": ["<SPKI PEM>", ...] } ],
//     "readers":    [ { "id", "role", "token_sha256": "<64 hex>" } | { "id", "role", "key": "<SPKI PEM>" } ] }
//
// Parsing is strict (unknown, missing, duplicate fields refused; every refusal is
// "genesis.invalid: <where>: <what>"). The genesis hash is H(JCS(genesis JSON)) with
// the chain's hash.
//
// Thread-safety: a Genesis is an immutable value once loaded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/vote.h"

namespace evidence::ledger {

inline constexpr size_t kGenesisBytesMax = 4 * 1024 * 1024;
inline constexpr size_t kGenesisAgenciesMax = 10'000;
inline constexpr size_t kGenesisAgencyKeysMax = 16;
inline constexpr size_t kGenesisReadersMax = 10'000;
inline constexpr size_t kGenesisNameBytesMax = 256;

struct GenesisValidator {
  std::string name;
  std::string institution;
  crypto::PublicKey vote_key;
  crypto::PublicKey node_key;
  uint64_t power = 1;
  std::string address;  // host:port of its P2P endpoint
};

struct GenesisAgency {
  std::string id;
  std::string name;
  std::string institution;
  std::vector<crypto::PublicKey> keys;
};

struct GenesisReader {
  std::string id;
  std::string role;
  std::optional<crypto::Digest> token_sha256;  // exactly one of token_sha256, key
  std::optional<crypto::PublicKey> key;
};

class Genesis {
 public:
  // Validates everything (sizes, identifiers, unique names/ids/keys, powers) and
  // builds the validator set.
  static Result<Genesis> Create(std::string chain_id, int64_t genesis_time_ms,
                                crypto::HashAlgorithm hash,
                                std::vector<GenesisValidator> validators,
                                std::vector<GenesisAgency> agencies,
                                std::vector<GenesisReader> readers);
  static Result<Genesis> Parse(std::string_view json_text);
  static Result<Genesis> Load(const std::string& path);

  // JSON text (pretty enough for humans: one JCS document plus a newline).
  std::string ToJson() const;
  // Writes the file atomically (temporary file, fsync, rename).
  Status Save(const std::string& path) const;

  const std::string& chain_id() const { return chain_id_; }
  int64_t genesis_time_ms() const { return genesis_time_ms_; }
  crypto::HashAlgorithm hash() const { return hash_; }
  const std::vector<GenesisValidator>& validators() const { return validators_; }
  const std::vector<GenesisAgency>& agencies() const { return agencies_; }
  const std::vector<GenesisReader>& readers() const { return readers_; }
  const ValidatorSet& validator_set() const { return validator_set_; }
  crypto::Digest validator_set_hash() const { return validator_set_.Hash(hash_); }
  // H(JCS(genesis JSON)).
  crypto::Digest Hash() const;

  const GenesisAgency* FindAgency(std::string_view id) const;
  // The key with this id registered for `agency`, or nullptr.
  const crypto::PublicKey* FindAgencyKey(std::string_view agency, std::string_view key_id) const;

 private:
  std::string chain_id_;
  int64_t genesis_time_ms_ = 0;
  crypto::HashAlgorithm hash_ = crypto::HashAlgorithm::kSha256;
  std::vector<GenesisValidator> validators_;
  std::vector<GenesisAgency> agencies_;
  std::vector<GenesisReader> readers_;
  ValidatorSet validator_set_;
};

}  // namespace evidence::ledger
