// Governance actions (docs/governance.md): how the institutions change the
// register (ledger/governance_state.h) together. An action is a signed JSON
// document, like a record:
//
//   { "v": 1, "chain_id": "...", "seq": N, "action": "<name>", <operands>,
//     "sigs": [ { "alg": "p256"|"ed25519"|"sm2", "key": "<admin key id>",
//                 "value": "<base64>" }, ... ] }
//
//   signing bytes = "EVIDENCE-GOVERNANCE/v1\n" || JCS(action without "sigs")
//   action id     = H(signing bytes), H the chain's hash
//   leaf          = JCS(whole action, "sigs" included), as blocks carry it
//
// "sigs" are sorted by key id, one per admin key (so an action signed by the
// same keys always has the same leaf). Each admin signs the same signing bytes.
//
// Actions and their operands ("action": operands):
//   add-agency              "agency": { "id", "name", "institution", "keys": [PEM, ...] }
//   remove-agency           "agency_id"
//   add-agency-key          "agency_id", "key": PEM
//   revoke-agency-key       "agency_id", "key_id", "reason": "rotated"|"compromised",
//                           "effective_ms" (agency-claimed: from when not to trust it)
//   add-reader              "reader": { "id", "role", "token_sha256" | "key" }
//   remove-reader           "reader_id"
//   add-validator           "validator": { "name", "institution", "vote_key", "node_key",
//                                          "power", "address" }
//   remove-validator        "name"
//   set-power               "name", "power"
//   rotate-validator-keys   "name", and one or more of "vote_key", "node_key", "address"
//   add-observer            "observer": { "name", "institution", "node_key", "address" }
//   remove-observer         "name"
//   add-admin-key           "institution", "key": PEM
//   revoke-admin-key        "institution", "key_id"
//   set-params              "params": { <some of ledger/chain_params.h> }
//   add-witness             "witness": { "name", "key" }   (Ed25519, c2sp.org/tlog-cosignature)
//   remove-witness          "name"
//   set-tsa-ca              "institution", "ca_cert": X.509 PEM (the CA of its TSA certificates)
//
// ApplyAction checks, in this order, and refuses with a "governance.*" code:
//   1. the chain has admins (genesis v2)                    governance.not_governed
//   2. chain_id is the chain's                              governance.chain_mismatch
//   3. seq is the register's next_seq (no replay, no gap)   governance.bad_sequence
//   4. every signature is by an admin key of the register   governance.unknown_admin_key
//      that is not revoked, and verifies                    governance.admin_key_revoked,
//                                                           governance.bad_signature
//   5. the signers' institutions reach the threshold        governance.too_few_signatures
//   6. the operation's own rules (what it names exists,     governance.unknown_entry,
//      what it adds does not, a key is never registered     governance.conflict,
//      twice nor after its revocation, the validators       governance.unsafe_validator_set
//      stay safe: never fewer than 4 by a removal, and
//      with 4 or more no one holds a third of the power)
// and then gives the next state. A refusal changes nothing.
//
// An action committed in the block at height h takes effect for the block at
// h + kGovernanceActivationDelay: that block's validators, register and params
// are the state after every action of the blocks up to h. (So the validators
// of h + 1 are known when block h is made: the header of h carries their hash.)
//
// Trusted time (docs/timestamps.md, docs/witness.md): a witness's name is a
// note key name and unique, its key Ed25519 and new to the register (a removed
// witness's key is retired); set-tsa-ca names an institution that holds admin
// keys and a CA certificate (crypto::CaCertificate) other than the one in force,
// which it adds or replaces.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/genesis.h"
#include "ledger/governance_state.h"

namespace evidence::ledger {

inline constexpr std::string_view kGovernanceSigningDomain = "EVIDENCE-GOVERNANCE/v1\n";
inline constexpr uint64_t kGovernanceActivationDelay = 2;
// A removal never leaves fewer validators than this.
inline constexpr size_t kValidatorsMinAfterRemoval = 4;
// Keys an agency may ever have had (revoked ones included).
inline constexpr size_t kAgencyKeysEverMax = 64;

struct AddAgency {
  GenesisAgency agency;
};
struct RemoveAgency {
  std::string agency_id;
};
struct AddAgencyKey {
  std::string agency_id;
  crypto::PublicKey key;
};
struct RevokeAgencyKey {
  std::string agency_id;
  std::string key_id;
  std::string reason;  // "rotated" | "compromised"
  int64_t effective_ms = 0;
};
struct AddReader {
  GenesisReader reader;
};
struct RemoveReader {
  std::string reader_id;
};
struct AddValidator {
  GenesisValidator validator;
};
struct RemoveValidator {
  std::string name;
};
struct SetPower {
  std::string name;
  uint64_t power = 0;
};
struct RotateValidatorKeys {
  std::string name;
  std::optional<crypto::PublicKey> vote_key;
  std::optional<crypto::PublicKey> node_key;
  std::optional<std::string> address;
};
struct AddObserver {
  GenesisObserver observer;
};
struct RemoveObserver {
  std::string name;
};
struct AddAdminKey {
  std::string institution;
  crypto::PublicKey key;
};
struct RevokeAdminKey {
  std::string institution;
  std::string key_id;
};
struct SetParams {
  boost::json::object params;  // the fields to change (checked names and types)
};
struct AddWitness {
  GenesisWitness witness;
};
struct RemoveWitness {
  std::string name;
};
struct SetTsaCa {
  std::string institution;
  crypto::CaCertificate ca_cert;
};

// The order of the alternatives is the order of ActionType.
using ActionBody =
    std::variant<AddAgency, RemoveAgency, AddAgencyKey, RevokeAgencyKey, AddReader, RemoveReader,
                 AddValidator, RemoveValidator, SetPower, RotateValidatorKeys, AddObserver,
                 RemoveObserver, AddAdminKey, RevokeAdminKey, SetParams, AddWitness,
                 RemoveWitness, SetTsaCa>;

enum class ActionType {
  kAddAgency, kRemoveAgency, kAddAgencyKey, kRevokeAgencyKey, kAddReader, kRemoveReader,
  kAddValidator, kRemoveValidator, kSetPower, kRotateValidatorKeys, kAddObserver,
  kRemoveObserver, kAddAdminKey, kRevokeAdminKey, kSetParams, kAddWitness, kRemoveWitness,
  kSetTsaCa,
};
inline constexpr size_t kActionTypes = std::variant_size_v<ActionBody>;

// "add-agency", ...; the names of the "action" member.
std::string_view ActionTypeName(ActionType type);
Result<ActionType> ParseActionType(std::string_view name);

struct ActionSignature {
  crypto::SignatureAlgorithm algorithm = crypto::SignatureAlgorithm::kEd25519;
  std::string key_id;  // an admin key's id (64 hex)
  Bytes value;
  bool operator==(const ActionSignature&) const = default;
};

struct GovernanceAction {
  std::string chain_id;
  uint64_t seq = 0;
  ActionBody body;
  std::vector<ActionSignature> sigs;  // sorted by key_id, no repeats

  ActionType type() const { return static_cast<ActionType>(body.index()); }
};

// Strict parse (unknown, missing, duplicate or wrongly-typed members refused,
// governance.malformed / governance.unknown_action); at most
// limits::kGovernanceActionBytesMax bytes.
Result<GovernanceAction> ParseAction(std::string_view json_text);
Result<GovernanceAction> ActionFromJson(const boost::json::value& json);
boost::json::object ActionToJson(const GovernanceAction& action, bool include_sigs = true);
// JCS of the whole action (the block leaf).
std::string ActionLeaf(const GovernanceAction& action);
Bytes ActionSigningBytes(const GovernanceAction& action);
crypto::Digest ActionId(crypto::HashAlgorithm algorithm, const GovernanceAction& action);

// Adds the signature of `admin_key` over the signing bytes, keeping the sigs
// sorted; refuses (governance.conflict) a second signature by the same key.
Status SignAction(const crypto::PrivateKey& admin_key, GovernanceAction& action);

// The block that commits an action (recorded in the register with revocations
// and removals; the height also dates validator changes).
struct ActionContext {
  uint64_t height = 0;
  int64_t time_ms = 0;
};

// Every check above, then the state after the action. `state` is the register
// after every earlier action (the latest committed state, not the one in force).
Result<GovernanceStatePtr> ApplyAction(const GovernanceState& state, const GovernanceAction& action,
                                       const ActionContext& context);
// The actions of one block (their leaves, in order): each must be canonical and
// apply on the state the ones before it made. Errors name the leaf.
Result<GovernanceStatePtr> ApplyActionLeaves(const GovernanceStatePtr& state,
                                             const std::vector<std::string>& leaves,
                                             const ActionContext& context);

// The validator rules of step 6 on a validator list (also for tests).
Status CheckValidatorSetSafety(const std::vector<GenesisValidator>& before,
                               const std::vector<GenesisValidator>& after);

}  // namespace evidence::ledger
