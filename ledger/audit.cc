#include "ledger/audit.h"

#include <filesystem>

#include "crypto/merkle.h"
#include "common/check.h"
#include "ledger/governance_history.h"
#include "ledger/validation.h"

namespace evidence::ledger {
namespace {

class Auditor {
 public:
  Auditor(const Store& store, const Genesis& genesis, AuditReport& report)
      : store_(store), genesis_(genesis), report_(report),
        log_(crypto::MerkleHasher(genesis.hash())),
        history_(GovernanceState::FromGenesis(genesis)) {}

  // Checks block `height`; blocks must be checked in order from 1.
  Status CheckBlock(uint64_t height);
  Status CheckAllKeys();
  uint64_t signature_checks() const { return unbatched_records_ + cache_.signature_checks(); }

 private:
  Status CheckLeaves(const Block& block, uint64_t height);

  const Store& store_;
  const Genesis& genesis_;
  AuditReport& report_;
  crypto::CompactRange log_;
  // The registers rebuilt from the audited blocks' governance actions.
  GovernanceHistory history_;
  uint64_t governance_blocks_ = 0;
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
  state_.next = history_.InForce(height);
  state_.last = height == 1 ? state_.next : history_.InForce(height - 1);
  state_.latest = history_.Latest();
  EVIDENCE_RETURN_IF_ERROR(ValidateBlock(state_, block, &cache_));
  EVIDENCE_RETURN_IF_ERROR(CheckLeaves(block, height));
  crypto::Digest hash = BlockHash(genesis_.hash(), block.header);
  EVIDENCE_ASSIGN_OR_RETURN(Commit commit, store_.GetCommit(height));
  if (commit.height != height || commit.block_hash != hash) {
    return Status::Corruption("stored commit is not for this block");
  }
  // The validators in force for this block signed it.
  Status quorum = VerifyCommit(genesis_.chain_id(), state_.next->validator_set(), commit);
  if (!quorum.ok()) return Status::Corruption("stored commit: " + quorum.message());
  // ValidateBlock applied the actions already: they apply.
  Status applied = history_.Apply(height, block.header.time_ms, block.actions);
  EVIDENCE_CHECK_MSG(applied.ok(), "actions ValidateBlock accepted do not apply");
  if (!block.actions.empty()) {
    ++governance_blocks_;
    report_.governance_actions_checked += block.actions.size();
    // The store's own register (replayed at open) is the audited one.
    if (store_.StateAfter(height)->Hash() != history_.Latest()->Hash()) {
      return Status::Corruption("the store's register after block " + std::to_string(height) +
                                " is not the one its governance actions give");
    }
  }
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
    EVIDENCE_RETURN_IF_ERROR(
        store_.CheckRecordIndexes(*record, RecordId(genesis_.hash(), *record), index, height));
    ++report_.records_checked;
    if (!record->sig.batch) ++unbatched_records_;
  }
  if (log_.size() != block.header.log_size || log_.Root() != block.header.log_root) {
    return Status::Corruption("log after the block does not match its header");
  }
  return Status::Ok();
}

// Every key read once, and counted: with every record's own entries present
// (Store::CheckRecordIndexes), equal counts mean no index holds an entry of its own (one
// that names a leaf under another digest, case, agency or time).
Status Auditor::CheckAllKeys() {
  EVIDENCE_ASSIGN_OR_RETURN(Store::KeyCounts counts, store_.CountKeys());
  report_.keys_scanned = counts.total;
  const uint64_t height = report_.head_height;
  const uint64_t size = log_.size();
  uint64_t nodes = 0;  // perfect subtrees of a log of `size` leaves, at every level
  for (uint64_t width = 1; width != 0 && width <= size; width <<= 1) nodes += size / width;
  auto expect = [](std::string_view what, uint64_t found, uint64_t expected) -> Status {
    if (found == expected) return Status::Ok();
    return Status::Corruption("the store holds " + std::to_string(found) + " " + std::string(what) +
                              ", the blocks account for " + std::to_string(expected));
  };
  EVIDENCE_RETURN_IF_ERROR(expect("version keys", counts.version, 1));
  EVIDENCE_RETURN_IF_ERROR(expect("head keys", counts.head, height == 0 ? 0 : 1));
  EVIDENCE_RETURN_IF_ERROR(expect("blocks", counts.blocks, height));
  EVIDENCE_RETURN_IF_ERROR(expect("commits", counts.commits, height));
  EVIDENCE_RETURN_IF_ERROR(expect("leaves", counts.leaves, size));
  EVIDENCE_RETURN_IF_ERROR(expect("Merkle nodes", counts.nodes, nodes));
  EVIDENCE_RETURN_IF_ERROR(expect("record index entries", counts.records, report_.records_checked));
  EVIDENCE_RETURN_IF_ERROR(expect("digest index entries", counts.digests, report_.records_checked));
  EVIDENCE_RETURN_IF_ERROR(expect("case index entries", counts.cases, report_.records_checked));
  EVIDENCE_RETURN_IF_ERROR(
      expect("governance index entries", counts.governance, governance_blocks_));
  return expect("agency index entries", counts.agencies, report_.records_checked);
}

}  // namespace

Result<std::string> LocateStore(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return Status::NotFound("no directory at " + directory);
  }
  if (fs::exists(fs::path(directory) / "CURRENT", ec)) return directory;
  const fs::path nested = fs::path(directory) / "store";
  if (fs::exists(nested / "CURRENT", ec)) return nested.string();
  return Status::NotFound("no store at " + directory + ": neither it nor " + nested.string() +
                          " holds one (a node keeps its store in <data_dir>/store, data_dir "
                          "being [node] data_dir of its node.toml)");
}

AuditReport Audit(const std::string& directory, const Genesis& genesis,
                  const AuditProgressFn& progress) {
  AuditReport report;
  Result<std::string> located = LocateStore(directory);
  if (!located.ok()) {
    report.reason = located.status().message();
    return report;
  }
  const std::string& store_directory = *located;
  if (StoreInUseByAnotherProcess(store_directory)) {
    report.in_use = true;
    report.reason = "the store at " + store_directory +
                    " is in use by a running node (LevelDB admits one process at a time): "
                    "stop the node, or audit a copy made by `evidence backup`";
    return report;
  }
  StoreOptions options;
  options.create_if_missing = false;
  options.paranoid_checks = true;
  options.verify_checksums = true;
  auto store = Store::Open(store_directory, genesis, options);
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
  Status scan = auditor.CheckAllKeys();
  if (!scan.ok()) {
    report.reason = scan.ToString();
    return report;
  }
  report.ok = true;
  return report;
}

}  // namespace evidence::ledger
