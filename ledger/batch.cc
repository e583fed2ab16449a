#include "ledger/batch.h"

#include <map>

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
  std::map<crypto::Digest, size_t> seen;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    if (r.chain_id != records[0].chain_id || r.agency != records[0].agency) {
      return LedgerError(ErrorCode::kBatchMalformed,
                         "every record of a batch must have the same chain_id and agency");
    }
    crypto::Digest id = RecordId(algorithm, r);
    auto [earlier, fresh] = seen.emplace(id, i);
    if (!fresh) {
      return LedgerError(ErrorCode::kBatchMalformed,
                         "records[" + std::to_string(i) + "] is the same record as records[" +
                             std::to_string(earlier->second) +
                             "] (same record id): a batch names each record once");
    }
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

namespace {

// Record `i` of a submitted batch against the first: same batch, same agency and
// chain, and at its own index (a batch is sent whole, in index order).
Status CheckBatchMember(const Record& record, const Record& first, size_t i) {
  const std::string where = "records[" + std::to_string(i) + "]";
  if (!record.sig.batch) {
    return LedgerError(ErrorCode::kBatchMalformed,
                       where + " has no sig.batch: every record of a batch carries the batch "
                               "reference (root, size, index, path)");
  }
  const RecordSignature& sig = first.sig;
  if (record.sig.value != sig.value || record.sig.key_id != sig.key_id ||
      record.sig.algorithm != sig.algorithm || record.sig.batch->root != sig.batch->root ||
      record.sig.batch->size != sig.batch->size) {
    return LedgerError(ErrorCode::kBatchMalformed,
                       where + " refers to another batch than records[0] (its sig.alg, sig.key, "
                               "sig.value, sig.batch.root or sig.batch.size differ)");
  }
  if (record.agency != first.agency || record.chain_id != first.chain_id) {
    return LedgerError(ErrorCode::kBatchMalformed,
                       where + " is of agency \"" + record.agency + "\" on chain \"" +
                           record.chain_id + "\", records[0] of \"" + first.agency + "\" on \"" +
                           first.chain_id + "\": a batch holds one agency's records of one chain");
  }
  if (record.sig.batch->index != i) {
    return LedgerError(ErrorCode::kBatchMalformed,
                       where + " has sig.batch.index " + std::to_string(record.sig.batch->index) +
                           ": send the records of a batch in index order, each once (records[" +
                           std::to_string(i) + "] is the record of index " + std::to_string(i) +
                           ")");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Record>> ParseBatch(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, limits::kBatchRecordsMax * 2 * limits::kRecordJcsBytesMax,
                                limits::kJsonDepthMax);
  if (!parsed.ok()) return LedgerError(ErrorCode::kBatchMalformed, parsed.status().message());
  if (parsed->is_object() && parsed->as_object().contains("header")) {
    return LedgerError(ErrorCode::kBatchMalformed,
                       "a batch is sent as {\"records\": [...]} alone: the batch header is not "
                       "sent, the node rebuilds it from the records' agency, chain_id and "
                       "sig.batch root and size");
  }
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
    EVIDENCE_RETURN_IF_ERROR(CheckBatchMember(*record, records.empty() ? *record : records[0], i));
    records.push_back(std::move(record).value());
  }
  const uint64_t size = records[0].sig.batch->size;
  if (records.size() != size) {
    return LedgerError(ErrorCode::kBatchMalformed,
                       "the batch has sig.batch.size " + std::to_string(size) + " but " +
                           std::to_string(records.size()) +
                           " records were sent: send every record of the batch in one request, "
                           "in index order");
  }
  return records;
}

Status BatchSignatureCache::Verify(crypto::HashAlgorithm algorithm, const crypto::PublicKey& key,
                                   const Record& record) {
  EVIDENCE_RETURN_IF_ERROR(CheckSignatureNamesKey(key, record));
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
