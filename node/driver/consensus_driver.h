// ConsensusDriver: everything that runs on the node's consensus thread. It owns
// the thread (an io_context), the ConsensusCore and the state around it, and
// executes the core's effects in outbox order: Persist (WAL append + fdatasync)
// before any later Broadcast, Commit (one synced store write per block) before
// the core's next input, timers, block requests (BlockBuilder), block sync
// (BlockSync), record gossip to peers, and the status heartbeat.
//
// Inputs from other threads arrive by posting to the thread:
//   - peer messages decoded by the PeerIntake on the transport's thread
//     (PostPeerMessage) go to the PeerInbox (node/intake/peer_inbox.h): per
//     peer, bounded in messages and bytes, consensus messages before bulk,
//     peers in turn; what does not fit is dropped and counted (consensus
//     retransmits, sync re-asks). The consensus thread drains it a few
//     messages at a time, so timers and other work interleave. Requests for
//     blocks (SyncRequest, BlockRequest) never reach the consensus thread: the
//     BlockServer (block_server.h) serves them on its own thread within each
//     peer's budget, and so are the blocks the core pushes to a peer that is
//     behind (PeerBehind, to the peer that sent the old message);
//   - records admitted to the mempool by the API and gossip threads
//     (PostRecordsAdmitted; coalesced into one post per burst);
//   - peer connections and disconnections (the transport's thread).
//
// Thread ownership is checked by the compiler: members guarded by `strand_`
// (a ThreadRole bound to the consensus thread) may be touched only by code that
// runs there, and every entry point asserts it at run time.
//
// A full disk (DiskGuard, node/disk_guard.h): while the data directory's file
// system has less free space than the reserve, the driver pauses: peer
// consensus messages and sync answers are dropped, the core's timers are held
// back, nothing is proposed, so no WAL record and no block is written; the API
// refuses submissions (Snapshot().disk_full). One log line when it pauses, one
// when space returns; then the held timers fire and it syncs what it missed.
//
// Thread-safety: Start and Stop from the controlling thread; Post*, OnPeer* and
// Snapshot from any thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/store.h"
#include "node/consensus/core.h"
#include "node/consensus/validator_sets.h"
#include "common/log_throttle.h"
#include "node/driver/block_builder.h"
#include "node/driver/block_server.h"
#include "node/driver/block_sync.h"
#include "node/intake/peer_inbox.h"
#include "node/disk_guard.h"
#include "node/messages.h"
#include "node/node_metrics.h"
#include "node/peer_directory.h"

namespace evidence::node {

namespace p2p {
class Transport;
}
class ChainService;
class RecordPool;
class Wal;
struct NodeStatus;

// Peer messages handled per turn of the consensus thread before it lets other
// work (timers, admitted records) run.
inline constexpr size_t kInboxDrainBatch = 8;
// Timeouts held while the disk is full: the core schedules a few per round, and
// only those of its current round matter when it resumes.
inline constexpr size_t kHeldTimeoutsMax = 16;

struct DriverOptions {
  BlockBuilderOptions block;
  int64_t status_interval_ms = 1000;
  // Its file system's free space is measured with the status heartbeat and
  // after every commit (evidence_data_free_bytes); below `disk_reserve_bytes`
  // the node pauses (DiskGuard). Empty: not measured, never paused.
  std::string data_dir;
  uint64_t disk_reserve_bytes = 0;
};

class ConsensusDriver {
 public:
  // What the driver works with; each must outlive it. `signer` is null for an
  // observer (no `own_index`); `transport` may be null (no peers, e.g. tests).
  struct Parts {
    const ledger::Genesis& genesis;
    ledger::Store& store;
    Wal& wal;
    RecordPool& mempool;
    ChainService& service;
    NodeMetrics& metrics;
    consensus::Signer* signer;
    const consensus::SignatureVerifier& verifier;
    consensus::BlockValidator& blocks;
    p2p::Transport* transport;
    // The validator set of each height (consensus/validator_sets.h); null:
    // genesis's set at every height (FixedValidatorSets, owned by the driver).
    const consensus::ValidatorSets* validator_sets = nullptr;
    // Who each peer index is (names, powers of the set in force); the per-peer
    // state (inbox lanes, block budgets, sync heights) has its capacity.
    const PeerDirectory* peers = nullptr;
    // Runs on the consensus thread after each block is stored, before the
    // driver reads the directory's powers again (the node updates its
    // membership there: node.cc RefreshMembership).
    std::function<void()> on_committed;
  };

  // `restored`: the signer state the WAL replayed (the last Persist that
  // reached the disk), so the core never signs a vote conflicting with one it
  // signed before a crash. `node_index`: this node's own peer index (its node
  // key). The core votes at a height as the member whose vote key `signer`
  // holds, if the set of that height has one (an observer until then).
  ConsensusDriver(DriverOptions options, consensus::CoreConfig core_config, Parts parts,
                  uint32_t node_index, std::optional<consensus::PersistedState> restored);
  ~ConsensusDriver();  // Stop()
  ConsensusDriver(const ConsensusDriver&) = delete;
  ConsensusDriver& operator=(const ConsensusDriver&) = delete;

  // Starts the consensus thread; consensus resumes at the store's height + 1.
  void Start();
  // Stops the thread (timers cancelled, queued work dropped). Idempotent.
  void Stop();

  // Any thread. `bytes`: the message's size on the wire.
  void PostPeerMessage(uint32_t peer, PeerMessage message, size_t bytes);
  void PostRecordsAdmitted(std::vector<std::string> leaves, bool from_peer)
      EVIDENCE_EXCLUDES(admitted_mutex_);
  // A governance action this node's API admitted: sent to every peer (the
  // proposer may be any validator), and again with each status heartbeat
  // while it is pending.
  void PostGovernanceAdmitted();
  void OnPeerConnected(uint32_t peer);
  void OnPeerDisconnected(uint32_t peer);
  NodeStatus Snapshot() const;

 private:
  using Clock = std::chrono::steady_clock;

  // Consensus thread.
  void StartConsensus() EVIDENCE_REQUIRES(strand_);
  void DrainInbox() EVIDENCE_REQUIRES(strand_);
  void HandleMessage(uint32_t peer, PeerMessage message) EVIDENCE_REQUIRES(strand_);
  void HandleConsensusMessage(uint32_t peer, consensus::Message message)
      EVIDENCE_REQUIRES(strand_);
  void HandleSyncResponse(uint32_t peer, SyncResponse response) EVIDENCE_REQUIRES(strand_);
  void MaybeSync() EVIDENCE_REQUIRES(strand_);
  void RunEffects() EVIDENCE_REQUIRES(strand_);
  void Execute(consensus::Effect& effect) EVIDENCE_REQUIRES(strand_);
  void ExecutePersist(const consensus::PersistEffect& effect) EVIDENCE_REQUIRES(strand_);
  void ExecuteTimeout(const consensus::ScheduleTimeoutEffect& effect) EVIDENCE_REQUIRES(strand_);
  void ExecuteCommit(consensus::CommitEffect& effect) EVIDENCE_REQUIRES(strand_);
  void ExecuteEvidence(const consensus::EvidenceEffect& effect) EVIDENCE_REQUIRES(strand_);
  bool TryAnswerBlockRequest() EVIDENCE_REQUIRES(strand_);
  bool SignalRecordsAtNewRound() EVIDENCE_REQUIRES(strand_);
  bool WaitForFullerBlock() EVIDENCE_REQUIRES(strand_);
  void OnRecordsAdmitted(std::vector<std::string> leaves) EVIDENCE_REQUIRES(strand_);
  void FlushGossip() EVIDENCE_REQUIRES(strand_);
  void OnStatusTimer() EVIDENCE_REQUIRES(strand_);
  void ScheduleStatusTimer() EVIDENCE_REQUIRES(strand_);
  void PublishProgress() EVIDENCE_REQUIRES(strand_);
  void CheckDisk() EVIDENCE_REQUIRES(strand_);
  bool Paused() const EVIDENCE_REQUIRES(strand_);
  void Resume() EVIDENCE_REQUIRES(strand_);
  void SendTo(uint32_t peer, const PeerMessage& message) EVIDENCE_REQUIRES(strand_);
  void Broadcast(const PeerMessage& message) EVIDENCE_REQUIRES(strand_);
  void SendServed(uint32_t peer, Bytes frame);  // the block server's thread
  void HandleGovernanceGossip(uint32_t peer, GovernanceGossip gossip) EVIDENCE_REQUIRES(strand_);
  void GossipPendingGovernance() EVIDENCE_REQUIRES(strand_);

  // Runs `work` on the consensus thread.
  template <class Work>
  void Post(Work work);

  const DriverOptions options_;
  const ledger::Genesis& genesis_;
  ledger::Store& store_;
  Wal& wal_;
  RecordPool& mempool_;
  ChainService& service_;
  NodeMetrics& metrics_;
  p2p::Transport* const transport_;
  const PeerDirectory& peers_;
  const std::function<void()> on_committed_;
  const uint32_t node_index_;
  const bool has_signer_;

  ThreadRole strand_{"the consensus thread"};
  std::unique_ptr<boost::asio::io_context> io_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  PeerInbox inbox_;
  BlockServer block_server_;
  LogThrottle inbox_drop_log_{5, std::chrono::seconds(1)};
  LogThrottle disk_check_log_{1, std::chrono::seconds(60)};
  LogThrottle governance_log_{5, std::chrono::seconds(1)};

  // Genesis's set, when Parts names no ValidatorSets.
  std::unique_ptr<consensus::FixedValidatorSets> genesis_validator_sets_;
  std::unique_ptr<consensus::ConsensusCore> core_ EVIDENCE_GUARDED_BY(strand_);
  BlockBuilder builder_ EVIDENCE_GUARDED_BY(strand_);
  BlockSync sync_ EVIDENCE_GUARDED_BY(strand_);
  std::optional<consensus::RequestBlockEffect> pending_request_ EVIDENCE_GUARDED_BY(strand_);
  std::vector<ledger::DuplicateVoteEvidence> pending_evidence_ EVIDENCE_GUARDED_BY(strand_);
  std::vector<std::string> gossip_outbox_ EVIDENCE_GUARDED_BY(strand_);
  std::vector<ledger::Vote> logged_votes_ EVIDENCE_GUARDED_BY(strand_);
  bool gossip_flush_scheduled_ EVIDENCE_GUARDED_BY(strand_) = false;
  // True while the effects of a block taken from a sync response run (its
  // commit is not counted in the commit latency).
  bool applying_synced_block_ EVIDENCE_GUARDED_BY(strand_) = false;
  uint64_t send_dropped_reported_ EVIDENCE_GUARDED_BY(strand_) = 0;
  uint64_t served_reported_ EVIDENCE_GUARDED_BY(strand_) = 0;
  uint64_t handshakes_refused_reported_ EVIDENCE_GUARDED_BY(strand_) = 0;
  std::unique_ptr<boost::asio::steady_timer> status_timer_ EVIDENCE_GUARDED_BY(strand_);
  std::unique_ptr<boost::asio::steady_timer> block_timer_ EVIDENCE_GUARDED_BY(strand_);
  bool block_timer_armed_ EVIDENCE_GUARDED_BY(strand_) = false;
  Clock::time_point last_commit_at_ EVIDENCE_GUARDED_BY(strand_){};
  // The core's timeouts that expired while the disk was full, fired when space
  // returns (at most kHeldTimeoutsMax, the latest kept).
  std::vector<consensus::ScheduleTimeoutEffect> held_timeouts_ EVIDENCE_GUARDED_BY(strand_);
  // The (height, round) at which the core was last told whether records wait.
  std::pair<uint64_t, uint32_t> records_signalled_at_ EVIDENCE_GUARDED_BY(strand_){0, 0};

  // Records admitted by API and gossip threads, handed to the consensus thread
  // in one post per burst rather than one per submission.
  Mutex admitted_mutex_;
  std::vector<std::string> admitted_leaves_ EVIDENCE_GUARDED_BY(admitted_mutex_);  // to gossip
  bool admitted_posted_ EVIDENCE_GUARDED_BY(admitted_mutex_) = false;

  // Null without a data directory. Check() on the consensus thread; full() anywhere.
  std::unique_ptr<DiskGuard> disk_guard_;

  // Read by Snapshot from any thread.
  std::atomic<bool> consensus_running_{false};
  std::atomic<uint64_t> best_peer_height_{0};
  // The core's member index at its height (-1: it does not vote there).
  std::atomic<int64_t> own_index_now_{-1};
  std::vector<std::atomic<bool>> peer_connected_;
};

}  // namespace evidence::node
