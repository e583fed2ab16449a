#include "ledger/genesis.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "common/limits.h"
#include "ledger/errors.h"
#include "ledger/json.h"
#include "ledger/json_fields.h"

namespace evidence::ledger {
namespace json = boost::json;
namespace {

Status Invalid(std::string_view detail) { return LedgerError(ErrorCode::kGenesisInvalid, detail); }

Status CheckName(const std::string& where, std::string_view value, bool identifier) {
  if (value.empty() || value.size() > kGenesisNameBytesMax) {
    return Invalid(where + " must be 1.." + std::to_string(kGenesisNameBytesMax) + " bytes");
  }
  if (identifier && !IsIdentifier(value)) {
    return Invalid(where + " may hold only A-Z a-z 0-9 . _ -");
  }
  if (!IsValidUtf8(value)) return Invalid(where + " is not UTF-8");
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Invalid(where + " has a control character");
  }
  return Status::Ok();
}

// A key in genesis is the canonical PEM text of its SPKI (as ToJson writes it:
// 64-character base64 lines, "\n" line ends), so that every verifier reads the
// same bytes for it (docs/receipt-format.md §2).
Result<crypto::PublicKey> KeyFromPem(const std::string& where, const std::string& pem) {
  auto key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return Invalid(where + ": " + key.status().message());
  if (key->ToPem() != pem) {
    return Invalid(where + " is not in canonical PEM form (\"-----BEGIN PUBLIC KEY-----\\n\", "
                           "base64 in lines of 64 characters, \"-----END PUBLIC KEY-----\\n\")");
  }
  return std::move(key).value();
}

Result<crypto::PublicKey> KeyField(FieldReader& reader, std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string pem, reader.String(name));
  return KeyFromPem(reader.where() + "." + std::string(name), pem);
}

Result<GenesisValidator> ValidatorFromJson(const json::value& value, size_t i) {
  FieldReader reader(value, "validators[" + std::to_string(i) + "]", kGenesisCodes);
  EVIDENCE_ASSIGN_OR_RETURN(std::string name, reader.String("name"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey vote_key, KeyField(reader, "vote_key"));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey node_key, KeyField(reader, "node_key"));
  EVIDENCE_ASSIGN_OR_RETURN(uint64_t power, reader.Unsigned("power"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string address, reader.String("address"));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return GenesisValidator{std::move(name), std::move(institution), std::move(vote_key),
                          std::move(node_key), power, std::move(address)};
}

Result<GenesisAgency> AgencyFromJson(const json::value& value, size_t i) {
  FieldReader reader(value, "agencies[" + std::to_string(i) + "]", kGenesisCodes);
  GenesisAgency agency;
  EVIDENCE_ASSIGN_OR_RETURN(agency.id, reader.String("id"));
  EVIDENCE_ASSIGN_OR_RETURN(agency.name, reader.String("name"));
  EVIDENCE_ASSIGN_OR_RETURN(agency.institution, reader.String("institution"));
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<std::string> pems,
                            reader.StringArray("keys", kGenesisAgencyKeysMax));
  for (size_t k = 0; k < pems.size(); ++k) {
    EVIDENCE_ASSIGN_OR_RETURN(crypto::PublicKey key,
                              KeyFromPem(reader.where() + ".keys[" + std::to_string(k) + "]", pems[k]));
    agency.keys.push_back(std::move(key));
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return agency;
}

Result<GenesisReader> ReaderFromJson(const json::value& value, size_t i) {
  FieldReader reader(value, "readers[" + std::to_string(i) + "]", kGenesisCodes);
  GenesisReader out;
  EVIDENCE_ASSIGN_OR_RETURN(out.id, reader.String("id"));
  EVIDENCE_ASSIGN_OR_RETURN(out.role, reader.String("role"));
  bool has_token = reader.Optional("token_sha256") != nullptr;
  bool has_key = reader.Optional("key") != nullptr;
  if (has_token == has_key) {
    return Invalid(reader.where() + ": exactly one of \"token_sha256\" and \"key\" is required");
  }
  if (has_token) {
    EVIDENCE_ASSIGN_OR_RETURN(std::string hex, reader.String("token_sha256"));
    EVIDENCE_ASSIGN_OR_RETURN(out.token_sha256,
                              ParseHexDigest(reader.where() + ".token_sha256", hex, kGenesisCodes));
  } else {
    EVIDENCE_ASSIGN_OR_RETURN(out.key, KeyField(reader, "key"));
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return out;
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

}  // namespace

Result<Genesis> Genesis::Create(std::string chain_id, int64_t genesis_time_ms,
                                crypto::HashAlgorithm hash,
                                std::vector<GenesisValidator> validators,
                                std::vector<GenesisAgency> agencies,
                                std::vector<GenesisReader> readers) {
  if (chain_id.empty() || chain_id.size() > limits::kChainIdBytesMax || !IsIdentifier(chain_id)) {
    return Invalid("chain_id must be 1.." + std::to_string(limits::kChainIdBytesMax) +
                   " characters of A-Z a-z 0-9 . _ -");
  }
  if (genesis_time_ms < 0 || genesis_time_ms > kJsonIntegerMax) {
    return Invalid("genesis_time_ms must be 0..2^53-1 unix ms");
  }
  std::set<std::string> names, node_keys;
  std::vector<Validator> set_members;
  for (size_t i = 0; i < validators.size(); ++i) {
    const GenesisValidator& v = validators[i];
    std::string where = "validators[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".name", v.name, true));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", v.institution, false));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".address", v.address, false));
    if (!names.insert(v.name).second) return Invalid(where + ".name \"" + v.name + "\" is repeated");
    if (v.power > static_cast<uint64_t>(kJsonIntegerMax)) return Invalid(where + ".power is over 2^53-1");
    if (!node_keys.insert(v.node_key.key_id()).second) return Invalid(where + ".node_key is repeated");
    set_members.push_back({v.name, v.institution, v.vote_key, v.power});
  }
  auto set = ValidatorSet::Create(std::move(set_members));
  if (!set.ok()) return Invalid(set.status().message());
  std::set<std::string> agency_ids, agency_keys;
  if (agencies.size() > kGenesisAgenciesMax) return Invalid("too many agencies");
  for (size_t i = 0; i < agencies.size(); ++i) {
    const GenesisAgency& a = agencies[i];
    std::string where = "agencies[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".id", a.id, true));
    if (a.id.size() > limits::kAgencyIdBytesMax) return Invalid(where + ".id is too long");
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".name", a.name, false));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".institution", a.institution, false));
    if (!agency_ids.insert(a.id).second) return Invalid(where + ".id \"" + a.id + "\" is repeated");
    if (a.keys.empty()) return Invalid(where + " has no keys");
    for (const crypto::PublicKey& key : a.keys) {
      // A key belongs to one agency, so a signature names its author unambiguously.
      if (!agency_keys.insert(key.key_id()).second) {
        return Invalid(where + ": key " + key.key_id() + " is registered twice");
      }
    }
  }
  std::set<std::string> reader_ids;
  if (readers.size() > kGenesisReadersMax) return Invalid("too many readers");
  for (size_t i = 0; i < readers.size(); ++i) {
    const GenesisReader& r = readers[i];
    std::string where = "readers[" + std::to_string(i) + "]";
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".id", r.id, true));
    EVIDENCE_RETURN_IF_ERROR(CheckName(where + ".role", r.role, true));
    if (r.token_sha256.has_value() == r.key.has_value()) {
      return Invalid(where + ": exactly one of token_sha256 and key is required");
    }
    if (!reader_ids.insert(r.id).second) return Invalid(where + ".id \"" + r.id + "\" is repeated");
  }
  Genesis g;
  g.chain_id_ = std::move(chain_id);
  g.genesis_time_ms_ = genesis_time_ms;
  g.hash_ = hash;
  g.validators_ = std::move(validators);
  g.agencies_ = std::move(agencies);
  g.readers_ = std::move(readers);
  g.validator_set_ = std::move(set).value();
  return g;
}

Result<Genesis> Genesis::Parse(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, kGenesisBytesMax, limits::kJsonDepthMax);
  if (!parsed.ok()) return Invalid(parsed.status().message());
  FieldReader reader(*parsed, "genesis", kGenesisCodes);
  EVIDENCE_ASSIGN_OR_RETURN(std::string chain_id, reader.String("chain_id"));
  EVIDENCE_ASSIGN_OR_RETURN(int64_t time_ms, reader.Signed("genesis_time_ms"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string hash_name, reader.String("hash"));
  auto hash = crypto::ParseHashAlgorithm(hash_name);
  if (!hash.ok()) return Invalid("hash must be \"sha256\" or \"sm3\", not \"" + hash_name + "\"");
  EVIDENCE_ASSIGN_OR_RETURN(auto validators,
                            ListFromJson<GenesisValidator>(reader, "validators", 1000, ValidatorFromJson));
  EVIDENCE_ASSIGN_OR_RETURN(auto agencies, ListFromJson<GenesisAgency>(
                                               reader, "agencies", kGenesisAgenciesMax, AgencyFromJson));
  EVIDENCE_ASSIGN_OR_RETURN(auto readers, ListFromJson<GenesisReader>(
                                              reader, "readers", kGenesisReadersMax, ReaderFromJson));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return Create(std::move(chain_id), time_ms, *hash, std::move(validators), std::move(agencies),
                std::move(readers));
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
  out["chain_id"] = chain_id_;
  out["genesis_time_ms"] = genesis_time_ms_;
  out["hash"] = crypto::HashAlgorithmName(hash_);
  json::array validators;
  for (const GenesisValidator& v : validators_) {
    validators.push_back(json::object{{"name", v.name},
                                      {"institution", v.institution},
                                      {"vote_key", v.vote_key.ToPem()},
                                      {"node_key", v.node_key.ToPem()},
                                      {"power", v.power},
                                      {"address", v.address}});
  }
  out["validators"] = std::move(validators);
  json::array agencies;
  for (const GenesisAgency& a : agencies_) {
    json::array keys;
    for (const crypto::PublicKey& key : a.keys) keys.emplace_back(key.ToPem());
    agencies.push_back(json::object{
        {"id", a.id}, {"name", a.name}, {"institution", a.institution}, {"keys", std::move(keys)}});
  }
  out["agencies"] = std::move(agencies);
  json::array readers;
  for (const GenesisReader& r : readers_) {
    json::object reader{{"id", r.id}, {"role", r.role}};
    if (r.token_sha256) reader["token_sha256"] = crypto::DigestHex(*r.token_sha256);
    if (r.key) reader["key"] = r.key->ToPem();
    readers.push_back(std::move(reader));
  }
  out["readers"] = std::move(readers);
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
  return crypto::Hash(hash_, text);
}

const GenesisAgency* Genesis::FindAgency(std::string_view id) const {
  for (const GenesisAgency& a : agencies_) {
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
