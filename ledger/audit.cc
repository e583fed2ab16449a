#include "ledger/audit.h"

#include <filesystem>

#include "crypto/merkle.h"
#include "ledger/validation.h"

namespace evidence::ledger {
namespace {

class Auditor {
 public:
  Auditor(const Store& store, const Genesis& genesis, AuditReport& report)
      : store_(store), genesis_(genesis), report_(report),
        log_(crypto::MerkleHasher(genesis.hash())) {
    state_.next = GovernanceState::FromGenesis(genesis);
    state_.last = state_.next;
  }

  // Checks block `height`; blocks must be checked in order from 1.
  Status CheckBlock(uint64_t height);
  Status ScanAllKeys();
  uint64_t signature_checks() const { return unbatched_records_ + cache_.signature_checks(); }

 private:
  Status CheckLeaves(const Block& block, uint64_t height);
  Status CheckIndexes(const Record& record, const crypto::Digest& id, uint64_t leaf_index,
                      uint64_t height);

  const Store& store_;
  const Genesis& genesis_;
  AuditReport& report_;
  crypto::CompactRange log_;
  ChainState state_;
  BatchSignatureCache cache_;
  uint64_t unbatched_records_ = 0;
};

Status Auditor::CheckBlock(uint64_t height) {
  EVIDENCE_ASSIGN_OR_RETURN(Block block, store_.GetBlock(height));
  if (block.header.chain_id != genesis_.chain_id() || block.header.height != height) {
    return Status::Corruption("block stored at height " + std::to_string(height) +
                              " names another chain or height");
  }
  // Everything but the per-record work: ValidateBlock against the audited state.
  state_.log = log_;
  state_.height = height - 1;
  if (height == 1) state_.last_block_time_ms = genesis_.genesis_time_ms();
  state_.contains_record = [](const crypto::Digest&) -> Result<bool> { return false; };
  EVIDENCE_RETURN_IF_ERROR(ValidateBlock(state_, block, &cache_));
  EVIDENCE_RETURN_IF_ERROR(CheckLeaves(block, height));
  crypto::Digest hash = BlockHash(genesis_.hash(), block.header);
  EVIDENCE_ASSIGN_OR_RETURN(Commit commit, store_.GetCommit(height));
  if (commit.height != height || commit.block_hash != hash) {
    return Status::Corruption("stored commit is not for this block");
  }
  Status quorum = VerifyCommit(genesis_.chain_id(), genesis_.validator_set(), commit);
  if (!quorum.ok()) return Status::Corruption("stored commit: " + quorum.message());
  state_.last_block_hash = hash;
  state_.last_block_time_ms = block.header.time_ms;
  return Status::Ok();
}

Status Auditor::CheckLeaves(const Block& block, uint64_t height) {
  crypto::MerkleHasher hasher(genesis_.hash());
  for (const std::string& leaf : block.leaves) {
    uint64_t index = log_.size();
    Status nodes = Status::Ok();
    log_.Append(hasher.HashLeaf(AsBytes(leaf)), [&](uint32_t level, uint64_t node, const crypto::Digest& d) {
      if (!nodes.ok()) return;
      auto stored = store_.GetNode(level, node);
      if (!stored.ok()) {
        nodes = stored.status();
      } else if (*stored != d) {
        nodes = Status::Corruption("stored Merkle node (" + std::to_string(level) + ", " +
                                   std::to_string(node) + ") is wrong");
      }
    });
    EVIDENCE_RETURN_IF_ERROR(nodes);
    auto record = ParseRecord(leaf);  // ValidateBlock parsed it already: cannot fail
    EVIDENCE_CHECK(record.ok());
    EVIDENCE_RETURN_IF_ERROR(CheckIndexes(*record, RecordId(genesis_.hash(), *record), index, height));
    ++report_.records_checked;
    if (!record->sig.batch) ++unbatched_records_;
  }
  if (log_.size() != block.header.log_size || log_.Root() != block.header.log_root) {
    return Status::Corruption("log after the block does not match its header");
  }
  return Status::Ok();
}

Status Auditor::CheckIndexes(const Record& record, const crypto::Digest& id, uint64_t leaf_index,
                             uint64_t height) {
  auto stored = store_.GetRecord(id);
  if (!stored.ok()) return Status::Corruption("record index: " + stored.status().message());
  if (stored->leaf_index != leaf_index || stored->height != height) {
    return Status::Corruption("record index of " + crypto::DigestHex(id) + " points elsewhere");
  }
  // The secondary indexes must list this leaf.
  auto by_case = store_.RecordsByCase(record.case_id, 1, leaf_index == 0 ? std::nullopt
                                                                           : std::optional<uint64_t>(leaf_index - 1));
  if (!by_case.ok() || by_case->empty() || (*by_case)[0].leaf_index != leaf_index) {
    return Status::Corruption("case index misses leaf " + std::to_string(leaf_index));
  }
  return Status::Ok();
}

Status Auditor::ScanAllKeys() {
  std::unique_ptr<leveldb::Iterator> it(store_.db()->NewIterator(store_.read_options()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++report_.keys_scanned;
  if (!it->status().ok()) return Status::Corruption("reading every key: " + it->status().ToString());
  return Status::Ok();
}

}  // namespace

AuditReport Audit(const std::string& directory, const Genesis& genesis,
                  const AuditProgressFn& progress) {
  AuditReport report;
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    report.reason = "no store at " + directory;
    return report;
  }
  StoreOptions options;
  options.create_if_missing = false;
  options.paranoid_checks = true;
  options.verify_checksums = true;
  auto store = Store::Open(directory, genesis, options);
  if (!store.ok()) {
    report.reason = "the store does not open: " + store.status().ToString();
    return report;
  }
  report.head_height = (*store)->height();
  Auditor auditor(**store, genesis, report);
  for (uint64_t height = 1; height <= report.head_height; ++height) {
    Status status = auditor.CheckBlock(height);
    report.signature_checks = auditor.signature_checks();
    if (!status.ok()) {
      report.bad_height = height;
      report.reason = status.ToString();
      return report;
    }
    ++report.blocks_checked;
    if (progress) progress(height, report.head_height);
  }
  Status scan = auditor.ScanAllKeys();
  if (!scan.ok()) {
    report.reason = scan.ToString();
    return report;
  }
  report.ok = true;
  return report;
}

}  // namespace evidence::ledger
