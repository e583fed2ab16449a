// The genesis file (DESIGN.md §3): the chain's identity and every key it trusts
// at height 1. Version 2 (docs/governance.md) adds what governance needs:
//
//   { "v": 2, "chain_id": "...", "genesis_time_ms": <unix ms>, "hash": "sha256" | "sm3",
//     "params":     { ... ledger/chain_params.h ... },
//     "admins":     [ { "institution", "keys": ["<SPKI PEM>", ...] } ],
//     "validators": [ { "name", "institution", "vote_key": "<SPKI PEM>",
//                       "node_key": "<SPKI PEM>", "power": N, "address": "host:port" } ],
//     "observers":  [ { "name", "institution", "node_key": "<SPKI PEM>", "address" } ],
//     "agencies":   [ { "id", "name", "institution", "keys": ["<SPKI PEM>", ...] } ],
//     "readers":    [ { "id", "role", "token_sha256": "<64 hex>" } | { "id", "role", "key": "<SPKI PEM>" } ],
//     "tsas":       [ { "institution", "ca_cert": "<X.509 PEM>" } ],        (optional)
//     "witnesses":  [ { "name": "<note key name>", "key": "<SPKI PEM>" } ] } (optional)
//
// Version 1 (no "v" member) has only chain_id, genesis_time_ms, hash,
// validators, agencies and readers: it still loads, with kLegacyChainParams and
// no admins (such a chain cannot be governed), and its ToJson is byte for byte
// the version-1 document, so its genesis hash (and every store made for it)
// stays the same.
//
// In version 2 every validator's institution has admin keys (separate from
// every vote, node and agency key); params.governance_threshold is 1..number of
// admin institutions. Observers are nodes admitted to the network without a
// vote (they sync and serve reads). Names are unique over validators and
// observers, node keys over both.
//
// Parsing is strict (unknown, missing, duplicate fields refused; every refusal is
// "genesis.invalid: <where>: <what>"). The genesis hash is H(JCS(genesis JSON)) with
// the chain's hash.
//
// Trusted time (docs/timestamps.md, docs/witness.md), version 2 only, each list
// left out of the JSON when empty (so a genesis without them keeps its hash):
// "tsas" names, per institution that holds admin keys, the CA certificate its
// time-stamping authority's certificates are issued by (crypto::CaCertificate:
// canonical PEM, CA:TRUE); "witnesses" the outside witnesses whose checkpoint
// cosignatures (c2sp.org/tlog-cosignature) the ledger accepts: a note key name
// (crypto::IsNoteKeyName) and an Ed25519 key, a key no other entry holds.
//
// Thread-safety: a Genesis is an immutable value once loaded.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "crypto/timestamp.h"
#include "ledger/chain_params.h"
#include "ledger/json_fields.h"
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

// The admin keys of one institution: any one of them signs governance actions
// on the institution's behalf.
struct GenesisAdmin {
  std::string institution;
  std::vector<crypto::PublicKey> keys;
};

// A node admitted to the network that does not vote.
struct GenesisObserver {
  std::string name;
  std::string institution;
  crypto::PublicKey node_key;
  std::string address;  // host:port of its P2P endpoint
};

// The CA certificate that issues an institution's TSA certificates.
struct GenesisTsa {
  std::string institution;
  crypto::CaCertificate ca_cert;
};

// An outside witness: its note key name and Ed25519 key (its vkey is
// crypto::NoteKey::ForWitness(name, key).Vkey()).
struct GenesisWitness {
  std::string name;
  crypto::PublicKey key;
};

// Everything a genesis file holds.
struct GenesisContents {
  int version = 2;  // 1: the format before governance
  std::string chain_id;
  int64_t genesis_time_ms = 0;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
  ChainParams params;  // kLegacyChainParams in version 1
  std::vector<GenesisAdmin> admins;  // empty in version 1
  std::vector<GenesisValidator> validators;
  std::vector<GenesisObserver> observers;  // empty in version 1
  std::vector<GenesisAgency> agencies;
  std::vector<GenesisReader> readers;
  std::vector<GenesisTsa> tsas;            // empty in version 1
  std::vector<GenesisWitness> witnesses;   // empty in version 1
};

// More than 2/3 of `institutions` (the default governance threshold: 3 of 4).
uint64_t DefaultGovernanceThreshold(size_t institutions);

// The rule for every name of the register (validator and observer names,
// institutions, agency and reader ids, roles, addresses): 1..256 bytes of UTF-8
// without control characters; `identifier` also limits it to A-Z a-z 0-9 . _ -.
// Refusals carry `code` and name `where`.
Status CheckRegisterName(ErrorCode code, const std::string& where, std::string_view value,
                         bool identifier);

// The JSON of one entry, as genesis and governance actions (ledger/governance.h)
// write it; refusals carry the codes of the document being read and name `where`.
Result<GenesisValidator> GenesisValidatorFromJson(const boost::json::value& value,
                                                  const std::string& where, SchemaCodes codes);
Result<GenesisAgency> GenesisAgencyFromJson(const boost::json::value& value,
                                            const std::string& where, SchemaCodes codes);
Result<GenesisReader> GenesisReaderFromJson(const boost::json::value& value,
                                            const std::string& where, SchemaCodes codes);
Result<GenesisObserver> GenesisObserverFromJson(const boost::json::value& value,
                                                const std::string& where, SchemaCodes codes);
Result<GenesisTsa> GenesisTsaFromJson(const boost::json::value& value, const std::string& where,
                                      SchemaCodes codes);
Result<GenesisWitness> GenesisWitnessFromJson(const boost::json::value& value,
                                              const std::string& where, SchemaCodes codes);
boost::json::object GenesisTsaToJson(const GenesisTsa& tsa);
boost::json::object GenesisWitnessToJson(const GenesisWitness& witness);
// A witness's name and key as the register requires them: a note key name of
// at most kGenesisNameBytesMax bytes and an Ed25519 key. Refusals carry `code`.
Status CheckWitnessEntry(ErrorCode code, const std::string& where, const GenesisWitness& witness);
boost::json::object GenesisValidatorToJson(const GenesisValidator& validator);
boost::json::object GenesisAgencyToJson(const GenesisAgency& agency);
boost::json::object GenesisReaderToJson(const GenesisReader& reader);
boost::json::object GenesisObserverToJson(const GenesisObserver& observer);

class Genesis {
 public:
  // Validates everything (sizes, identifiers, unique names/ids/keys, powers,
  // params, admins) and builds the validator set.
  static Result<Genesis> Create(GenesisContents contents);
  // A version-1 genesis (no governance, legacy params).
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

  int version() const { return c_.version; }
  // Version 2: the chain has admin keys and may be governed.
  bool governed() const { return c_.version >= 2; }
  const std::string& chain_id() const { return c_.chain_id; }
  int64_t genesis_time_ms() const { return c_.genesis_time_ms; }
  crypto::HashAlgorithm hash() const { return c_.hash; }
  const ChainParams& params() const { return c_.params; }
  const std::vector<GenesisAdmin>& admins() const { return c_.admins; }
  const std::vector<GenesisValidator>& validators() const { return c_.validators; }
  const std::vector<GenesisObserver>& observers() const { return c_.observers; }
  const std::vector<GenesisAgency>& agencies() const { return c_.agencies; }
  const std::vector<GenesisReader>& readers() const { return c_.readers; }
  const std::vector<GenesisTsa>& tsas() const { return c_.tsas; }
  const std::vector<GenesisWitness>& witnesses() const { return c_.witnesses; }
  const GenesisContents& contents() const { return c_; }
  const ValidatorSet& validator_set() const { return validator_set_; }
  crypto::Digest validator_set_hash() const { return validator_set_.Hash(c_.hash); }
  // H(JCS(genesis JSON)).
  crypto::Digest Hash() const;

  const GenesisAgency* FindAgency(std::string_view id) const;
  // The key with this id registered for `agency`, or nullptr.
  const crypto::PublicKey* FindAgencyKey(std::string_view agency, std::string_view key_id) const;

 private:
  GenesisContents c_;
  ValidatorSet validator_set_;
};

}  // namespace evidence::ledger
