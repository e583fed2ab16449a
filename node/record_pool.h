// RecordPool: the node's pool of checked records waiting for a block (its
// mempool as the service and the proposer use it).
//
// Admission (CheckAndAdd) checks each record against the governance state in
// force for the next block (ledger::CheckRecord: shape, chain, agency, key,
// time window, signature — batch signatures once per batch) on a pool of
// verification threads, one per core, then admits the
// records all or none: a pool that cannot take them all refuses them with
// ResourceExhausted ("try later"), so it never grows past its record and byte
// bounds. Records already pooled are skipped (idempotent).
//
// Batch signatures verified are remembered in a bounded set shared by all
// admissions (ledger::SharedBatchSignatures), so a batch arriving in pieces
// (gossip frames, one record per submission) costs one signature check;
// CheckAndAddEach admits each record on its own (gossip: a peer's bad record
// drops only itself).
//
// CheckedLeafOf tells block validation which leaves this pool checked (exact
// bytes), so they are not parsed or verified a second time; entries leave the
// pool when committed (Remove) or dropped (Reap), which bounds it.
//
// Reap hands the proposer records in arrival order up to a record count and a
// byte budget, leaving out (and dropping) those already in the log, those
// whose time is too old for the block time and those whose key or agency the
// block's governance state no longer accepts, and keeping (not reaping) those
// still ahead of it.
//
// Thread-safety: every method may be called from any thread (one mutex guards
// the pool; signature checks run outside it).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "crypto/hash.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"
#include "ledger/validation.h"

namespace evidence::node {

struct RecordPoolOptions {
  size_t records_max = 100'000;
  size_t bytes_max = 256 * 1024 * 1024;  // sum of the records' leaf bytes
  size_t verify_threads = 0;             // 0: one per core
  size_t batch_signatures_max = 4096;    // verified batch signatures remembered
};

class RecordPool {
 public:
  // `current_state` gives the governance state records are admitted against
  // (the one in force for the next block); it is called on every admission,
  // from any thread.
  RecordPool(ledger::GovernanceStateFn current_state, RecordPoolOptions options);
  ~RecordPool();  // Stop()
  RecordPool(const RecordPool&) = delete;
  RecordPool& operator=(const RecordPool&) = delete;

  // Checks and admits `records` (all or none); returns the leaves (JCS) of the
  // records newly admitted. Errors: the first refused record's ledger refusal
  // (with its ledger code as its reason; its position in `records` goes to
  // `*refused_index` when given), or ResourceExhausted when the pool is full.
  // Adds the signature checks it made to `*signature_checks` when given. `ids`,
  // when not empty, are the records' ids (ledger::RecordId) as the caller
  // computed them, in order.
  Result<std::vector<std::string>> CheckAndAdd(std::vector<ledger::Record> records, int64_t now_ms,
                                               uint64_t* signature_checks = nullptr,
                                               std::vector<crypto::Digest> ids = {},
                                               size_t* refused_index = nullptr);

  // Checks every record (in parallel, like CheckAndAdd) and admits each one that
  // passes on its own: one bad record drops only itself (records gossiped by a
  // peer). Returns the leaves newly admitted; nothing when the pool is full.
  std::vector<std::string> CheckAndAddEach(std::vector<ledger::Record> records, int64_t now_ms,
                                           uint64_t* signature_checks = nullptr,
                                           std::vector<crypto::Digest> ids = {});

  bool Contains(const crypto::Digest& id) const;
  // The id and time of the record the pool holds with exactly these leaf bytes
  // (so CheckRecord passed on admission), or nullopt. A ledger::CheckedLeafFn.
  std::optional<ledger::CheckedLeaf> CheckedLeafOf(std::string_view leaf) const;
  std::optional<ledger::Record> Get(const crypto::Digest& id) const;
  // For each leaf, the record the pool holds with exactly those bytes and its
  // id, or nothing (a ledger::Store::Append hint: committing skips their parse
  // and hash). The pool keeps them: they leave it once the store has them
  // (Remove), so a record is never in neither.
  std::vector<std::optional<ledger::KnownRecord>> KnownRecordsOfLeaves(
      const std::vector<std::string>& leaves) const;
  // The pooled records of a document digest, and of a case id, in arrival order.
  std::vector<ledger::Record> FindByDigest(const std::string& digest) const;
  std::vector<ledger::Record> FindByCase(const std::string& case_id) const;
  size_t size() const;
  size_t bytes() const;

  // Removes the records (committed ones); returns how long each removed record
  // waited in the pool, in milliseconds.
  std::vector<int64_t> Remove(const std::vector<crypto::Digest>& ids);

  // Up to `records_max` leaves of at most `bytes_max` bytes in total, for a
  // block whose BFT time is `block_time_ms` and whose governance state is
  // `rules`. `in_log(id)` says a record is committed already (it is then dropped).
  std::vector<std::string> Reap(size_t records_max, size_t bytes_max,
                                const ledger::GovernanceState& rules, int64_t block_time_ms,
                                const std::function<bool(const crypto::Digest&)>& in_log);

  // Joins the verification threads; CheckAndAdd must not be called after.
  void Stop();

  uint64_t signature_checks() const;

 private:
  struct Entry {
    crypto::Digest id;
    ledger::Record record;
    std::string leaf;
    int64_t arrival_ms = 0;  // steady clock
    uint64_t sequence = 0;   // arrival order
  };
  void CheckEach(const std::vector<ledger::Record>& records, int64_t now_ms, bool stop_at_error,
                 std::vector<Status>& statuses, uint64_t* checks_made);
  size_t PrecheckBatches(const ledger::GovernanceState& state,
                         const std::vector<ledger::Record>& records, int64_t now_ms);
  Status CheckAll(const std::vector<ledger::Record>& records, int64_t now_ms, uint64_t* checks_made,
                  size_t* refused_index);
  std::vector<ledger::Record> FindIndexed(
      const std::unordered_multimap<std::string, crypto::Digest>& index, const std::string& key) const
      EVIDENCE_REQUIRES(mutex_);
  Result<std::vector<std::string>> AddChecked(std::vector<ledger::Record> records,
                                              std::vector<crypto::Digest> ids);
  void EraseLocked(std::list<Entry>::iterator it) EVIDENCE_REQUIRES(mutex_);

  const ledger::GovernanceStateFn current_state_;
  const crypto::HashAlgorithm hash_;
  const RecordPoolOptions options_;
  std::unique_ptr<boost::asio::thread_pool> verifiers_;
  size_t verifier_count_ = 1;
  ledger::SharedBatchSignatures batch_signatures_;

  mutable Mutex mutex_;
  std::list<Entry> entries_ EVIDENCE_GUARDED_BY(mutex_);  // arrival order
  // Record ids are hashes of what agencies submit: their buckets are keyed by a
  // per-process random secret, so nobody can aim many ids at one bucket.
  struct IdHash {
    uint64_t secret;
    size_t operator()(const crypto::Digest& id) const;
  };
  std::unordered_map<crypto::Digest, std::list<Entry>::iterator, IdHash> by_id_
      EVIDENCE_GUARDED_BY(mutex_);
  // Keys view the entries' own leaf bytes (list nodes never move).
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_leaf_
      EVIDENCE_GUARDED_BY(mutex_);
  std::unordered_multimap<std::string, crypto::Digest> by_digest_ EVIDENCE_GUARDED_BY(mutex_);
  std::unordered_multimap<std::string, crypto::Digest> by_case_ EVIDENCE_GUARDED_BY(mutex_);
  uint64_t next_sequence_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  size_t bytes_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  uint64_t signature_checks_ EVIDENCE_GUARDED_BY(mutex_) = 0;
};

}  // namespace evidence::node
