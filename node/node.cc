#include "node/node.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "api/http/api_server.h"
#include "common/log_throttle.h"
#include "common/metrics.h"
#include "ledger/store.h"
#include "node/anchors.h"
#include "node/backup_server.h"
#include "node/consensus/key_signer.h"
#include "node/consensus/validator_sets.h"
#include "node/driver/block_validator.h"
#include "node/driver/consensus_driver.h"
#include "node/intake/peer_intake.h"
#include "node/node_config.h"
#include "node/node_metrics.h"
#include "node/p2p/transport.h"
#include "node/peer_directory.h"
#include "node/record_pool.h"
#include "node/service.h"
#include "node/checkpoints.h"
#include "node/timestamps.h"
#include "common/clock.h"
#include "node/wal.h"

namespace evidence::node {

// The parts, in the order they are created (and destroyed in reverse). Every
// pointer is set by Start; Stop stops the threads, the parts stay until the
// Node goes.
class NodeImpl {
 public:
  NodeImpl(NodeOptions options, ledger::Genesis genesis, crypto::PrivateKey node_key,
           std::optional<uint32_t> genesis_index, std::optional<crypto::PrivateKey> vote_key,
           std::optional<crypto::PrivateKey> next_vote_key, std::optional<uint32_t> own_index,
           std::optional<crypto::TimestampAuthority> timestamp_authority)
      : options_(std::move(options)),
        genesis_(std::move(genesis)),
        node_key_(std::move(node_key)),
        genesis_index_(genesis_index),
        vote_key_(std::move(vote_key)),
        next_vote_key_(std::move(next_vote_key)),
        own_index_(own_index),
        timestamp_authority_(std::move(timestamp_authority)),
        metrics_(registry_) {}
  ~NodeImpl() { Stop(); }

  Status Start();
  void Stop();

  uint16_t api_port() const { return api_port_; }
  uint16_t p2p_port() const { return transport_ ? transport_->listen_port() : 0; }
  const ledger::Genesis& genesis() const { return genesis_; }
  std::optional<uint32_t> own_index() const { return own_index_; }

 private:
  Result<std::optional<consensus::PersistedState>> OpenStorage();
  // The nodes the register in force admits, this node's own slot among them
  // (docs/design.md §5, "Membership").
  struct Member {
    std::string name;
    crypto::PublicKey node_key;
    std::string address;
    uint64_t power = 0;
  };
  std::vector<Member> MembersInForce(const ledger::GovernanceState& state) const;
  void InitialPeers(std::vector<p2p::PeerConfig>* peers);
  // After a commit (consensus thread): admits the node keys the register in
  // force at the next height added, drops those it removed, updates powers.
  void RefreshMembership();
  void CreateIntakeAndValidator();
  Status CreateTransport(std::vector<p2p::PeerConfig> peers);
  void CreateDriver(std::optional<consensus::PersistedState> restored);
  Status StartApi();

  NodeOptions options_;
  const ledger::Genesis genesis_;
  const crypto::PrivateKey node_key_;
  const std::optional<uint32_t> genesis_index_;  // its validator in genesis, if any
  uint32_t node_index_ = 0;                      // its own p2p slot (InitialPeers)
  std::string node_name_;
  crypto::Digest membership_hash_{};             // the register RefreshMembership last applied
  const std::optional<crypto::PrivateKey> vote_key_;
  const std::optional<crypto::PrivateKey> next_vote_key_;
  const std::optional<uint32_t> own_index_;
  std::optional<crypto::TimestampAuthority> timestamp_authority_;  // moved into timestamps_
  bool started_ = false;
  bool stopped_ = false;
  LogThrottle refusal_log_{5, std::chrono::seconds(1)};

  metrics::Registry registry_;
  NodeMetrics metrics_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<PeerDirectory> peers_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<RecordPool> mempool_;
  std::unique_ptr<TimestampService> timestamps_;
  std::unique_ptr<CheckpointService> checkpoints_;
  std::unique_ptr<AnchorService> anchors_;
  std::unique_ptr<supervision::RuleSet> supervision_rules_;    // from node.toml, if named
  std::unique_ptr<supervision::WorkingCalendar> calendar_;     // from node.toml, if named
  std::unique_ptr<ChainService> service_;
  std::unique_ptr<PeerIntake> intake_;
  std::unique_ptr<consensus::KeySigner> signer_;
  // The validators of each height: the store's register in force there.
  std::unique_ptr<consensus::RegisterValidatorSets> validator_sets_;
  std::unique_ptr<consensus::ValidatorSetVerifier> verifier_;
  std::unique_ptr<LedgerBlockValidator> validator_;
  std::unique_ptr<p2p::Transport> transport_;
  std::unique_ptr<ConsensusDriver> driver_;
  std::unique_ptr<api::ApiServer> api_;
  std::unique_ptr<BackupServer> backup_;
  uint16_t api_port_ = 0;
};

// ---------------------------------------------------------------- start

Status NodeImpl::Start() {
  EVIDENCE_CHECK(!started_);
  started_ = true;
  EVIDENCE_ASSIGN_OR_RETURN(std::optional<consensus::PersistedState> restored, OpenStorage());
  peers_ = std::make_unique<PeerDirectory>(limits::kP2pPeersMax);
  std::vector<p2p::PeerConfig> initial_peers;
  InitialPeers(&initial_peers);
  // The chain-level series start from the store, so every node with the same
  // blocks shows the same values, across restarts and re-syncs.
  metrics_.records_committed.Increment(store_->head().size);
  metrics_.height.Set(static_cast<int64_t>(store_->height()));
  metrics_.mempool_records_max.Set(static_cast<int64_t>(options_.mempool_records_max));
  // `evidence backup` of this running node (a failure leaves the node without
  // it: it says so and runs on).
  auto backup = BackupServer::Start(options_.data_dir + "/" + kBackupSocketName, *store_);
  if (backup.ok()) {
    backup_ = std::move(*backup);
  } else {
    spdlog::warn("event=backup_socket_failed reason=\"{}\"", backup.status().message());
  }
  RecordPoolOptions pool_options;
  pool_options.records_max = options_.mempool_records_max;
  pool_options.bytes_max = options_.mempool_bytes_max;
  pool_options.verify_threads = options_.verify_threads;
  mempool_ = std::make_unique<RecordPool>([this] { return store_->NextState(); }, pool_options);
  ChainService::Hooks hooks;
  // The driver exists before any thread that admits records runs.
  hooks.on_admitted = [this](std::vector<std::string> leaves, bool from_peer) {
    driver_->PostRecordsAdmitted(std::move(leaves), from_peer);
  };
  hooks.status = [this] { return driver_->Snapshot(); };
  // An admitted governance action wakes consensus like a record (nothing to gossip).
  hooks.on_governance_admitted = [this] { driver_->PostGovernanceAdmitted(); };
  timestamps_ = std::make_unique<TimestampService>(genesis_, *store_, genesis_index_,
                                                   std::move(timestamp_authority_),
                                                   options_.tsa_peer_urls);
  std::vector<crypto::NoteKey> own_witnesses;
  for (const std::string& vkey : options_.witness_vkeys) {
    own_witnesses.push_back(crypto::NoteKey::FromVkey(vkey).value());  // checked by LoadFiles
  }
  checkpoints_ = std::make_unique<CheckpointService>(
      genesis_, *store_, vote_key_ ? &*vote_key_ : nullptr,
      node_name_, std::move(own_witnesses),
      [] { return static_cast<uint64_t>(WallClockMs() / 1000); },
      options_.data_dir + "/" + std::string(CheckpointService::kStateFileName));
  if (!checkpoints_->LoadStatus().ok()) {
    spdlog::warn("event=cosignatures_not_restored reason=\"{}\"",
                 checkpoints_->LoadStatus().message());
  }
  std::string anchor_cas;
  if (!options_.anchor_tsa_ca_path.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(anchor_cas, LoadAnchorCaFile(options_.anchor_tsa_ca_path));
  }
  anchors_ = std::make_unique<AnchorService>(
      genesis_, *store_, std::move(anchor_cas),
      options_.data_dir + "/" + std::string(AnchorService::kStateFileName));
  if (!anchors_->LoadStatus().ok()) {
    spdlog::error("event=anchors_not_restored reason=\"{}\"", anchors_->LoadStatus().message());
  }
  SupervisionSettings supervision;
  if (!options_.supervision_rules_path.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(supervision::RuleSet rules,
                              supervision::RuleSet::Load(options_.supervision_rules_path));
    supervision_rules_ = std::make_unique<supervision::RuleSet>(std::move(rules));
    supervision.rules = supervision_rules_.get();
  }
  if (!options_.holiday_calendar_path.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(supervision::WorkingCalendar calendar,
                              supervision::WorkingCalendar::Load(options_.holiday_calendar_path));
    calendar_ = std::make_unique<supervision::WorkingCalendar>(std::move(calendar));
    supervision.calendar = calendar_.get();
  }
  service_ = std::make_unique<ChainService>(genesis_, *store_, *mempool_, std::move(hooks),
                                            &metrics_, timestamps_.get(), checkpoints_.get(),
                                            supervision, anchors_.get());
  CreateIntakeAndValidator();
  EVIDENCE_RETURN_IF_ERROR(CreateTransport(std::move(initial_peers)));
  CreateDriver(std::move(restored));
  intake_->Start();
  driver_->Start();
  EVIDENCE_RETURN_IF_ERROR(transport_->Start());
  EVIDENCE_RETURN_IF_ERROR(StartApi());
  spdlog::info("event=node_started chain={} height={} node={} genesis_validator={} p2p_port={} "
               "api_port={}",
               genesis_.chain_id(), store_->height(), node_name_,
               own_index_ ? std::to_string(*own_index_) : "none", transport_->listen_port(),
               api_port_);
  return Status::Ok();
}

// The store, and the signer state the WAL replays (if it holds any).
Result<std::optional<consensus::PersistedState>> NodeImpl::OpenStorage() {
  std::error_code error;
  std::filesystem::create_directories(options_.data_dir, error);
  if (error) return Status::IoError("cannot create " + options_.data_dir + ": " + error.message());
  Result<std::unique_ptr<ledger::Store>> store =
      ledger::Store::Open(options_.data_dir + "/store", genesis_);
  if (!store.ok() && store.status().code() == StatusCode::kCorruption) {
    return Status::Corruption(
        "the store in " + options_.data_dir + "/store is damaged: " + store.status().message() +
        ". Recovery: run evidence-node --config <node.toml> --resync (sets it aside and rebuilds "
        "it from the peers, keeping consensus.wal), or restore a backup (evidence restore); "
        "evidence audit --data " + options_.data_dir + " shows the damage");
  }
  if (!store.ok()) return store.status();
  store_ = std::move(store).value();
  const std::string wal_path = options_.data_dir + "/consensus.wal";
  const bool wal_existed = std::filesystem::exists(wal_path, error);
  WalReplay replay;
  EVIDENCE_ASSIGN_OR_RETURN(wal_, Wal::Open(wal_path, &replay));
  if (!wal_existed && vote_key_ && store_->height() > 0) {
    // A restored or partly lost data directory: nothing records the votes this
    // validator signed before. Safe only while the network is ahead of every
    // height it may have signed at (docs/operations.md, "Restore").
    spdlog::warn(
        "event=wal_missing path={} height={} reason=\"no write-ahead log: this validator has no "
        "record of the votes it signed before; it syncs from its peers first and votes again "
        "at the first height they have not decided (a height above {} once caught up)\"",
        wal_path, store_->height(), store_->height());
  }
  if (replay.truncated_bytes > 0) {
    spdlog::warn("event=wal_torn_tail truncated_bytes={}", replay.truncated_bytes);
  }
  if (replay.records.empty()) return std::optional<consensus::PersistedState>();
  EVIDENCE_ASSIGN_OR_RETURN(consensus::PersistedState state,
                            consensus::DecodePersistedState(replay.records.back().payload));
  spdlog::info("event=wal_restored height={} round={} step={} own_votes={}", state.height,
               state.round, state.step, state.own_votes.size());
  return std::optional<consensus::PersistedState>(std::move(state));
}

std::vector<NodeImpl::Member> NodeImpl::MembersInForce(const ledger::GovernanceState& state) const {
  std::vector<Member> members;
  auto address_of = [&](const std::string& name, const std::string& address) {
    auto configured = options_.peer_addresses.find(name);
    return configured != options_.peer_addresses.end() ? configured->second : address;
  };
  for (const ledger::GenesisValidator& v : state.validators()) {
    members.push_back({v.name, v.node_key, address_of(v.name, v.address), v.power});
  }
  for (const ledger::GenesisObserver& o : state.observers()) {
    members.push_back({o.name, o.node_key, address_of(o.name, o.address), 0});
  }
  return members;
}

// The register in force at the store's next height: its validators and
// observers in order (genesis's indexes at a fresh start), and this node
// itself — appended when the register (as far as this store knows it) does
// not hold its node key yet: a node governance admitted later starts from
// genesis, is accepted by nodes that know more, and learns the rest by syncing.
void NodeImpl::InitialPeers(std::vector<p2p::PeerConfig>* peers) {
  const ledger::GovernanceStatePtr state = store_->StateInForce(store_->height() + 1);
  EVIDENCE_CHECK(state != nullptr);
  membership_hash_ = state->Hash();
  std::optional<uint32_t> self;
  for (const Member& member : MembersInForce(*state)) {
    const uint32_t index = static_cast<uint32_t>(peers->size());
    const bool is_self = member.node_key.key_id() == node_key_.key_id();
    if (is_self) {
      self = index;
      node_name_ = member.name;
    }
    peers->push_back({member.name, member.node_key, is_self ? "" : member.address});
    peers_->Set(index, {member.name, member.node_key.key_id(), member.power, true});
  }
  if (!self) {
    self = static_cast<uint32_t>(peers->size());
    node_name_ = "node-" + node_key_.key_id().substr(0, 12);
    peers->push_back({node_name_, node_key_.public_key(), ""});
    peers_->Set(*self, {node_name_, node_key_.key_id(), 0, true});
    spdlog::warn("event=node_not_in_register node_key={} height={} reason=\"the register this "
                 "store holds does not admit this node key: the other nodes accept it only once "
                 "governance added it (add-observer or add-validator) and the action is in force\"",
                 node_key_.key_id(), store_->height());
  }
  node_index_ = *self;
}

void NodeImpl::RefreshMembership() {
  const ledger::GovernanceStatePtr state = store_->StateInForce(store_->height() + 1);
  if (state == nullptr || state->Hash() == membership_hash_) return;
  membership_hash_ = state->Hash();
  std::set<std::string> admitted;
  for (const Member& member : MembersInForce(*state)) {
    const std::string key_id = member.node_key.key_id();
    admitted.insert(key_id);
    std::optional<uint32_t> index = peers_->IndexOfKey(key_id);
    if (!index) {
      Result<uint32_t> added = transport_->AddPeer({member.name, member.node_key, member.address});
      if (!added.ok()) {
        spdlog::error("event=peer_not_admitted peer={} reason=\"{}\"", member.name,
                      added.status().message());
        continue;
      }
      index = *added;
      spdlog::info("event=peer_admitted peer={} index={} power={} height={}", member.name, *index,
                   member.power, store_->height());
    }
    if (*index != node_index_) {
      Status moved = transport_->SetPeerAddress(*index, member.address);
      if (!moved.ok()) {
        spdlog::error("event=peer_address_refused peer={} reason=\"{}\"", member.name,
                      moved.message());
      }
    }
    const PeerDirectory::Entry before = peers_->Get(*index);
    if (before.power != member.power && before.active) {
      spdlog::info("event=peer_power_changed peer={} power={} height={}", member.name,
                   member.power, store_->height());
    }
    peers_->Set(*index, {member.name, key_id, member.power, true});
  }
  for (uint32_t index = 0; index < transport_->peer_count(); ++index) {
    PeerDirectory::Entry entry = peers_->Get(index);
    if (index == node_index_ || !entry.active || admitted.contains(entry.node_key_id)) continue;
    spdlog::info("event=peer_removed peer={} index={} height={}", entry.name, index,
                 store_->height());
    entry.active = false;
    entry.power = 0;
    peers_->Set(index, entry);
    transport_->RemovePeer(index);
  }
}

void NodeImpl::CreateIntakeAndValidator() {
  intake_ = std::make_unique<PeerIntake>(
      peers_->capacity(),
      [this](std::vector<std::string> leaves) { service_->AdmitFromPeer(std::move(leaves)); },
      [this](uint32_t peer, PeerMessage message, size_t bytes) {
        driver_->PostPeerMessage(peer, std::move(message), bytes);
      },
      [this](uint32_t peer) { return peers_->Name(peer); },
      metrics_.peer_frames_dropped);
  if (vote_key_) {
    signer_ = std::make_unique<consensus::KeySigner>(
        *vote_key_, next_vote_key_ ? &*next_vote_key_ : nullptr);
  }
  verifier_ = std::make_unique<consensus::ValidatorSetVerifier>();
  validator_ = std::make_unique<LedgerBlockValidator>(genesis_, *store_, *mempool_, *intake_,
                                                      metrics_.signature_checks);
}

// The transport, created but not started: its handlers reach the intake and
// the driver, which exist before it runs.
Status NodeImpl::CreateTransport(std::vector<p2p::PeerConfig> peers) {
  p2p::TransportOptions transport_options;
  transport_options.listen_address = options_.p2p_listen;
  transport_options.self_index = node_index_;
  transport_options.peers = std::move(peers);
  transport_options.peers_max = peers_->capacity();
  EVIDENCE_ASSIGN_OR_RETURN(transport_,
                            p2p::Transport::Create(node_key_, std::move(transport_options)));
  transport_->OnFrame(
      [this](uint32_t peer, Bytes frame) { intake_->OnFrame(peer, std::move(frame)); });
  transport_->OnPeerConnected([this](uint32_t peer) { driver_->OnPeerConnected(peer); });
  transport_->OnPeerDisconnected([this](uint32_t peer) { driver_->OnPeerDisconnected(peer); });
  // One line per refusal would let anyone who reaches the port flood the log
  // (issue 17, finding 4): a few lines a second, then a count.
  transport_->OnConnectionRefused([this](const std::string& remote, const Status& reason) {
    if (std::optional<uint64_t> suppressed = refusal_log_.Admit(LogThrottle::Clock::now())) {
      spdlog::warn("event=p2p_refused remote={} reason=\"{}\" suppressed={}", remote,
                   reason.message(), *suppressed);
    }
  });
  return Status::Ok();
}

void NodeImpl::CreateDriver(std::optional<consensus::PersistedState> restored) {
  consensus::CoreConfig core_config = options_.consensus;
  core_config.chain_id = genesis_.chain_id();
  DriverOptions driver_options;
  driver_options.block.records_max = options_.block_records_max;
  driver_options.block.bytes_max = options_.block_bytes_max;
  driver_options.block.interval_ms = options_.block_interval_ms;
  driver_options.status_interval_ms = options_.status_interval_ms;
  driver_options.data_dir = options_.data_dir;
  driver_options.disk_reserve_bytes = options_.disk_reserve_bytes;
  validator_sets_ = std::make_unique<consensus::RegisterValidatorSets>(
      [store = store_.get()](uint64_t height) { return store->StateInForce(height); });
  ConsensusDriver::Parts parts{genesis_,  *store_,   *wal_,       *mempool_,
                               *service_, metrics_,  signer_.get(), *verifier_,
                               *validator_, transport_.get(), validator_sets_.get(),
                               peers_.get(), [this] { RefreshMembership(); }};
  driver_ = std::make_unique<ConsensusDriver>(driver_options, std::move(core_config),
                                              std::move(parts), node_index_,
                                              std::move(restored));
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
  api_ = std::make_unique<api::ApiServer>(*service_, api_options, &registry_);
  EVIDENCE_ASSIGN_OR_RETURN(api_port_, api_->Start());
  return Status::Ok();
}

// ---------------------------------------------------------------- stop

// The API first (no new work), then the peers, then the consensus thread, then
// the gossip thread and the verification threads. Every commit is already
// synced: nothing is flushed.
void NodeImpl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  if (api_) api_->Stop();
  if (backup_) backup_->Stop();
  if (transport_) transport_->Stop();
  if (driver_) driver_->Stop();
  if (intake_) intake_->Stop();
  if (mempool_) mempool_->Stop();
  spdlog::info("event=node_stopped height={}", store_ ? store_->height() : 0);
}

// ---------------------------------------------------------------- Node

// What Create loads, and every problem found on the way (all of them, so that
// `evidence-node --check` and a refused start name everything to fix at once).
namespace {

// Whether genesis registers `key_id` in any role (validator vote or node key,
// observer node key, agency key, admin key).
bool GenesisUsesKey(const ledger::Genesis& genesis, const std::string& key_id) {
  return ledger::GovernanceState::FromGenesis(genesis)->KeyEverUsed(key_id);
}

struct LoadedFiles {
  std::optional<ledger::Genesis> genesis;
  std::optional<crypto::PrivateKey> node_key;
  std::optional<uint32_t> node_index;
  std::optional<crypto::PrivateKey> vote_key;
  std::optional<crypto::PrivateKey> next_vote_key;
  std::optional<uint32_t> own_index;
  std::optional<crypto::TimestampAuthority> timestamp_authority;
  std::vector<std::string> problems;
};

LoadedFiles LoadFiles(const NodeOptions& options) {
  LoadedFiles out;
  if (options.genesis_path.empty()) {
    out.problems.push_back("genesis: no genesis file is configured");
  } else if (auto genesis = ledger::Genesis::Load(options.genesis_path); genesis.ok()) {
    out.genesis = std::move(*genesis);
  } else {
    out.problems.push_back("genesis: " + genesis.status().message());
  }
  auto node_key = options.node_key_path.empty()
                      ? Result<crypto::PrivateKey>(Status::InvalidArgument("no node key is configured"))
                      : crypto::PrivateKey::LoadPem(options.node_key_path);
  if (!node_key.ok()) {
    out.problems.push_back("node_key: " + node_key.status().message());
  } else {
    out.node_key = std::move(*node_key);
    bool observer = false;
    for (size_t i = 0; out.genesis && i < out.genesis->validators().size(); ++i) {
      if (out.genesis->validators()[i].node_key.key_id() == out.node_key->key_id()) {
        out.node_index = static_cast<uint32_t>(i);
      }
    }
    for (size_t i = 0; out.genesis && i < out.genesis->observers().size(); ++i) {
      observer |= out.genesis->observers()[i].node_key.key_id() == out.node_key->key_id();
    }
    // A key genesis knows in another role (an agency's, a vote key) is a
    // mistake; a key genesis does not know at all is a node governance admits
    // later (docs/design.md §5, "Membership").
    if (out.genesis && !out.node_index && !observer &&
        GenesisUsesKey(*out.genesis, out.node_key->key_id())) {
      out.problems.push_back("node_key: " + out.node_key->key_id() + " (" +
                             options.node_key_path +
                             ") is not the node key of any validator in genesis but another of "
                             "its keys");
    }
  }
  if (!options.vote_key_path.empty()) {
    auto vote_key = crypto::PrivateKey::LoadPem(options.vote_key_path);
    if (!vote_key.ok()) {
      out.problems.push_back("vote_key: " + vote_key.status().message());
    } else {
      out.vote_key = std::move(*vote_key);
      int index = out.genesis ? out.genesis->validator_set().IndexOfKey(out.vote_key->key_id()) : -1;
      if (out.genesis && index < 0 && GenesisUsesKey(*out.genesis, out.vote_key->key_id())) {
        out.problems.push_back("vote_key: " + out.vote_key->key_id() + " (" +
                               options.vote_key_path +
                               ") is not a validator's in genesis but another of its keys");
      } else if (index >= 0) {
        out.own_index = static_cast<uint32_t>(index);
        if (out.node_index && *out.node_index != *out.own_index) {
          out.problems.push_back("vote_key and node_key belong to different validators (" +
                                 out.genesis->validators()[index].name + " and " +
                                 out.genesis->validators()[*out.node_index].name + ")");
        }
      }
    }
  }
  if (!options.next_vote_key_path.empty()) {
    auto next = crypto::PrivateKey::LoadPem(options.next_vote_key_path);
    if (!next.ok()) {
      out.problems.push_back("next_vote_key: " + next.status().message());
    } else if (options.vote_key_path.empty()) {
      out.problems.push_back("next_vote_key: set vote_key too (the key in force now)");
    } else if (out.vote_key && out.vote_key->key_id() == next->key_id()) {
      out.problems.push_back("next_vote_key: the same key as vote_key");
    } else if (out.genesis && GenesisUsesKey(*out.genesis, next->key_id())) {
      out.problems.push_back("next_vote_key: " + next->key_id() + " (" +
                             options.next_vote_key_path +
                             ") is already a key in genesis; a rotation needs a new key");
    } else {
      out.next_vote_key = std::move(*next);
    }
  }
  // Addresses replace those of genesis's nodes (a node governance added later
  // is dialled at the address its action registered).
  for (const auto& peer : options.peer_addresses) {
    const std::string& name = peer.first;
    const bool known =
        out.genesis &&
        (std::any_of(out.genesis->validators().begin(), out.genesis->validators().end(),
                     [&](const ledger::GenesisValidator& v) { return v.name == name; }) ||
         std::any_of(out.genesis->observers().begin(), out.genesis->observers().end(),
                     [&](const ledger::GenesisObserver& o) { return o.name == name; }));
    if (out.genesis && !known) {
      out.problems.push_back("p2p.peers names \"" + name + "\", no validator or observer in genesis");
    }
  }
  if (!options.tsa_key_path.empty() || !options.tsa_cert_path.empty()) {
    auto authority = crypto::TimestampAuthority::Load(options.tsa_key_path, options.tsa_cert_path);
    if (!authority.ok()) {
      out.problems.push_back("timestamp: " + authority.status().message());
    } else {
      out.timestamp_authority = std::move(*authority);
    }
  }
  // A TSA's certificate must be issued by the CA genesis names for the
  // institution (when it names one), or its tokens would not verify under it.
  if (out.timestamp_authority && out.genesis && out.node_index) {
    const std::string& institution = out.genesis->validators()[*out.node_index].institution;
    for (const ledger::GenesisTsa& tsa : out.genesis->tsas()) {
      if (tsa.institution != institution) continue;
      Status issued = crypto::CheckIssuedBy(out.timestamp_authority->certificate_pem(), tsa.ca_cert);
      if (!issued.ok()) {
        out.problems.push_back("timestamp.cert (" + options.tsa_cert_path + "): " +
                               issued.message() + ", the TSA CA genesis names for " + institution);
      }
    }
  }
  for (const std::string& vkey : options.witness_vkeys) {
    auto key = crypto::NoteKey::FromVkey(vkey);
    if (!key.ok() || key->type() != crypto::NoteKeyType::kCosignatureV1) {
      out.problems.push_back("witness.keys: \"" + vkey + "\" is not a cosignature vkey (type 0x04): " +
                             (key.ok() ? "wrong type" : key.status().message()));
      continue;
    }
    for (size_t i = 0; out.genesis && i < out.genesis->witnesses().size(); ++i) {
      const ledger::GenesisWitness& witness = out.genesis->witnesses()[i];
      if (witness.name == key->name() && witness.key.key_id() != key->public_key().key_id()) {
        out.problems.push_back("witness.keys: \"" + vkey + "\" names genesis's witness " +
                               witness.name + " with another key");
      }
    }
  }
  if (!options.anchor_tsa_ca_path.empty()) {
    auto cas = LoadAnchorCaFile(options.anchor_tsa_ca_path);
    if (!cas.ok()) out.problems.push_back("anchor.tsa_ca: " + cas.status().message());
  }
  for (const auto& peer : options.tsa_peer_urls) {
    const bool known =
        out.genesis &&
        std::any_of(out.genesis->validators().begin(), out.genesis->validators().end(),
                    [&](const ledger::GenesisValidator& v) { return v.name == peer.first; });
    if (out.genesis && !known) {
      out.problems.push_back("timestamp.peers names \"" + peer.first + "\", no validator in genesis");
    }
  }
  if (options.block_records_max == 0 || options.block_records_max > limits::kBlockRecordsMax ||
      options.block_bytes_max == 0 || options.block_bytes_max > limits::kBlockBytesMax) {
    out.problems.push_back("block limits must be 1.." + std::to_string(limits::kBlockRecordsMax) +
                           " records and 1.." + std::to_string(limits::kBlockBytesMax) + " bytes");
  }
  // Supervision files named in node.toml (Start loads them again; the built-in ones are checked
  // by their tests).
  if (!options.supervision_rules_path.empty()) {
    auto rules = supervision::RuleSet::Load(options.supervision_rules_path);
    if (!rules.ok()) out.problems.push_back("supervision.rules: " + rules.status().message());
  }
  if (!options.holiday_calendar_path.empty()) {
    auto calendar = supervision::WorkingCalendar::Load(options.holiday_calendar_path);
    if (!calendar.ok()) out.problems.push_back("supervision.calendar: " + calendar.status().message());
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace

Node::CheckReport Node::Check(const NodeOptions& options) {
  LoadedFiles files = LoadFiles(options);
  CheckReport report;
  report.problems = std::move(files.problems);
  namespace fs = std::filesystem;
  std::error_code error;
  if (!options.data_dir.empty() && fs::exists(options.data_dir, error) &&
      !fs::is_directory(options.data_dir, error)) {
    report.problems.push_back("data_dir: " + options.data_dir + " is not a directory");
  }
  for (const std::string& key_path :
       {options.node_key_path, options.vote_key_path, options.next_vote_key_path,
        options.tsa_key_path}) {
    if (key_path.empty()) continue;
    fs::perms perms = fs::status(key_path, error).permissions();
    if (!error && (perms & fs::perms::others_all) != fs::perms::none) {
      report.problems.push_back(key_path + ": a private key readable by every user; chmod 0600 "
                                "(or 0640 with the group of the node's user)");
    }
  }
  if (!report.problems.empty() || !files.genesis) return report;
  const ledger::Genesis& genesis = *files.genesis;
  std::ifstream in(options.genesis_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  report.summary =
      "chain " + genesis.chain_id() + " (" + std::string(crypto::HashAlgorithmName(genesis.hash())) +
      "), genesis file sha256 " + crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, bytes)) +
      "\n" +
      (files.own_index ? "validator " + genesis.validators()[*files.own_index].name + " (" +
                             std::to_string(*files.own_index + 1) + " of " +
                             std::to_string(genesis.validators().size()) + ")"
       : files.node_index
           ? "node " + genesis.validators()[*files.node_index].name +
                 (files.vote_key ? ": its vote key is in no set yet; it votes once governance "
                                   "adds it"
                                 : " without a vote key: it will not vote")
                          : "a node genesis does not name (node key " +
                                files.node_key->key_id() +
                                "): the others accept it once governance admits it; it votes "
                                "once a set in force holds its vote key") +
      "\np2p " + options.p2p_listen + ", api " + options.api_listen + ", data " +
      options.data_dir;
  return report;
}

Result<std::unique_ptr<Node>> Node::Create(NodeOptions options) {
  LoadedFiles files = LoadFiles(options);
  if (!files.problems.empty()) return Status::InvalidArgument(JoinLines(files.problems));
  auto impl = std::make_unique<NodeImpl>(std::move(options), std::move(*files.genesis),
                                         std::move(*files.node_key), files.node_index,
                                         std::move(files.vote_key),
                                         std::move(files.next_vote_key), files.own_index,
                                         std::move(files.timestamp_authority));
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::Node(std::unique_ptr<NodeImpl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(); }
Status Node::Start() { return impl_->Start(); }
void Node::Stop() { impl_->Stop(); }
uint16_t Node::api_port() const { return impl_->api_port(); }
uint16_t Node::p2p_port() const { return impl_->p2p_port(); }
const std::string& Node::chain_id() const { return impl_->genesis().chain_id(); }
std::optional<uint32_t> Node::validator_index() const { return impl_->own_index(); }

}  // namespace evidence::node
