#include "node/node.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "api/http/api_server.h"
#include "api/http/metrics.h"
#include "common/clock.h"
#include "common/thread.h"
#include "ledger/store.h"
#include "node/consensus/key_signer.h"
#include "node/record_pool.h"
#include "node/messages.h"
#include "node/p2p/transport.h"
#include "node/service.h"
#include "node/sync.h"
#include "node/wal.h"

namespace evidence::node {
namespace {

namespace asio = boost::asio;

// Gossiped records waiting for their checks; beyond this a frame is dropped.
constexpr size_t kGossipInboxRecordsMax = 50'000;
constexpr size_t kGossipInboxBytesMax = 64 << 20;
// Gossiped records checked and admitted together (a few tens of milliseconds).
constexpr size_t kGossipAdmitSlice = 512;

// Splits "host:port"; the port may be 0.
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("address \"" + address + "\" is not host:port");
  }
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return Status::InvalidArgument("address \"" + address + "\" has no valid port");
  }
  return std::make_pair(address.substr(0, colon), static_cast<uint16_t>(port));
}

// The ledger's block rules as the consensus core sees them: blocks are the
// cereal bytes of ledger::Block, their hash is the header hash, and a block is
// valid when ValidateBlock accepts it on top of the store's state. Leaves the
// mempool checked on admission (`pool_checked`: the exact bytes it holds) are
// not parsed or verified again; the rules that depend on the block still apply.
// Leaves the mempool does not hold yet (their gossip is still on its way or
// queued) go to `admit_unseen` first, which checks them on every core and admits
// the valid ones to the mempool: each is then verified once on this node, not
// once here and once more when its gossip is drained.
class LedgerBlocks : public consensus::BlockValidator {
 public:
  using AdmitFn = std::function<void(std::vector<std::string> leaves)>;
  LedgerBlocks(const ledger::Genesis& genesis, const ledger::Store& store,
               ledger::RecordPolicy policy, ledger::CheckedLeafFn pool_checked,
               AdmitFn admit_unseen, api::metrics::Counter* signature_checks)
      : genesis_(genesis), store_(store), policy_(policy),
        pool_checked_(std::move(pool_checked)), admit_unseen_(std::move(admit_unseen)),
        signature_checks_(signature_checks) {}

  crypto::Digest Hash(ByteView block) const override {
    Result<ledger::Block> decoded = ledger::DecodeBlock(block);
    if (!decoded.ok()) {
      // Not a block: a hash no header can have (domain-separated from headers).
      crypto::Hasher hasher(genesis_.hash());
      hasher.Update(std::string_view("EVIDENCE-NOT-A-BLOCK\n")).Update(block);
      return hasher.Finish();
    }
    return ledger::BlockHash(genesis_.hash(), decoded->header);
  }

  bool IsValid(uint64_t height, ByteView block) const override {
    Result<ledger::Block> decoded = ledger::DecodeBlock(block);
    if (!decoded.ok()) {
      spdlog::warn("event=block_refused height={} reason=\"{}\"", height,
                   decoded.status().message());
      return false;
    }
    ledger::ChainState state = store_.chain_state();
    if (state.height + 1 != height) return false;
    // One look-up per leaf; only the leaves admitted just now are looked up again.
    const std::vector<std::string>& leaves = decoded->leaves;
    std::vector<std::optional<ledger::CheckedLeaf>> checked(leaves.size());
    std::vector<size_t> unseen_at;
    for (size_t i = 0; i < leaves.size(); ++i) {
      checked[i] = pool_checked_(leaves[i]);
      if (!checked[i]) unseen_at.push_back(i);
    }
    if (admit_unseen_ && !unseen_at.empty()) {
      std::vector<std::string> unseen;
      for (size_t i : unseen_at) unseen.push_back(leaves[i]);
      admit_unseen_(std::move(unseen));
      for (size_t i : unseen_at) checked[i] = pool_checked_(leaves[i]);
    }
    ledger::BatchSignatureCache cache;
    uint64_t checks = 0;
    Status status = ledger::ValidateBlock(genesis_, state, *decoded, policy_, &cache,
                                          checked, &checks);
    if (signature_checks_ != nullptr) signature_checks_->Increment(checks);
    if (!status.ok()) {
      spdlog::warn("event=block_refused height={} reason=\"{}\"", height, status.message());
    }
    return status.ok();
  }

 private:
  const ledger::Genesis& genesis_;
  const ledger::Store& store_;
  ledger::RecordPolicy policy_;
  ledger::CheckedLeafFn pool_checked_;
  AdmitFn admit_unseen_;
  api::metrics::Counter* signature_checks_;
};

std::vector<uint64_t> ValidatorPowers(const ledger::Genesis& genesis) {
  std::vector<uint64_t> powers;
  for (const ledger::GenesisValidator& validator : genesis.validators()) {
    powers.push_back(validator.power);
  }
  return powers;
}

}  // namespace

// Everything the node owns. Members marked (strand) are touched only on the
// consensus thread once Start has returned.
class NodeImpl {
 public:
  NodeImpl(NodeOptions options, ledger::Genesis genesis, crypto::PrivateKey node_key,
           uint32_t node_index, std::optional<crypto::PrivateKey> vote_key,
           std::optional<uint32_t> own_index)
      : options_(std::move(options)),
        genesis_(std::move(genesis)),
        node_key_(std::move(node_key)),
        node_index_(node_index),
        vote_key_(std::move(vote_key)),
        own_index_(own_index),
        sync_(ValidatorPowers(genesis_), node_index),
        metrics_(registry_) {}

  ~NodeImpl() { Stop(); }

  Status Start();
  void Stop();

  NodeOptions options_;
  const ledger::Genesis genesis_;
  const crypto::PrivateKey node_key_;
  const uint32_t node_index_;
  const std::optional<crypto::PrivateKey> vote_key_;
  const std::optional<uint32_t> own_index_;

  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<RecordPool> mempool_;
  std::unique_ptr<consensus::KeySigner> signer_;
  std::unique_ptr<consensus::ValidatorSetVerifier> verifier_;
  std::unique_ptr<LedgerBlocks> blocks_;
  std::unique_ptr<consensus::ConsensusCore> core_;  // (strand)
  SyncTracker sync_;                                 // (strand)

  asio::io_context io_;
  // Gossiped records are checked here, off the consensus thread.
  std::unique_ptr<asio::thread_pool> gossip_pool_;
  // Gossiped records queue here and are checked together: however small the
  // frames, the gossip thread takes everything queued at once.
  std::mutex gossip_mutex_;
  std::vector<std::string> gossip_inbox_;  // GUARDED_BY(gossip_mutex_)
  size_t gossip_inbox_bytes_ = 0;          // GUARDED_BY(gossip_mutex_)
  bool gossip_draining_ = false;           // GUARDED_BY(gossip_mutex_)
  // Held while records from peers are checked and admitted (a drained inbox, or
  // the unseen leaves of a proposal), so that a record a proposal brings is not
  // verified again by a drain that had already taken it, and the reverse.
  std::mutex peer_admission_mutex_;
  std::condition_variable peer_admission_turn_;
  std::atomic<int> proposal_admissions_waiting_{0};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<size_t> inbox_frames_{0};
  // Records admitted by API and gossip threads, handed to the consensus thread
  // in one post per burst rather than one per submission.
  std::mutex admitted_mutex_;
  std::vector<std::string> admitted_leaves_;  // GUARDED_BY(admitted_mutex_), to gossip
  bool admitted_posted_ = false;              // GUARDED_BY(admitted_mutex_)
  std::atomic<bool> stopping_{false};
  bool started_ = false;

  std::unique_ptr<p2p::Transport> transport_;
  std::vector<std::atomic<bool>> peer_connected_ =
      std::vector<std::atomic<bool>>(genesis_.validators().size());

  api::metrics::Registry registry_;
  api::metrics::NodeMetrics metrics_;
  std::unique_ptr<ChainService> service_;
  std::unique_ptr<api::ApiServer> api_;
  uint16_t api_port_ = 0;

  std::optional<consensus::RequestBlockEffect> pending_request_;  // (strand)
  std::vector<ledger::DuplicateVoteEvidence> pending_evidence_;   // (strand)
  std::vector<std::string> gossip_outbox_;                        // (strand)
  std::vector<ledger::Vote> logged_votes_;                        // (strand)
  bool gossip_flush_scheduled_ = false;                           // (strand)
  uint64_t send_dropped_reported_ = 0;                            // (strand)
  std::unique_ptr<asio::steady_timer> status_timer_;              // (strand)
  std::unique_ptr<asio::steady_timer> block_timer_;               // (strand)
  bool block_timer_armed_ = false;                                // (strand)
  std::chrono::steady_clock::time_point last_commit_at_{};        // (strand)

 private:
  Status OpenStorage();
  Status CreateConsensus();
  Status StartTransport();
  Status StartApi();
  void StartConsensus();

  // Strand work.
  void HandleMessage(uint32_t peer, PeerMessage message);
  void HandleConsensusMessage(uint32_t peer, consensus::Message message);
  void HandleSyncResponse(uint32_t peer, SyncResponse response);
  void RunEffects();
  void Execute(consensus::Effect& effect);
  void ExecutePersist(const consensus::PersistEffect& effect);
  void ExecuteTimeout(const consensus::ScheduleTimeoutEffect& effect);
  void ExecuteCommit(consensus::CommitEffect& effect);
  void ExecuteEvidence(const consensus::EvidenceEffect& effect);
  bool TryAnswerBlockRequest();
  bool WaitForFullerBlock();
  std::optional<Bytes> BuildBlock(uint64_t height);
  void ServeBlocks(uint32_t peer, uint64_t from_height, uint64_t count);
  void MaybeSync();
  void OnStatusTimer();
  void ScheduleStatusTimer();
  void OnRecordsAdmitted(std::vector<std::string> leaves);
  void FlushGossip();
  void SendTo(uint32_t peer, const PeerMessage& message);
  void Broadcast(const PeerMessage& message);
  void PublishProgress();

 public:
  // Called from other threads.
  void PostFrame(uint32_t peer, Bytes frame);
  void PostRecordsAdmitted(std::vector<std::string> leaves, bool from_peer);
  void QueueGossip(std::vector<std::string> leaves);
  void DrainGossip();
  NodeStatus Snapshot() const;

 private:
  std::atomic<uint64_t> best_peer_height_{0};
  std::atomic<bool> consensus_running_{false};
};

// ---------------------------------------------------------------- lifecycle

Status NodeImpl::OpenStorage() {
  std::error_code error;
  std::filesystem::create_directories(options_.data_dir, error);
  if (error) return Status::IoError("cannot create " + options_.data_dir + ": " + error.message());
  EVIDENCE_ASSIGN_OR_RETURN(store_, ledger::Store::Open(options_.data_dir + "/store", genesis_));
  WalReplay replay;
  EVIDENCE_ASSIGN_OR_RETURN(wal_, Wal::Open(options_.data_dir + "/consensus.wal", &replay));
  if (replay.truncated_bytes > 0) {
    spdlog::warn("event=wal_torn_tail truncated_bytes={}", replay.truncated_bytes);
  }
  EVIDENCE_RETURN_IF_ERROR(CreateConsensus());
  if (!replay.records.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(consensus::PersistedState state,
                              consensus::DecodePersistedState(replay.records.back().payload));
    spdlog::info("event=wal_restored height={} round={} step={} own_votes={}", state.height,
                 state.round, state.step, state.own_votes.size());
    core_->Restore(state);
  }
  return Status::Ok();
}

Status NodeImpl::CreateConsensus() {
  options_.consensus.chain_id = genesis_.chain_id();
  if (vote_key_) signer_ = std::make_unique<consensus::KeySigner>(*vote_key_);
  verifier_ = std::make_unique<consensus::ValidatorSetVerifier>(genesis_.validator_set());
  blocks_ = std::make_unique<LedgerBlocks>(
      genesis_, *store_, options_.record_policy,
      [this](std::string_view leaf) -> std::optional<ledger::CheckedLeaf> {
        if (mempool_ == nullptr) return std::nullopt;
        return mempool_->CheckedLeafOf(leaf);
      },
      [this](std::vector<std::string> leaves) {
        if (service_ == nullptr) return;
        // Takes the next turn: the gossip drain finishes its slice, then waits.
        proposal_admissions_waiting_.fetch_add(1);
        {
          std::lock_guard lock(peer_admission_mutex_);
          proposal_admissions_waiting_.fetch_sub(1);
          service_->AdmitFromPeer(std::move(leaves));
        }
        peer_admission_turn_.notify_all();
      },
      &metrics_.signature_checks);
  core_ = std::make_unique<consensus::ConsensusCore>(options_.consensus, genesis_.validator_set(),
                                                     own_index_, signer_.get(), *verifier_,
                                                     *blocks_);
  return Status::Ok();
}

Status NodeImpl::Start() {
  EVIDENCE_CHECK(!started_);
  started_ = true;
  EVIDENCE_RETURN_IF_ERROR(OpenStorage());
  RecordPoolOptions pool_options;
  pool_options.records_max = options_.mempool_records_max;
  pool_options.bytes_max = options_.mempool_bytes_max;
  pool_options.verify_threads = options_.verify_threads;
  pool_options.policy = options_.record_policy;
  mempool_ = std::make_unique<RecordPool>(genesis_, pool_options);
  ChainService::Hooks hooks;
  hooks.on_admitted = [this](std::vector<std::string> leaves, bool from_peer) {
    PostRecordsAdmitted(std::move(leaves), from_peer);
  };
  hooks.status = [this] { return Snapshot(); };
  service_ = std::make_unique<ChainService>(genesis_, *store_, *mempool_, options_.record_policy,
                                            std::move(hooks), &metrics_);
  gossip_pool_ = std::make_unique<asio::thread_pool>(1);
  asio::post(*gossip_pool_, [] { NameCurrentThread("gossip"); });
  work_.emplace(io_.get_executor());
  thread_ = std::thread([this] {
    NameCurrentThread("consensus");
    io_.run();
  });
  asio::post(io_, [this] { StartConsensus(); });
  EVIDENCE_RETURN_IF_ERROR(StartTransport());
  EVIDENCE_RETURN_IF_ERROR(StartApi());
  spdlog::info("event=node_started chain={} height={} validator={} p2p_port={} api_port={}",
               genesis_.chain_id(), store_->height(),
               own_index_ ? std::to_string(*own_index_) : "none", transport_->listen_port(),
               api_port_);
  return Status::Ok();
}

void NodeImpl::StartConsensus() {
  uint64_t height = store_->height();
  int64_t previous_time_ms = genesis_.genesis_time_ms();
  if (height > 0) {
    Result<ledger::Commit> commit = store_->GetCommit(height);
    EVIDENCE_CHECK_MSG(commit.ok(), "the store has no commit for its head");
    previous_time_ms = ledger::CommitMedianTimeMs(genesis_.validator_set(), *commit);
  }
  core_->Start(height + 1, previous_time_ms, WallClockMs());
  consensus_running_ = true;
  PublishProgress();
  RunEffects();
  ScheduleStatusTimer();
}

Status NodeImpl::StartTransport() {
  p2p::TransportOptions transport_options;
  transport_options.listen_address = options_.p2p_listen;
  transport_options.self_index = node_index_;
  const auto& validators = genesis_.validators();
  for (size_t i = 0; i < validators.size(); ++i) {
    std::string address = validators[i].address;
    auto configured = options_.peer_addresses.find(validators[i].name);
    if (configured != options_.peer_addresses.end()) address = configured->second;
    transport_options.peers.push_back({validators[i].name, validators[i].node_key, address});
  }
  EVIDENCE_ASSIGN_OR_RETURN(transport_,
                            p2p::Transport::Create(node_key_, std::move(transport_options)));
  transport_->OnFrame([this](uint32_t peer, Bytes frame) { PostFrame(peer, std::move(frame)); });
  transport_->OnPeerConnected([this](uint32_t peer) {
    peer_connected_[peer] = true;
    metrics_.peers_connected.Add(1);
    spdlog::info("event=peer_connected peer={}", genesis_.validators()[peer].name);
    asio::post(io_, [this, peer] {
      if (store_) SendTo(peer, StatusMessage{store_->height()});
    });
  });
  transport_->OnPeerDisconnected([this](uint32_t peer) {
    peer_connected_[peer] = false;
    metrics_.peers_connected.Add(-1);
    spdlog::info("event=peer_disconnected peer={}", genesis_.validators()[peer].name);
    asio::post(io_, [this, peer] { sync_.OnPeerDisconnected(peer); });
  });
  transport_->OnConnectionRefused([](const std::string& remote, const Status& reason) {
    spdlog::warn("event=p2p_refused remote={} reason=\"{}\"", remote, reason.message());
  });
  return transport_->Start();
}

Status NodeImpl::StartApi() {
  EVIDENCE_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(options_.api_listen));
  api::ApiServerOptions api_options;
  api_options.server.address = host_port.first;
  api_options.server.port = host_port.second;
  api_options.server.threads = options_.api_threads;
  api_options.handlers.wait_timeout_default =
      std::chrono::milliseconds(options_.wait_timeout_ms_default);
  api_options.handlers.agency_records_per_second =
      static_cast<double>(options_.agency_records_per_second);
  api_options.handlers.agency_burst_records = static_cast<double>(options_.agency_burst_records);
  api_ = std::make_unique<api::ApiServer>(*service_, api_options, &registry_,
                                          &metrics_.http_requests);
  EVIDENCE_ASSIGN_OR_RETURN(api_port_, api_->Start());
  return Status::Ok();
}

void NodeImpl::Stop() {
  if (stopping_.exchange(true)) return;
  if (api_) api_->Stop();
  if (transport_) transport_->Stop();
  if (thread_.joinable()) {
    asio::post(io_, [this] {
      if (status_timer_) status_timer_->cancel();
      if (block_timer_) block_timer_->cancel();
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  if (gossip_pool_) gossip_pool_->join();
  if (mempool_) mempool_->Stop();
  spdlog::info("event=node_stopped height={}", store_ ? store_->height() : 0);
}

// ---------------------------------------------------------------- intake

// Decoded on the transport's thread. Gossiped records go straight to the
// gossip inbox (their own bound, in records and bytes); everything else queues
// for the consensus thread, at most kInboxFramesMax frames. Under load that
// thread is busy with blocks, and gossip queued behind it overflowed the inbox.
void NodeImpl::PostFrame(uint32_t peer, Bytes frame) {
  Result<PeerMessage> decoded = DecodePeerMessage(frame);
  if (!decoded.ok()) {
    spdlog::warn("event=peer_message_refused peer={} reason=\"{}\"",
                 genesis_.validators()[peer].name, decoded.status().message());
    return;
  }
  if (auto* gossip = std::get_if<RecordsGossip>(&*decoded)) {
    QueueGossip(std::move(gossip->leaves));
    return;
  }
  if (inbox_frames_.fetch_add(1) >= kInboxFramesMax) {
    inbox_frames_.fetch_sub(1);
    metrics_.peer_frames_dropped.Increment();
    return;
  }
  asio::post(io_, [this, peer, message = std::move(decoded).value()]() mutable {
    inbox_frames_.fetch_sub(1);
    HandleMessage(peer, std::move(message));
  });
}

void NodeImpl::PostRecordsAdmitted(std::vector<std::string> leaves, bool from_peer) {
  {
    std::lock_guard lock(admitted_mutex_);
    // Validators are fully connected: what a peer gossiped, every peer got.
    if (!from_peer) {
      for (std::string& leaf : leaves) admitted_leaves_.push_back(std::move(leaf));
    }
    if (admitted_posted_) return;
    admitted_posted_ = true;
  }
  asio::post(io_, [this] {
    std::vector<std::string> to_gossip;
    {
      std::lock_guard lock(admitted_mutex_);
      to_gossip.swap(admitted_leaves_);
      admitted_posted_ = false;
    }
    OnRecordsAdmitted(std::move(to_gossip));
  });
}

void NodeImpl::QueueGossip(std::vector<std::string> leaves) {
  size_t bytes = 0;
  for (const std::string& leaf : leaves) bytes += leaf.size();
  {
    std::lock_guard lock(gossip_mutex_);
    if (gossip_inbox_.size() + leaves.size() > kGossipInboxRecordsMax ||
        gossip_inbox_bytes_ + bytes > kGossipInboxBytesMax) {
      metrics_.peer_frames_dropped.Increment();
      return;
    }
    for (std::string& leaf : leaves) gossip_inbox_.push_back(std::move(leaf));
    gossip_inbox_bytes_ += bytes;
    if (gossip_draining_) return;
    gossip_draining_ = true;
  }
  asio::post(*gossip_pool_, [this] { DrainGossip(); });
}

void NodeImpl::DrainGossip() {
  for (;;) {
    std::vector<std::string> leaves;
    {
      std::lock_guard lock(gossip_mutex_);
      if (gossip_inbox_.empty() || stopping_) {
        gossip_draining_ = false;
        return;
      }
      leaves.swap(gossip_inbox_);
      gossip_inbox_bytes_ = 0;
    }
    // In slices, so that a proposal whose records are still queued here waits
    // for one slice at most before it checks them itself (the slices after it
    // then find them in the mempool and skip them).
    for (size_t at = 0; at < leaves.size(); at += kGossipAdmitSlice) {
      size_t end = std::min(leaves.size(), at + kGossipAdmitSlice);
      std::vector<std::string> slice(std::make_move_iterator(leaves.begin() + at),
                                     std::make_move_iterator(leaves.begin() + end));
      std::unique_lock lock(peer_admission_mutex_);
      // A proposal's records go first (a mutex alone let this loop take it back
      // slice after slice while the consensus thread waited for seconds).
      peer_admission_turn_.wait(lock, [this] { return proposal_admissions_waiting_.load() == 0; });
      if (stopping_) return;
      service_->AdmitFromPeer(std::move(slice));
    }
  }
}

void NodeImpl::HandleMessage(uint32_t peer, PeerMessage message) {
  if (auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    HandleConsensusMessage(peer, std::move(*consensus_message));
  } else if (auto* gossip = std::get_if<RecordsGossip>(&message)) {
    QueueGossip(std::move(gossip->leaves));
  } else if (auto* status = std::get_if<StatusMessage>(&message)) {
    sync_.OnPeerHeight(peer, status->height);
    MaybeSync();
  } else if (auto* request = std::get_if<SyncRequest>(&message)) {
    ServeBlocks(peer, request->from_height, request->count);
  } else {
    HandleSyncResponse(peer, std::move(std::get<SyncResponse>(message)));
  }
}

void NodeImpl::HandleConsensusMessage(uint32_t peer, consensus::Message message) {
  if (auto* request = std::get_if<consensus::BlockRequest>(&message)) {
    ServeBlocks(peer, request->height, 1);
    return;
  }
  Status valid = consensus::ValidateMessage(message, genesis_.validators().size());
  if (!valid.ok()) {
    spdlog::warn("event=consensus_message_refused peer={} reason=\"{}\"",
                 genesis_.validators()[peer].name, valid.message());
    return;
  }
  uint64_t height = consensus::MessageHeight(message);
  if (height > 1) sync_.OnPeerHeight(peer, height - 1);
  core_->OnMessage(message, WallClockMs());
  RunEffects();
  MaybeSync();
}

void NodeImpl::HandleSyncResponse(uint32_t peer, SyncResponse response) {
  sync_.OnResponse(peer);
  for (consensus::DecidedBlock& decided : response.blocks) {
    uint64_t before = core_->height();
    if (decided.commit.height != before) continue;
    sync_.OnPeerHeight(peer, decided.commit.height);
    core_->OnMessage(consensus::Message(std::move(decided)), WallClockMs());
    RunEffects();
    if (core_->height() == before) {
      spdlog::warn("event=sync_block_refused peer={} height={}",
                   genesis_.validators()[peer].name, before);
      break;
    }
  }
  MaybeSync();
}

void NodeImpl::MaybeSync() {
  std::optional<SyncTarget> target = sync_.Next(store_->height(), WallClockMs());
  best_peer_height_ = sync_.trusted_height();
  if (!target) return;
  spdlog::info("event=sync_request peer={} from={} count={}",
               genesis_.validators()[target->peer_index].name, target->request.from_height,
               target->request.count);
  SendTo(target->peer_index, target->request);
}

void NodeImpl::ServeBlocks(uint32_t peer, uint64_t from_height, uint64_t count) {
  uint64_t head = store_->height();
  SyncResponse response;
  size_t bytes = 0;
  for (uint64_t height = from_height;
       height <= head && height < from_height + count && response.blocks.size() < kSyncBlocksMax &&
       bytes < kSyncResponseBytesTarget;
       ++height) {
    Result<ledger::Block> block = store_->GetBlock(height);
    Result<ledger::Commit> commit = store_->GetCommit(height);
    if (!block.ok() || !commit.ok()) break;
    consensus::DecidedBlock decided{ledger::EncodeBlock(*block), std::move(*commit)};
    bytes += decided.block.size();
    response.blocks.push_back(std::move(decided));
  }
  if (!response.blocks.empty()) SendTo(peer, response);
}

// ---------------------------------------------------------------- effects

void NodeImpl::RunEffects() {
  for (;;) {
    std::vector<consensus::Effect> effects = core_->TakeEffects();
    if (effects.empty() && !TryAnswerBlockRequest()) break;
    for (consensus::Effect& effect : effects) Execute(effect);
  }
}

void NodeImpl::Execute(consensus::Effect& effect) {
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
    ServeBlocks(behind->validator_index, behind->height, kSyncBlocksMax);
  } else if (auto* commit = std::get_if<consensus::CommitEffect>(&effect)) {
    ExecuteCommit(*commit);
  } else {
    ExecuteEvidence(std::get<consensus::EvidenceEffect>(effect));
  }
}

// Write-ahead: the signer state reaches the disk before anything it covers is
// sent. A node that cannot persist must not vote: it stops (crash-stop is safe).
void NodeImpl::ExecutePersist(const consensus::PersistEffect& effect) {
  Status status = wal_->Append(effect.state.height, consensus::EncodePersistedState(effect.state));
  if (!status.ok()) {
    spdlog::critical("event=wal_append_failed reason=\"{}\"", status.message());
  }
  EVIDENCE_CHECK_MSG(status.ok(), "the write-ahead log cannot be written; stopping");
  // One line per vote this validator signs (operators and the e2e tests read them).
  for (const ledger::Vote& vote : effect.state.own_votes) {
    if (std::find(logged_votes_.begin(), logged_votes_.end(), vote) != logged_votes_.end()) continue;
    spdlog::info("event=vote_signed type={} height={} round={} block={}",
                 vote.type == ledger::VoteType::kPrevote ? "prevote" : "precommit", vote.height,
                 vote.round, vote.is_nil() ? std::string("nil") : crypto::DigestHex(vote.block_hash));
  }
  logged_votes_ = effect.state.own_votes;
}

void NodeImpl::ExecuteTimeout(const consensus::ScheduleTimeoutEffect& effect) {
  auto timer = std::make_shared<asio::steady_timer>(
      io_, std::chrono::milliseconds(std::max<int64_t>(0, effect.duration_ms)));
  timer->async_wait([this, timer, effect](const boost::system::error_code& error) {
    if (error || stopping_) return;
    core_->OnTimeout(effect.height, effect.round, effect.kind, WallClockMs());
    RunEffects();
  });
}

void NodeImpl::ExecuteCommit(consensus::CommitEffect& effect) {
  Result<ledger::Block> block = ledger::DecodeBlock(effect.block);
  EVIDENCE_CHECK_MSG(block.ok(), "consensus committed a block that does not decode");
  // Records the mempool holds are indexed without being parsed or hashed again.
  std::vector<std::optional<ledger::KnownRecord>> known =
      mempool_->KnownRecordsOfLeaves(block->leaves);
  std::vector<crypto::Digest> record_ids;
  Status appended = store_->Append(*block, effect.commit, &record_ids, &known);
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
  last_commit_at_ = std::chrono::steady_clock::now();
  service_->OnCommitted(*block, effect.commit, record_ids);
  spdlog::info("event=block_committed height={} round={} records={} log_size={} time_ms={}",
               effect.height, effect.commit.round, block->leaves.size(), block->header.log_size,
               block->header.time_ms);
  if (effect.height % 16 == 0) {
    Status compacted = wal_->CompactBelow(effect.height + 1);
    if (!compacted.ok()) spdlog::warn("event=wal_compact_failed reason=\"{}\"", compacted.message());
  }
  PublishProgress();
  Broadcast(StatusMessage{effect.height});
  if (mempool_->size() > 0) {
    asio::post(io_, [this] {
      core_->OnRecordsPending(WallClockMs());
      RunEffects();
    });
  }
}

void NodeImpl::ExecuteEvidence(const consensus::EvidenceEffect& effect) {
  spdlog::warn("event=duplicate_vote validator={} height={} round={}",
               genesis_.validators()[effect.first.validator_index].name, effect.first.height,
               effect.first.round);
  if (pending_evidence_.size() < ledger::kEvidenceMax) {
    pending_evidence_.push_back({effect.first, effect.second});
  }
}

// ---------------------------------------------------------------- proposing

bool NodeImpl::TryAnswerBlockRequest() {
  if (!pending_request_ || pending_request_->height != core_->height()) return false;
  if (mempool_->size() == 0 && pending_evidence_.empty()) return false;
  if (WaitForFullerBlock()) return false;
  std::optional<Bytes> block = BuildBlock(pending_request_->height);
  if (!block) return false;
  pending_request_.reset();
  core_->OnBlockReady(core_->height(), std::move(*block), WallClockMs());
  return true;
}

// True (and a retry scheduled) while the block interval since the last commit
// has not passed and the mempool cannot fill a block.
bool NodeImpl::WaitForFullerBlock() {
  if (options_.block_interval_ms <= 0 || mempool_->size() >= options_.block_records_max) {
    return false;
  }
  auto ready_at = last_commit_at_ + std::chrono::milliseconds(options_.block_interval_ms);
  auto now = std::chrono::steady_clock::now();
  if (now >= ready_at) return false;
  if (!block_timer_) block_timer_ = std::make_unique<asio::steady_timer>(io_);
  if (!block_timer_armed_) {
    block_timer_armed_ = true;
    block_timer_->expires_at(ready_at);
    block_timer_->async_wait([this](const boost::system::error_code& error) {
      block_timer_armed_ = false;
      if (error || stopping_) return;
      RunEffects();
    });
  }
  return true;
}

// Fills a block from the mempool up to the record and byte limits. Records
// that cannot go into this block (already in the log, time outside the
// window of the block's time) are left out. When records wait but every one
// is ahead of the block's BFT time (an idle chain's time is that of its last
// commit), the block goes out empty: its commit brings the time forward.
std::optional<Bytes> NodeImpl::BuildBlock(uint64_t height) {
  ledger::ChainState state = store_->chain_state();
  if (state.height + 1 != height) return std::nullopt;
  ledger::Commit last_commit;
  if (height > 1) {
    Result<ledger::Commit> commit = store_->GetCommit(height - 1);
    EVIDENCE_CHECK_MSG(commit.ok(), "the store has no commit for its head");
    last_commit = std::move(*commit);
  }
  int64_t block_time_ms = height == 1 ? genesis_.genesis_time_ms()
                                      : ledger::CommitMedianTimeMs(genesis_.validator_set(),
                                                                   last_commit);
  std::vector<std::string> leaves = mempool_->Reap(
      options_.block_records_max, options_.block_bytes_max, block_time_ms,
      [&](const crypto::Digest& id) {
        Result<bool> contains = store_->ContainsRecord(id);
        return contains.ok() && *contains;
      });
  std::vector<ledger::DuplicateVoteEvidence> evidence;
  for (const ledger::DuplicateVoteEvidence& item : pending_evidence_) {
    if (item.a.height < height) evidence.push_back(item);
  }
  if (leaves.empty() && evidence.empty() && mempool_->size() == 0) return std::nullopt;
  ledger::Block block;
  block.header = ledger::MakeBlockHeader(genesis_, state, leaves, last_commit, evidence,
                                         *own_index_);
  block.leaves = std::move(leaves);
  block.last_commit = std::move(last_commit);
  block.evidence = std::move(evidence);
  spdlog::info("event=block_proposed height={} records={} time_ms={}", height,
               block.leaves.size(), block.header.time_ms);
  return ledger::EncodeBlock(block);
}

// ---------------------------------------------------------------- gossip

void NodeImpl::OnRecordsAdmitted(std::vector<std::string> leaves) {
  for (std::string& leaf : leaves) gossip_outbox_.push_back(std::move(leaf));
  if (!gossip_outbox_.empty() && !gossip_flush_scheduled_) {
    // Coalesce a burst of submissions into few frames.
    gossip_flush_scheduled_ = true;
    asio::post(io_, [this] { FlushGossip(); });
  }
  // A node behind its peers does not start rounds at heights they decided
  // long ago; it syncs first (MaybeSync) and joins at the new height.
  if (!consensus_running_ || sync_.behind(store_->height())) return;
  core_->OnRecordsPending(WallClockMs());
  RunEffects();
}

void NodeImpl::FlushGossip() {
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

void NodeImpl::SendTo(uint32_t peer, const PeerMessage& message) {
  if (peer == node_index_ || !transport_) return;
  Status status = transport_->Send(peer, EncodePeerMessage(message));
  if (!status.ok()) spdlog::warn("event=p2p_send_failed reason=\"{}\"", status.message());
}

void NodeImpl::Broadcast(const PeerMessage& message) {
  if (!transport_) return;
  Status status = transport_->Broadcast(EncodePeerMessage(message));
  if (!status.ok()) spdlog::warn("event=p2p_broadcast_failed reason=\"{}\"", status.message());
}

// ---------------------------------------------------------------- status

void NodeImpl::ScheduleStatusTimer() {
  if (!status_timer_) status_timer_ = std::make_unique<asio::steady_timer>(io_);
  status_timer_->expires_after(std::chrono::milliseconds(options_.status_interval_ms));
  status_timer_->async_wait([this](const boost::system::error_code& error) {
    if (error || stopping_) return;
    OnStatusTimer();
  });
}

void NodeImpl::OnStatusTimer() {
  PublishProgress();
  Broadcast(StatusMessage{store_->height()});
  MaybeSync();
  FlushGossip();
  ScheduleStatusTimer();
}

void NodeImpl::PublishProgress() {
  metrics_.height.Set(static_cast<int64_t>(store_->height()));
  metrics_.mempool_records.Set(static_cast<int64_t>(mempool_->size()));
  if (!transport_) return;
  uint64_t send_dropped = 0;
  for (uint32_t i = 0; i < genesis_.validators().size(); ++i) {
    if (i != node_index_) send_dropped += transport_->stats(i).frames_dropped_queue_full;
  }
  if (send_dropped > send_dropped_reported_) {
    metrics_.peer_send_frames_dropped.Increment(send_dropped - send_dropped_reported_);
    send_dropped_reported_ = send_dropped;
  }
}

NodeStatus NodeImpl::Snapshot() const {
  NodeStatus status;
  status.consensus_running = consensus_running_;
  status.best_peer_height = best_peer_height_;
  status.validator_index = own_index_;
  uint64_t connected_power = own_index_ ? genesis_.validators()[*own_index_].power : 0;
  for (size_t i = 0; i < peer_connected_.size(); ++i) {
    if (i == node_index_ || !peer_connected_[i]) continue;
    status.peers_connected += 1;
    if (i != own_index_) connected_power += genesis_.validators()[i].power;
  }
  status.quorum_connected = genesis_.validator_set().IsQuorum(connected_power);
  status.frames_dropped = metrics_.peer_frames_dropped.value();
  return status;
}

// ---------------------------------------------------------------- Node

Result<std::unique_ptr<Node>> Node::Create(NodeOptions options) {
  EVIDENCE_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::Genesis::Load(options.genesis_path));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey node_key,
                            crypto::PrivateKey::LoadPem(options.node_key_path));
  std::optional<uint32_t> node_index;
  for (size_t i = 0; i < genesis.validators().size(); ++i) {
    if (genesis.validators()[i].node_key.key_id() == node_key.key_id()) node_index = i;
  }
  if (!node_index) {
    return Status::InvalidArgument("node key " + node_key.key_id() + " (" +
                                   options.node_key_path +
                                   ") is not the node key of any validator in genesis");
  }
  std::optional<crypto::PrivateKey> vote_key;
  std::optional<uint32_t> own_index;
  if (!options.vote_key_path.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(vote_key, crypto::PrivateKey::LoadPem(options.vote_key_path));
    int index = genesis.validator_set().IndexOfKey(vote_key->key_id());
    if (index < 0) {
      return Status::InvalidArgument("vote key " + vote_key->key_id() + " (" +
                                     options.vote_key_path + ") is not a validator's in genesis");
    }
    own_index = static_cast<uint32_t>(index);
  }
  for (const auto& [name, address] : options.peer_addresses) {
    bool known = std::any_of(genesis.validators().begin(), genesis.validators().end(),
                             [&](const ledger::GenesisValidator& v) { return v.name == name; });
    if (!known) return Status::InvalidArgument("p2p.peers names \"" + name + "\", no validator in genesis");
  }
  if (options.block_records_max == 0 || options.block_records_max > limits::kBlockRecordsMax ||
      options.block_bytes_max == 0 || options.block_bytes_max > limits::kBlockBytesMax) {
    return Status::InvalidArgument("block limits must be 1.." +
                                   std::to_string(limits::kBlockRecordsMax) + " records and 1.." +
                                   std::to_string(limits::kBlockBytesMax) + " bytes");
  }
  auto impl = std::make_unique<NodeImpl>(std::move(options), std::move(genesis),
                                         std::move(node_key), *node_index, std::move(vote_key),
                                         own_index);
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::Node(std::unique_ptr<NodeImpl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(); }
Status Node::Start() { return impl_->Start(); }
void Node::Stop() { impl_->Stop(); }
uint16_t Node::api_port() const { return impl_->api_port_; }
uint16_t Node::p2p_port() const {
  return impl_->transport_ ? impl_->transport_->listen_port() : 0;
}
const std::string& Node::chain_id() const { return impl_->genesis_.chain_id(); }
std::optional<uint32_t> Node::validator_index() const { return impl_->own_index_; }

}  // namespace evidence::node
