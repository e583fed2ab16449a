#include "ledger/validation.h"

#include <set>

#include "common/check.h"
#include "common/limits.h"

namespace evidence::ledger {
namespace {

Status CheckRecordTime(int64_t time_ms, int64_t now_ms, const RecordPolicy& policy) {
  if (time_ms > now_ms + policy.future_skew_ms) {
    return LedgerError(ErrorCode::kRecordTimeInFuture,
                       "time " + std::to_string(time_ms) + " is more than " +
                           std::to_string(policy.future_skew_ms) + " ms after " +
                           std::to_string(now_ms) + "; check the agency's clock");
  }
  if (time_ms < now_ms - policy.past_window_ms) {
    return LedgerError(ErrorCode::kRecordTimeOutOfWindow,
                       "time " + std::to_string(time_ms) + " is more than " +
                           std::to_string(policy.past_window_ms) + " ms before " +
                           std::to_string(now_ms));
  }
  return Status::Ok();
}

Status CheckLastCommit(const Genesis& genesis, const ChainState& state, const Block& block) {
  const BlockHeader& h = block.header;
  const Commit& commit = block.last_commit;
  if (h.height == 1) {
    if (!(commit == Commit{})) {
      return LedgerError(ErrorCode::kBlockBadLastCommit, "block 1 must have an empty last commit");
    }
    if (h.time_ms != genesis.genesis_time_ms()) {
      return LedgerError(ErrorCode::kBlockWrongTime, "block 1 time must be the genesis time");
    }
  } else {
    if (commit.height != state.height || commit.block_hash != state.last_block_hash) {
      return LedgerError(ErrorCode::kBlockBadLastCommit,
                         "last commit is not for block " + std::to_string(state.height));
    }
    Status status = VerifyCommit(genesis.chain_id(), genesis.validator_set(), commit);
    if (!status.ok()) return LedgerError(ErrorCode::kBlockBadLastCommit, status.message());
    int64_t median = CommitMedianTimeMs(genesis.validator_set(), commit);
    if (h.time_ms != median) {
      return LedgerError(ErrorCode::kBlockWrongTime,
                         "time " + std::to_string(h.time_ms) +
                             " is not the median of the last commit, " + std::to_string(median));
    }
    if (h.time_ms < state.last_block_time_ms) {
      return LedgerError(ErrorCode::kBlockWrongTime, "time goes backwards");
    }
  }
  if (h.last_commit_hash != CommitHash(genesis.hash(), commit)) {
    return LedgerError(ErrorCode::kBlockBadLastCommit, "last_commit_hash does not match");
  }
  return Status::Ok();
}

Status CheckHeaderBasics(const Genesis& genesis, const ChainState& state, const Block& block) {
  const BlockHeader& h = block.header;
  if (h.chain_id != genesis.chain_id()) {
    return LedgerError(ErrorCode::kBlockWrongChain, "chain id \"" + h.chain_id + "\" is not \"" +
                                                        genesis.chain_id() + "\"");
  }
  if (h.height != state.height + 1) {
    return LedgerError(ErrorCode::kBlockWrongHeight, "height " + std::to_string(h.height) +
                                                         ", expected " +
                                                         std::to_string(state.height + 1));
  }
  if (h.previous_hash != state.last_block_hash) {
    return LedgerError(ErrorCode::kBlockWrongPrevious, "previous_hash is not the last block's hash");
  }
  if (h.validators_hash != genesis.validator_set_hash()) {
    return LedgerError(ErrorCode::kBlockWrongValidators, "validators_hash is not genesis's");
  }
  if (h.proposer >= genesis.validator_set().size()) {
    return LedgerError(ErrorCode::kBlockWrongProposer, "proposer index out of range");
  }
  size_t bytes = 0;
  for (const std::string& leaf : block.leaves) bytes += leaf.size();
  if (block.leaves.size() > limits::kBlockRecordsMax || bytes > limits::kBlockBytesMax) {
    return LedgerError(ErrorCode::kBlockTooLarge, "block is over its record or byte limit");
  }
  return Status::Ok();
}

Status CheckEvidence(const Genesis& genesis, const Block& block) {
  if (block.evidence.size() > kEvidenceMax) {
    return LedgerError(ErrorCode::kBlockWrongEvidence, "too much evidence in one block");
  }
  for (const DuplicateVoteEvidence& e : block.evidence) {
    EVIDENCE_RETURN_IF_ERROR(VerifyDuplicateVote(genesis.chain_id(), genesis.validator_set(), e));
  }
  if (block.header.evidence_hash != EvidenceHash(genesis.hash(), genesis.chain_id(), block.evidence)) {
    return LedgerError(ErrorCode::kBlockWrongEvidence, "evidence_hash does not match");
  }
  return Status::Ok();
}

// The agency and its key that `record` names, registered in genesis; returns the key.
Result<const crypto::PublicKey*> CheckRecordKey(const Genesis& genesis, const Record& record) {
  if (genesis.FindAgency(record.agency) == nullptr) {
    return LedgerError(ErrorCode::kRecordUnknownAgency,
                       "agency \"" + record.agency + "\" is not registered in genesis");
  }
  const crypto::PublicKey* key = genesis.FindAgencyKey(record.agency, record.sig.key_id);
  if (key == nullptr) {
    return LedgerError(ErrorCode::kRecordUnknownKey, "key " + record.sig.key_id +
                                                         " is not registered for agency \"" +
                                                         record.agency + "\"");
  }
  return key;
}

Status CheckRecordChain(const Genesis& genesis, const Record& record) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordShape(record));
  if (record.chain_id != genesis.chain_id()) {
    return LedgerError(
        ErrorCode::kRecordChainMismatch,
        "chain_id \"" + record.chain_id + "\" is not this chain's \"" + genesis.chain_id() + "\"");
  }
  return Status::Ok();
}

// Every record rule but the signature; returns the agency key the signature is
// checked with.
Result<const crypto::PublicKey*> CheckRecordRules(const Genesis& genesis, const Record& record,
                                                  int64_t now_ms, const RecordPolicy& policy) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordChain(genesis, record));
  EVIDENCE_RETURN_IF_ERROR(CheckRecordTime(record.time_ms, now_ms, policy));
  return CheckRecordKey(genesis, record);
}

Status CheckSignature(const Genesis& genesis, const crypto::PublicKey& key, const Record& record,
                      BatchSignatureCache* cache) {
  if (record.sig.batch && cache != nullptr) return cache->Verify(genesis.hash(), key, record);
  return VerifyRecordSignature(genesis.hash(), key, record);
}

}  // namespace

Status CheckRecord(const Genesis& genesis, const Record& record, int64_t now_ms,
                   const RecordPolicy& policy, BatchSignatureCache* cache) {
  EVIDENCE_ASSIGN_OR_RETURN(const crypto::PublicKey* key,
                            CheckRecordRules(genesis, record, now_ms, policy));
  return CheckSignature(genesis, *key, record, cache);
}

Status CheckRecordAuthorship(const Genesis& genesis, const Record& record,
                             BatchSignatureCache* cache) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordChain(genesis, record));
  EVIDENCE_ASSIGN_OR_RETURN(const crypto::PublicKey* key, CheckRecordKey(genesis, record));
  return CheckSignature(genesis, *key, record, cache);
}

Status CheckRecordIsNew(const crypto::Digest& record_id, const ContainsRecordFn& contains) {
  EVIDENCE_ASSIGN_OR_RETURN(bool present, contains(record_id));
  if (present) {
    return LedgerError(ErrorCode::kRecordDuplicate,
                       "record " + crypto::DigestHex(record_id) + " is already in the log");
  }
  return Status::Ok();
}

Status ValidateBlock(const Genesis& genesis, const ChainState& state, const Block& block,
                     const RecordPolicy& policy, BatchSignatureCache* cache) {
  return ValidateBlock(genesis, state, block, policy, cache, nullptr, nullptr);
}

namespace {

// Every rule of a leaf this node has not checked before; returns its record id.
Result<crypto::Digest> CheckUnseenLeaf(const Genesis& genesis, std::string_view leaf,
                                       int64_t block_time_ms, const RecordPolicy& policy,
                                       BatchSignatureCache* cache, uint64_t* signature_checks) {
  auto record = ParseRecord(leaf);
  if (!record.ok()) return record.status();
  if (RecordLeaf(*record) != leaf) {
    return LedgerError(ErrorCode::kRecordMalformedJson, "not in canonical (JCS) form");
  }
  EVIDENCE_ASSIGN_OR_RETURN(const crypto::PublicKey* key,
                            CheckRecordRules(genesis, *record, block_time_ms, policy));
  size_t batch_checks_before = cache->signature_checks();
  Status status = CheckSignature(genesis, *key, *record, cache);
  if (signature_checks != nullptr) {
    *signature_checks += record->sig.batch ? cache->signature_checks() - batch_checks_before : 1;
  }
  EVIDENCE_RETURN_IF_ERROR(status);
  return RecordId(genesis.hash(), *record);
}

}  // namespace

Status ValidateBlock(const Genesis& genesis, const ChainState& state, const Block& block,
                     const RecordPolicy& policy, BatchSignatureCache* cache,
                     const CheckedLeafFn& checked_before, uint64_t* signature_checks) {
  std::vector<std::optional<CheckedLeaf>> checked(block.leaves.size());
  if (checked_before) {
    for (size_t i = 0; i < block.leaves.size(); ++i) checked[i] = checked_before(block.leaves[i]);
  }
  return ValidateBlock(genesis, state, block, policy, cache, checked, signature_checks);
}

Status ValidateBlock(const Genesis& genesis, const ChainState& state, const Block& block,
                     const RecordPolicy& policy, BatchSignatureCache* cache,
                     const std::vector<std::optional<CheckedLeaf>>& checked_before,
                     uint64_t* signature_checks) {
  EVIDENCE_CHECK(checked_before.size() == block.leaves.size());
  EVIDENCE_RETURN_IF_ERROR(CheckHeaderBasics(genesis, state, block));
  EVIDENCE_RETURN_IF_ERROR(CheckLastCommit(genesis, state, block));
  EVIDENCE_RETURN_IF_ERROR(CheckEvidence(genesis, block));
  BatchSignatureCache local_cache;
  if (cache == nullptr) cache = &local_cache;
  std::set<crypto::Digest> ids;
  crypto::CompactRange log = state.log;
  crypto::MerkleHasher hasher(genesis.hash());
  std::vector<crypto::Digest> leaf_hashes;
  leaf_hashes.reserve(block.leaves.size());
  for (size_t i = 0; i < block.leaves.size(); ++i) {
    const std::string& leaf = block.leaves[i];
    auto where = [i] { return "leaf " + std::to_string(i); };
    const std::optional<CheckedLeaf>& checked = checked_before[i];
    crypto::Digest id;
    if (checked) {
      Status in_window = CheckRecordTime(checked->time_ms, block.header.time_ms, policy);
      if (!in_window.ok()) {
        return LedgerError(ErrorCode::kBlockBadRecord, where() + ": " + in_window.message());
      }
      id = checked->id;
    } else {
      auto unseen = CheckUnseenLeaf(genesis, leaf, block.header.time_ms, policy, cache,
                                    signature_checks);
      if (!unseen.ok()) {
        return LedgerError(ErrorCode::kBlockBadRecord, where() + ": " + unseen.status().message());
      }
      id = *unseen;
    }
    if (!ids.insert(id).second) {
      return LedgerError(ErrorCode::kBlockDuplicateRecord, where() + " repeats an earlier leaf");
    }
    Status status = CheckRecordIsNew(id, state.contains_record);
    if (!status.ok()) return LedgerError(ErrorCode::kBlockDuplicateRecord, where() + ": " + status.message());
    leaf_hashes.push_back(hasher.HashLeaf(AsBytes(leaf)));
    log.Append(leaf_hashes.back());
  }
  if (block.header.leaves_root != crypto::MerkleRoot(hasher, leaf_hashes)) {
    return LedgerError(ErrorCode::kBlockWrongLeavesRoot, "leaves_root does not match the leaves");
  }
  if (block.header.log_size != log.size() || block.header.log_root != log.Root()) {
    return LedgerError(ErrorCode::kBlockWrongLogRoot,
                       "log_size/log_root do not match the log after this block (expected size " +
                           std::to_string(log.size()) + ")");
  }
  return Status::Ok();
}

BlockHeader MakeBlockHeader(const Genesis& genesis, const ChainState& state,
                            const std::vector<std::string>& leaves, const Commit& last_commit,
                            const std::vector<DuplicateVoteEvidence>& evidence,
                            uint32_t proposer) {
  BlockHeader h;
  h.chain_id = genesis.chain_id();
  h.height = state.height + 1;
  h.time_ms = state.height == 0 ? genesis.genesis_time_ms()
                                : CommitMedianTimeMs(genesis.validator_set(), last_commit);
  h.previous_hash = state.last_block_hash;
  crypto::CompactRange log = state.log;
  crypto::MerkleHasher hasher(genesis.hash());
  for (const std::string& leaf : leaves) log.Append(hasher.HashLeaf(AsBytes(leaf)));
  h.log_size = log.size();
  h.log_root = log.Root();
  h.leaves_root = LeavesRoot(genesis.hash(), leaves);
  h.validators_hash = genesis.validator_set_hash();
  h.proposer = proposer;
  h.evidence_hash = EvidenceHash(genesis.hash(), genesis.chain_id(), evidence);
  h.last_commit_hash = CommitHash(genesis.hash(), last_commit);
  return h;
}

}  // namespace evidence::ledger
