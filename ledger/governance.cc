#include "ledger/governance.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <set>

#include "common/check.h"
#include "common/encoding.h"
#include "common/limits.h"
#include "ledger/json.h"
#include "ledger/json_fields.h"
#include "ledger/record.h"

namespace evidence::ledger {
namespace json = boost::json;

// ---------------------------------------------------------------- the editor

// Builds the next state from a copy of the current one (GovernanceState's
// members are private: only governance actions change a register).
class GovernanceStateEditor {
 public:
  explicit GovernanceStateEditor(const GovernanceState& from)
      : state_(new GovernanceState(from)) {}
  GovernanceState& state() { return *state_; }
  const GovernanceState& view() const { return *state_; }
  std::vector<GenesisValidator>& validators() { return state_->validators_; }
  std::vector<GenesisObserver>& observers() { return state_->observers_; }
  std::vector<AgencyEntry>& agencies() { return state_->agencies_; }
  std::vector<GenesisReader>& readers() { return state_->readers_; }
  std::vector<AdminEntry>& admins() { return state_->admins_; }
  ChainParams& params() { return state_->params_; }
  std::vector<GenesisTsa>& tsas() { return state_->tsas_; }
  std::vector<GenesisWitness>& witnesses() { return state_->witnesses_; }
  void set_validators_since(uint64_t height) { state_->validators_since_ = height; }
  void Retire(const crypto::PublicKey& key) {
    std::vector<std::string>& retired = state_->retired_keys_;
    retired.insert(std::lower_bound(retired.begin(), retired.end(), key.key_id()), key.key_id());
  }
  GovernanceStatePtr Finish(uint64_t next_seq) {
    state_->next_seq_ = next_seq;
    state_->Seal();
    return GovernanceStatePtr(state_.release());
  }

 private:
  std::unique_ptr<GovernanceState> state_;
};

namespace {

constexpr SchemaCodes kActionCodes = {ErrorCode::kGovernanceMalformed, ErrorCode::kGovernanceMalformed,
                                      ErrorCode::kGovernanceMalformed, ErrorCode::kGovernanceMalformed};

constexpr std::array<std::string_view, kActionTypes> kActionNames = {
    "add-agency",      "remove-agency",  "add-agency-key",        "revoke-agency-key",
    "add-reader",      "remove-reader",  "add-validator",         "remove-validator",
    "set-power",       "rotate-validator-keys", "add-observer",  "remove-observer",
    "add-admin-key",   "revoke-admin-key", "set-params",
    "add-witness",     "remove-witness", "set-tsa-ca",
};

Status Malformed(std::string_view detail) {
  return LedgerError(ErrorCode::kGovernanceMalformed, detail);
}
Status Error(ErrorCode code, std::string_view detail) { return LedgerError(code, detail); }

Result<crypto::PublicKey> KeyOperand(FieldReader& reader, std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string pem, reader.String(name));
  auto key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return Malformed(std::string(name) + ": " + key.status().message());
  return std::move(key).value();
}

Result<std::string> KeyIdOperand(FieldReader& reader, std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string key_id, reader.String(name));
  if (!IsLowerHex(key_id, 64)) return Malformed(std::string(name) + " must be 64 lower-case hex");
  return key_id;
}

// The operands of each action type, read from the action object.
Result<ActionBody> ReadBody(ActionType type, FieldReader& r) {
  switch (type) {
    case ActionType::kAddAgency: {
      EVIDENCE_ASSIGN_OR_RETURN(const json::value* v, r.Required("agency"));
      EVIDENCE_ASSIGN_OR_RETURN(GenesisAgency agency, GenesisAgencyFromJson(*v, "agency", kActionCodes));
      return ActionBody(AddAgency{std::move(agency)});
    }
    case ActionType::kRemoveAgency: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string id, r.String("agency_id"));
      return ActionBody(RemoveAgency{std::move(id)});
    }
    case ActionType::kAddAgencyKey: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string id, r.String("agency_id"));
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, KeyOperand(r, "key"));
      return ActionBody(AddAgencyKey{std::move(id), std::move(key)});
    }
    case ActionType::kRevokeAgencyKey: {
      RevokeAgencyKey out;
      EVIDENCE_ASSIGN_OR_RETURN(out.agency_id, r.String("agency_id"));
      EVIDENCE_ASSIGN_OR_RETURN(out.key_id, KeyIdOperand(r, "key_id"));
      EVIDENCE_ASSIGN_OR_RETURN(out.reason, r.String("reason"));
      if (out.reason != "rotated" && out.reason != "compromised") {
        return Malformed("reason must be \"rotated\" or \"compromised\", not \"" + out.reason + "\"");
      }
      EVIDENCE_ASSIGN_OR_RETURN(out.effective_ms, r.Signed("effective_ms"));
      if (out.effective_ms < 0 || out.effective_ms > kJsonIntegerMax) {
        return Malformed("effective_ms must be 0..2^53-1 unix ms");
      }
      return ActionBody(std::move(out));
    }
    case ActionType::kAddReader: {
      EVIDENCE_ASSIGN_OR_RETURN(const json::value* v, r.Required("reader"));
      EVIDENCE_ASSIGN_OR_RETURN(GenesisReader reader, GenesisReaderFromJson(*v, "reader", kActionCodes));
      return ActionBody(AddReader{std::move(reader)});
    }
    case ActionType::kRemoveReader: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string id, r.String("reader_id"));
      return ActionBody(RemoveReader{std::move(id)});
    }
    case ActionType::kAddValidator: {
      EVIDENCE_ASSIGN_OR_RETURN(const json::value* v, r.Required("validator"));
      EVIDENCE_ASSIGN_OR_RETURN(GenesisValidator validator,
                                GenesisValidatorFromJson(*v, "validator", kActionCodes));
      return ActionBody(AddValidator{std::move(validator)});
    }
    case ActionType::kRemoveValidator: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string name, r.String("name"));
      return ActionBody(RemoveValidator{std::move(name)});
    }
    case ActionType::kSetPower: {
      SetPower out;
      EVIDENCE_ASSIGN_OR_RETURN(out.name, r.String("name"));
      EVIDENCE_ASSIGN_OR_RETURN(out.power, r.Unsigned("power"));
      return ActionBody(std::move(out));
    }
    case ActionType::kRotateValidatorKeys: {
      RotateValidatorKeys out;
      EVIDENCE_ASSIGN_OR_RETURN(out.name, r.String("name"));
      if (r.Optional("vote_key") != nullptr) {
        EVIDENCE_ASSIGN_OR_RETURN(out.vote_key, KeyOperand(r, "vote_key"));
      }
      if (r.Optional("node_key") != nullptr) {
        EVIDENCE_ASSIGN_OR_RETURN(out.node_key, KeyOperand(r, "node_key"));
      }
      if (r.Optional("address") != nullptr) {
        EVIDENCE_ASSIGN_OR_RETURN(out.address, r.String("address"));
      }
      if (!out.vote_key && !out.node_key && !out.address) {
        return Malformed("rotate-validator-keys needs at least one of vote_key, node_key, address");
      }
      return ActionBody(std::move(out));
    }
    case ActionType::kAddObserver: {
      EVIDENCE_ASSIGN_OR_RETURN(const json::value* v, r.Required("observer"));
      EVIDENCE_ASSIGN_OR_RETURN(GenesisObserver observer,
                                GenesisObserverFromJson(*v, "observer", kActionCodes));
      return ActionBody(AddObserver{std::move(observer)});
    }
    case ActionType::kRemoveObserver: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string name, r.String("name"));
      return ActionBody(RemoveObserver{std::move(name)});
    }
    case ActionType::kAddAdminKey: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string institution, r.String("institution"));
      EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, KeyOperand(r, "key"));
      return ActionBody(AddAdminKey{std::move(institution), std::move(key)});
    }
    case ActionType::kRevokeAdminKey: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string institution, r.String("institution"));
      EVIDENCE_ASSIGN_OR_RETURN(std::string key_id, KeyIdOperand(r, "key_id"));
      return ActionBody(RevokeAdminKey{std::move(institution), std::move(key_id)});
    }
    case ActionType::kSetParams: {
      EVIDENCE_ASSIGN_OR_RETURN(const json::value* v, r.Required("params"));
      // Names and types are checked here, values by the apply.
      EVIDENCE_RETURN_IF_ERROR(ChainParamsUpdateFromJson(ChainParams{}, *v, "params", kActionCodes).status());
      return ActionBody(SetParams{v->as_object()});
    }
    case ActionType::kAddWitness: {
      EVIDENCE_ASSIGN_OR_RETURN(const json::value* v, r.Required("witness"));
      EVIDENCE_ASSIGN_OR_RETURN(GenesisWitness witness,
                                GenesisWitnessFromJson(*v, "witness", kActionCodes));
      EVIDENCE_RETURN_IF_ERROR(CheckWitnessEntry(ErrorCode::kGovernanceMalformed, "witness", witness));
      return ActionBody(AddWitness{std::move(witness)});
    }
    case ActionType::kRemoveWitness: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string name, r.String("name"));
      return ActionBody(RemoveWitness{std::move(name)});
    }
    case ActionType::kSetTsaCa: {
      EVIDENCE_ASSIGN_OR_RETURN(std::string institution, r.String("institution"));
      EVIDENCE_ASSIGN_OR_RETURN(std::string pem, r.String("ca_cert"));
      auto ca = crypto::ParseCaCertificate(pem);
      if (!ca.ok()) return Malformed("ca_cert: " + ca.status().message());
      return ActionBody(SetTsaCa{std::move(institution), std::move(ca).value()});
    }
  }
  EVIDENCE_CHECK_MSG(false, "ActionType without operands");
  return Malformed("unknown action");
}

// The operands as JSON members of `out`.
void WriteBody(const ActionBody& body, json::object& out) {
  std::visit(
      [&out](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, AddAgency>) {
          out["agency"] = GenesisAgencyToJson(op.agency);
        } else if constexpr (std::is_same_v<T, RemoveAgency>) {
          out["agency_id"] = op.agency_id;
        } else if constexpr (std::is_same_v<T, AddAgencyKey>) {
          out["agency_id"] = op.agency_id;
          out["key"] = op.key.ToPem();
        } else if constexpr (std::is_same_v<T, RevokeAgencyKey>) {
          out["agency_id"] = op.agency_id;
          out["key_id"] = op.key_id;
          out["reason"] = op.reason;
          out["effective_ms"] = op.effective_ms;
        } else if constexpr (std::is_same_v<T, AddReader>) {
          out["reader"] = GenesisReaderToJson(op.reader);
        } else if constexpr (std::is_same_v<T, RemoveReader>) {
          out["reader_id"] = op.reader_id;
        } else if constexpr (std::is_same_v<T, AddValidator>) {
          out["validator"] = GenesisValidatorToJson(op.validator);
        } else if constexpr (std::is_same_v<T, RemoveValidator> || std::is_same_v<T, RemoveObserver> ||
                             std::is_same_v<T, RemoveWitness>) {
          out["name"] = op.name;
        } else if constexpr (std::is_same_v<T, SetPower>) {
          out["name"] = op.name;
          out["power"] = op.power;
        } else if constexpr (std::is_same_v<T, RotateValidatorKeys>) {
          out["name"] = op.name;
          if (op.vote_key) out["vote_key"] = op.vote_key->ToPem();
          if (op.node_key) out["node_key"] = op.node_key->ToPem();
          if (op.address) out["address"] = *op.address;
        } else if constexpr (std::is_same_v<T, AddObserver>) {
          out["observer"] = GenesisObserverToJson(op.observer);
        } else if constexpr (std::is_same_v<T, AddAdminKey>) {
          out["institution"] = op.institution;
          out["key"] = op.key.ToPem();
        } else if constexpr (std::is_same_v<T, RevokeAdminKey>) {
          out["institution"] = op.institution;
          out["key_id"] = op.key_id;
        } else if constexpr (std::is_same_v<T, AddWitness>) {
          out["witness"] = GenesisWitnessToJson(op.witness);
        } else if constexpr (std::is_same_v<T, SetTsaCa>) {
          out["institution"] = op.institution;
          out["ca_cert"] = op.ca_cert.pem;
        } else {
          static_assert(std::is_same_v<T, SetParams>);
          out["params"] = op.params;
        }
      },
      body);
}

Result<ActionSignature> SignatureFromJson(const json::value& value, size_t i) {
  FieldReader reader(value, "sigs[" + std::to_string(i) + "]", kActionCodes);
  ActionSignature sig;
  EVIDENCE_ASSIGN_OR_RETURN(std::string alg, reader.String("alg"));
  auto algorithm = crypto::ParseSignatureAlgorithm(alg);
  if (!algorithm.ok()) return Malformed(reader.where() + ".alg \"" + alg + "\" is not p256, ed25519 or sm2");
  sig.algorithm = *algorithm;
  EVIDENCE_ASSIGN_OR_RETURN(sig.key_id, KeyIdOperand(reader, "key"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string value_text, reader.String("value"));
  auto decoded = Base64Decode(value_text);
  if (!decoded.ok() || decoded->empty() || decoded->size() > kRecordSignatureBytesMax) {
    return Malformed(reader.where() + ".value is not base64 of 1.." +
                     std::to_string(kRecordSignatureBytesMax) + " bytes");
  }
  sig.value = std::move(decoded).value();
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return sig;
}

}  // namespace

// ---------------------------------------------------------------- format

std::string_view ActionTypeName(ActionType type) {
  const auto index = static_cast<size_t>(type);
  EVIDENCE_CHECK(index < kActionNames.size());
  return kActionNames[index];
}

Result<ActionType> ParseActionType(std::string_view name) {
  for (size_t i = 0; i < kActionNames.size(); ++i) {
    if (kActionNames[i] == name) return static_cast<ActionType>(i);
  }
  return Error(ErrorCode::kGovernanceUnknownAction,
               "\"" + std::string(name) + "\" is not a governance action (docs/governance.md lists them)");
}

Result<GovernanceAction> ActionFromJson(const json::value& value) {
  FieldReader reader(value, "action", kActionCodes);
  if (!value.is_object()) return Malformed("an action must be a JSON object");
  GovernanceAction action;
  EVIDENCE_ASSIGN_OR_RETURN(int64_t version, reader.Signed("v"));
  if (version != 1) return Malformed("v must be 1");
  EVIDENCE_ASSIGN_OR_RETURN(action.chain_id, reader.String("chain_id"));
  if (action.chain_id.empty() || action.chain_id.size() > limits::kChainIdBytesMax) {
    return Malformed("chain_id must be 1.." + std::to_string(limits::kChainIdBytesMax) + " bytes");
  }
  EVIDENCE_ASSIGN_OR_RETURN(action.seq, reader.Unsigned("seq"));
  if (action.seq == 0 || action.seq > static_cast<uint64_t>(kJsonIntegerMax)) {
    return Malformed("seq must be 1..2^53-1");
  }
  EVIDENCE_ASSIGN_OR_RETURN(std::string name, reader.String("action"));
  EVIDENCE_ASSIGN_OR_RETURN(ActionType type, ParseActionType(name));
  EVIDENCE_ASSIGN_OR_RETURN(action.body, ReadBody(type, reader));
  EVIDENCE_ASSIGN_OR_RETURN(const json::array* sigs,
                            reader.Array("sigs", limits::kGovernanceSignaturesMax));
  for (size_t i = 0; i < sigs->size(); ++i) {
    EVIDENCE_ASSIGN_OR_RETURN(ActionSignature sig, SignatureFromJson((*sigs)[i], i));
    if (!action.sigs.empty() && sig.key_id <= action.sigs.back().key_id) {
      return Malformed("sigs must be sorted by key id, one per key (sigs[" + std::to_string(i) + "])");
    }
    action.sigs.push_back(std::move(sig));
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return action;
}

Result<GovernanceAction> ParseAction(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, limits::kGovernanceActionBytesMax, limits::kJsonDepthMax);
  if (!parsed.ok()) return Malformed(parsed.status().message());
  return ActionFromJson(*parsed);
}

json::object ActionToJson(const GovernanceAction& action, bool include_sigs) {
  json::object out;
  out["v"] = 1;
  out["chain_id"] = action.chain_id;
  out["seq"] = action.seq;
  out["action"] = ActionTypeName(action.type());
  WriteBody(action.body, out);
  if (include_sigs) {
    json::array sigs;
    for (const ActionSignature& sig : action.sigs) {
      sigs.push_back(json::object{{"alg", crypto::SignatureAlgorithmName(sig.algorithm)},
                                  {"key", sig.key_id},
                                  {"value", Base64Encode(sig.value)}});
    }
    out["sigs"] = std::move(sigs);
  }
  return out;
}

std::string ActionLeaf(const GovernanceAction& action) {
  return CanonicalJson(ActionToJson(action)).value();
}

Bytes ActionSigningBytes(const GovernanceAction& action) {
  std::string jcs = CanonicalJson(ActionToJson(action, false)).value();
  Bytes out(kGovernanceSigningDomain.begin(), kGovernanceSigningDomain.end());
  out.insert(out.end(), jcs.begin(), jcs.end());
  return out;
}

crypto::Digest ActionId(crypto::HashAlgorithm algorithm, const GovernanceAction& action) {
  return crypto::Hash(algorithm, ActionSigningBytes(action));
}

Status SignAction(const crypto::PrivateKey& admin_key, GovernanceAction& action) {
  for (const ActionSignature& sig : action.sigs) {
    if (sig.key_id == admin_key.key_id()) {
      return Error(ErrorCode::kGovernanceConflict,
                   "the action is already signed by key " + admin_key.key_id());
    }
  }
  if (action.sigs.size() >= limits::kGovernanceSignaturesMax) {
    return Malformed("the action has the most signatures it may have");
  }
  EVIDENCE_ASSIGN_OR_RETURN(Bytes value, admin_key.Sign(ActionSigningBytes(action)));
  ActionSignature sig{admin_key.algorithm(), admin_key.key_id(), std::move(value)};
  auto at = std::lower_bound(action.sigs.begin(), action.sigs.end(), sig,
                             [](const ActionSignature& a, const ActionSignature& b) {
                               return a.key_id < b.key_id;
                             });
  action.sigs.insert(at, std::move(sig));
  return Status::Ok();
}

// ---------------------------------------------------------------- checks

namespace {

Status Unknown(std::string_view what) { return Error(ErrorCode::kGovernanceUnknownEntry, what); }
Status Conflict(std::string_view what) { return Error(ErrorCode::kGovernanceConflict, what); }
Status BadOperand(std::string_view what) { return Error(ErrorCode::kGovernanceMalformed, what); }

Status CheckName(const std::string& where, std::string_view value, bool identifier) {
  return CheckRegisterName(ErrorCode::kGovernanceMalformed, where, value, identifier);
}

// A key that enters the register must be new to it: never an agency, admin,
// vote or node key before (revoked and removed ones included).
Status CheckNewKey(const GovernanceState& state, const crypto::PublicKey& key, std::string_view what) {
  if (state.KeyEverUsed(key.key_id())) {
    return Conflict(std::string(what) + " " + key.key_id() +
                    " is, or was, registered already (a key is never registered twice, nor again "
                    "after its revocation)");
  }
  return Status::Ok();
}

bool NameTaken(const GovernanceState& state, std::string_view name) {
  return state.FindValidator(name) != nullptr || state.FindObserver(name) != nullptr;
}

// Institutions that can still sign: with at least one admin key not revoked.
size_t SigningInstitutions(const std::vector<AdminEntry>& admins) {
  size_t count = 0;
  for (const AdminEntry& admin : admins) count += admin.active_keys() > 0 ? 1 : 0;
  return count;
}

// Steps 1-5: the chain, the sequence, the signatures and the threshold.
Status CheckAuthority(const GovernanceState& state, const GovernanceAction& action) {
  if (!state.governed()) {
    return Error(ErrorCode::kGovernanceNotGoverned,
                 "this chain's genesis (version 1) has no admin keys: its register cannot change");
  }
  if (action.chain_id != state.chain_id()) {
    return Error(ErrorCode::kGovernanceChainMismatch, "chain_id \"" + action.chain_id +
                                                         "\" is not this chain's \"" +
                                                         state.chain_id() + "\"");
  }
  if (action.seq != state.next_seq()) {
    return Error(ErrorCode::kGovernanceBadSequence,
                 "seq " + std::to_string(action.seq) + " is " +
                     (action.seq < state.next_seq() ? "used already (a replay)" : "out of order") +
                     ": the next action must carry seq " + std::to_string(state.next_seq()));
  }
  Bytes signing = ActionSigningBytes(action);
  std::set<std::string> institutions;
  for (const ActionSignature& sig : action.sigs) {
    const RegisteredKey* key = nullptr;
    const AdminEntry* admin = state.FindAdminOfKey(sig.key_id, &key);
    if (admin == nullptr) {
      return Error(ErrorCode::kGovernanceUnknownAdminKey,
                   "key " + sig.key_id + " is not an admin key of this chain");
    }
    if (key->revoked) {
      return Error(ErrorCode::kGovernanceAdminKeyRevoked,
                   "admin key " + sig.key_id + " of " + admin->institution +
                       " was revoked by action " + std::to_string(key->revoked->seq));
    }
    if (sig.algorithm != key->key.algorithm() || !key->key.Verify(signing, sig.value)) {
      return Error(ErrorCode::kGovernanceBadSignature,
                   "the signature by admin key " + sig.key_id + " (" + admin->institution +
                       ") does not verify over this action's signing bytes");
    }
    institutions.insert(admin->institution);
  }
  if (institutions.size() < state.params().governance_threshold) {
    return Error(ErrorCode::kGovernanceTooFewSignatures,
                 "signed by " + std::to_string(institutions.size()) + " institution(s); " +
                     std::to_string(state.params().governance_threshold) + " must sign");
  }
  return Status::Ok();
}

}  // namespace

Status CheckValidatorSetSafety(const std::vector<GenesisValidator>& before,
                               const std::vector<GenesisValidator>& after) {
  if (after.size() < before.size() && after.size() < kValidatorsMinAfterRemoval) {
    return Error(ErrorCode::kGovernanceUnsafeValidatorSet,
                 "the change leaves " + std::to_string(after.size()) + " validators; a removal may " +
                     "not leave fewer than " + std::to_string(kValidatorsMinAfterRemoval));
  }
  if (after.size() > limits::kValidatorsMax) {
    return Error(ErrorCode::kGovernanceUnsafeValidatorSet, "too many validators");
  }
  if (after.size() >= kValidatorsMinAfterRemoval) {
    uint64_t total = 0, largest = 0;
    for (const GenesisValidator& v : after) {
      total += v.power;
      largest = std::max(largest, v.power);
    }
    // With one validator down (any one), the rest must still hold more than 2/3.
    if (3 * largest >= total) {
      return Error(ErrorCode::kGovernanceUnsafeValidatorSet,
                   "a validator would hold " + std::to_string(largest) + " of " +
                       std::to_string(total) + " voting power: with it down no quorum (more than " +
                       "2/3) could be reached; no validator may hold a third or more");
    }
  }
  return Status::Ok();
}

namespace {

// ---------------------------------------------------------------- operations

// Step 6: each operation's rules and its change, on the editor's copy.
class Operation {
 public:
  // `state` is the register before the action; `editor` holds its copy, changed here.
  Operation(GovernanceStateEditor& editor, const GovernanceState& state,
            const GovernanceAction& action, const ActionContext& context)
      : e_(editor), s_(state), action_(action), context_(context) {}

  Status operator()(const AddAgency& op);
  Status operator()(const RemoveAgency& op);
  Status operator()(const AddAgencyKey& op);
  Status operator()(const RevokeAgencyKey& op);
  Status operator()(const AddReader& op);
  Status operator()(const RemoveReader& op);
  Status operator()(const AddValidator& op);
  Status operator()(const RemoveValidator& op);
  Status operator()(const SetPower& op);
  Status operator()(const RotateValidatorKeys& op);
  Status operator()(const AddObserver& op);
  Status operator()(const RemoveObserver& op);
  Status operator()(const AddAdminKey& op);
  Status operator()(const RevokeAdminKey& op);
  Status operator()(const SetParams& op);
  Status operator()(const AddWitness& op);
  Status operator()(const RemoveWitness& op);
  Status operator()(const SetTsaCa& op);

 private:
  AgencyEntry* LiveAgency(const std::string& id);
  size_t ValidatorIndex(const std::string& name) const;
  Status ChangeValidators(std::vector<GenesisValidator> after);

  GovernanceStateEditor& e_;
  const GovernanceState& s_;
  const GovernanceAction& action_;
  const ActionContext& context_;
};

AgencyEntry* Operation::LiveAgency(const std::string& id) {
  for (AgencyEntry& agency : e_.agencies()) {
    if (agency.id == id && !agency.removed) return &agency;
  }
  return nullptr;
}

size_t Operation::ValidatorIndex(const std::string& name) const {
  for (size_t i = 0; i < s_.validators().size(); ++i) {
    if (s_.validators()[i].name == name) return i;
  }
  return s_.validators().size();
}

// Replaces the validator list after the safety rules; dates the change when
// the voting set (keys and powers) changes.
Status Operation::ChangeValidators(std::vector<GenesisValidator> after) {
  EVIDENCE_RETURN_IF_ERROR(CheckValidatorSetSafety(s_.validators(), after));
  std::vector<Validator> members;
  for (const GenesisValidator& v : after) members.push_back({v.name, v.institution, v.vote_key, v.power});
  Result<ValidatorSet> set = ValidatorSet::Create(std::move(members));
  if (!set.ok()) return Error(ErrorCode::kGovernanceUnsafeValidatorSet, set.status().message());
  if (set->Hash(s_.hash()) != s_.validator_set_hash()) {
    e_.set_validators_since(context_.height + kGovernanceActivationDelay);
  }
  e_.validators() = std::move(after);
  return Status::Ok();
}

Status Operation::operator()(const AddAgency& op) {
  const GenesisAgency& a = op.agency;
  EVIDENCE_RETURN_IF_ERROR(CheckName("agency.id", a.id, true));
  if (a.id.size() > limits::kAgencyIdBytesMax) return BadOperand("agency.id is too long");
  EVIDENCE_RETURN_IF_ERROR(CheckName("agency.name", a.name, false));
  EVIDENCE_RETURN_IF_ERROR(CheckName("agency.institution", a.institution, false));
  if (a.keys.empty() || a.keys.size() > kGenesisAgencyKeysMax) {
    return BadOperand("agency.keys must hold 1.." + std::to_string(kGenesisAgencyKeysMax) + " keys");
  }
  if (s_.FindAgency(a.id) != nullptr) {
    return Conflict("agency \"" + a.id + "\" exists, or existed (an id is never reused)");
  }
  if (s_.agencies().size() >= kGenesisAgenciesMax) return Conflict("the register holds the most agencies it may");
  std::set<std::string> seen;
  for (const crypto::PublicKey& key : a.keys) {
    EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, key, "agency key"));
    if (!seen.insert(key.key_id()).second) return Conflict("agency key " + key.key_id() + " is listed twice");
  }
  AgencyEntry entry{a.id, a.name, a.institution, {}, std::nullopt};
  for (const crypto::PublicKey& key : a.keys) entry.keys.push_back({key, std::nullopt});
  e_.agencies().push_back(std::move(entry));
  return Status::Ok();
}

Status Operation::operator()(const RemoveAgency& op) {
  AgencyEntry* agency = LiveAgency(op.agency_id);
  if (agency == nullptr) return Unknown("no agency \"" + op.agency_id + "\" to remove");
  agency->removed = Removal{action_.seq, context_.height, context_.time_ms};
  return Status::Ok();
}

Status Operation::operator()(const AddAgencyKey& op) {
  AgencyEntry* agency = LiveAgency(op.agency_id);
  if (agency == nullptr) return Unknown("no agency \"" + op.agency_id + "\" to add a key to");
  EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, op.key, "agency key"));
  size_t active = 0;
  for (const RegisteredKey& key : agency->keys) active += key.revoked ? 0 : 1;
  if (active >= kGenesisAgencyKeysMax || agency->keys.size() >= kAgencyKeysEverMax) {
    return Conflict("agency \"" + op.agency_id + "\" has the most keys it may have");
  }
  agency->keys.push_back({op.key, std::nullopt});
  return Status::Ok();
}

Status Operation::operator()(const RevokeAgencyKey& op) {
  AgencyEntry* agency = LiveAgency(op.agency_id);
  if (agency == nullptr) return Unknown("no agency \"" + op.agency_id + "\"");
  for (RegisteredKey& key : agency->keys) {
    if (key.key.key_id() != op.key_id) continue;
    if (key.revoked) return Conflict("key " + op.key_id + " was revoked already");
    key.revoked = KeyRevocation{op.reason, op.effective_ms, action_.seq, context_.height,
                                context_.time_ms};
    return Status::Ok();
  }
  return Unknown("agency \"" + op.agency_id + "\" has no key " + op.key_id);
}

Status Operation::operator()(const AddReader& op) {
  const GenesisReader& r = op.reader;
  EVIDENCE_RETURN_IF_ERROR(CheckName("reader.id", r.id, true));
  EVIDENCE_RETURN_IF_ERROR(CheckName("reader.role", r.role, true));
  if (s_.FindReader(r.id) != nullptr) return Conflict("reader \"" + r.id + "\" exists already");
  if (s_.readers().size() >= kGenesisReadersMax) return Conflict("the register holds the most readers it may");
  e_.readers().push_back(r);
  return Status::Ok();
}

Status Operation::operator()(const RemoveReader& op) {
  auto& readers = e_.readers();
  auto it = std::find_if(readers.begin(), readers.end(),
                         [&](const GenesisReader& r) { return r.id == op.reader_id; });
  if (it == readers.end()) return Unknown("no reader \"" + op.reader_id + "\" to remove");
  readers.erase(it);
  return Status::Ok();
}

// A new validator, or an observer promoted: an observer holding the same node
// key leaves the observers (its node keeps its connections).
Status Operation::operator()(const AddValidator& op) {
  const GenesisValidator& v = op.validator;
  EVIDENCE_RETURN_IF_ERROR(CheckName("validator.name", v.name, true));
  EVIDENCE_RETURN_IF_ERROR(CheckName("validator.institution", v.institution, false));
  EVIDENCE_RETURN_IF_ERROR(CheckName("validator.address", v.address, false));
  if (v.power == 0 || v.power > static_cast<uint64_t>(kJsonIntegerMax)) {
    return BadOperand("validator.power must be 1..2^53-1");
  }
  const AdminEntry* admin = s_.FindAdmin(v.institution);
  if (admin == nullptr || admin->active_keys() == 0) {
    return Unknown("institution \"" + v.institution +
                   "\" has no admin key: add one (add-admin-key) before its validator");
  }
  auto& observers = e_.observers();
  auto promoted = std::find_if(observers.begin(), observers.end(), [&](const GenesisObserver& o) {
    return o.node_key.key_id() == v.node_key.key_id();
  });
  if (s_.FindValidator(v.name) != nullptr ||
      (s_.FindObserver(v.name) != nullptr &&
       (promoted == observers.end() || promoted->name != v.name))) {
    return Conflict("the name \"" + v.name + "\" is taken by another node");
  }
  EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, v.vote_key, "vote key"));
  if (promoted == observers.end()) EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, v.node_key, "node key"));
  if (v.vote_key.key_id() == v.node_key.key_id()) return Conflict("vote key and node key are the same");
  std::vector<GenesisValidator> after = s_.validators();
  after.push_back(v);
  EVIDENCE_RETURN_IF_ERROR(ChangeValidators(std::move(after)));
  if (promoted != observers.end()) observers.erase(promoted);
  return Status::Ok();
}

Status Operation::operator()(const RemoveValidator& op) {
  size_t index = ValidatorIndex(op.name);
  if (index == s_.validators().size()) return Unknown("no validator \"" + op.name + "\" to remove");
  std::vector<GenesisValidator> after = s_.validators();
  after.erase(after.begin() + static_cast<ptrdiff_t>(index));
  EVIDENCE_RETURN_IF_ERROR(ChangeValidators(std::move(after)));
  e_.Retire(s_.validators()[index].vote_key);
  e_.Retire(s_.validators()[index].node_key);
  return Status::Ok();
}

Status Operation::operator()(const SetPower& op) {
  size_t index = ValidatorIndex(op.name);
  if (index == s_.validators().size()) return Unknown("no validator \"" + op.name + "\"");
  if (op.power == 0 || op.power > static_cast<uint64_t>(kJsonIntegerMax)) {
    return BadOperand("power must be 1..2^53-1 (remove-validator takes a validator out)");
  }
  if (s_.validators()[index].power == op.power) return Conflict("the power is " + std::to_string(op.power) + " already");
  std::vector<GenesisValidator> after = s_.validators();
  after[index].power = op.power;
  return ChangeValidators(std::move(after));
}

Status Operation::operator()(const RotateValidatorKeys& op) {
  size_t index = ValidatorIndex(op.name);
  if (index == s_.validators().size()) return Unknown("no validator \"" + op.name + "\"");
  std::vector<GenesisValidator> after = s_.validators();
  GenesisValidator& v = after[index];
  if (op.vote_key) {
    EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, *op.vote_key, "vote key"));
    v.vote_key = *op.vote_key;
  }
  if (op.node_key) {
    EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, *op.node_key, "node key"));
    v.node_key = *op.node_key;
  }
  if (op.vote_key && op.node_key && op.vote_key->key_id() == op.node_key->key_id()) {
    return Conflict("vote key and node key are the same");
  }
  if (op.address) {
    EVIDENCE_RETURN_IF_ERROR(CheckName("address", *op.address, false));
    v.address = *op.address;
  }
  EVIDENCE_RETURN_IF_ERROR(ChangeValidators(std::move(after)));
  if (op.vote_key) e_.Retire(s_.validators()[index].vote_key);
  if (op.node_key) e_.Retire(s_.validators()[index].node_key);
  return Status::Ok();
}

Status Operation::operator()(const AddObserver& op) {
  const GenesisObserver& o = op.observer;
  EVIDENCE_RETURN_IF_ERROR(CheckName("observer.name", o.name, true));
  EVIDENCE_RETURN_IF_ERROR(CheckName("observer.institution", o.institution, false));
  EVIDENCE_RETURN_IF_ERROR(CheckName("observer.address", o.address, false));
  if (NameTaken(s_, o.name)) return Conflict("the name \"" + o.name + "\" is taken by another node");
  EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, o.node_key, "node key"));
  if (s_.observers().size() >= limits::kObserversMax) return Conflict("the register holds the most observers it may");
  e_.observers().push_back(o);
  return Status::Ok();
}

Status Operation::operator()(const RemoveObserver& op) {
  auto& observers = e_.observers();
  auto it = std::find_if(observers.begin(), observers.end(),
                         [&](const GenesisObserver& o) { return o.name == op.name; });
  if (it == observers.end()) return Unknown("no observer \"" + op.name + "\" to remove");
  e_.Retire(it->node_key);
  observers.erase(it);
  return Status::Ok();
}

// Adds a key to an institution's admins; a new institution joins governance
// (its signature counts; the threshold is changed separately by set-params).
Status Operation::operator()(const AddAdminKey& op) {
  EVIDENCE_RETURN_IF_ERROR(CheckName("institution", op.institution, false));
  EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, op.key, "admin key"));
  for (AdminEntry& admin : e_.admins()) {
    if (admin.institution != op.institution) continue;
    if (admin.active_keys() >= limits::kGovernanceAdminKeysMax || admin.keys.size() >= kAgencyKeysEverMax) {
      return Conflict(op.institution + " has the most admin keys it may have");
    }
    admin.keys.push_back({op.key, std::nullopt});
    return Status::Ok();
  }
  if (s_.admins().size() >= limits::kGovernanceInstitutionsMax) {
    return Conflict("the register holds the most institutions it may");
  }
  e_.admins().push_back({op.institution, {{op.key, std::nullopt}}});
  return Status::Ok();
}

Status Operation::operator()(const RevokeAdminKey& op) {
  AdminEntry* admin = nullptr;
  for (AdminEntry& entry : e_.admins()) {
    if (entry.institution == op.institution) admin = &entry;
  }
  if (admin == nullptr) return Unknown("no institution \"" + op.institution + "\" with admin keys");
  RegisteredKey* key = nullptr;
  for (RegisteredKey& k : admin->keys) {
    if (k.key.key_id() == op.key_id) key = &k;
  }
  if (key == nullptr) return Unknown(op.institution + " has no admin key " + op.key_id);
  if (key->revoked) return Conflict("admin key " + op.key_id + " was revoked already");
  key->revoked = KeyRevocation{"revoked", context_.time_ms, action_.seq, context_.height, context_.time_ms};
  if (admin->active_keys() == 0) {
    for (const GenesisValidator& v : s_.validators()) {
      if (v.institution == op.institution) {
        return Conflict(op.institution + " runs validator \"" + v.name +
                        "\" and would be left without an admin key: add its new key first");
      }
    }
  }
  if (SigningInstitutions(e_.admins()) < s_.params().governance_threshold) {
    return Conflict("fewer institutions than the threshold (" +
                    std::to_string(s_.params().governance_threshold) +
                    ") would have admin keys: governance could never act again");
  }
  return Status::Ok();
}

Status Operation::operator()(const SetParams& op) {
  Result<ChainParams> params = ChainParamsUpdateFromJson(s_.params(), op.params, "params", kActionCodes);
  if (!params.ok()) return params.status();
  EVIDENCE_RETURN_IF_ERROR(CheckChainParams(*params, ErrorCode::kGovernanceMalformed));
  size_t institutions = SigningInstitutions(s_.admins());
  if (params->governance_threshold < 1 || params->governance_threshold > institutions) {
    return BadOperand("params.governance_threshold must be 1.." + std::to_string(institutions) +
                      " (the institutions with admin keys)");
  }
  if (*params == s_.params()) return Conflict("the params have these values already");
  e_.params() = *params;
  return Status::Ok();
}

Status Operation::operator()(const AddWitness& op) {
  EVIDENCE_RETURN_IF_ERROR(CheckWitnessEntry(ErrorCode::kGovernanceMalformed, "witness", op.witness));
  if (s_.FindWitness(op.witness.name) != nullptr) {
    return Conflict("witness \"" + op.witness.name + "\" exists");
  }
  if (s_.witnesses().size() >= limits::kWitnessesMax) {
    return Conflict("the register holds the most witnesses it may");
  }
  EVIDENCE_RETURN_IF_ERROR(CheckNewKey(s_, op.witness.key, "witness key"));
  e_.witnesses().push_back(op.witness);
  return Status::Ok();
}

Status Operation::operator()(const RemoveWitness& op) {
  std::vector<GenesisWitness>& witnesses = e_.witnesses();
  auto it = std::find_if(witnesses.begin(), witnesses.end(),
                         [&op](const GenesisWitness& w) { return w.name == op.name; });
  if (it == witnesses.end()) return Unknown("no witness \"" + op.name + "\"");
  // Its key never comes back: a cosignature made with it before stays its own.
  e_.Retire(it->key);
  witnesses.erase(it);
  return Status::Ok();
}

Status Operation::operator()(const SetTsaCa& op) {
  EVIDENCE_RETURN_IF_ERROR(CheckName("institution", op.institution, false));
  const AdminEntry* admin = s_.FindAdmin(op.institution);
  if (admin == nullptr || admin->active_keys() == 0) {
    return Unknown("institution \"" + op.institution +
                   "\" holds no admin key (a TSA belongs to an institution of the register)");
  }
  for (GenesisTsa& tsa : e_.tsas()) {
    if (tsa.institution != op.institution) continue;
    if (tsa.ca_cert == op.ca_cert) return Conflict(op.institution + "'s TSA CA is this certificate already");
    tsa.ca_cert = op.ca_cert;
    return Status::Ok();
  }
  e_.tsas().push_back({op.institution, op.ca_cert});
  return Status::Ok();
}

}  // namespace

Result<GovernanceStatePtr> ApplyAction(const GovernanceState& state, const GovernanceAction& action,
                                       const ActionContext& context) {
  EVIDENCE_RETURN_IF_ERROR(CheckAuthority(state, action));
  GovernanceStateEditor editor(state);
  Operation operation(editor, state, action, context);
  EVIDENCE_RETURN_IF_ERROR(std::visit(operation, action.body));
  return editor.Finish(state.next_seq() + 1);
}

Result<GovernanceStatePtr> ApplyActionLeaves(const GovernanceStatePtr& state,
                                             const std::vector<std::string>& leaves,
                                             const ActionContext& context) {
  GovernanceStatePtr current = state;
  for (size_t i = 0; i < leaves.size(); ++i) {
    Result<GovernanceAction> action = ParseAction(leaves[i]);
    if (!action.ok()) return action.status().WithContext("action " + std::to_string(i));
    if (ActionLeaf(*action) != leaves[i]) {
      return Malformed("action " + std::to_string(i) + " is not in canonical (JCS) form");
    }
    Result<GovernanceStatePtr> next = ApplyAction(*current, *action, context);
    if (!next.ok()) return next.status().WithContext("action " + std::to_string(i));
    current = std::move(next).value();
  }
  return current;
}

}  // namespace evidence::ledger
