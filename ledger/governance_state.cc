#include "ledger/governance_state.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/check.h"
#include "ledger/json.h"

namespace evidence::ledger {
namespace json = boost::json;
namespace {

std::vector<RegisteredKey> Registered(const std::vector<crypto::PublicKey>& keys) {
  std::vector<RegisteredKey> out;
  for (const crypto::PublicKey& key : keys) out.push_back({key, std::nullopt});
  return out;
}

json::array KeysToJson(const std::vector<RegisteredKey>& keys) {
  json::array out;
  for (const RegisteredKey& key : keys) out.push_back(RegisteredKeyToJson(key));
  return out;
}

json::object RemovalToJson(const Removal& removal) {
  return json::object{{"seq", removal.seq}, {"height", removal.height}, {"time_ms", removal.time_ms}};
}

}  // namespace

size_t AdminEntry::active_keys() const {
  size_t count = 0;
  for (const RegisteredKey& key : keys) count += key.revoked ? 0 : 1;
  return count;
}

json::object KeyRevocationToJson(const KeyRevocation& r) {
  return json::object{{"reason", r.reason},   {"effective_ms", r.effective_ms}, {"seq", r.seq},
                      {"height", r.height}, {"time_ms", r.time_ms}};
}

json::object RegisteredKeyToJson(const RegisteredKey& key) {
  json::object out{{"key", key.key.ToPem()}};
  if (key.revoked) out["revoked"] = KeyRevocationToJson(*key.revoked);
  return out;
}

GovernanceStatePtr GovernanceState::FromGenesis(const Genesis& genesis) {
  std::shared_ptr<GovernanceState> state(new GovernanceState());
  state->chain_id_ = genesis.chain_id();
  state->hash_ = genesis.hash();
  state->genesis_time_ms_ = genesis.genesis_time_ms();
  state->governed_ = genesis.governed();
  state->params_ = genesis.params();
  for (const GenesisAdmin& admin : genesis.admins()) {
    state->admins_.push_back({admin.institution, Registered(admin.keys)});
  }
  state->validators_ = genesis.validators();
  state->observers_ = genesis.observers();
  for (const GenesisAgency& agency : genesis.agencies()) {
    state->agencies_.push_back(
        {agency.id, agency.name, agency.institution, Registered(agency.keys), std::nullopt});
  }
  state->readers_ = genesis.readers();
  state->tsas_ = genesis.tsas();
  state->witnesses_ = genesis.witnesses();
  state->Seal();
  return state;
}

void GovernanceState::Seal() {
  std::vector<Validator> members;
  for (const GenesisValidator& v : validators_) {
    members.push_back({v.name, v.institution, v.vote_key, v.power});
  }
  // Genesis and the governance rules keep the list valid (non-empty, distinct
  // vote keys, powers within bounds): a failure here is a bug.
  Result<ValidatorSet> set = ValidatorSet::Create(std::move(members));
  EVIDENCE_CHECK_MSG(set.ok(), "the governance state's validators do not make a valid set");
  validator_set_ = std::move(set).value();
  agency_index_.clear();
  agency_key_index_.clear();
  for (size_t a = 0; a < agencies_.size(); ++a) {
    agency_index_[agencies_[a].id] = a;
    for (size_t k = 0; k < agencies_[a].keys.size(); ++k) {
      agency_key_index_[agencies_[a].keys[k].key.key_id()] = {a, k};
    }
  }
  admin_key_index_.clear();
  for (size_t a = 0; a < admins_.size(); ++a) {
    for (size_t k = 0; k < admins_[a].keys.size(); ++k) {
      admin_key_index_[admins_[a].keys[k].key.key_id()] = {a, k};
    }
  }
  Result<std::string> jcs = CanonicalJson(ToJson());
  EVIDENCE_CHECK_MSG(jcs.ok(), "the governance state has no canonical JSON");
  crypto::Hasher hasher(hash_);
  hasher.Update(kStateHashDomain).Update(*jcs);
  hash_value_ = hasher.Finish();
}

const AgencyEntry* GovernanceState::FindAgency(std::string_view id) const {
  auto it = agency_index_.find(id);
  return it == agency_index_.end() ? nullptr : &agencies_[it->second];
}

const RegisteredKey* GovernanceState::FindAgencyKey(std::string_view agency,
                                                    std::string_view key_id) const {
  auto it = agency_key_index_.find(key_id);
  if (it == agency_key_index_.end()) return nullptr;
  const AgencyEntry& entry = agencies_[it->second.first];
  if (entry.id != agency) return nullptr;
  return &entry.keys[it->second.second];
}

const crypto::PublicKey* GovernanceState::FindActiveAgencyKey(std::string_view agency,
                                                              std::string_view key_id) const {
  const RegisteredKey* key = FindAgencyKey(agency, key_id);
  if (key == nullptr || key->revoked) return nullptr;
  if (FindAgency(agency)->removed) return nullptr;
  return &key->key;
}

const AdminEntry* GovernanceState::FindAdminOfKey(std::string_view key_id,
                                                  const RegisteredKey** key) const {
  auto it = admin_key_index_.find(key_id);
  if (it == admin_key_index_.end()) return nullptr;
  const AdminEntry& entry = admins_[it->second.first];
  if (key != nullptr) *key = &entry.keys[it->second.second];
  return &entry;
}

const AdminEntry* GovernanceState::FindAdmin(std::string_view institution) const {
  for (const AdminEntry& admin : admins_) {
    if (admin.institution == institution) return &admin;
  }
  return nullptr;
}

const GenesisValidator* GovernanceState::FindValidator(std::string_view name) const {
  for (const GenesisValidator& v : validators_) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

const GenesisObserver* GovernanceState::FindObserver(std::string_view name) const {
  for (const GenesisObserver& o : observers_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

const GenesisReader* GovernanceState::FindReader(std::string_view id) const {
  for (const GenesisReader& r : readers_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const GenesisTsa* GovernanceState::FindTsa(std::string_view institution) const {
  for (const GenesisTsa& tsa : tsas_) {
    if (tsa.institution == institution) return &tsa;
  }
  return nullptr;
}

const GenesisWitness* GovernanceState::FindWitness(std::string_view name) const {
  for (const GenesisWitness& witness : witnesses_) {
    if (witness.name == name) return &witness;
  }
  return nullptr;
}

bool GovernanceState::KeyEverUsed(std::string_view key_id) const {
  if (agency_key_index_.contains(key_id) || admin_key_index_.contains(key_id)) return true;
  if (std::binary_search(retired_keys_.begin(), retired_keys_.end(), key_id)) return true;
  for (const GenesisValidator& v : validators_) {
    if (v.vote_key.key_id() == key_id || v.node_key.key_id() == key_id) return true;
  }
  for (const GenesisObserver& o : observers_) {
    if (o.node_key.key_id() == key_id) return true;
  }
  for (const GenesisWitness& w : witnesses_) {
    if (w.key.key_id() == key_id) return true;
  }
  return false;
}

json::value GovernanceState::ToJson() const {
  json::object out;
  out["v"] = 1;
  out["chain_id"] = chain_id_;
  out["hash"] = crypto::HashAlgorithmName(hash_);
  out["genesis_time_ms"] = genesis_time_ms_;
  out["next_seq"] = next_seq_;
  out["params"] = ChainParamsToJson(params_);
  out["validators_since"] = validators_since_;
  json::array admins;
  for (const AdminEntry& admin : admins_) {
    admins.push_back(json::object{{"institution", admin.institution}, {"keys", KeysToJson(admin.keys)}});
  }
  out["admins"] = std::move(admins);
  json::array validators;
  for (const GenesisValidator& v : validators_) validators.push_back(GenesisValidatorToJson(v));
  out["validators"] = std::move(validators);
  json::array observers;
  for (const GenesisObserver& o : observers_) observers.push_back(GenesisObserverToJson(o));
  out["observers"] = std::move(observers);
  json::array agencies;
  for (const AgencyEntry& a : agencies_) {
    json::object agency{{"id", a.id},
                        {"name", a.name},
                        {"institution", a.institution},
                        {"keys", KeysToJson(a.keys)}};
    if (a.removed) agency["removed"] = RemovalToJson(*a.removed);
    agencies.push_back(std::move(agency));
  }
  out["agencies"] = std::move(agencies);
  json::array readers;
  for (const GenesisReader& r : readers_) readers.push_back(GenesisReaderToJson(r));
  out["readers"] = std::move(readers);
  json::array retired;
  for (const std::string& key_id : retired_keys_) retired.emplace_back(key_id);
  out["retired_keys"] = std::move(retired);
  // Left out when empty, so the state hash of a register without them is as before.
  if (!tsas_.empty()) {
    json::array tsas;
    for (const GenesisTsa& tsa : tsas_) tsas.push_back(GenesisTsaToJson(tsa));
    out["tsas"] = std::move(tsas);
  }
  if (!witnesses_.empty()) {
    json::array witnesses;
    for (const GenesisWitness& w : witnesses_) witnesses.push_back(GenesisWitnessToJson(w));
    out["witnesses"] = std::move(witnesses);
  }
  return out;
}

}  // namespace evidence::ledger
