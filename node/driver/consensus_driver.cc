#include "node/driver/consensus_driver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.h"
#include "common/thread.h"
#include "node/p2p/transport.h"
#include "node/record_pool.h"
#include "node/service.h"
#include "node/wal.h"

namespace evidence::node {

namespace asio = boost::asio;

ConsensusDriver::ConsensusDriver(DriverOptions options, consensus::CoreConfig core_config,
                                 Parts parts, uint32_t node_index,
                                 std::optional<consensus::PersistedState> restored)
    : options_(options),
      genesis_(parts.genesis),
      store_(parts.store),
      wal_(parts.wal),
      mempool_(parts.mempool),
      service_(parts.service),
      metrics_(parts.metrics),
      transport_(parts.transport),
      peers_(*parts.peers),
      on_committed_(std::move(parts.on_committed)),
      node_index_(node_index),
      has_signer_(parts.signer != nullptr),
      io_(std::make_unique<asio::io_context>()),
      inbox_(parts.peers->capacity(), PeerInbox::Defaults()),
      block_server_(parts.store, parts.peers->capacity(),
                    BlockServeOptions::Defaults(),
                    [this](uint32_t peer, Bytes frame) { SendServed(peer, std::move(frame)); }),
      genesis_validator_sets_(
          parts.validator_sets == nullptr
              ? std::make_unique<consensus::FixedValidatorSets>(parts.genesis.validator_set())
              : nullptr),
      core_(std::make_unique<consensus::ConsensusCore>(
          std::move(core_config),
          parts.validator_sets != nullptr ? *parts.validator_sets : *genesis_validator_sets_,
          parts.signer, parts.verifier, parts.blocks)),
      builder_(options.block, parts.store, parts.mempool, parts.service.governance_pool()),
      sync_(*parts.peers, parts.store, node_index,
            [this](uint32_t peer, const PeerMessage& message) {
              strand_.AssertHeld();
              SendTo(peer, message);
            }),
      peer_connected_(parts.peers->capacity()) {
  EVIDENCE_CHECK(node_index_ < peers_.capacity());
  if (!options_.data_dir.empty()) {
    disk_guard_ = std::make_unique<DiskGuard>(options_.disk_reserve_bytes,
                                              DiskGuard::StatvfsFreeBytes(options_.data_dir));
  }
  if (restored) {
    strand_.AssertUnbound();  // the thread does not run yet
    core_->Restore(*restored);
  }
}

ConsensusDriver::~ConsensusDriver() { Stop(); }

// Every handler that runs on the consensus thread begins with
// strand_.AssertHeld(): a run-time check, and what tells the thread-safety
// analysis that the strand's members may be used.
template <class Work>
void ConsensusDriver::Post(Work work) {
  asio::post(*io_, std::move(work));
}

// ---------------------------------------------------------------- lifecycle

void ConsensusDriver::Start() {
  EVIDENCE_CHECK(!thread_.joinable());
  thread_ = std::thread([this] {
    NameCurrentThread("consensus");
    strand_.Bind();
    auto work = asio::make_work_guard(*io_);
    io_->run();
  });
  Post([this] {
    strand_.AssertHeld();
    StartConsensus();
  });
  block_server_.Start();
}

void ConsensusDriver::Stop() {
  if (stopping_.exchange(true)) return;
  block_server_.Stop();
  if (!thread_.joinable()) return;
  Post([this]() {
    strand_.AssertHeld();
    if (status_timer_) status_timer_->cancel();
    if (block_timer_) block_timer_->cancel();
  });
  io_->stop();
  thread_.join();
  strand_.Release();
}

void ConsensusDriver::StartConsensus() {
  uint64_t height = store_.height();
  int64_t previous_time_ms = genesis_.genesis_time_ms();
  if (height > 0) {
    Result<ledger::Commit> commit = store_.GetCommit(height);
    EVIDENCE_CHECK_MSG(commit.ok(), "the store has no commit for its head");
    // BFT time: the median of the precommits, weighed by the set that signed them.
    previous_time_ms = ledger::CommitMedianTimeMs(store_.StateInForce(height)->validator_set(),
                                                  *commit);
  }
  core_->Start(height + 1, previous_time_ms, WallClockMs());
  consensus_running_ = true;
  PublishProgress();  // measures the disk: a node started on a full disk stays paused
  if (!Paused()) RunEffects();
  ScheduleStatusTimer();
}

// ---------------------------------------------------------------- inputs

// On the transport's thread: requests for blocks go to the block server (its
// own thread and per-peer budget), everything else to the peer's inbox lane.
void ConsensusDriver::PostPeerMessage(uint32_t peer, PeerMessage message, size_t bytes) {
  if (peer >= peers_.capacity() || peer == node_index_) return;
  if (const auto* request = std::get_if<SyncRequest>(&message)) {
    block_server_.Request(peer, request->from_height, request->count);
    return;
  }
  if (const auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    if (const auto* request = std::get_if<consensus::BlockRequest>(consensus_message)) {
      block_server_.Request(peer, request->height, 1);
      return;
    }
  }
  const PeerInbox::PushResult pushed = inbox_.Push(peer, std::move(message), bytes);
  if (pushed == PeerInbox::PushResult::kDropped) {
    metrics_.peer_frames_dropped.Increment();
    if (std::optional<uint64_t> suppressed = inbox_drop_log_.Admit(LogThrottle::Clock::now())) {
      spdlog::warn("event=peer_inbox_full peer={} dropped_from_peer={} suppressed={}",
                   peers_.Name(peer), inbox_.dropped(peer), *suppressed);
    }
    return;
  }
  if (pushed == PeerInbox::PushResult::kQueuedWakeConsumer) {
    Post([this] {
      strand_.AssertHeld();
      DrainInbox();
    });
  }
}

// A few messages per turn; the rest after the work queued meanwhile.
void ConsensusDriver::DrainInbox() {
  for (size_t i = 0; i < kInboxDrainBatch; ++i) {
    std::optional<PeerInbox::Item> item = inbox_.Pop();
    if (!item) return;  // the next Push wakes us again
    HandleMessage(item->peer, std::move(item->message));
  }
  Post([this] {
    strand_.AssertHeld();
    DrainInbox();
  });
}

void ConsensusDriver::PostRecordsAdmitted(std::vector<std::string> leaves, bool from_peer) {
  {
    MutexLock lock(&admitted_mutex_);
    // Validators are fully connected: what a peer gossiped, every peer got.
    if (!from_peer) {
      for (std::string& leaf : leaves) admitted_leaves_.push_back(std::move(leaf));
    }
    if (admitted_posted_) return;
    admitted_posted_ = true;
  }
  Post([this]() {
    strand_.AssertHeld();
    std::vector<std::string> to_gossip;
    {
      MutexLock lock(&admitted_mutex_);
      to_gossip.swap(admitted_leaves_);
      admitted_posted_ = false;
    }
    OnRecordsAdmitted(std::move(to_gossip));
  });
}

void ConsensusDriver::OnPeerConnected(uint32_t peer) {
  peer_connected_[peer] = true;
  metrics_.peers_connected.Add(1);
  spdlog::info("event=peer_connected peer={}", peers_.Name(peer));
  Post([this, peer] {
    strand_.AssertHeld();
    SendTo(peer, StatusMessage{store_.height()});
    for (const PendingAction& action : service_.governance_pool().Pending()) {
      SendTo(peer, GovernanceGossip{action.leaf});
    }
  });
}

void ConsensusDriver::OnPeerDisconnected(uint32_t peer) {
  peer_connected_[peer] = false;
  metrics_.peers_connected.Add(-1);
  spdlog::info("event=peer_disconnected peer={}", peers_.Name(peer));
  Post([this, peer] {
    strand_.AssertHeld();
    sync_.OnPeerDisconnected(peer);
  });
}

void ConsensusDriver::HandleMessage(uint32_t peer, PeerMessage message) {
  if (auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    HandleConsensusMessage(peer, std::move(*consensus_message));
  } else if (std::holds_alternative<RecordsGossip>(message)) {
    EVIDENCE_CHECK_MSG(false, "gossip goes to the PeerIntake, never to the consensus thread");
  } else if (auto* status = std::get_if<StatusMessage>(&message)) {
    sync_.OnPeerHeight(peer, status->height);
    MaybeSync();
  } else if (std::holds_alternative<SyncRequest>(message)) {
    EVIDENCE_CHECK_MSG(false, "sync requests go to the block server");
  } else if (auto* governance = std::get_if<GovernanceGossip>(&message)) {
    HandleGovernanceGossip(peer, std::move(*governance));
  } else {
    HandleSyncResponse(peer, std::move(std::get<SyncResponse>(message)));
  }
}

void ConsensusDriver::HandleConsensusMessage(uint32_t peer, consensus::Message message) {
  EVIDENCE_CHECK(!std::holds_alternative<consensus::BlockRequest>(message));
  if (Paused()) return;  // peers retransmit; what was decided meanwhile is synced
  // Indexes against the largest set a height may have; the core checks them
  // against the set of the message's height.
  Status valid = consensus::ValidateMessage(message, ledger::kCommitSignaturesMax);
  if (!valid.ok()) {
    if (std::optional<uint64_t> suppressed = inbox_drop_log_.Admit(LogThrottle::Clock::now())) {
      spdlog::warn("event=consensus_message_refused peer={} reason=\"{}\" suppressed={}",
                   peers_.Name(peer), valid.message(), *suppressed);
    }
    return;
  }
  uint64_t height = consensus::MessageHeight(message);
  if (height > 1) sync_.OnPeerHeight(peer, height - 1);
  core_->OnMessage(message, WallClockMs(), peer);
  RunEffects();
  MaybeSync();
}

void ConsensusDriver::HandleSyncResponse(uint32_t peer, SyncResponse response) {
  sync_.OnResponse(peer);
  if (Paused()) return;  // asked again once space returns
  for (consensus::DecidedBlock& decided : response.blocks) {
    uint64_t before = core_->height();
    if (decided.commit.height != before) continue;
    sync_.OnPeerHeight(peer, decided.commit.height);
    core_->OnMessage(consensus::Message(std::move(decided)), WallClockMs(), peer);
    applying_synced_block_ = true;
    RunEffects();
    applying_synced_block_ = false;
    if (core_->height() == before) {
      spdlog::warn("event=sync_block_refused peer={} height={}", peers_.Name(peer), before);
      break;
    }
  }
  MaybeSync();
}

void ConsensusDriver::MaybeSync() {
  if (Paused()) return;
  sync_.MaybeRequest(WallClockMs());
  best_peer_height_ = sync_.trusted_height();
}

// ---------------------------------------------------------------- effects

void ConsensusDriver::RunEffects() {
  for (;;) {
    std::vector<consensus::Effect> effects = core_->TakeEffects();
    if (effects.empty() && !TryAnswerBlockRequest() && !SignalRecordsAtNewRound()) break;
    for (consensus::Effect& effect : effects) Execute(effect);
  }
}

// OnRecordsPending holds for one round (consensus/core.h): at every new height
// and round the core is told again while the mempool holds records or the
// governance pool actions, or while the last block's governance actions wait
// for one more block to take effect (BlockBuilder::ActivationPending). A node
// behind its peers syncs first and is told once it has caught up.
bool ConsensusDriver::SignalRecordsAtNewRound() {
  const std::pair<uint64_t, uint32_t> now{core_->height(), core_->round()};
  if (now == records_signalled_at_ || !consensus_running_ || sync_.behind() || Paused()) {
    return false;
  }
  records_signalled_at_ = now;
  if (mempool_.size() == 0 && service_.governance_pool().size() == 0 &&
      !builder_.ActivationPending()) {
    return false;
  }
  core_->OnRecordsPending(WallClockMs());
  return true;
}

void ConsensusDriver::Execute(consensus::Effect& effect) {
  if (auto* broadcast = std::get_if<consensus::BroadcastEffect>(&effect)) {
    Broadcast(broadcast->message);
  } else if (auto* persist = std::get_if<consensus::PersistEffect>(&effect)) {
    ExecutePersist(*persist);
  } else if (auto* timeout = std::get_if<consensus::ScheduleTimeoutEffect>(&effect)) {
    ExecuteTimeout(*timeout);
  } else if (auto* request = std::get_if<consensus::RequestBlockEffect>(&effect)) {
    pending_request_ = *request;
  } else if (auto* fetch = std::get_if<consensus::FetchBlockEffect>(&effect)) {
    // The block of this height from whoever has it; longer gaps are fetched in
    // ranges from one peer at a time (MaybeSync).
    Broadcast(SyncRequest{fetch->height, 1});
    MaybeSync();
  } else if (auto* behind = std::get_if<consensus::PeerBehindEffect>(&effect)) {
    // The core names the peer that sent the old message; it is served within
    // its own budget, off this thread.
    block_server_.Request(behind->validator_index, behind->height, kSyncBlocksMax);
  } else if (auto* commit = std::get_if<consensus::CommitEffect>(&effect)) {
    ExecuteCommit(*commit);
  } else {
    ExecuteEvidence(std::get<consensus::EvidenceEffect>(effect));
  }
}

// Write-ahead: the signer state reaches the disk before anything it covers is
// sent. A node that cannot persist must not vote: it stops (crash-stop is safe).
void ConsensusDriver::ExecutePersist(const consensus::PersistEffect& effect) {
  Clock::time_point started = Clock::now();
  Status status = wal_.Append(effect.state.height, consensus::EncodePersistedState(effect.state));
  metrics_.wal_fsync_seconds.Observe(
      std::chrono::duration<double>(Clock::now() - started).count());
  if (!status.ok()) {
    spdlog::critical("event=wal_append_failed reason=\"{}\"", status.message());
  }
  EVIDENCE_CHECK_MSG(status.ok(), "the write-ahead log cannot be written; stopping");
  // One line per vote this validator signs (operators and the e2e tests read them).
  for (const ledger::Vote& vote : effect.state.own_votes) {
    if (std::find(logged_votes_.begin(), logged_votes_.end(), vote) != logged_votes_.end()) {
      continue;
    }
    spdlog::info("event=vote_signed type={} height={} round={} block={}",
                 vote.type == ledger::VoteType::kPrevote ? "prevote" : "precommit", vote.height,
                 vote.round,
                 vote.is_nil() ? std::string("nil") : crypto::DigestHex(vote.block_hash));
  }
  logged_votes_ = effect.state.own_votes;
}

void ConsensusDriver::ExecuteTimeout(const consensus::ScheduleTimeoutEffect& effect) {
  auto timer = std::make_shared<asio::steady_timer>(
      *io_, std::chrono::milliseconds(std::max<int64_t>(0, effect.duration_ms)));
  timer->async_wait([this, timer, effect](const boost::system::error_code& error) {
    strand_.AssertHeld();
    if (error || stopping_) return;
    if (Paused()) {
      if (held_timeouts_.size() == kHeldTimeoutsMax) held_timeouts_.erase(held_timeouts_.begin());
      held_timeouts_.push_back(effect);
      return;
    }
    core_->OnTimeout(effect.height, effect.round, effect.kind, WallClockMs());
    RunEffects();
  });
}

void ConsensusDriver::ExecuteCommit(consensus::CommitEffect& effect) {
  Result<ledger::Block> block = ledger::DecodeBlock(effect.block);
  EVIDENCE_CHECK_MSG(block.ok(), "consensus committed a block that does not decode");
  // Records the mempool holds are indexed without being parsed or hashed again.
  std::vector<std::optional<ledger::KnownRecord>> known =
      mempool_.KnownRecordsOfLeaves(block->leaves);
  std::vector<crypto::Digest> record_ids;
  Status appended = store_.Append(*block, effect.commit, &record_ids, &known);
  if (!appended.ok()) {
    spdlog::critical("event=store_append_failed height={} reason=\"{}\"", effect.height,
                     appended.message());
  }
  EVIDENCE_CHECK_MSG(appended.ok(), "a committed block cannot be stored; stopping");
  std::erase_if(pending_evidence_, [&](const ledger::DuplicateVoteEvidence& evidence) {
    return std::find(block->evidence.begin(), block->evidence.end(), evidence) !=
           block->evidence.end();
  });
  if (pending_request_ && pending_request_->height <= effect.height) pending_request_.reset();
  last_commit_at_ = Clock::now();
  service_.OnCommitted(*block, effect.commit, record_ids, applying_synced_block_);
  // Membership follows the register in force at the next height (node.cc).
  if (on_committed_) on_committed_();
  sync_.SetPowers(peers_.Powers());
  spdlog::info("event=block_committed height={} round={} records={} log_size={} time_ms={}",
               effect.height, effect.commit.round, block->leaves.size(), block->header.log_size,
               block->header.time_ms);
  if (effect.height % 16 == 0) {
    Status compacted = wal_.CompactBelow(effect.height + 1);
    if (!compacted.ok()) {
      spdlog::warn("event=wal_compact_failed reason=\"{}\"", compacted.message());
    }
  }
  PublishProgress();  // measures the disk: a full one pauses before the next write
  Broadcast(StatusMessage{effect.height});
  // Records still waiting are signalled at the new height (SignalRecordsAtNewRound).
}

void ConsensusDriver::ExecuteEvidence(const consensus::EvidenceEffect& effect) {
  // The index is a position in the set of the vote's height: named when that
  // is the core's height still (the outbox may run after the core moved on).
  const uint32_t index = effect.first.validator_index;
  const ledger::ValidatorSet& set = core_->validators();
  const std::string validator = effect.first.height == core_->height() && index < set.size()
                                    ? set.at(index).name
                                    : "#" + std::to_string(index);
  spdlog::warn("event=duplicate_vote validator={} height={} round={}", validator,
               effect.first.height, effect.first.round);
  if (pending_evidence_.size() < ledger::kEvidenceMax) {
    pending_evidence_.push_back({effect.first, effect.second});
  }
}

// ---------------------------------------------------------------- proposing

bool ConsensusDriver::TryAnswerBlockRequest() {
  if (!pending_request_ || pending_request_->height != core_->height() || Paused()) return false;
  if (mempool_.size() == 0 && pending_evidence_.empty() &&
      service_.governance_pool().size() == 0 && !builder_.ActivationPending()) {
    return false;
  }
  if (WaitForFullerBlock()) return false;
  // The core asks for a block only at heights where it is a member (and the proposer).
  const std::optional<uint32_t> proposer = core_->own_index();
  EVIDENCE_CHECK(proposer.has_value());
  std::optional<Bytes> block = builder_.Build(pending_request_->height, pending_evidence_,
                                              *proposer);
  if (!block) return false;
  pending_request_.reset();
  core_->OnBlockReady(core_->height(), std::move(*block), WallClockMs());
  return true;
}

// True (and a retry scheduled) while the builder wants a fuller block.
bool ConsensusDriver::WaitForFullerBlock() {
  std::optional<Clock::time_point> ready_at = builder_.WaitUntil(last_commit_at_, Clock::now());
  if (!ready_at) return false;
  if (!block_timer_) block_timer_ = std::make_unique<asio::steady_timer>(*io_);
  if (!block_timer_armed_) {
    block_timer_armed_ = true;
    block_timer_->expires_at(*ready_at);
    block_timer_->async_wait([this](const boost::system::error_code& error) {
      strand_.AssertHeld();
      block_timer_armed_ = false;
      if (error || stopping_) return;
      RunEffects();
    });
  }
  return true;
}

// ---------------------------------------------------------------- gossip

void ConsensusDriver::OnRecordsAdmitted(std::vector<std::string> leaves) {
  for (std::string& leaf : leaves) gossip_outbox_.push_back(std::move(leaf));
  if (!gossip_outbox_.empty() && !gossip_flush_scheduled_) {
    // Coalesce a burst of submissions into few frames.
    gossip_flush_scheduled_ = true;
    Post([this] {
      strand_.AssertHeld();
      FlushGossip();
    });
  }
  // A node behind its peers does not start rounds at heights they decided
  // long ago; it syncs first (MaybeSync) and joins at the new height.
  if (!consensus_running_ || sync_.behind() || Paused()) return;
  core_->OnRecordsPending(WallClockMs());
  RunEffects();
}

void ConsensusDriver::FlushGossip() {
  gossip_flush_scheduled_ = false;
  size_t at = 0;
  while (at < gossip_outbox_.size()) {
    size_t end = std::min(gossip_outbox_.size(), at + kGossipRecordsMax);
    RecordsGossip gossip;
    gossip.leaves.assign(std::make_move_iterator(gossip_outbox_.begin() + at),
                         std::make_move_iterator(gossip_outbox_.begin() + end));
    Broadcast(gossip);
    at = end;
  }
  gossip_outbox_.clear();
}

namespace {

// Gossip and blocks wait behind proposals, votes and status.
p2p::Priority PriorityOf(const PeerMessage& message) {
  if (std::holds_alternative<RecordsGossip>(message) ||
      std::holds_alternative<SyncResponse>(message)) {
    return p2p::Priority::kBulk;
  }
  if (const auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    if (std::holds_alternative<consensus::DecidedBlock>(*consensus_message)) {
      return p2p::Priority::kBulk;
    }
  }
  return p2p::Priority::kConsensus;
}

}  // namespace

void ConsensusDriver::SendTo(uint32_t peer, const PeerMessage& message) {
  if (peer == node_index_ || transport_ == nullptr) return;
  Status status = transport_->Send(peer, EncodePeerMessage(message), PriorityOf(message));
  if (!status.ok()) spdlog::warn("event=p2p_send_failed reason=\"{}\"", status.message());
}

void ConsensusDriver::Broadcast(const PeerMessage& message) {
  if (transport_ == nullptr) return;
  Status status = transport_->Broadcast(EncodePeerMessage(message), PriorityOf(message));
  if (!status.ok()) spdlog::warn("event=p2p_broadcast_failed reason=\"{}\"", status.message());
}

void ConsensusDriver::SendServed(uint32_t peer, Bytes frame) {
  if (peer == node_index_ || transport_ == nullptr) return;
  Status status = transport_->Send(peer, std::move(frame), p2p::Priority::kBulk);
  if (!status.ok()) spdlog::warn("event=p2p_send_failed reason=\"{}\"", status.message());
}

// ---------------------------------------------------------------- governance

void ConsensusDriver::PostGovernanceAdmitted() {
  Post([this] {
    strand_.AssertHeld();
    GossipPendingGovernance();
    OnRecordsAdmitted({});  // wakes the proposer like a record
  });
}

// What this node's pool holds, to every peer: any validator may be the next
// proposer, and an observer never proposes. At most a block's worth each time
// (receivers keep one action per sequence number; the same one again is a no-op).
void ConsensusDriver::GossipPendingGovernance() {
  std::vector<PendingAction> pending = service_.governance_pool().Pending();
  if (pending.size() > limits::kGovernanceActionsPerBlockMax) {
    pending.resize(limits::kGovernanceActionsPerBlockMax);
  }
  for (const PendingAction& action : pending) Broadcast(GovernanceGossip{action.leaf});
}

// A peer's governance action: checked like one posted to the API (the same
// rules a block applies) and kept in the pool; nothing is sent on (every node
// connects to every node it admits). The peer's bulk inbox lane bounds how
// many wait, and an action is one bounded JCS text with a few signatures.
void ConsensusDriver::HandleGovernanceGossip(uint32_t peer, GovernanceGossip gossip) {
  Result<bool> admitted = service_.AdmitGovernanceFromPeer(gossip.leaf);
  if (!admitted.ok()) {
    // A stale sequence number is normal (the action committed meanwhile).
    if (std::optional<uint64_t> suppressed = governance_log_.Admit(LogThrottle::Clock::now())) {
      spdlog::debug("event=governance_gossip_refused peer={} reason=\"{}\" suppressed={}",
                    peers_.Name(peer), admitted.status().message(), *suppressed);
    }
    return;
  }
  if (*admitted) OnRecordsAdmitted({});
}

// ---------------------------------------------------------------- status

void ConsensusDriver::ScheduleStatusTimer() {
  if (!status_timer_) status_timer_ = std::make_unique<asio::steady_timer>(*io_);
  status_timer_->expires_after(std::chrono::milliseconds(options_.status_interval_ms));
  status_timer_->async_wait([this](const boost::system::error_code& error) {
    strand_.AssertHeld();
    if (error || stopping_) return;
    OnStatusTimer();
  });
}

void ConsensusDriver::OnStatusTimer() {
  PublishProgress();
  Broadcast(StatusMessage{store_.height()});
  MaybeSync();
  FlushGossip();
  GossipPendingGovernance();
  ScheduleStatusTimer();
}

void ConsensusDriver::PublishProgress() {
  own_index_now_ = core_->own_index() ? static_cast<int64_t>(*core_->own_index()) : -1;
  metrics_.height.Set(static_cast<int64_t>(store_.height()));
  metrics_.mempool_records.Set(static_cast<int64_t>(mempool_.size()));
  metrics_.quorum_connected.Set(Snapshot().quorum_connected ? 1 : 0);
  CheckDisk();
  if (transport_ == nullptr) return;
  uint64_t send_dropped = 0;
  for (uint32_t i = 0; i < transport_->peer_count(); ++i) {
    if (i != node_index_) send_dropped += transport_->stats(i).frames_dropped_queue_full;
  }
  if (send_dropped > send_dropped_reported_) {
    metrics_.peer_send_frames_dropped.Increment(send_dropped - send_dropped_reported_);
    send_dropped_reported_ = send_dropped;
  }
  const uint64_t served = block_server_.bytes_served();
  if (served > served_reported_) {
    metrics_.sync_served_bytes.Increment(served - served_reported_);
    served_reported_ = served;
  }
  const p2p::HandshakeStats handshakes = transport_->handshake_stats();
  const uint64_t refused = handshakes.refused_per_address + handshakes.evicted + handshakes.timed_out;
  if (refused > handshakes_refused_reported_) {
    metrics_.p2p_handshakes_refused.Increment(refused - handshakes_refused_reported_);
    handshakes_refused_reported_ = refused;
  }
}

bool ConsensusDriver::Paused() const { return disk_guard_ != nullptr && disk_guard_->full(); }

// One line when the node pauses and one when it resumes; in between it writes
// nothing (the class comment).
void ConsensusDriver::CheckDisk() {
  if (disk_guard_ == nullptr) return;
  Status error;
  const DiskGuard::Change change = disk_guard_->Check(&error);
  if (!error.ok()) {
    if (std::optional<uint64_t> suppressed = disk_check_log_.Admit(LogThrottle::Clock::now())) {
      spdlog::warn("event=disk_check_failed reason=\"{}\" suppressed={}", error.message(),
                   *suppressed);
    }
    return;
  }
  metrics_.data_free_bytes.Set(static_cast<int64_t>(disk_guard_->free_bytes()));
  metrics_.disk_full.Set(disk_guard_->full() ? 1 : 0);
  if (change == DiskGuard::Change::kBecameFull) {
    spdlog::error(
        "event=disk_full data_dir={} free_bytes={} reserve_bytes={} height={} reason=\"the data "
        "directory's file system has less free space than the reserve ([disk] reserve_bytes): "
        "this node takes no records (503) and writes no vote and no block until it has {} bytes "
        "free again; free space there (or grow the file system) and it resumes by itself\"",
        options_.data_dir, disk_guard_->free_bytes(), disk_guard_->reserve_bytes(),
        store_.height(), disk_guard_->resume_bytes());
  } else if (change == DiskGuard::Change::kSpaceReturned) {
    spdlog::info("event=disk_space_returned data_dir={} free_bytes={} height={} held_timeouts={}",
                 options_.data_dir, disk_guard_->free_bytes(), store_.height(),
                 held_timeouts_.size());
    Post([this] {
      strand_.AssertHeld();
      Resume();
    });
  }
}

// After a pause: the timeouts held back fire (the core ignores those of rounds
// it has left), then the node asks its peers for what was decided meanwhile.
void ConsensusDriver::Resume() {
  if (Paused() || stopping_) return;
  std::vector<consensus::ScheduleTimeoutEffect> held;
  held.swap(held_timeouts_);
  for (const consensus::ScheduleTimeoutEffect& effect : held) {
    core_->OnTimeout(effect.height, effect.round, effect.kind, WallClockMs());
    RunEffects();
  }
  RunEffects();
  MaybeSync();
}

NodeStatus ConsensusDriver::Snapshot() const {
  NodeStatus status;
  status.consensus_running = consensus_running_;
  status.best_peer_height = best_peer_height_;
  const int64_t own = own_index_now_;
  if (own >= 0) status.validator_index = static_cast<uint32_t>(own);
  // Power of the set in force: this node's own and that of the peers connected.
  const std::vector<uint64_t> powers = peers_.Powers();
  uint64_t connected_power = powers[node_index_];
  for (size_t i = 0; i < peer_connected_.size(); ++i) {
    if (i == node_index_ || !peer_connected_[i]) continue;
    status.peers_connected += 1;
    connected_power += powers[i];
  }
  status.quorum_connected =
      store_.StateInForce(store_.height() + 1)->validator_set().IsQuorum(connected_power);
  status.frames_dropped = metrics_.peer_frames_dropped.value();
  if (disk_guard_ != nullptr) {
    status.disk_full = disk_guard_->full();
    status.disk_free_bytes = disk_guard_->free_bytes();
    status.disk_reserve_bytes = disk_guard_->reserve_bytes();
  }
  return status;
}

}  // namespace evidence::node
