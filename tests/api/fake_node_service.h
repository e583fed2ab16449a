// FakeNodeService: an in-memory NodeService for the API tests.
//
// Records: any JSON object. Its id is the SHA-256 hex of its serialization. A
// record with "fail": "<ledger code>" is refused as the ledger would refuse it
// ("record.bad_signature" -> ledger::LedgerError(kRecordBadSignature, ...)), which
// exercises the ledger -> problem mapping. Accepted records are pending
// until Commit(id). Every state change is counted in state_changes().
//
// Thread-safety: all methods are thread-safe (one mutex); watches fire outside it.
#pragma once

#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api/http/node_service.h"
#include "crypto/hash.h"
#include "ledger/errors.h"

namespace evidence::api::testing {

class FakeNodeService : public NodeService {
 public:
  static std::string IdOf(const boost::json::object& record) {
    return crypto::DigestHex(
        crypto::Hash(crypto::HashAlgorithm::kSha256, boost::json::serialize(record)));
  }

  Result<SubmitOutcome> SubmitRecord(const boost::json::object& record,
                                     const SubmitOptions& options,
                                     boost::json::object* refusal_details) override {
    std::lock_guard lock(mutex_);
    ++submissions_;
    auto outcome = SubmitLocked(record, options.dry_run);
    if (!outcome.ok() && refusal_details != nullptr) (*refusal_details)["record_id"] = IdOf(record);
    return outcome;
  }

  Result<BatchOutcome> SubmitBatch(const boost::json::object& batch, const SubmitOptions& options,
                                   boost::json::object* refusal_details) override {
    std::lock_guard lock(mutex_);
    ++submissions_;
    const boost::json::value* records = batch.if_contains("records");
    if (records == nullptr || !records->is_array() || records->as_array().empty()) {
      return ledger::LedgerError(ledger::ErrorCode::kBatchMalformed, "no records array");
    }
    size_t index = 0;
    for (const boost::json::value& record : records->as_array()) {  // all or none
      if (!record.is_object()) {
        return ledger::LedgerError(ledger::ErrorCode::kBatchMalformed, "not an object");
      }
      if (auto error = Refusal(record.as_object())) {
        if (refusal_details != nullptr) (*refusal_details)["index"] = index;
        return *error;
      }
      ++index;
    }
    BatchOutcome outcome;
    outcome.batch_id = std::string(64, 'b');
    for (const boost::json::value& record : records->as_array()) {
      outcome.records.push_back(SubmitLocked(record.as_object(), options.dry_run).value());
    }
    return outcome;
  }

  Result<RecordView> GetRecord(std::string_view id_hex) override {
    std::lock_guard lock(mutex_);
    auto it = records_.find(std::string(id_hex));
    if (it == records_.end()) return Status::NotFound("no record with this id");
    return it->second;
  }

  Result<std::vector<RecordView>> FindByDigest(std::string_view algorithm,
                                                  std::string_view hex) override {
    std::lock_guard lock(mutex_);
    const std::string digest = std::string(algorithm) + ":" + std::string(hex);
    std::vector<RecordView> out;
    for (const auto& [id, view] : records_) {
      const boost::json::value* value = view.record.if_contains("digest");
      if (value != nullptr && value->is_string() && value->as_string() == digest)
        out.push_back(view);
    }
    return out;
  }

  std::optional<Reader> FindReader(std::string_view token_sha256_hex) override {
    std::lock_guard lock(mutex_);
    auto it = readers_.find(std::string(token_sha256_hex));
    if (it == readers_.end()) return std::nullopt;
    return it->second;
  }

  Result<CaseTrail> GetCase(std::string_view case_id) override {
    std::lock_guard lock(mutex_);
    CaseTrail trail;
    trail.case_id = std::string(case_id);
    for (const std::string& id : order_) {
      const RecordView& view = records_.at(id);
      const boost::json::value* value = view.record.if_contains("case_id");
      if (value != nullptr && value->is_string() && value->as_string() == case_id) {
        trail.records.push_back(view);
      }
    }
    if (trail.records.empty()) return Status::NotFound("no such case");
    return trail;
  }

  Result<boost::json::object> SupervisionReport(const SupervisionReportQuery& query) override {
    std::unique_lock lock(mutex_);
    if (report_busy_) return Status::ResourceExhausted("another report is being made");
    report_queries_.push_back(query);
    report_threads_.push_back(std::this_thread::get_id());
    // A held report waits until released (or cancelled: the test then releases it).
    report_changed_.notify_all();
    report_changed_.wait(lock, [this] { return !hold_reports_; });
    if (query.cancel != nullptr && query.cancel->load()) return Status::Unavailable("cancelled");
    return boost::json::object{{"format", "evidence-supervision-report/1"},
                               {"from_day", query.from_day},
                               {"to_day", query.to_day},
                               {"agency", query.agency ? boost::json::value(*query.agency)
                                                       : boost::json::value(nullptr)}};
  }

  Result<boost::json::value> GetBlock(uint64_t height, BlockDetail detail) override {
    std::lock_guard lock(mutex_);
    if (height == 0 || height > blocks_.size())
      return Status::NotFound("no block");
    return Shaped(blocks_[height - 1], detail);
  }

  Result<BlockPage> ListBlocks(uint64_t from, uint64_t limit, BlockDetail detail) override {
    std::lock_guard lock(mutex_);
    BlockPage page;
    for (uint64_t h = std::max<uint64_t>(from, 1);
         h <= blocks_.size() && page.blocks.size() < limit; ++h) {
      page.blocks.push_back(Shaped(blocks_[h - 1], detail));
    }
    const uint64_t next = std::max<uint64_t>(from, 1) + page.blocks.size();
    if (next <= blocks_.size()) page.next_from = next;
    return page;
  }

  // Governance blocks: those added with AddGovernanceBlock, by height.
  Result<BlockPage> ListGovernanceBlocks(uint64_t from, uint64_t limit) override {
    std::lock_guard lock(mutex_);
    last_governance_limit_ = limit;
    BlockPage page;
    auto at = governance_blocks_.lower_bound(from);
    for (; at != governance_blocks_.end() && page.blocks.size() < limit; ++at) {
      page.blocks.push_back(at->second);
    }
    if (at != governance_blocks_.end()) page.next_from = at->first;
    return page;
  }
  void AddGovernanceBlock(uint64_t height) {
    std::lock_guard lock(mutex_);
    governance_blocks_[height] = boost::json::object{
        {"block", {{"height", height}}}, {"commit", {{"height", height}}}, {"actions", {"{}"}}};
  }
  uint64_t last_governance_limit() {
    std::lock_guard lock(mutex_);
    return last_governance_limit_;
  }

  Result<TreeHead> GetTreeHead() override {
    std::lock_guard lock(mutex_);
    if (blocks_.empty()) return Status::NotFound("nothing committed yet");
    return TreeHead{committed_, std::string(64, 'a'), blocks_.size(), {{"height", blocks_.size()}}};
  }

  Result<std::vector<std::string>> GetConsistencyProof(uint64_t from_size,
                                                          uint64_t to_size) override {
    std::lock_guard lock(mutex_);
    if (to_size > committed_) return Status::NotFound("beyond the log");
    if (from_size == to_size) return std::vector<std::string>{};
    return std::vector<std::string>{std::string(64, 'c'), std::string(64, 'd')};
  }

  // Institution "court" (or ""): "TOKEN:<id>" for a committed record; "notary":
  // a redirect to notary.example; anything else is unknown.
  Result<TimestampAnswer> GetTimestamp(std::string_view id_hex,
                                       std::string_view institution) override {
    std::lock_guard lock(mutex_);
    if (!institution.empty() && institution != "court" && institution != "notary") {
      return Status::InvalidArgument("no institution " + std::string(institution));
    }
    auto it = records_.find(std::string(id_hex));
    if (it == records_.end() || it->second.status != RecordStatus::kCommitted) {
      return Status::NotFound("no committed record with this id");
    }
    if (institution == "notary") {
      return TimestampAnswer{"", "http://notary.example/v1/records/" + std::string(id_hex) +
                                     "/timestamp?institution=notary"};
    }
    return TimestampAnswer{"TOKEN:" + std::string(id_hex), ""};
  }

  // A checkpoint once a block is committed; cosignatures: "good" notes are
  // stored, "unknown" ones refused as an unknown key, anything else as malformed.
  Result<std::string> GetCheckpoint() override {
    std::lock_guard lock(mutex_);
    if (blocks_.empty()) return Status::NotFound("nothing committed yet");
    return "test-chain\n" + std::to_string(committed_) + "\nAAAA\n\n" + cosignatures_;
  }
  Status AddCosignature(std::string_view note) override {
    std::lock_guard lock(mutex_);
    if (note.starts_with("unknown")) return Status::PermissionDenied("no such witness");
    if (!note.starts_with("good")) return Status::InvalidArgument("malformed note");
    cosignatures_ += std::string(note);
    ++state_changes_;
    return Status::Ok();
  }
  // Anchors: a body starting "good" is kept (the real checks: node/anchors_test.cc),
  // "untrusted" refused as from no trusted TSA, anything else as malformed.
  Result<boost::json::object> AddAnchor(std::string_view body) override {
    std::lock_guard lock(mutex_);
    if (body.starts_with("untrusted")) return Status::PermissionDenied("no trusted TSA");
    if (!body.starts_with("good")) return Status::InvalidArgument("malformed anchor");
    anchors_.emplace_back(body);
    ++state_changes_;
    return boost::json::object{{"tree_size", anchors_.size()}};
  }
  Result<boost::json::object> ListAnchors(uint64_t from) override {
    std::lock_guard lock(mutex_);
    boost::json::array list;
    for (size_t i = from; i < anchors_.size(); ++i) list.emplace_back(anchors_[i]);
    return boost::json::object{{"total", anchors_.size()}, {"anchors", std::move(list)}};
  }

  std::string GetGenesisJson() override { return "{\"chain_id\":\"test-chain\"}\n"; }

  // Accepts an object with an integer "seq" (the real checks are the ledger's:
  // node/service_test.cc); anything else is malformed. "fail": "<ledger code
  // name>" refuses it with that code. Pending actions are kept by seq like the
  // node's GovernancePool: the same action again is already known, another one
  // at a pending seq is a bad sequence.
  Result<GovernanceOutcome> SubmitGovernance(const boost::json::object& action,
                                             const SubmitOptions& options) override {
    std::lock_guard lock(mutex_);
    ++submissions_;
    const boost::json::value* seq = action.if_contains("seq");
    if (seq == nullptr || !seq->is_int64() || seq->as_int64() < 1) {
      return ledger::LedgerError(ledger::ErrorCode::kGovernanceMalformed, "no seq");
    }
    if (auto error = Planted(action)) return *error;
    const uint64_t at = static_cast<uint64_t>(seq->as_int64());
    const std::string id = IdOf(action);
    if (auto it = pending_actions_.find(at); it != pending_actions_.end()) {
      if (it->second == id) return GovernanceOutcome{id, at, true};
      return ledger::LedgerError(ledger::ErrorCode::kGovernanceBadSequence,
                                 "another action is pending at seq " + std::to_string(at));
    }
    if (options.dry_run) return GovernanceOutcome{id, at, false};
    pending_actions_[at] = id;
    ++state_changes_;
    return GovernanceOutcome{id, at, false};
  }

  boost::json::object GetGovernance() override {
    boost::json::object registered{
        {"next_seq", 1},
        {"agencies", boost::json::array{boost::json::object{{"id", "market"}, {"keys", {}}}}},
        {"validators", boost::json::array{boost::json::object{{"name", "court"}, {"power", 1}}}}};
    return {{"height", 1}, {"state_hash", std::string(64, 'e')}, {"register", registered}};
  }

  boost::json::object GetStatus() override {
    std::lock_guard lock(mutex_);
    if (throw_in_status_) throw std::runtime_error("fake failure");
    return {{"chain_id", "test-chain"}, {"height", blocks_.size()}, {"mempool", pending_count_}};
  }

  Readiness GetReadiness() override {
    std::lock_guard lock(mutex_);
    return ready_ ? Readiness{true, ""} : Readiness{false, "syncing"};
  }

  uint64_t WatchCommit(std::string_view id_hex, CommitCallback on_commit) override {
    std::unique_lock lock(mutex_);
    auto it = records_.find(std::string(id_hex));
    if (it != records_.end() && it->second.status == RecordStatus::kCommitted) {
      boost::json::value receipt = it->second.receipt;
      lock.unlock();
      on_commit(std::move(receipt));
      return 0;
    }
    const uint64_t token = ++next_token_;
    watches_[token] = {std::string(id_hex), std::move(on_commit)};
    ++watches_started_;
    changed_.notify_all();
    return token;
  }

  void CancelCommitWatch(uint64_t token) override {
    std::lock_guard lock(mutex_);
    if (watches_.erase(token) > 0) ++watches_cancelled_;
  }

  // Test controls.
  // Commits a pending record (a block of one) and fires its watches.
  void Commit(const std::string& id) {
    std::vector<CommitCallback> fire;
    boost::json::value receipt;
    {
      std::lock_guard lock(mutex_);
      RecordView& view = records_.at(id);
      if (view.status == RecordStatus::kCommitted) return;
      view.status = RecordStatus::kCommitted;
      view.receipt = boost::json::object{{"v", 1}, {"leaf_index", committed_}, {"record_id", id}};
      receipt = view.receipt;
      ++committed_;
      --pending_count_;
      blocks_.push_back(boost::json::object{{"height", blocks_.size() + 1},
                                            {"leaves", {std::string(64, 'f')}},
                                            {"records", {view.record}}});
      for (auto it = watches_.begin(); it != watches_.end();) {
        if (it->second.first == id) {
          fire.push_back(std::move(it->second.second));
          it = watches_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& callback : fire) callback(receipt);
  }
  void AddReader(const std::string& token, Reader reader) {
    std::lock_guard lock(mutex_);
    readers_[crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, token))] = reader;
  }
  // Held reports wait in SupervisionReport until released.
  void HoldReports() {
    std::lock_guard lock(mutex_);
    hold_reports_ = true;
  }
  void ReleaseReports() {
    std::lock_guard lock(mutex_);
    hold_reports_ = false;
    report_changed_.notify_all();
  }
  // Waits until `count` reports have started.
  void WaitForReports(size_t count) {
    std::unique_lock lock(mutex_);
    report_changed_.wait(lock, [&] { return report_queries_.size() >= count; });
  }
  std::vector<std::thread::id> report_threads() const {
    std::lock_guard lock(mutex_);
    return report_threads_;
  }
  void set_report_busy(bool busy) {
    std::lock_guard lock(mutex_);
    report_busy_ = busy;
  }
  std::vector<SupervisionReportQuery> report_queries() const {
    std::lock_guard lock(mutex_);
    return report_queries_;
  }
  void set_mempool_full(bool full) {
    std::lock_guard lock(mutex_);
    mempool_full_ = full;
  }
  // GetStatus throws (an internal failure, to check the 500 path).
  void set_throw_in_status(bool value) {
    std::lock_guard lock(mutex_);
    throw_in_status_ = value;
  }
  void set_ready(bool ready) {
    std::lock_guard lock(mutex_);
    ready_ = ready;
  }
  // Waits (without a deadline) until `count` watches have been started in total.
  void WaitForWatches(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return watches_started_ >= count; });
  }
  // SubmitRecord and SubmitBatch calls (dry runs included).
  size_t submissions() const {
    std::lock_guard lock(mutex_);
    return submissions_;
  }
  size_t state_changes() const {
    std::lock_guard lock(mutex_);
    return state_changes_;
  }
  size_t open_watches() const {
    std::lock_guard lock(mutex_);
    return watches_.size();
  }
  size_t watches_cancelled() const {
    std::lock_guard lock(mutex_);
    return watches_cancelled_;
  }

 private:
  // A stored block as the service answers it: records only for kRecords.
  static boost::json::value Shaped(const boost::json::value& block, BlockDetail detail) {
    boost::json::object out = block.as_object();
    if (detail != BlockDetail::kRecords) out.erase("records");
    return out;
  }

  // The refusal a record or action asks for with "fail": "<ledger code name>".
  static std::optional<Status> Planted(const boost::json::object& body) {
    if (const boost::json::value* fail = body.if_contains("fail"); fail && fail->is_string()) {
      for (ledger::ErrorCode code : ledger::kAllErrorCodes) {
        if (ledger::ErrorCodeName(code) == fail->as_string()) {
          return ledger::LedgerError(code, "refused by the fake");
        }
      }
      return Status::InvalidArgument("refused by the fake: no ledger code " +
                                     std::string(fail->as_string()));
    }
    return std::nullopt;
  }

  // A record's refusal: the planted one, or a full mempool.
  std::optional<Status> Refusal(const boost::json::object& record) const {
    if (auto planted = Planted(record)) return planted;
    if (mempool_full_) return Status::ResourceExhausted("mempool full");
    return std::nullopt;
  }

  Result<SubmitOutcome> SubmitLocked(const boost::json::object& record, bool dry_run) {
    const std::string id = IdOf(record);
    const std::string signing_hash = std::string(64, 'c');
    if (auto it = records_.find(id); it != records_.end()) {
      return SubmitOutcome{id, true, it->second.status, it->second.receipt, signing_hash};
    }
    if (auto error = Refusal(record)) return *error;
    if (dry_run) return SubmitOutcome{id, false, RecordStatus::kPending, nullptr, signing_hash};
    records_[id] = RecordView{id, RecordStatus::kPending, record, nullptr};
    order_.push_back(id);
    ++pending_count_;
    ++state_changes_;
    return SubmitOutcome{id, false, RecordStatus::kPending, nullptr, signing_hash};
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, RecordView> records_;
  std::vector<std::string> order_;
  std::vector<boost::json::value> blocks_;
  std::map<uint64_t, boost::json::value> governance_blocks_;
  uint64_t last_governance_limit_ = 0;
  std::map<std::string, Reader> readers_;
  std::map<uint64_t, std::pair<std::string, CommitCallback>> watches_;
  uint64_t next_token_ = 0;
  size_t watches_started_ = 0;
  size_t watches_cancelled_ = 0;
  std::map<uint64_t, std::string> pending_actions_;  // seq -> action id (IdOf)
  size_t state_changes_ = 0;
  size_t submissions_ = 0;
  uint64_t committed_ = 0;
  std::string cosignatures_;
  std::vector<std::string> anchors_;
  uint64_t pending_count_ = 0;
  bool mempool_full_ = false;
  bool report_busy_ = false;
  std::vector<SupervisionReportQuery> report_queries_;
  std::vector<std::thread::id> report_threads_;
  bool hold_reports_ = false;
  std::condition_variable report_changed_;
  bool ready_ = true;
  bool throw_in_status_ = false;
};

}  // namespace evidence::api::testing
