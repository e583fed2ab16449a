// GovernanceState: the chain's register at one point of its history — who may
// write (agencies and their keys), who may read (readers), who validates
// (validators) and observes (observer nodes), who governs (institutions and
// their admin keys) and by which rules (ChainParams). Genesis is the first
// state; each governance action (ledger/governance.h) makes the next one.
//
// States are immutable snapshots shared between threads (the consensus thread
// publishes a new one after a block that changes the register; the API and
// verification threads keep reading the one they hold): they are handed out as
// std::shared_ptr<const GovernanceState>.
//
// What is kept beyond the current register, because verifying old receipts
// and answering "was this key valid then?" needs it: revoked agency and admin
// keys stay with their revocation (reason, the agency-claimed effective time,
// the action's sequence number, the height and time of the block that
// committed it), and removed agencies stay with their removal. A revoked key
// or a removed agency id is never registered again.
//
// The state hash (in version-2 block headers, docs/governance.md) is
//   H("EVIDENCE-STATE/v1\n" || JCS(ToJson()))
// with the chain's hash; ToJson is the document GET /v1/governance shows:
//   { "v": 1, "chain_id", "hash", "genesis_time_ms", "next_seq",
//     "params": {...}, "validators_since": <height>,
//     "admins":     [ { "institution", "keys": [<key>, ...] } ],
//     "validators": [ <genesis validator> ], "observers": [ <genesis observer> ],
//     "agencies":   [ { "id", "name", "institution", "keys": [<key>, ...],
//                       "removed"?: { "seq", "height", "time_ms" } } ],
//     "readers":    [ <genesis reader> ],
//     "retired_keys": [ "<key id>", ... ],    vote, node and witness keys that left the register
//     "tsas":       [ <genesis tsa> ],         (left out when empty)
//     "witnesses":  [ <genesis witness> ] }    (left out when empty)
//   <key> = { "key": "<SPKI PEM>", "revoked"?: { "reason", "effective_ms", "seq",
//                                                 "height", "time_ms" } }
// Lists keep the order entries were added in (validator indexes are positions).
//
// Thread-safety: immutable once built; any thread may read it.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/chain_params.h"
#include "ledger/genesis.h"
#include "ledger/vote.h"

namespace evidence::ledger {

inline constexpr std::string_view kStateHashDomain = "EVIDENCE-STATE/v1\n";

// When and why a key stopped being trusted.
struct KeyRevocation {
  std::string reason;        // "rotated" | "compromised" (agency keys), "revoked" (admin keys)
  int64_t effective_ms = 0;  // agency-claimed: from when the key is not to be trusted
  uint64_t seq = 0;          // the governance action that revoked it
  uint64_t height = 0;       // the block that committed that action
  int64_t time_ms = 0;       // that block's time
  bool operator==(const KeyRevocation&) const = default;
};

struct RegisteredKey {
  crypto::PublicKey key;
  std::optional<KeyRevocation> revoked;
};

// When an entry was removed from the register.
struct Removal {
  uint64_t seq = 0;
  uint64_t height = 0;
  int64_t time_ms = 0;
  bool operator==(const Removal&) const = default;
};

struct AgencyEntry {
  std::string id;
  std::string name;
  std::string institution;
  std::vector<RegisteredKey> keys;
  std::optional<Removal> removed;
};

struct AdminEntry {
  std::string institution;
  std::vector<RegisteredKey> keys;
  // Admin keys not revoked.
  size_t active_keys() const;
};

class GovernanceState {
 public:
  // The state at genesis (before any block).
  static std::shared_ptr<const GovernanceState> FromGenesis(const Genesis& genesis);

  // Identity (never changes).
  const std::string& chain_id() const { return chain_id_; }
  crypto::HashAlgorithm hash() const { return hash_; }
  int64_t genesis_time_ms() const { return genesis_time_ms_; }
  // A chain whose genesis has admins (version 2).
  bool governed() const { return governed_; }

  // The sequence number the next governance action must carry (1 first).
  uint64_t next_seq() const { return next_seq_; }
  const ChainParams& params() const { return params_; }
  const std::vector<AdminEntry>& admins() const { return admins_; }
  const std::vector<GenesisValidator>& validators() const { return validators_; }
  const ValidatorSet& validator_set() const { return validator_set_; }
  crypto::Digest validator_set_hash() const { return validator_set_.Hash(hash_); }
  // The first height at which this exact validator list is in force (1 at
  // genesis); the proposer rotation restarts there.
  uint64_t validators_since() const { return validators_since_; }
  const std::vector<GenesisObserver>& observers() const { return observers_; }
  const std::vector<AgencyEntry>& agencies() const { return agencies_; }
  const std::vector<GenesisReader>& readers() const { return readers_; }
  // Per institution, the CA certificate of its time-stamping authority.
  const std::vector<GenesisTsa>& tsas() const { return tsas_; }
  // The outside witnesses whose checkpoint cosignatures are accepted.
  const std::vector<GenesisWitness>& witnesses() const { return witnesses_; }
  const GenesisTsa* FindTsa(std::string_view institution) const;
  const GenesisWitness* FindWitness(std::string_view name) const;
  // Ids of vote and node keys that left the register (rotated, or their
  // validator or observer removed), sorted: they never come back.
  const std::vector<std::string>& retired_keys() const { return retired_keys_; }

  // The agency with this id, removed or not; nullptr when there never was one.
  const AgencyEntry* FindAgency(std::string_view id) const;
  // The key with this id registered for `agency`, whatever its status.
  const RegisteredKey* FindAgencyKey(std::string_view agency, std::string_view key_id) const;
  // The key, when records signed with it are accepted now: registered for the
  // agency, not revoked, the agency not removed. nullptr otherwise.
  const crypto::PublicKey* FindActiveAgencyKey(std::string_view agency,
                                               std::string_view key_id) const;
  // The admin entry holding the key with this id (and that key), whatever its status.
  const AdminEntry* FindAdminOfKey(std::string_view key_id, const RegisteredKey** key) const;
  const AdminEntry* FindAdmin(std::string_view institution) const;
  // The validator / observer named `name`, or nullptr.
  const GenesisValidator* FindValidator(std::string_view name) const;
  const GenesisObserver* FindObserver(std::string_view name) const;
  const GenesisReader* FindReader(std::string_view id) const;
  // Whether any agency, admin, validator, observer or witness entry (removed
  // and revoked ones included) ever held the key with this id.
  bool KeyEverUsed(std::string_view key_id) const;

  boost::json::value ToJson() const;
  // H("EVIDENCE-STATE/v1\n" || JCS(ToJson())), computed once.
  const crypto::Digest& Hash() const { return hash_value_; }

 private:
  friend class GovernanceStateEditor;  // ledger/governance.cc builds the next states
  GovernanceState() = default;
  // Rebuilds the indexes, the validator set and the hash after a change.
  void Seal();

  std::string chain_id_;
  crypto::HashAlgorithm hash_ = crypto::HashAlgorithm::kSha256;
  int64_t genesis_time_ms_ = 0;
  bool governed_ = false;
  uint64_t next_seq_ = 1;
  ChainParams params_;
  std::vector<AdminEntry> admins_;
  std::vector<GenesisValidator> validators_;
  uint64_t validators_since_ = 1;
  std::vector<GenesisObserver> observers_;
  std::vector<AgencyEntry> agencies_;
  std::vector<GenesisReader> readers_;
  std::vector<std::string> retired_keys_;
  std::vector<GenesisTsa> tsas_;
  std::vector<GenesisWitness> witnesses_;

  // Derived by Seal().
  ValidatorSet validator_set_;
  std::map<std::string, size_t, std::less<>> agency_index_;  // id -> agencies_ position
  // key id -> (agency position, key position)
  std::map<std::string, std::pair<size_t, size_t>, std::less<>> agency_key_index_;
  std::map<std::string, std::pair<size_t, size_t>, std::less<>> admin_key_index_;
  crypto::Digest hash_value_{};
};

using GovernanceStatePtr = std::shared_ptr<const GovernanceState>;
// Gives the state something works against now (e.g. the one in force for the next block).
using GovernanceStateFn = std::function<GovernanceStatePtr()>;

// The JSON of a revocation and of a registered key, as the state shows them.
boost::json::object KeyRevocationToJson(const KeyRevocation& revocation);
boost::json::object RegisteredKeyToJson(const RegisteredKey& key);

}  // namespace evidence::ledger
