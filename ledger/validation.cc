#include "ledger/validation.h"

#include <set>

#include "common/check.h"
#include "common/limits.h"
#include "ledger/governance.h"
#include "ledger/governance_history.h"

namespace evidence::ledger {
namespace {

Status CheckRecordTime(int64_t time_ms, int64_t now_ms, const ChainParams& params) {
  if (time_ms > now_ms + params.record_future_skew_ms) {
    return LedgerError(ErrorCode::kRecordTimeInFuture,
                       "time " + std::to_string(time_ms) + " is more than " +
                           std::to_string(params.record_future_skew_ms) + " ms after " +
                           std::to_string(now_ms) + "; check the agency's clock");
  }
  if (time_ms < now_ms - params.record_past_window_ms) {
    return LedgerError(ErrorCode::kRecordTimeOutOfWindow,
                       "time " + std::to_string(time_ms) + " is more than " +
                           std::to_string(params.record_past_window_ms) + " ms before " +
                           std::to_string(now_ms));
  }
  return Status::Ok();
}

// The register rules of a record signed by `key_id` of `agency`: the agency
// exists and is not removed, the key is registered for it and not revoked, a
// batch is within the chain's batch limit. Returns the key.
Result<const crypto::PublicKey*> CheckRegistered(const GovernanceState& state,
                                                 std::string_view agency, std::string_view key_id,
                                                 uint64_t batch_size) {
  const AgencyEntry* entry = state.FindAgency(agency);
  if (entry == nullptr || entry->removed) {
    return LedgerError(ErrorCode::kRecordUnknownAgency,
                       "agency \"" + std::string(agency) + "\" is not registered" +
                           (entry != nullptr ? " (removed by governance action " +
                                                   std::to_string(entry->removed->seq) + ")"
                                             : ""));
  }
  const RegisteredKey* key = state.FindAgencyKey(agency, key_id);
  if (key == nullptr) {
    return LedgerError(ErrorCode::kRecordUnknownKey, "key " + std::string(key_id) +
                                                         " is not registered for agency \"" +
                                                         std::string(agency) + "\"");
  }
  if (key->revoked) {
    return LedgerError(ErrorCode::kRecordKeyRevoked,
                       "key " + std::string(key_id) + " of agency \"" + std::string(agency) +
                           "\" was revoked (" + key->revoked->reason +
                           ") by governance action " + std::to_string(key->revoked->seq));
  }
  if (batch_size > state.params().batch_records_max) {
    return LedgerError(ErrorCode::kBatchTooLarge,
                       "the batch holds " + std::to_string(batch_size) +
                           " records, more than the chain's batch_records_max " +
                           std::to_string(state.params().batch_records_max));
  }
  return &key->key;
}

Status CheckLastCommit(const ChainState& state, const Block& block) {
  const BlockHeader& h = block.header;
  const Commit& commit = block.last_commit;
  if (h.height == 1) {
    if (!(commit == Commit{})) {
      return LedgerError(ErrorCode::kBlockBadLastCommit, "block 1 must have an empty last commit");
    }
    if (h.time_ms != state.next->genesis_time_ms()) {
      return LedgerError(ErrorCode::kBlockWrongTime, "block 1 time must be the genesis time");
    }
  } else {
    if (commit.height != state.height || commit.block_hash != state.last_block_hash) {
      return LedgerError(ErrorCode::kBlockBadLastCommit,
                         "last commit is not for block " + std::to_string(state.height));
    }
    const GovernanceState& signers = *state.last;
    Status status = VerifyCommit(signers.chain_id(), signers.validator_set(), commit);
    if (!status.ok()) return LedgerError(ErrorCode::kBlockBadLastCommit, status.message());
    int64_t median = CommitMedianTimeMs(signers.validator_set(), commit);
    if (h.time_ms != median) {
      return LedgerError(ErrorCode::kBlockWrongTime,
                         "time " + std::to_string(h.time_ms) +
                             " is not the median of the last commit, " + std::to_string(median));
    }
    if (h.time_ms < state.last_block_time_ms) {
      return LedgerError(ErrorCode::kBlockWrongTime, "time goes backwards");
    }
  }
  if (h.last_commit_hash != CommitHash(state.next->hash(), commit)) {
    return LedgerError(ErrorCode::kBlockBadLastCommit, "last_commit_hash does not match");
  }
  return Status::Ok();
}

Status CheckHeaderBasics(const ChainState& state, const Block& block) {
  const BlockHeader& h = block.header;
  const GovernanceState& rules = *state.next;
  if (h.chain_id != rules.chain_id()) {
    return LedgerError(ErrorCode::kBlockWrongChain, "chain id \"" + h.chain_id + "\" is not \"" +
                                                        rules.chain_id() + "\"");
  }
  if (h.height != state.height + 1) {
    return LedgerError(ErrorCode::kBlockWrongHeight, "height " + std::to_string(h.height) +
                                                         ", expected " +
                                                         std::to_string(state.height + 1));
  }
  if (h.previous_hash != state.last_block_hash) {
    return LedgerError(ErrorCode::kBlockWrongPrevious, "previous_hash is not the last block's hash");
  }
  if (h.validators_hash != rules.validator_set_hash()) {
    return LedgerError(ErrorCode::kBlockWrongValidators,
                       "validators_hash is not the hash of the validators in force");
  }
  if (h.proposer >= rules.validator_set().size()) {
    return LedgerError(ErrorCode::kBlockWrongProposer, "proposer index out of range");
  }
  size_t bytes = 0;
  for (const std::string& leaf : block.leaves) bytes += leaf.size();
  if (block.leaves.size() > rules.params().block_records_max ||
      bytes > rules.params().block_bytes_max) {
    return LedgerError(ErrorCode::kBlockTooLarge,
                       "block holds " + std::to_string(block.leaves.size()) + " records of " +
                           std::to_string(bytes) + " bytes, over the chain's limits (" +
                           std::to_string(rules.params().block_records_max) + " records, " +
                           std::to_string(rules.params().block_bytes_max) + " bytes)");
  }
  return Status::Ok();
}

Status CheckEvidence(const ChainState& state, const Block& block) {
  if (block.evidence.size() > kEvidenceMax) {
    return LedgerError(ErrorCode::kBlockWrongEvidence, "too much evidence in one block");
  }
  // Evidence is about votes of earlier heights; the validators of the last block
  // are the ones whose votes this node can still judge.
  const GovernanceState& voters = *state.last;
  for (const DuplicateVoteEvidence& e : block.evidence) {
    EVIDENCE_RETURN_IF_ERROR(VerifyDuplicateVote(voters.chain_id(), voters.validator_set(), e));
  }
  if (block.header.evidence_hash !=
      EvidenceHash(voters.hash(), voters.chain_id(), block.evidence)) {
    return LedgerError(ErrorCode::kBlockWrongEvidence, "evidence_hash does not match");
  }
  return Status::Ok();
}

// The header version, and in a version-2 block its actions (they apply to
// the register after the last block) and the roots and hashes that commit to
// them and to the register.
Status CheckGovernance(const ChainState& state, const Block& block) {
  const BlockHeader& h = block.header;
  const GovernanceState& latest = *state.latest;
  uint32_t version = RequiredBlockVersion(latest, !block.actions.empty());
  if (h.version != version) {
    return LedgerError(ErrorCode::kBlockWrongState,
                       "header version " + std::to_string(h.version) + ", expected " +
                           std::to_string(version) +
                           (version == kBlockVersionGoverned
                                ? " (the chain's register has changed, or the block carries "
                                  "governance actions)"
                                : " (no governance action yet)"));
  }
  if (version == kBlockVersionLegacy) return Status::Ok();
  if (block.actions.size() > limits::kGovernanceActionsPerBlockMax) {
    return LedgerError(ErrorCode::kBlockBadGovernance,
                       std::to_string(block.actions.size()) + " governance actions, more than " +
                           std::to_string(limits::kGovernanceActionsPerBlockMax));
  }
  if (!block.actions.empty()) {
    Result<GovernanceStatePtr> after = ApplyActionLeaves(state.latest, block.actions,
                                                         ActionContext{h.height, h.time_ms});
    if (!after.ok()) return LedgerError(ErrorCode::kBlockBadGovernance, after.status().message());
  }
  if (h.actions_root != LeavesRoot(latest.hash(), block.actions)) {
    return LedgerError(ErrorCode::kBlockBadGovernance, "actions_root does not match the actions");
  }
  if (h.next_validators_hash != latest.validator_set_hash()) {
    return LedgerError(ErrorCode::kBlockWrongState,
                       "next_validators_hash is not the hash of the validators of block " +
                           std::to_string(h.height + 1));
  }
  if (h.state_hash != latest.Hash()) {
    return LedgerError(ErrorCode::kBlockWrongState,
                       "state_hash is not the hash of the register in force for block " +
                           std::to_string(h.height + 1));
  }
  return Status::Ok();
}

Status CheckRecordChain(const GovernanceState& state, const Record& record) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordShape(record));
  if (record.chain_id != state.chain_id()) {
    return LedgerError(ErrorCode::kRecordChainMismatch, "chain_id \"" + record.chain_id +
                                                            "\" is not this chain's \"" +
                                                            state.chain_id() + "\"");
  }
  return Status::Ok();
}

// Every record rule but the signature; returns the agency key the signature is
// checked with.
Result<const crypto::PublicKey*> CheckRecordRules(const GovernanceState& state, const Record& record,
                                                  int64_t now_ms) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordChain(state, record));
  EVIDENCE_RETURN_IF_ERROR(CheckRecordTime(record.time_ms, now_ms, state.params()));
  return CheckRegistered(state, record.agency, record.sig.key_id,
                         record.sig.batch ? record.sig.batch->size : 0);
}

Status CheckSignature(const GovernanceState& state, const crypto::PublicKey& key,
                      const Record& record, BatchSignatureCache* cache) {
  if (record.sig.batch && cache != nullptr) return cache->Verify(state.hash(), key, record);
  return VerifyRecordSignature(state.hash(), key, record);
}

}  // namespace

Status CheckRecord(const GovernanceState& state, const Record& record, int64_t now_ms,
                   BatchSignatureCache* cache) {
  EVIDENCE_ASSIGN_OR_RETURN(const crypto::PublicKey* key, CheckRecordRules(state, record, now_ms));
  return CheckSignature(state, *key, record, cache);
}

Status CheckRecordAuthorship(const GovernanceState& state, const Record& record,
                             BatchSignatureCache* cache) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordChain(state, record));
  EVIDENCE_ASSIGN_OR_RETURN(const crypto::PublicKey* key,
                            CheckRegistered(state, record.agency, record.sig.key_id,
                                            record.sig.batch ? record.sig.batch->size : 0));
  return CheckSignature(state, *key, record, cache);
}

Status CheckRecordIsNew(const crypto::Digest& record_id, const ContainsRecordFn& contains) {
  EVIDENCE_ASSIGN_OR_RETURN(bool present, contains(record_id));
  if (present) {
    return LedgerError(ErrorCode::kRecordDuplicate,
                       "record " + crypto::DigestHex(record_id) + " is already in the log");
  }
  return Status::Ok();
}

Status ValidateBlock(const ChainState& state, const Block& block, BatchSignatureCache* cache) {
  return ValidateBlock(state, block, cache, CheckedLeafFn(), nullptr);
}

namespace {

// Every rule of a leaf this node has not checked before; returns its record id.
Result<crypto::Digest> CheckUnseenLeaf(const GovernanceState& rules, std::string_view leaf,
                                       int64_t block_time_ms, BatchSignatureCache* cache,
                                       uint64_t* signature_checks) {
  auto record = ParseRecord(leaf);
  if (!record.ok()) return record.status();
  if (RecordLeaf(*record) != leaf) {
    return LedgerError(ErrorCode::kRecordMalformedJson, "not in canonical (JCS) form");
  }
  EVIDENCE_ASSIGN_OR_RETURN(const crypto::PublicKey* key,
                            CheckRecordRules(rules, *record, block_time_ms));
  size_t batch_checks_before = cache->signature_checks();
  Status status = CheckSignature(rules, *key, *record, cache);
  if (signature_checks != nullptr) {
    *signature_checks += record->sig.batch ? cache->signature_checks() - batch_checks_before : 1;
  }
  EVIDENCE_RETURN_IF_ERROR(status);
  return RecordId(rules.hash(), *record);
}

// The rules a checked leaf still has to pass in this block: its time in the
// window of the block time and its key still registered under the state in force.
Status CheckCheckedLeaf(const GovernanceState& rules, const CheckedLeaf& checked,
                        int64_t block_time_ms) {
  EVIDENCE_RETURN_IF_ERROR(CheckRecordTime(checked.time_ms, block_time_ms, rules.params()));
  Result<const crypto::PublicKey*> key =
      CheckRegistered(rules, checked.agency, checked.key_id, checked.batch_size);
  return key.status();
}

}  // namespace

Status ValidateBlock(const ChainState& state, const Block& block, BatchSignatureCache* cache,
                     const CheckedLeafFn& checked_before, uint64_t* signature_checks) {
  std::vector<std::optional<CheckedLeaf>> checked(block.leaves.size());
  if (checked_before) {
    for (size_t i = 0; i < block.leaves.size(); ++i) checked[i] = checked_before(block.leaves[i]);
  }
  return ValidateBlock(state, block, cache, checked, signature_checks);
}

Status ValidateBlock(const ChainState& state, const Block& block, BatchSignatureCache* cache,
                     const std::vector<std::optional<CheckedLeaf>>& checked_before,
                     uint64_t* signature_checks) {
  EVIDENCE_CHECK(checked_before.size() == block.leaves.size());
  EVIDENCE_CHECK(state.next != nullptr && state.last != nullptr && state.latest != nullptr);
  const GovernanceState& rules = *state.next;
  EVIDENCE_RETURN_IF_ERROR(CheckHeaderBasics(state, block));
  EVIDENCE_RETURN_IF_ERROR(CheckLastCommit(state, block));
  EVIDENCE_RETURN_IF_ERROR(CheckEvidence(state, block));
  EVIDENCE_RETURN_IF_ERROR(CheckGovernance(state, block));
  BatchSignatureCache local_cache;
  if (cache == nullptr) cache = &local_cache;
  std::set<crypto::Digest> ids;
  crypto::CompactRange log = state.log;
  crypto::MerkleHasher hasher(rules.hash());
  std::vector<crypto::Digest> leaf_hashes;
  leaf_hashes.reserve(block.leaves.size());
  for (size_t i = 0; i < block.leaves.size(); ++i) {
    const std::string& leaf = block.leaves[i];
    auto where = [i] { return "leaf " + std::to_string(i); };
    const std::optional<CheckedLeaf>& checked = checked_before[i];
    crypto::Digest id;
    if (checked) {
      Status still_valid = CheckCheckedLeaf(rules, *checked, block.header.time_ms);
      if (!still_valid.ok()) {
        return LedgerError(ErrorCode::kBlockBadRecord, where() + ": " + still_valid.message());
      }
      id = checked->id;
    } else {
      auto unseen = CheckUnseenLeaf(rules, leaf, block.header.time_ms, cache, signature_checks);
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

BlockHeader MakeBlockHeader(const ChainState& state, const std::vector<std::string>& leaves,
                            const Commit& last_commit,
                            const std::vector<DuplicateVoteEvidence>& evidence,
                            uint32_t proposer, const std::vector<std::string>& actions) {
  const GovernanceState& rules = *state.next;
  const GovernanceState& latest = *state.latest;
  BlockHeader h;
  h.version = RequiredBlockVersion(latest, !actions.empty());
  h.chain_id = rules.chain_id();
  h.height = state.height + 1;
  h.time_ms = state.height == 0 ? rules.genesis_time_ms()
                                : CommitMedianTimeMs(state.last->validator_set(), last_commit);
  h.previous_hash = state.last_block_hash;
  crypto::CompactRange log = state.log;
  crypto::MerkleHasher hasher(rules.hash());
  for (const std::string& leaf : leaves) log.Append(hasher.HashLeaf(AsBytes(leaf)));
  h.log_size = log.size();
  h.log_root = log.Root();
  h.leaves_root = LeavesRoot(rules.hash(), leaves);
  h.validators_hash = rules.validator_set_hash();
  h.proposer = proposer;
  h.evidence_hash = EvidenceHash(rules.hash(), rules.chain_id(), evidence);
  h.last_commit_hash = CommitHash(rules.hash(), last_commit);
  if (h.version == kBlockVersionGoverned) {
    h.actions_root = LeavesRoot(rules.hash(), actions);
    h.next_validators_hash = latest.validator_set_hash();
    h.state_hash = latest.Hash();
  }
  return h;
}

}  // namespace evidence::ledger
