#include "node/node.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "api/http/api_server.h"
#include "common/log_throttle.h"
#include "common/metrics.h"
#include "ledger/store.h"
#include "node/backup_server.h"
#include "node/consensus/key_signer.h"
#include "node/consensus/validator_sets.h"
#include "node/driver/block_validator.h"
#include "node/driver/consensus_driver.h"
#include "node/intake/peer_intake.h"
#include "node/node_config.h"
#include "node/node_metrics.h"
#include "node/p2p/transport.h"
#include "node/record_pool.h"
#include "node/service.h"
#include "node/anchors.h"
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
           uint32_t node_index, std::optional<crypto::PrivateKey> vote_key,
           std::optional<uint32_t> own_index,
           std::optional<crypto::TimestampAuthority> timestamp_authority)
      : options_(std::move(options)),
        genesis_(std::move(genesis)),
        node_key_(std::move(node_key)),
        node_index_(node_index),
        vote_key_(std::move(vote_key)),
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
  void CreateIntakeAndValidator();
  Status CreateTransport();
  void CreateDriver(std::optional<consensus::PersistedState> restored);
  Status StartApi();

  NodeOptions options_;
  const ledger::Genesis genesis_;
  const crypto::PrivateKey node_key_;
  const uint32_t node_index_;
  const std::optional<crypto::PrivateKey> vote_key_;
  const std::optional<uint32_t> own_index_;
  std::optional<crypto::TimestampAuthority> timestamp_authority_;  // moved into timestamps_
  bool started_ = false;
  bool stopped_ = false;
  LogThrottle refusal_log_{5, std::chrono::seconds(1)};

  metrics::Registry registry_;
  NodeMetrics metrics_;
  std::unique_ptr<ledger::Store> store_;
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
  hooks.on_governance_admitted = [this] { driver_->PostRecordsAdmitted({}, true); };
  timestamps_ = std::make_unique<TimestampService>(genesis_, *store_, node_index_,
                                                   std::move(timestamp_authority_),
                                                   options_.tsa_peer_urls);
  std::vector<crypto::NoteKey> own_witnesses;
  for (const std::string& vkey : options_.witness_vkeys) {
    own_witnesses.push_back(crypto::NoteKey::FromVkey(vkey).value());  // checked by LoadFiles
  }
  checkpoints_ = std::make_unique<CheckpointService>(
      genesis_, *store_, vote_key_ ? &*vote_key_ : nullptr,
      genesis_.validators()[node_index_].name, std::move(own_witnesses),
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
  EVIDENCE_RETURN_IF_ERROR(CreateTransport());
  CreateDriver(std::move(restored));
  intake_->Start();
  driver_->Start();
  EVIDENCE_RETURN_IF_ERROR(transport_->Start());
  EVIDENCE_RETURN_IF_ERROR(StartApi());
  spdlog::info("event=node_started chain={} height={} validator={} p2p_port={} api_port={}",
               genesis_.chain_id(), store_->height(),
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

void NodeImpl::CreateIntakeAndValidator() {
  intake_ = std::make_unique<PeerIntake>(
      genesis_.validators().size(),
      [this](std::vector<std::string> leaves) { service_->AdmitFromPeer(std::move(leaves)); },
      [this](uint32_t peer, PeerMessage message, size_t bytes) {
        driver_->PostPeerMessage(peer, std::move(message), bytes);
      },
      [this](uint32_t peer) { return genesis_.validators()[peer].name; },
      metrics_.peer_frames_dropped);
  if (vote_key_) signer_ = std::make_unique<consensus::KeySigner>(*vote_key_);
  verifier_ = std::make_unique<consensus::ValidatorSetVerifier>();
  validator_ = std::make_unique<LedgerBlockValidator>(genesis_, *store_, *mempool_, *intake_,
                                                      metrics_.signature_checks);
}

// The transport, created but not started: its handlers reach the intake and
// the driver, which exist before it runs.
Status NodeImpl::CreateTransport() {
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
                               *validator_, transport_.get(), validator_sets_.get()};
  driver_ = std::make_unique<ConsensusDriver>(driver_options, std::move(core_config), parts,
                                              node_index_, own_index_, std::move(restored));
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

struct LoadedFiles {
  std::optional<ledger::Genesis> genesis;
  std::optional<crypto::PrivateKey> node_key;
  std::optional<uint32_t> node_index;
  std::optional<crypto::PrivateKey> vote_key;
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
    for (size_t i = 0; out.genesis && i < out.genesis->validators().size(); ++i) {
      if (out.genesis->validators()[i].node_key.key_id() == out.node_key->key_id()) {
        out.node_index = static_cast<uint32_t>(i);
      }
    }
    if (out.genesis && !out.node_index) {
      out.problems.push_back("node_key: " + out.node_key->key_id() + " (" +
                             options.node_key_path +
                             ") is not the node key of any validator in genesis");
    }
  }
  if (!options.vote_key_path.empty()) {
    auto vote_key = crypto::PrivateKey::LoadPem(options.vote_key_path);
    if (!vote_key.ok()) {
      out.problems.push_back("vote_key: " + vote_key.status().message());
    } else {
      out.vote_key = std::move(*vote_key);
      int index = out.genesis ? out.genesis->validator_set().IndexOfKey(out.vote_key->key_id()) : -1;
      if (out.genesis && index < 0) {
        out.problems.push_back("vote_key: " + out.vote_key->key_id() + " (" +
                               options.vote_key_path + ") is not a validator's in genesis");
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
  for (const auto& peer : options.peer_addresses) {
    const std::string& name = peer.first;
    bool known = out.genesis &&
                 std::any_of(out.genesis->validators().begin(), out.genesis->validators().end(),
                             [&](const ledger::GenesisValidator& v) { return v.name == name; });
    if (out.genesis && !known) {
      out.problems.push_back("p2p.peers names \"" + name + "\", no validator in genesis");
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
       {options.node_key_path, options.vote_key_path, options.tsa_key_path}) {
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
                       : "node " + genesis.validators()[*files.node_index].name +
                             " without a vote key: it will not vote") +
      "\np2p " + options.p2p_listen + ", api " + options.api_listen + ", data " +
      options.data_dir;
  return report;
}

Result<std::unique_ptr<Node>> Node::Create(NodeOptions options) {
  LoadedFiles files = LoadFiles(options);
  if (!files.problems.empty()) return Status::InvalidArgument(JoinLines(files.problems));
  auto impl = std::make_unique<NodeImpl>(std::move(options), std::move(*files.genesis),
                                         std::move(*files.node_key), *files.node_index,
                                         std::move(files.vote_key), files.own_index,
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
