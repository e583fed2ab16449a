// The ledger's store on LevelDB: committed blocks, their commits, the records'
// indexes and the Merkle log's nodes. Key layout: docs/storage-format.md.
//
// Each Append is one atomic WriteBatch written with sync = true: after Append
// returns ok the block is durable, and a crash at any instant leaves either the
// whole block or none of it. Open checks that the head (height, log size, last
// block hash), the last block's header and the log root recomputed from the
// stored Merkle nodes agree, and refuses a store that does not.
//
// The register of every height (ledger/governance_history.h) is kept in
// memory: Open replays the governance actions of the blocks that carry them
// (indexed under their own key), Append applies those of a new block in the
// same step as it writes the block.
//
// Proofs at any tree size read O(log n) nodes: every perfect subtree completed
// by an append is stored under (level, index) and never changes.
//
// Thread-safety: all methods may be called from several threads; Append calls
// are serialised internally. Reads see a consistent prefix of the log (every
// node, leaf and block up to the head they read is immutable once written).
#pragma once

#include <leveldb/db.h>
#include <leveldb/filter_policy.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "crypto/merkle.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/governance_history.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"
#include "ledger/validation.h"

namespace evidence::ledger {

struct StoreOptions {
  bool create_if_missing = true;
  bool paranoid_checks = false;    // LevelDB paranoid_checks (audit turns it on)
  bool verify_checksums = false;   // verify block checksums on every read
  size_t cache_bytes = 32 << 20;   // LevelDB block cache
  // LevelDB memtable: a larger one means fewer, larger level-0 files and less
  // compaction work per record (LevelDB's 4 MiB default flushes every ~5,000
  // records here); at most twice this is held in memory.
  size_t write_buffer_bytes = 64 << 20;
};

// A record as stored: its parsed form, leaf bytes and place in the log.
struct StoredRecord {
  Record record;
  std::string leaf;
  crypto::Digest id{};
  uint64_t leaf_index = 0;
  uint64_t height = 0;
};

struct TreeHead {
  uint64_t height = 0;
  uint64_t size = 0;
  crypto::Digest root{};
  crypto::Digest block_hash{};  // zeros for the empty store
};

// True when another process holds the LevelDB lock of the store in
// `directory` (a running node; LevelDB admits one process at a time). False
// when nobody does, or there is no store there. Locks held by this process are
// not seen (POSIX record locks belong to a process).
bool StoreInUseByAnotherProcess(const std::string& directory);

class Store {
 public:
  // Opens (or creates) the store in `directory` for the chain of `genesis`. A
  // store written for another genesis is refused.
  static Result<std::unique_ptr<Store>> Open(const std::string& directory, const Genesis& genesis,
                                             const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Appends a committed block. The caller has validated it (ValidateBlock); the
  // store re-checks what keeps it consistent: height, previous hash, log size
  // and root, and that `commit` is for this block (not its signatures). When
  // `record_ids` is given it receives the leaves' record ids, in leaf order.
  // `known`, when given, holds for each leaf the record it is the JCS of and
  // that record's id, as the caller's mempool holds them (RecordLeaf(record) ==
  // leaves[i], id == RecordId(record)), or nothing; the store parses the leaves
  // it lacks and computes their ids.
  Status Append(const Block& block, const Commit& commit,
                std::vector<crypto::Digest>* record_ids = nullptr,
                const std::vector<std::optional<KnownRecord>>* known = nullptr);

  TreeHead head() const;
  uint64_t height() const { return head().height; }
  // The state ValidateBlock needs for the next block (contains_record reads this store).
  ChainState chain_state() const;
  // The governance state in force for the next block (height() + 1): the
  // register records are admitted against now.
  GovernanceStatePtr NextState() const;
  // The register in force for block `height` (>= 1), known up to height() + 2
  // (the register after the blocks up to height - 2); nullptr above.
  GovernanceStatePtr StateInForce(uint64_t height) const;
  // The register after every governance action of the blocks up to `height`.
  GovernanceStatePtr StateAfter(uint64_t height) const;
  // The register after every committed block (the next block's actions apply to it).
  GovernanceStatePtr LatestState() const;
  // The heights of the committed blocks that carry governance actions, increasing.
  std::vector<uint64_t> GovernanceHeights() const;
  // The governance action leaves of block `height` (without reading its records).
  Result<std::vector<std::string>> GetActions(uint64_t height) const;

  Result<Block> GetBlock(uint64_t height) const;
  Result<BlockHeader> GetHeader(uint64_t height) const;
  // The commit that finalised block `height`.
  Result<Commit> GetCommit(uint64_t height) const;
  Result<std::string> GetLeaf(uint64_t leaf_index) const;
  Result<crypto::Digest> GetNode(uint32_t level, uint64_t index) const;

  // NotFound when the log does not hold the record.
  Result<StoredRecord> GetRecord(const crypto::Digest& record_id) const;
  Result<bool> ContainsRecord(const crypto::Digest& record_id) const;
  // Records of a document digest ("sha256:<hex>"), in log order.
  Result<std::vector<StoredRecord>> RecordsByDigest(std::string_view digest, size_t limit) const;
  // A case's records in log order, starting after leaf `after` (exclusive) if given.
  Result<std::vector<StoredRecord>> RecordsByCase(std::string_view case_id, size_t limit,
                                                  std::optional<uint64_t> after = std::nullopt) const;
  // An agency's records with from_ms <= time < to_ms, ordered by time then log order.
  Result<std::vector<StoredRecord>> RecordsByAgency(std::string_view agency, int64_t from_ms,
                                                    int64_t to_ms, size_t limit) const;

  // The leaf indexes of the same two indexes, without reading any record: for
  // callers that read many records once each (supervision reports). More than
  // `limit` entries: ResourceExhausted.
  Result<std::vector<uint64_t>> CaseLeafIndexes(std::string_view case_id, size_t limit) const;
  Result<std::vector<uint64_t>> AgencyLeafIndexes(std::string_view agency, int64_t from_ms,
                                                  int64_t to_ms, size_t limit) const;
  // The record at `leaf_index` with its id and height (one leaf read and one
  // record-index read). Beyond the log: NotFound.
  Result<StoredRecord> GetRecordAt(uint64_t leaf_index) const;

  // RFC 9162 proofs from stored nodes (O(log n) reads). size/new_size at most the
  // head's log size.
  Result<std::vector<crypto::Digest>> InclusionProof(uint64_t index, uint64_t size) const;
  Result<std::vector<crypto::Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;
  // Root of the first `size` leaves, from stored nodes.
  Result<crypto::Digest> RootAt(uint64_t size) const;

  // A consistent copy of every key (a LevelDB snapshot, so appends may go on
  // meanwhile): `begin(head)` with the head the snapshot holds, then
  // `each(key, value)` for every key in key order. Stops at the first error
  // either returns; `stop` (when given) is polled between keys.
  Status ExportSnapshot(const std::function<Status(const TreeHead&)>& begin,
                        const std::function<Status(std::string_view, std::string_view)>& each,
                        const std::atomic<bool>* stop = nullptr) const;

  const Genesis& genesis() const { return genesis_; }

  // Audit (ledger/audit.h). The four index entries of one record (by id, by
  // document digest, by case, by agency and time) exist, with exactly the keys
  // and values Append writes for it at `leaf_index` of block `height`;
  // Corruption naming the index otherwise.
  Status CheckRecordIndexes(const Record& record, const crypto::Digest& id, uint64_t leaf_index,
                            uint64_t height) const;
  // Every key of the database read once (a damaged table is found), counted by
  // kind. A key of no known kind, or of a known kind with a bad length, is
  // Corruption.
  struct KeyCounts {
    uint64_t version = 0, head = 0, blocks = 0, commits = 0, leaves = 0, nodes = 0;
    uint64_t records = 0, digests = 0, cases = 0, agencies = 0, governance = 0;
    uint64_t total = 0;
  };
  Result<KeyCounts> CountKeys() const;
  // Raw access (tests): the LevelDB handle and read options.
  leveldb::DB* db() const { return db_.get(); }
  leveldb::ReadOptions read_options() const;

 private:
  Store(const Genesis& genesis, const StoreOptions& options);
  Status Initialize();
  Status CheckHead();
  // Replays the governance actions of the stored blocks (after CheckHead).
  Status LoadGovernance();
  // The log's compact range at `size`, rebuilt from the stored perfect subtrees.
  Result<crypto::CompactRange> LoadRange(uint64_t size) const;
  Result<std::string> Get(const std::string& key, std::string_view what) const;
  Result<StoredRecord> LoadRecord(uint64_t leaf_index, uint64_t height) const;
  Result<std::vector<StoredRecord>> ScanIndex(const std::string& prefix, const std::string& from,
                                              const std::string& to, size_t limit) const;
  Result<std::vector<uint64_t>> ScanLeafIndexes(const std::string& prefix, const std::string& from,
                                                const std::string& to, size_t limit) const;

  const Genesis genesis_;
  const GovernanceStatePtr genesis_state_;
  StoreOptions options_;
  std::unique_ptr<leveldb::Cache> cache_;
  // Bloom filters in the tables: "is this record id committed?" is asked for
  // every gossiped record and every block leaf, and is nearly always no.
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
  mutable Mutex mutex_;  // guards head_, log_ and history_; Append holds it throughout
  TreeHead head_;
  GovernanceHistory history_;
  int64_t last_block_time_ms_ = 0;
  crypto::CompactRange log_;
};

}  // namespace evidence::ledger
