#include "ledger/batch.h"

#include "common/limits.h"
#include "crypto/merkle.h"
#include "ledger/errors.h"
#include "ledger/json.h"
#include "ledger/json_fields.h"

namespace evidence::ledger {
namespace json = boost::json;

Bytes BatchSigningBytes(const BatchHeader& header) {
  json::object object;
  object["agency"] = header.agency;
  object["chain_id"] = header.chain_id;
  object["root"] = crypto::DigestHex(header.root);
  object["size"] = header.size;
  object["v"] = 1;
  auto jcs = CanonicalJson(object);
  EVIDENCE_CHECK(jcs.ok());
  Bytes out(kBatchSigningDomain.begin(), kBatchSigningDomain.end());
  out.insert(out.end(), jcs->begin(), jcs->end());
  return out;
}

BatchHeader BatchHeaderOf(const Record& record) {
  EVIDENCE_CHECK(record.sig.batch.has_value());
  return BatchHeader{record.chain_id, record.agency, record.sig.batch->root,
                     record.sig.batch->size};
}

Status SignBatch(crypto::HashAlgorithm algorithm, const crypto::PrivateKey& key,
                 std::vector<Record>& records) {
  if (records.empty() || records.size() > limits::kBatchRecordsMax) {
    return LedgerError(ErrorCode::kBatchTooLarge,
                       "a batch holds 1.." + std::to_string(limits::kBatchRecordsMax) +
                           " records, not " + std::to_string(records.size()));
  }
  crypto::MerkleHasher hasher(algorithm);
  std::vector<crypto::Digest> leaves;
  leaves.reserve(records.size());
  for (const Record& r : records) {
    if (r.chain_id != records[0].chain_id || r.agency != records[0].agency) {
      return LedgerError(ErrorCode::kBatchMalformed,
                         "every record of a batch must have the same chain_id and agency");
    }
    crypto::Digest id = RecordId(algorithm, r);
    leaves.push_back(hasher.HashLeaf(id));
  }
  BatchHeader header{records[0].chain_id, records[0].agency, crypto::MerkleRoot(hasher, leaves),
                     records.size()};
  EVIDENCE_ASSIGN_OR_RETURN(Bytes signature, key.Sign(BatchSigningBytes(header)));
  for (size_t i = 0; i < records.size(); ++i) {
    RecordSignature& sig = records[i].sig;
    sig.algorithm = key.algorithm();
    sig.key_id = key.key_id();
    sig.value = signature;
    sig.batch = BatchReference{header.root, header.size, i,
                               crypto::MakeInclusionProof(hasher, leaves, i)};
  }
  return Status::Ok();
}

Status VerifyBatchMembership(crypto::HashAlgorithm algorithm, const Record& record) {
  if (!record.sig.batch) return LedgerError(ErrorCode::kBatchBadProof, "record is not batched");
  const BatchReference& batch = *record.sig.batch;
  crypto::MerkleHasher hasher(algorithm);
  crypto::Digest leaf = hasher.HashLeaf(RecordId(algorithm, record));
  Status status = crypto::VerifyInclusion(hasher, leaf, batch.index, batch.size, batch.path,
                                          batch.root);
  if (!status.ok()) {
    return LedgerError(ErrorCode::kBatchBadProof,
                       "record id is not at index " + std::to_string(batch.index) +
                           " of the batch root: " + status.message());
  }
  return Status::Ok();
}

Result<std::vector<Record>> ParseBatch(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, limits::kBatchRecordsMax * 2 * limits::kRecordJcsBytesMax,
                                limits::kJsonDepthMax);
  if (!parsed.ok()) return LedgerError(ErrorCode::kBatchMalformed, parsed.status().message());
  SchemaCodes codes = {ErrorCode::kBatchMalformed, ErrorCode::kBatchMalformed,
                       ErrorCode::kBatchMalformed, ErrorCode::kBatchTooLarge};
  FieldReader reader(*parsed, "batch", codes);
  EVIDENCE_ASSIGN_OR_RETURN(const json::array* array, reader.Array("records", limits::kBatchRecordsMax));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  if (array->empty()) return LedgerError(ErrorCode::kBatchMalformed, "batch has no records");
  std::vector<Record> records;
  records.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    auto record = RecordFromJson((*array)[i]);
    if (!record.ok()) return record.status().WithContext("records[" + std::to_string(i) + "]");
    if (!record->sig.batch) {
      return LedgerError(ErrorCode::kBatchMalformed,
                         "records[" + std::to_string(i) + "] has no sig.batch");
    }
    const RecordSignature& first = records.empty() ? record->sig : records[0].sig;
    if (record->sig.value != first.value || record->sig.key_id != first.key_id ||
        record->sig.batch->root != first.batch->root ||
        record->sig.batch->size != first.batch->size) {
      return LedgerError(ErrorCode::kBatchMalformed,
                         "records[" + std::to_string(i) + "] refers to another batch");
    }
    records.push_back(std::move(record).value());
  }
  return records;
}

Status BatchSignatureCache::Verify(crypto::HashAlgorithm algorithm, const crypto::PublicKey& key,
                                   const Record& record) {
  if (key.key_id() != record.sig.key_id || key.algorithm() != record.sig.algorithm) {
    return LedgerError(ErrorCode::kRecordBadSignature,
                       "sig.key/sig.alg do not name the key it is checked with");
  }
  EVIDENCE_RETURN_IF_ERROR(VerifyBatchMembership(algorithm, record));
  Bytes signing = BatchSigningBytes(BatchHeaderOf(record));
  crypto::Hasher hasher(crypto::HashAlgorithm::kSha256);
  hasher.Update(key.key_id()).Update(uint8_t{0}).Update(signing).Update(uint8_t{0});
  hasher.Update(record.sig.value);
  crypto::Digest entry = hasher.Finish();
  if (verified_.count(entry)) return Status::Ok();
  if (shared_ != nullptr && shared_->Contains(entry)) {
    verified_.insert(entry);
    return Status::Ok();
  }
  ++signature_checks_;
  if (!key.Verify(signing, record.sig.value)) {
    return LedgerError(ErrorCode::kBatchBadSignature,
                       "batch signature does not verify under key " + key.key_id());
  }
  verified_.insert(entry);
  if (shared_ != nullptr) shared_->Insert(entry);
  return Status::Ok();
}

bool SharedBatchSignatures::Contains(const crypto::Digest& entry) const {
  MutexLock lock(&mutex_);
  return entries_.contains(entry);
}

void SharedBatchSignatures::Insert(const crypto::Digest& entry) {
  MutexLock lock(&mutex_);
  if (!entries_.insert(entry).second) return;
  order_.push_back(entry);
  while (order_.size() > entries_max_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace evidence::ledger
