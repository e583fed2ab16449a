#include "ledger/genesis.h"

#include "ledger/roles.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "common/limits.h"
#include "crypto/note.h"
#include "ledger/errors.h"
#include "ledger/json.h"
#include "ledger/json_fields.h"

namespace evidence::ledger {
namespace json = boost::json;
namespace {

Status Invalid(std::string_view detail) { return LedgerError(ErrorCode::kGenesisInvalid, detail); }

Status CheckName(const std::string& where, std::string_view value, bool identifier) {
  return CheckRegisterName(ErrorCode::kGenesisInvalid, where, value, identifier);
}

// A key in genesis (and in a governance action) is the canonical PEM text of its
// SPKI (as ToJson writes it: 64-character base64 lines, "\n" line ends), so that
// every verifier reads the same bytes for it (docs/receipt-format.md §1, §2).
Result<crypto::PublicKey> KeyFromPem(FieldReader& reader, const std::string& name,
                                     const std::string& pem, SchemaCodes codes) {
  auto key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return reader.Error(codes.bad_value, name + ": " + key.status().message());
  if (key->ToPem() != pem) {
    return reader.Error(codes.bad_value,
                        name + " is not in canonical PEM form (\"-----BEGIN PUBLIC KEY-----\\n\", "
                               "base64 in lines of 64 characters, \"-----END PUBLIC KEY-----\\n\")");
  }
  return std::move(key).value();
}

Result<crypto::PublicKey> KeyField(FieldReader& reader, std::string_view name, SchemaCodes codes) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string pem, reader.String(name));
  return KeyFromPem(reader, std::string(name), pem, codes);
}

Result<std::vector<crypto::PublicKey>> KeyList(FieldReader& reader, std::string_view name,
                                               size_t max, SchemaCodes codes) {
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<std::string> pems, reader.StringArray(name, max));
  std::vector<crypto::PublicKey> keys;
  for (size_t k = 0; k < pems.size(); ++k) {
    EVIDENCE_ASSIGN_OR_RETURN(
        crypto::PublicKey key,
        KeyFromPem(reader, std::string(name) + "[" + std::to_string(k) + "]", pems[k], codes));
    keys.push_back(std::move(key));
  }
  return keys;
}

json::array PemList(const std::vector<crypto::PublicKey>& keys) {
  json::array out;
  for (const crypto::PublicKey& key : keys) out.emplace_back(key.ToPem());
  return out;
}

}  // namespace

Result<GenesisValidator> GenesisValidatorFromJson(const json::value& value, const std::string& where,
                                                  SchemaCodes codes) {
  FieldReader reader(value, where, codes);
  EVIDENCE_ASSIGN_OR_RETURN(std::string name, reader.String("name"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey vote_key, KeyField(reader, "vote_key", codes));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node_key, KeyField(reader, "node_key", codes));
  EVIDENCE_ASSIGN_OR_RETURN(uint64_t power, reader.Unsigned("power"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string address, reader.String("address"));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return GenesisValidator{std::move(name), std::move(institution), std::move(vote_key),
                          std::move(node_key), power, std::move(address)};
}

Result<GenesisAgency> GenesisAgencyFromJson(const json::value& value, const std::string& where,
                                            SchemaCodes codes) {
  FieldReader reader(value, where, codes);
  GenesisAgency agency;
  EVIDENCE_ASSIGN_OR_RETURN(agency.id, reader.String("id"));
  EVIDENCE_ASSIGN_OR_RETURN(agency.name, reader.String("name"));
  EVIDENCE_ASSIGN_OR_RETURN(agency.institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(agency.keys, KeyList(reader, "keys", kGenesisAgencyKeysMax, codes));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return agency;
}

Result<GenesisReader> GenesisReaderFromJson(const json::value& value, const std::string& where,
                                            SchemaCodes codes) {
  FieldReader reader(value, where, codes);
  GenesisReader out;
  EVIDENCE_ASSIGN_OR_RETURN(out.id, reader.String("id"));
  EVIDENCE_ASSIGN_OR_RETURN(out.role, reader.String("role"));
  bool has_token = reader.Optional("token_sha256") != nullptr;
  bool has_key = reader.Optional("key") != nullptr;
  if (has_token == has_key) {
    return reader.Error(codes.missing_field, "exactly one of \"token_sha256\" and \"key\" is required");
  }
  if (has_token) {
    EVIDENCE_ASSIGN_OR_RETURN(std::string hex, reader.String("token_sha256"));
    EVIDENCE_ASSIGN_OR_RETURN(out.token_sha256,
                              ParseHexDigest(reader.where() + ".token_sha256", hex, codes));
  } else {
    EVIDENCE_ASSIGN_OR_RETURN(out.key, KeyField(reader, "key", codes));
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return out;
}

Result<GenesisObserver> GenesisObserverFromJson(const json::value& value, const std::string& where,
                                                SchemaCodes codes) {
  FieldReader reader(value, where, codes);
  EVIDENCE_ASSIGN_OR_RETURN(std::string name, reader.String("name"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node_key, KeyField(reader, "node_key", codes));
  EVIDENCE_ASSIGN_OR_RETURN(std::string address, reader.String("address"));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return GenesisObserver{std::move(name), std::move(institution), std::move(node_key),
                         std::move(address)};
}

Result<GenesisTsa> GenesisTsaFromJson(const json::value& value, const std::string& where,
                                      SchemaCodes codes) {
  FieldReader reader(value, where, codes);
  GenesisTsa tsa;
  EVIDENCE_ASSIGN_OR_RETURN(tsa.institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string pem, reader.String("ca_cert"));
  auto ca = crypto::ParseCaCertificate(pem);
  if (!ca.ok()) return reader.Error(codes.bad_value, "ca_cert: " + ca.status().message());
  tsa.ca_cert = std::move(ca).value();
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return tsa;
}

Result<GenesisWitness> GenesisWitnessFromJson(const json::value& value, const std::string& where,
                                              SchemaCodes codes) {
  FieldReader reader(value, where, codes);
  EVIDENCE_ASSIGN_OR_RETURN(std::string name, reader.String("name"));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key, KeyField(reader, "key", codes));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return GenesisWitness{std::move(name), std::move(key)};
}

json::object GenesisTsaToJson(const GenesisTsa& tsa) {
  return json::object{{"institution", tsa.institution}, {"ca_cert", tsa.ca_cert.pem}};
}

json::object GenesisWitnessToJson(const GenesisWitness& witness) {
  return json::object{{"name", witness.name}, {"key", witness.key.ToPem()}};
}

Status CheckWitnessEntry(ErrorCode code, const std::string& where, const GenesisWitness& witness) {
  if (witness.name.size() > kGenesisNameBytesMax || !crypto::IsNoteKeyName(witness.name)) {
    return LedgerError(code, where + ".name must be a note key name of 1.." +
                                 std::to_string(kGenesisNameBytesMax) +
                                 " bytes without spaces or '+' (c2sp.org/signed-note)");
  }
  if (witness.key.algorithm() != crypto::SignatureAlgorithm::kEd25519) {
    return LedgerError(code, where + ".key must be an Ed25519 key (c2sp.org/tlog-cosignature)");
  }
  return Status::Ok();
}

json::object GenesisValidatorToJson(const GenesisValidator& v) {
  return json::object{{"name", v.name},         {"institution", v.institution},
                      {"vote_key", v.vote_key.ToPem()}, {"node_key", v.node_key.ToPem()},
                      {"power", v.power},       {"address", v.address}};
}

json::object GenesisAgencyToJson(const GenesisAgency& a) {
  return json::object{
      {"id", a.id}, {"name", a.name}, {"institution", a.institution}, {"keys", PemList(a.keys)}};
}

json::object GenesisReaderToJson(const GenesisReader& r) {
  json::object reader{{"id", r.id}, {"role", r.role}};
  if (r.token_sha256) reader["token_sha256"] = crypto::DigestHex(*r.token_sha256);
  if (r.key) reader["key"] = r.key->ToPem();
  return reader;
}

json::object GenesisObserverToJson(const GenesisObserver& o) {
  return json::object{{"name", o.name},
                      {"institution", o.institution},
                      {"node_key", o.node_key.ToPem()},
                      {"address", o.address}};
}

namespace {

Result<GenesisAdmin> AdminFromJson(const json::value& value, size_t i) {
  FieldReader reader(value, "admins[" + std::to_string(i) + "]", kGenesisCodes);
  GenesisAdmin admin;
  EVIDENCE_ASSIGN_OR_RETURN(admin.institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(admin.keys,
                            KeyList(reader, "keys", limits::kGovernanceAdminKeysMax, kGenesisCodes));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return admin;
}

template <class T, class F>
Result<std::vector<T>> ListFromJson(FieldReader& reader, std::string_view name, size_t max,
                                    F from_json) {
  EVIDENCE_ASSIGN_OR_RETURN(const json::array* array, reader.Array(name, max));
  std::vector<T> out;
  for (size_t i = 0; i < array->size(); ++i) {
    EVIDENCE_ASSIGN_OR_RETURN(T item, from_json((*array)[i], i));
    out.push_back(std::move(item));
  }
  return out;
}

// An element parser for ListFromJson over one of the public entry parsers.
template <class F>
auto Indexed(F parse, std::string_view list) {
  return [parse, list](const json::value& value, size_t i) {
    return parse(value, std::string(list) + "[" + std::to_string(i) + "]", kGenesisCodes);
  };
}

}  // namespace

uint64_t DefaultGovernanceThreshold(size_t institutions) { return 2 * institutions / 3 + 1; }

Status CheckRegisterName(ErrorCode code, const std::string& where, std::string_view value,
                         bool identifier) {
  if (value.empty() || value.size() > kGenesisNameBytesMax) {
    return LedgerError(code, where + " must be 1.." + std::to_string(kGenesisNameBytesMax) + " bytes");
  }
  if (identifier && !IsIdentifier(value)) {
    return LedgerError(code, where + " may hold only A-Z a-z 0-9 . _ -");
  }
  if (!IsValidUtf8(value)) return LedgerError(code, where + " is not UTF-8");
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return LedgerError(code, where + " has a control character");
  }
  return Status::Ok();
}

namespace {

Status CheckValidatorsAndObservers(const GenesisContents& c, std::vector<Validator>& set_members) {
  std::set<std::string> names, node_keys;
  for (size_t i = 0; i < c.validators.size(); ++i) {
    const GenesisValidator& v = c.validators[i];
    std::string where = "validators[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".name", v.name, true));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", v.institution, false));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".address", v.address, false));
    if (!names.insert(v.name).second) return Invalid(where + ".name \"" + v.name + "\" is repeated");
    if (v.power > static_cast<uint64_t>(kJsonIntegerMax)) return Invalid(where + ".power is over 2^53-1");
    if (!node_keys.insert(v.node_key.key_id()).second) return Invalid(where + ".node_key is repeated");
    set_members.push_back({v.name, v.institution, v.vote_key, v.power});
  }
  if (c.observers.size() > limits::kObserversMax) return Invalid("too many observers");
  for (size_t i = 0; i < c.observers.size(); ++i) {
    const GenesisObserver& o = c.observers[i];
    std::string where = "observers[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".name", o.name, true));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", o.institution, false));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".address", o.address, false));
    if (!names.insert(o.name).second) return Invalid(where + ".name \"" + o.name + "\" is repeated");
    if (!node_keys.insert(o.node_key.key_id()).second) return Invalid(where + ".node_key is repeated");
  }
  return Status::Ok();
}

Status CheckAgencies(const GenesisContents& c) {
  std::set<std::string> agency_ids, agency_keys;
  if (c.agencies.size() > kGenesisAgenciesMax) return Invalid("too many agencies");
  for (size_t i = 0; i < c.agencies.size(); ++i) {
    const GenesisAgency& a = c.agencies[i];
    std::string where = "agencies[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".id", a.id, true));
    if (a.id.size() > limits::kAgencyIdBytesMax) return Invalid(where + ".id is too long");
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".name", a.name, false));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", a.institution, false));
    if (!agency_ids.insert(a.id).second) return Invalid(where + ".id \"" + a.id + "\" is repeated");
    if (a.keys.empty()) return Invalid(where + " has no keys");
    if (a.keys.size() > kGenesisAgencyKeysMax) return Invalid(where + " has too many keys");
    for (const crypto::PublicKey& key : a.keys) {
      // A key belongs to one agency, so a signature names its author unambiguously.
      if (!agency_keys.insert(key.key_id()).second) {
        return Invalid(where + ": key " + key.key_id() + " is registered twice");
      }
    }
  }
  return Status::Ok();
}

Status CheckReaders(const GenesisContents& c) {
  std::set<std::string> reader_ids;
  if (c.readers.size() > kGenesisReadersMax) return Invalid("too many readers");
  for (size_t i = 0; i < c.readers.size(); ++i) {
    const GenesisReader& r = c.readers[i];
    std::string where = "readers[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".id", r.id, true));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".role", r.role, true));
    if (FindReaderRole(r.role) == nullptr) {
      return Invalid(where + ".role \"" + r.role + "\" is not a reader role; use one of " +
                     ReaderRoleNames() + " (ledger/roles.h, docs/api.md)");
    }
    if (r.token_sha256.has_value() == r.key.has_value()) {
      return Invalid(where + ": exactly one of token_sha256 and key is required");
    }
    if (!reader_ids.insert(r.id).second) return Invalid(where + ".id \"" + r.id + "\" is repeated");
  }
  return Status::Ok();
}

// Version 2: admin keys separate from every other key, every validator's
// institution among them, a threshold they can reach.
Status CheckAdmins(const GenesisContents& c) {
  if (c.admins.empty()) return Invalid("admins: at least one institution with admin keys is required");
  if (c.admins.size() > limits::kGovernanceInstitutionsMax) return Invalid("admins: too many institutions");
  std::set<std::string> other_keys;
  for (const GenesisValidator& v : c.validators) {
    other_keys.insert(v.vote_key.key_id());
    other_keys.insert(v.node_key.key_id());
  }
  for (const GenesisObserver& o : c.observers) other_keys.insert(o.node_key.key_id());
  for (const GenesisAgency& a : c.agencies) {
    for (const crypto::PublicKey& key : a.keys) other_keys.insert(key.key_id());
  }
  std::set<std::string> institutions, admin_keys;
  for (size_t i = 0; i < c.admins.size(); ++i) {
    const GenesisAdmin& admin = c.admins[i];
    std::string where = "admins[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", admin.institution, false));
    if (!institutions.insert(admin.institution).second) {
      return Invalid(where + ".institution \"" + admin.institution + "\" is repeated");
    }
    if (admin.keys.empty() || admin.keys.size() > limits::kGovernanceAdminKeysMax) {
      return Invalid(where + ".keys must hold 1.." + std::to_string(limits::kGovernanceAdminKeysMax) +
                     " keys");
    }
    for (const crypto::PublicKey& key : admin.keys) {
      if (other_keys.contains(key.key_id())) {
        return Invalid(where + ": key " + key.key_id() +
                       " is also a vote, node or agency key; admin keys must be separate");
      }
      if (!admin_keys.insert(key.key_id()).second) {
        return Invalid(where + ": key " + key.key_id() + " is registered twice");
      }
    }
  }
  for (size_t i = 0; i < c.validators.size(); ++i) {
    if (!institutions.contains(c.validators[i].institution)) {
      return Invalid("validators[" + std::to_string(i) + "]: institution \"" +
                     c.validators[i].institution + "\" has no admin keys");
    }
  }
  EVIDENCE_RETURN_IF_ERROR(CheckChainParams(c.params, ErrorCode::kGenesisInvalid));
  if (c.params.governance_threshold < 1 || c.params.governance_threshold > c.admins.size()) {
    return Invalid("params.governance_threshold must be 1.." + std::to_string(c.admins.size()) +
                   " (the institutions with admin keys)");
  }
  return Status::Ok();
}

// Version 2: each TSA CA belongs to one institution with admin keys; each
// witness has a unique name and a key no other entry holds.
Status CheckTrustedTime(const GenesisContents& c) {
  std::set<std::string> admin_institutions, other_keys;
  for (const GenesisAdmin& admin : c.admins) {
    admin_institutions.insert(admin.institution);
    for (const crypto::PublicKey& key : admin.keys) other_keys.insert(key.key_id());
  }
  for (const GenesisValidator& v : c.validators) {
    other_keys.insert(v.vote_key.key_id());
    other_keys.insert(v.node_key.key_id());
  }
  for (const GenesisObserver& o : c.observers) other_keys.insert(o.node_key.key_id());
  for (const GenesisAgency& a : c.agencies) {
    for (const crypto::PublicKey& key : a.keys) other_keys.insert(key.key_id());
  }
  if (c.tsas.size() > limits::kGovernanceInstitutionsMax) return Invalid("tsas: too many");
  std::set<std::string> tsa_institutions;
  for (size_t i = 0; i < c.tsas.size(); ++i) {
    const GenesisTsa& tsa = c.tsas[i];
    std::string where = "tsas[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", tsa.institution, false));
    if (!admin_institutions.contains(tsa.institution)) {
      return Invalid(where + ": institution \"" + tsa.institution + "\" has no admin keys");
    }
    if (!tsa_institutions.insert(tsa.institution).second) {
      return Invalid(where + ".institution \"" + tsa.institution + "\" is repeated");
    }
  }
  if (c.witnesses.size() > limits::kWitnessesMax) return Invalid("witnesses: too many");
  std::set<std::string> names, witness_keys;
  for (size_t i = 0; i < c.witnesses.size(); ++i) {
    const GenesisWitness& witness = c.witnesses[i];
    std::string where = "witnesses[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckWitnessEntry(ErrorCode::kGenesisInvalid, where, witness));
    if (!names.insert(witness.name).second) {
      return Invalid(where + ".name \"" + witness.name + "\" is repeated");
    }
    const std::string key_id = witness.key.key_id();
    if (other_keys.contains(key_id) || !witness_keys.insert(key_id).second) {
      return Invalid(where + ": key " + key_id + " is registered twice (witness keys must be separate)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Genesis> Genesis::Create(GenesisContents c) {
  if (c.version != 1 && c.version != 2) return Invalid("version must be 1 or 2");
  if (c.chain_id.empty() || c.chain_id.size() > limits::kChainIdBytesMax ||
      !IsIdentifier(c.chain_id)) {
    return Invalid("chain_id must be 1.." + std::to_string(limits::kChainIdBytesMax) +
                   " characters of A-Z a-z 0-9 . _ -");
  }
  if (c.genesis_time_ms < 0 || c.genesis_time_ms > kJsonIntegerMax) {
    return Invalid("genesis_time_ms must be 0..2^53-1 unix ms");
  }
  std::vector<Validator> set_members;
  EVIDENCE_RETURN_IF_ERROR(CheckValidatorsAndObservers(c, set_members));
  auto set = ValidatorSet::Create(std::move(set_members));
  if (!set.ok()) return Invalid(set.status().message());
  EVIDENCE_RETURN_IF_ERROR(CheckAgencies(c));
  EVIDENCE_RETURN_IF_ERROR(CheckReaders(c));
  if (c.version == 1) {
    if (!c.admins.empty() || !c.observers.empty() || c.params != kLegacyChainParams ||
        !c.tsas.empty() || !c.witnesses.empty()) {
      return Invalid("a version 1 genesis has no admins, observers, params, tsas or witnesses");
    }
  } else {
    EVIDENCE_RETURN_IF_ERROR(CheckAdmins(c));
    EVIDENCE_RETURN_IF_ERROR(CheckTrustedTime(c));
  }
  Genesis g;
  g.c_ = std::move(c);
  g.validator_set_ = std::move(set).value();
  return g;
}

Result<Genesis> Genesis::Create(std::string chain_id, int64_t genesis_time_ms,
                                crypto::HashAlgorithm hash,
                                std::vector<GenesisValidator> validators,
                                std::vector<GenesisAgency> agencies,
                                std::vector<GenesisReader> readers) {
  GenesisContents c;
  c.version = 1;
  c.chain_id = std::move(chain_id);
  c.genesis_time_ms = genesis_time_ms;
  c.hash = hash;
  c.params = kLegacyChainParams;
  c.validators = std::move(validators);
  c.agencies = std::move(agencies);
  c.readers = std::move(readers);
  return Create(std::move(c));
}

Result<Genesis> Genesis::Parse(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, kGenesisBytesMax, limits::kJsonDepthMax);
  if (!parsed.ok()) return Invalid(parsed.status().message());
  FieldReader reader(*parsed, "genesis", kGenesisCodes);
  GenesisContents c;
  c.version = 1;
  if (reader.Optional("v") != nullptr) {
    EVIDENCE_ASSIGN_OR_RETURN(int64_t version, reader.Signed("v"));
    if (version != 2) return Invalid("v must be 2 (version 1 has no \"v\")");
    c.version = 2;
  }
  EVIDENCE_ASSIGN_OR_RETURN(c.chain_id, reader.String("chain_id"));
  EVIDENCE_ASSIGN_OR_RETURN(c.genesis_time_ms, reader.Signed("genesis_time_ms"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string hash_name, reader.String("hash"));
  auto hash = crypto::ParseHashAlgorithm(hash_name);
  if (!hash.ok()) return Invalid("hash must be \"sha256\" or \"sm3\", not \"" + hash_name + "\"");
  c.hash = *hash;
  EVIDENCE_ASSIGN_OR_RETURN(c.validators, ListFromJson<GenesisValidator>(
                                              reader, "validators", limits::kValidatorsMax,
                                              Indexed(GenesisValidatorFromJson, "validators")));
  EVIDENCE_ASSIGN_OR_RETURN(c.agencies, ListFromJson<GenesisAgency>(
                                            reader, "agencies", kGenesisAgenciesMax,
                                            Indexed(GenesisAgencyFromJson, "agencies")));
  EVIDENCE_ASSIGN_OR_RETURN(c.readers, ListFromJson<GenesisReader>(
                                           reader, "readers", kGenesisReadersMax,
                                           Indexed(GenesisReaderFromJson, "readers")));
  if (c.version == 2) {
    EVIDENCE_ASSIGN_OR_RETURN(const json::value* params, reader.Required("params"));
    EVIDENCE_ASSIGN_OR_RETURN(c.params, ChainParamsFromJson(*params, "params", kGenesisCodes));
    EVIDENCE_ASSIGN_OR_RETURN(c.admins, ListFromJson<GenesisAdmin>(
                                            reader, "admins", limits::kGovernanceInstitutionsMax,
                                            AdminFromJson));
    EVIDENCE_ASSIGN_OR_RETURN(c.observers, ListFromJson<GenesisObserver>(
                                               reader, "observers", limits::kObserversMax,
                                               Indexed(GenesisObserverFromJson, "observers")));
    // Optional (an empty list is written by leaving the member out).
    if (reader.Optional("tsas") != nullptr) {
      EVIDENCE_ASSIGN_OR_RETURN(c.tsas, ListFromJson<GenesisTsa>(
                                            reader, "tsas", limits::kGovernanceInstitutionsMax,
                                            Indexed(GenesisTsaFromJson, "tsas")));
      if (c.tsas.empty()) return Invalid("tsas: an empty list is left out");
    }
    if (reader.Optional("witnesses") != nullptr) {
      EVIDENCE_ASSIGN_OR_RETURN(c.witnesses, ListFromJson<GenesisWitness>(
                                                 reader, "witnesses", limits::kWitnessesMax,
                                                 Indexed(GenesisWitnessFromJson, "witnesses")));
      if (c.witnesses.empty()) return Invalid("witnesses: an empty list is left out");
    }
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return Create(std::move(c));
}

Result<Genesis> Genesis::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open genesis file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read genesis file " + path);
  auto genesis = Parse(text.str());
  if (!genesis.ok()) return genesis.status().WithContext(path);
  return genesis;
}

std::string Genesis::ToJson() const {
  json::object out;
  if (c_.version >= 2) out["v"] = c_.version;
  out["chain_id"] = c_.chain_id;
  out["genesis_time_ms"] = c_.genesis_time_ms;
  out["hash"] = crypto::HashAlgorithmName(c_.hash);
  json::array validators;
  for (const GenesisValidator& v : c_.validators) validators.push_back(GenesisValidatorToJson(v));
  out["validators"] = std::move(validators);
  json::array agencies;
  for (const GenesisAgency& a : c_.agencies) agencies.push_back(GenesisAgencyToJson(a));
  out["agencies"] = std::move(agencies);
  json::array readers;
  for (const GenesisReader& r : c_.readers) readers.push_back(GenesisReaderToJson(r));
  out["readers"] = std::move(readers);
  if (c_.version >= 2) {
    out["params"] = ChainParamsToJson(c_.params);
    json::array admins;
    for (const GenesisAdmin& a : c_.admins) {
      admins.push_back(json::object{{"institution", a.institution}, {"keys", PemList(a.keys)}});
    }
    out["admins"] = std::move(admins);
    json::array observers;
    for (const GenesisObserver& o : c_.observers) observers.push_back(GenesisObserverToJson(o));
    out["observers"] = std::move(observers);
    if (!c_.tsas.empty()) {
      json::array tsas;
      for (const GenesisTsa& tsa : c_.tsas) tsas.push_back(GenesisTsaToJson(tsa));
      out["tsas"] = std::move(tsas);
    }
    if (!c_.witnesses.empty()) {
      json::array witnesses;
      for (const GenesisWitness& w : c_.witnesses) witnesses.push_back(GenesisWitnessToJson(w));
      out["witnesses"] = std::move(witnesses);
    }
  }
  return CanonicalJson(out).value() + "\n";
}

Status Genesis::Save(const std::string& path) const {
  std::string text = ToJson();
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot create " + temporary);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return Status::IoError("cannot write genesis file " + path);
  }
  return Status::Ok();
}

crypto::Digest Genesis::Hash() const {
  std::string text = ToJson();
  text.pop_back();  // the newline is not part of the JCS document
  return crypto::Hash(c_.hash, text);
}

const GenesisAgency* Genesis::FindAgency(std::string_view id) const {
  for (const GenesisAgency& a : c_.agencies) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const crypto::PublicKey* Genesis::FindAgencyKey(std::string_view agency,
                                                std::string_view key_id) const {
  const GenesisAgency* a = FindAgency(agency);
  if (a == nullptr) return nullptr;
  for (const crypto::PublicKey& key : a->keys) {
    if (key.key_id() == key_id) return &key;
  }
  return nullptr;
}

}  // namespace evidence::ledger
