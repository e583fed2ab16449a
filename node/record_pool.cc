#include "node/record_pool.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <latch>
#include <random>
#include <thread>

#include "common/thread.h"

namespace evidence::node {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

size_t RecordPool::IdHash::operator()(const crypto::Digest& id) const {
  uint64_t a = 0;
  uint64_t b = 0;
  std::memcpy(&a, id.data(), sizeof a);
  std::memcpy(&b, id.data() + sizeof a, sizeof b);
  // Two 64-bit words of the id mixed with the secret (a keyed multiply-xorshift):
  // without the secret, ids cannot be ground to collide in one bucket.
  uint64_t h = (a ^ secret) * 0x9e3779b97f4a7c15ULL;
  h ^= (b + secret) * 0xc2b2ae3d27d4eb4fULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

namespace {

uint64_t RandomSecret() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace

RecordPool::RecordPool(ledger::GovernanceStateFn current_state, RecordPoolOptions options)
    : current_state_(std::move(current_state)),
      hash_(current_state_()->hash()),
      options_(options),
      batch_signatures_(options.batch_signatures_max),
      by_id_(0, IdHash{RandomSecret()}) {
  verifier_count_ = options.verify_threads != 0
                        ? options.verify_threads
                        : std::max<size_t>(1, std::thread::hardware_concurrency());
  verifiers_ = std::make_unique<boost::asio::thread_pool>(verifier_count_);
  // One task per thread (each waits until all have started), so every thread
  // is named. The tasks share the latch: it must outlive the last of them to
  // leave arrive_and_wait (a latch on this stack hung threads in its futex).
  auto started = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(verifier_count_));
  for (size_t i = 0; i < verifier_count_; ++i) {
    boost::asio::post(*verifiers_, [started] {
      NameCurrentThread("verify");
      started->arrive_and_wait();
    });
  }
  started->wait();
}

RecordPool::~RecordPool() { Stop(); }

void RecordPool::Stop() {
  if (verifiers_) verifiers_->join();
}

// Checks the records on the verification threads, in contiguous chunks (the
// calling thread takes the first one itself: a single record costs no hand-over
// to another thread and back); `statuses[i]` receives record i's outcome. Each
// chunk has its own batch-signature cache over the pool's shared set of
// verified batch signatures, so a batch costs one check at most. With
// `stop_at_error`, a chunk stops at its first refusal (later records keep an OK
// status they did not earn: the caller only looks at the first refusal).
void RecordPool::CheckEach(const std::vector<ledger::Record>& records, int64_t now_ms,
                           bool stop_at_error, std::vector<Status>& statuses,
                           uint64_t* checks_made) {
  statuses.assign(records.size(), Status::Ok());
  const ledger::GovernanceStatePtr state = current_state_();
  size_t chunks = std::min(verifier_count_, records.size());
  size_t per_chunk = (records.size() + chunks - 1) / chunks;
  std::vector<size_t> checks(chunks, 0);
  Mutex done_mutex;
  CondVar done;
  size_t remaining = chunks;
  auto check_chunk = [&](size_t chunk) {
    ledger::BatchSignatureCache cache(&batch_signatures_);
    size_t single_checks = 0;  // batches are counted by the cache
    size_t end = std::min(records.size(), (chunk + 1) * per_chunk);
    for (size_t i = chunk * per_chunk; i < end; ++i) {
      statuses[i] = ledger::CheckRecord(*state, records[i], now_ms, &cache);
      // A record signed alone cost a check unless a rule before the signature refused it.
      if (!records[i].sig.batch &&
          (statuses[i].ok() ||
           ledger::ErrorCodeOf(statuses[i]) == ledger::ErrorCode::kRecordBadSignature)) {
        ++single_checks;
      }
      if (!statuses[i].ok() && stop_at_error) break;
    }
    checks[chunk] = cache.signature_checks() + single_checks;
  };
  size_t prechecks = chunks > 1 ? PrecheckBatches(*state, records, now_ms) : 0;
  for (size_t chunk = 1; chunk < chunks; ++chunk) {
    boost::asio::post(*verifiers_, [&, chunk] {
      check_chunk(chunk);
      MutexLock lock(&done_mutex);
      if (--remaining == 0) done.Signal();
    });
  }
  check_chunk(0);
  {
    MutexLock lock(&done_mutex);
    --remaining;
    while (remaining != 0) done.Wait(&done_mutex);
  }
  uint64_t made = prechecks;
  for (size_t count : checks) made += count;
  {
    MutexLock lock(&mutex_);
    signature_checks_ += made;
  }
  *checks_made += made;
}

// Records of one batch share one signature. Before the chunks start, the first
// record of each batch (up to a few batches) is checked here, so that the
// chunks find its signature in the shared set instead of verifying it side by
// side. Returns the signature checks made; the chunks still give every
// record's outcome.
size_t RecordPool::PrecheckBatches(const ledger::GovernanceState& state,
                                   const std::vector<ledger::Record>& records, int64_t now_ms) {
  constexpr size_t kBatchesPrechecked = 4;
  ledger::BatchSignatureCache cache(&batch_signatures_);
  std::vector<const Bytes*> seen;
  for (const ledger::Record& record : records) {
    if (!record.sig.batch) continue;
    auto same = [&](const Bytes* value) { return *value == record.sig.value; };
    if (std::any_of(seen.begin(), seen.end(), same)) continue;
    if (seen.size() == kBatchesPrechecked) break;
    seen.push_back(&record.sig.value);
    (void)ledger::CheckRecord(state, record, now_ms, &cache);
  }
  return cache.signature_checks();
}

// All or none: the first refusal; its position goes to `*refused_index`.
Status RecordPool::CheckAll(const std::vector<ledger::Record>& records, int64_t now_ms,
                            uint64_t* checks_made, size_t* refused_index) {
  std::vector<Status> statuses;
  CheckEach(records, now_ms, /*stop_at_error=*/true, statuses, checks_made);
  auto refused = std::find_if(statuses.begin(), statuses.end(),
                              [](const Status& status) { return !status.ok(); });
  if (refused == statuses.end()) return Status::Ok();
  if (refused_index != nullptr) *refused_index = static_cast<size_t>(refused - statuses.begin());
  return *refused;
}

Result<std::vector<std::string>> RecordPool::CheckAndAdd(std::vector<ledger::Record> records,
                                                         int64_t now_ms,
                                                         uint64_t* signature_checks,
                                                         std::vector<crypto::Digest> ids,
                                                         size_t* refused_index) {
  if (records.empty()) return std::vector<std::string>();
  uint64_t checks_made = 0;
  Status checked = CheckAll(records, now_ms, &checks_made, refused_index);
  if (signature_checks != nullptr) *signature_checks += checks_made;
  EVIDENCE_RETURN_IF_ERROR(checked);
  return AddChecked(std::move(records), std::move(ids));
}

std::vector<std::string> RecordPool::CheckAndAddEach(std::vector<ledger::Record> records,
                                                     int64_t now_ms,
                                                     uint64_t* signature_checks,
                                                     std::vector<crypto::Digest> ids) {
  if (records.empty()) return {};
  uint64_t checks_made = 0;
  std::vector<Status> statuses;
  CheckEach(records, now_ms, /*stop_at_error=*/false, statuses, &checks_made);
  if (signature_checks != nullptr) *signature_checks += checks_made;
  std::vector<ledger::Record> passed;
  std::vector<crypto::Digest> passed_ids;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!statuses[i].ok()) continue;
    passed.push_back(std::move(records[i]));
    if (!ids.empty()) passed_ids.push_back(ids[i]);
  }
  if (passed.empty()) return {};
  auto admitted = AddChecked(std::move(passed), std::move(passed_ids));
  return admitted.ok() ? std::move(admitted).value() : std::vector<std::string>();
}

// Admits checked records, all or none (ResourceExhausted when they do not fit);
// returns the leaves of those not held before.
Result<std::vector<std::string>> RecordPool::AddChecked(std::vector<ledger::Record> records,
                                                        std::vector<crypto::Digest> ids) {
  EVIDENCE_CHECK(ids.empty() || ids.size() == records.size());
  std::vector<Entry> fresh;
  size_t fresh_bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    ledger::Record& record = records[i];
    crypto::Digest id = ids.empty() ? ledger::RecordId(hash_, record) : ids[i];
    std::string leaf = ledger::RecordLeaf(record);
    fresh_bytes += leaf.size();
    fresh.push_back(Entry{id, std::move(record), std::move(leaf), SteadyMs()});
  }
  std::vector<std::string> admitted;
  MutexLock lock(&mutex_);
  if (entries_.size() + fresh.size() > options_.records_max ||
      bytes_ + fresh_bytes > options_.bytes_max) {
    return Status::ResourceExhausted("the mempool is full (" + std::to_string(entries_.size()) +
                                     " records waiting)");
  }
  for (Entry& entry : fresh) {
    if (by_id_.contains(entry.id)) continue;
    admitted.push_back(entry.leaf);
    bytes_ += entry.leaf.size();
    by_digest_.emplace(entry.record.digest, entry.id);
    by_case_.emplace(entry.record.case_id, entry.id);
    entry.sequence = next_sequence_++;
    entries_.push_back(std::move(entry));
    by_id_.emplace(entries_.back().id, std::prev(entries_.end()));
    // A record id is held once, so its leaf bytes are too (the leaf includes the id's fields).
    by_leaf_.emplace(entries_.back().leaf, std::prev(entries_.end()));
  }
  return admitted;
}

bool RecordPool::Contains(const crypto::Digest& id) const {
  MutexLock lock(&mutex_);
  return by_id_.contains(id);
}

std::optional<ledger::CheckedLeaf> RecordPool::CheckedLeafOf(std::string_view leaf) const {
  MutexLock lock(&mutex_);
  auto it = by_leaf_.find(leaf);
  if (it == by_leaf_.end()) return std::nullopt;
  const ledger::Record& record = it->second->record;
  return ledger::CheckedLeaf{it->second->id, record.time_ms, record.agency, record.sig.key_id,
                             record.sig.batch ? record.sig.batch->size : 0};
}

std::optional<ledger::Record> RecordPool::Get(const crypto::Digest& id) const {
  MutexLock lock(&mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second->record;
}

std::vector<std::optional<ledger::KnownRecord>> RecordPool::KnownRecordsOfLeaves(
    const std::vector<std::string>& leaves) const {
  std::vector<std::optional<ledger::KnownRecord>> out(leaves.size());
  MutexLock lock(&mutex_);
  for (size_t i = 0; i < leaves.size(); ++i) {
    auto it = by_leaf_.find(leaves[i]);
    if (it != by_leaf_.end()) out[i].emplace(ledger::KnownRecord{it->second->record, it->second->id});
  }
  return out;
}

std::vector<ledger::Record> RecordPool::FindIndexed(
    const std::unordered_multimap<std::string, crypto::Digest>& index, const std::string& key) const {
  std::vector<const Entry*> found;
  auto range = index.equal_range(key);
  for (auto it = range.first; it != range.second; ++it) found.push_back(&*by_id_.at(it->second));
  std::sort(found.begin(), found.end(),
            [](const Entry* a, const Entry* b) { return a->sequence < b->sequence; });
  std::vector<ledger::Record> out;
  out.reserve(found.size());
  for (const Entry* entry : found) out.push_back(entry->record);
  return out;
}

std::vector<ledger::Record> RecordPool::FindByDigest(const std::string& digest) const {
  MutexLock lock(&mutex_);
  return FindIndexed(by_digest_, digest);
}

std::vector<ledger::Record> RecordPool::FindByCase(const std::string& case_id) const {
  MutexLock lock(&mutex_);
  return FindIndexed(by_case_, case_id);
}

size_t RecordPool::size() const {
  MutexLock lock(&mutex_);
  return entries_.size();
}

size_t RecordPool::bytes() const {
  MutexLock lock(&mutex_);
  return bytes_;
}

uint64_t RecordPool::signature_checks() const {
  MutexLock lock(&mutex_);
  return signature_checks_;
}

namespace {

void EraseIndexEntry(std::unordered_multimap<std::string, crypto::Digest>& index,
                     const std::string& key, const crypto::Digest& id) {
  auto range = index.equal_range(key);
  for (auto entry = range.first; entry != range.second; ++entry) {
    if (entry->second == id) {
      index.erase(entry);
      return;
    }
  }
}

}  // namespace

void RecordPool::EraseLocked(std::list<Entry>::iterator it) {
  EraseIndexEntry(by_digest_, it->record.digest, it->id);
  EraseIndexEntry(by_case_, it->record.case_id, it->id);
  bytes_ -= it->leaf.size();
  by_leaf_.erase(it->leaf);
  by_id_.erase(it->id);
  entries_.erase(it);
}

std::vector<int64_t> RecordPool::Remove(const std::vector<crypto::Digest>& ids) {
  int64_t now_ms = SteadyMs();
  std::vector<int64_t> waited_ms;
  MutexLock lock(&mutex_);
  for (const crypto::Digest& id : ids) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    waited_ms.push_back(now_ms - it->second->arrival_ms);
    EraseLocked(it->second);
  }
  return waited_ms;
}

std::vector<std::string> RecordPool::Reap(size_t records_max, size_t bytes_max,
                                          const ledger::GovernanceState& rules,
                                          int64_t block_time_ms,
                                          const std::function<bool(const crypto::Digest&)>& in_log) {
  std::vector<std::string> out;
  size_t bytes = 0;
  const ledger::ChainParams& params = rules.params();
  MutexLock lock(&mutex_);
  for (auto it = entries_.begin(); it != entries_.end() && out.size() < records_max;) {
    const ledger::Record& record = it->record;
    bool too_old = record.time_ms < block_time_ms - params.record_past_window_ms;
    // A governance action may have revoked its key or removed its agency since
    // it was admitted: it can never be committed any more.
    bool refused = rules.FindActiveAgencyKey(record.agency, record.sig.key_id) == nullptr ||
                   (record.sig.batch && record.sig.batch->size > params.batch_records_max);
    if (too_old || refused || in_log(it->id)) {
      EraseLocked(it++);
      continue;
    }
    bool ahead = record.time_ms > block_time_ms + params.record_future_skew_ms;
    if (!ahead) {
      if (bytes + it->leaf.size() > bytes_max) break;
      bytes += it->leaf.size();
      out.push_back(it->leaf);
    }
    ++it;
  }
  return out;
}

}  // namespace evidence::node
