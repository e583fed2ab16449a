// ChainService: the HTTP API's NodeService (api/http/node_service.h) over the
// node's store and mempool.
//
// Submissions: strict schema (ledger::RecordFromJson; a batch's format,
// ledger::ParseBatch), then "already known?" (store, then mempool: the same
// record id again is idempotent: the exact leaf held is checked no further, any
// other copy's signature must hold), then the submission
// rules (ledger/submission.h: canonical case id, links that resolve, no record
// twice in a batch) and the stage vocabulary of the supervision rules (new
// records only: a record committed under older rules is still answered as
// known), then the register rules and the signature
// (ledger::CheckRecord) on the mempool's verification pool, then admission to
// the mempool (full: too-many with Retry-After; the node's disk below its
// reserve: not-ready 503, node/disk_guard.h). A dry run stops before the
// mempool. Admitted records go to the node through Hooks::on_admitted (gossip
// to peers, wake consensus). Nothing refused changes any state. A refusal
// carries the record id and signing-bytes hash the node computed, and a
// refused signature its signing bytes and, within a small budget a second
// (limits::kSignatureExplanationsPerSecond), what most likely went wrong.
//
// Governance actions (POST /v1/governance) are parsed strictly, checked
// against the register after the last block and kept in the GovernancePool,
// which the proposer reaps; Hooks::on_governance_admitted wakes consensus and
// has the action gossiped to every peer (AdmitGovernanceFromPeer takes theirs).
//
// Reads go to the store (LevelDB reads are safe from any thread) and build
// receipts (ledger/receipt.h) against the block that holds the record; each
// receipt is verified as a client would verify it before it is served, so a
// damaged store answers 503 (and logs event=store_damaged), never a bad proof.
//
// Supervision reports (GET /v1/reports/supervision) are built from the store's
// indexes (supervision/store_report.h), one at a time: a second request while
// one runs gets ResourceExhausted (429, retry).
//
// Commit watches: OnCommitted (called by the node's consensus thread after each
// stored block) fires every watch on the block's records, outside the lock.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/http/node_service.h"
#include "api/http/rate_limiter.h"
#include "common/log_throttle.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "ledger/genesis.h"
#include "ledger/receipt.h"
#include "ledger/store.h"
#include "ledger/submission.h"
#include "ledger/validation.h"
#include "supervision/calendar.h"
#include "supervision/rules.h"
#include "node/governance_pool.h"
#include "node/node_metrics.h"

namespace evidence::node {

class RecordPool;
class TimestampService;
class CheckpointService;
class AnchorService;

// What the node reports about itself (a snapshot).
struct NodeStatus {
  bool consensus_running = false;
  uint64_t best_peer_height = 0;  // highest height peers with > 1/3 of the power reported
  std::optional<uint32_t> validator_index;
  uint32_t peers_connected = 0;
  bool quorum_connected = false;  // own power + connected validators' power > 2/3
  uint64_t frames_dropped = 0;
  // The data directory's file system is below the reserve (node/disk_guard.h):
  // submissions are refused until space returns.
  bool disk_full = false;
  uint64_t disk_free_bytes = 0;
  uint64_t disk_reserve_bytes = 0;
};

// The supervision rules (stage vocabulary, thresholds) and the holiday calendar
// the service checks new records' stages with and builds reports from; both
// must outlive the service. Default: the built-in files.
struct SupervisionSettings {
  const supervision::RuleSet* rules = &supervision::RuleSet::Default();
  const supervision::WorkingCalendar* calendar = &supervision::WorkingCalendar::Default();
};

class ChainService : public api::NodeService {
 public:
  struct Hooks {
    // Records newly admitted to the mempool (their JCS leaves); `from_peer`
    // says they came by gossip (and need not be gossiped again).
    std::function<void(std::vector<std::string> leaves, bool from_peer)> on_admitted;
    std::function<NodeStatus()> status;
    // A governance action was admitted to the pool (wakes the proposer).
    std::function<void()> on_governance_admitted;
  };

  // Every reference must outlive the service. `metrics` may be null;
  // `timestamps`, `checkpoints` and `anchors` too (then their routes answer unavailable).
  ChainService(const ledger::Genesis& genesis, const ledger::Store& store, RecordPool& mempool,
               Hooks hooks, NodeMetrics* metrics,
               const TimestampService* timestamps = nullptr,
               CheckpointService* checkpoints = nullptr,
               SupervisionSettings supervision = {}, AnchorService* anchors = nullptr);

  // Node side.
  // A block the store has just appended; `record_ids` are its leaves' record
  // ids in leaf order (as ledger::Store::Append gives them).
  // `synced`: the block came from a peer by sync (its records' time in the
  // mempool is then not a commit latency: the node was behind).
  void OnCommitted(const ledger::Block& block, const ledger::Commit& commit,
                   const std::vector<crypto::Digest>& record_ids, bool synced = false);
  // Records gossiped by a peer: checked like submissions, on every core, each on
  // its own (a peer's bad record drops only itself; batch signatures are
  // remembered by the mempool, so a batch costs one check), refusals dropped.
  // The checks count in evidence_signature_checks_total.
  void AdmitFromPeer(std::vector<std::string> leaves);

  // api::NodeService.
  Result<api::SubmitOutcome> SubmitRecord(const boost::json::object& record,
                                          const api::SubmitOptions& options,
                                          boost::json::object* refusal_details) override;
  Result<api::BatchOutcome> SubmitBatch(const boost::json::object& batch,
                                        const api::SubmitOptions& options,
                                        boost::json::object* refusal_details) override;
  Result<api::RecordView> GetRecord(std::string_view id_hex) override;
  Result<std::vector<api::RecordView>> FindByDigest(std::string_view algorithm,
                                                            std::string_view hex) override;
  std::optional<api::Reader> FindReader(std::string_view token_sha256_hex) override;
  Result<api::CaseTrail> GetCase(std::string_view case_id) override;
  Result<boost::json::object> SupervisionReport(const api::SupervisionReportQuery& query) override;
  Result<boost::json::value> GetBlock(uint64_t height, api::BlockDetail detail) override;
  Result<api::BlockPage> ListBlocks(uint64_t from, uint64_t limit,
                                     api::BlockDetail detail) override;
  Result<api::TimestampAnswer> GetTimestamp(std::string_view id_hex,
                                            std::string_view institution) override;
  Result<std::string> GetCheckpoint() override;
  Status AddCosignature(std::string_view note) override;
  Result<boost::json::object> AddAnchor(std::string_view body) override;
  Result<boost::json::object> ListAnchors(uint64_t from) override;
  std::string GetGenesisJson() override;
  Result<api::TreeHead> GetTreeHead() override;
  Result<std::vector<std::string>> GetConsistencyProof(uint64_t from_size,
                                                               uint64_t to_size) override;
  boost::json::object GetGovernance() override;
  Result<api::BlockPage> ListGovernanceBlocks(uint64_t from, uint64_t limit) override;
  Result<api::GovernanceOutcome> SubmitGovernance(const boost::json::object& action,
                                                  const api::SubmitOptions& options) override;
  // A governance action a peer gossiped (its JCS leaf): checked and kept like
  // one posted here. True when it is new to the pool; an error when it is
  // refused (nothing changes).
  Result<bool> AdmitGovernanceFromPeer(std::string_view leaf);
  // The pending governance actions (the proposer reaps them).
  GovernancePool& governance_pool() { return governance_pool_; }
  boost::json::object GetStatus() override;
  api::Readiness GetReadiness() override;
  uint64_t WatchCommit(std::string_view id_hex, CommitCallback on_commit) override;
  void CancelCommitWatch(uint64_t token) override;

 private:
  struct Checked;  // a record that passed every check, ready for the mempool
  Result<std::optional<api::SubmitOutcome>> KnownOutcome(const crypto::Digest& id);
  // Unavailable while the node's disk is below its reserve (NodeStatus::disk_full).
  Status DiskRoom() const;
  // The receipt of a committed record, checked as a verifier checks it; NotFound
  // when not committed; Unavailable (and a log line) when the store is damaged.
  Result<ledger::Receipt> ProvenReceipt(const crypto::Digest& id) const;
  Status StoreDamaged(const crypto::Digest& id, const Status& damage) const;
  Status CheckKnownCopy(const ledger::Record& record, const crypto::Digest& id,
                        api::RecordStatus status);
  void DropCommitted(const std::vector<crypto::Digest>& ids);
  Status Admit(const std::vector<ledger::Record>& records, const api::SubmitOptions& options,
               std::vector<api::SubmitOutcome>* outcomes, const boost::json::object* received,
               boost::json::object* details);
  Status Refuse(Status status, const std::vector<ledger::Record>& records, size_t i,
                const std::vector<api::SubmitOutcome>& outcomes,
                const boost::json::object* received, boost::json::object* details);
  Result<ledger::LinkTarget> FindLinkTarget(const crypto::Digest& id) const;
  Result<api::RecordView> CommittedView(const ledger::StoredRecord& stored);
  api::RecordView PendingView(const ledger::Record& record) const;
  boost::json::value BlockJson(uint64_t height, api::BlockDetail detail);

  const ledger::Genesis& genesis_;
  const ledger::Store& store_;
  RecordPool& mempool_;
  const Hooks hooks_;
  NodeMetrics* metrics_;
  const TimestampService* timestamps_;
  CheckpointService* checkpoints_;
  AnchorService* anchors_;
  // Signature refusals explained (ledger::ExplainBadSignature costs up to
  // ledger::kExplainVerificationsMax more checks): one bucket for all clients.
  api::RateLimiter explanations_;
  const std::string genesis_json_;  // genesis_.ToJson(), served at GET /v1/genesis
  const SupervisionSettings supervision_;
  std::atomic<bool> report_running_{false};
  // event=store_damaged lines: one per 10 s, the rest counted.
  mutable LogThrottle damage_log_{1, std::chrono::seconds(10)};
  GovernancePool governance_pool_;

  struct Watch {
    std::string id_hex;
    CommitCallback callback;
  };
  Mutex watches_mutex_;
  uint64_t next_token_ EVIDENCE_GUARDED_BY(watches_mutex_) = 1;
  std::map<uint64_t, Watch> watches_ EVIDENCE_GUARDED_BY(watches_mutex_);
  std::multimap<std::string, uint64_t> watches_by_id_ EVIDENCE_GUARDED_BY(watches_mutex_);
};

}  // namespace evidence::node
