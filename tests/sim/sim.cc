#include "tests/sim/sim.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <unordered_map>

#include "common/check.h"
#include "crypto/signature.h"
#include "ledger/governance.h"

namespace evidence::sim {
namespace {

using consensus::ConsensusCore;
using consensus::Effect;
using consensus::Message;
using consensus::PlantedBug;
using consensus::Proposal;
using consensus::TimeoutKind;
using ledger::Vote;
using MessagePtr = std::shared_ptr<const Message>;

constexpr size_t kTraceEvents = 30;
constexpr size_t kSimValidatorsMax = 64;  // nodes, members or not (bit masks of 64)
constexpr int64_t kSyncPollMs = 1000;     // an observer asks for its next block this often
constexpr int64_t kHealDelayMaxMs = 100;  // message delay bound after the heal
constexpr int64_t kLivenessTimeLimitMs = 30 * 60 * 1000;
constexpr uint64_t kEventsMax = 20'000'000;
constexpr size_t kByzantineMemory = 256;
constexpr int64_t kIdleCheckMs = 10'000;  // quiet time checked after the target
// During the idle check an honest validator restarts and its application says,
// once, that records wait although it has none to propose (a stale mempool
// entry its block builder then drops, as a restarted node catching up can
// hold). Such a wake may cost the network nil votes above the target in rounds
// 0..kIdleWakeRoundsMax, never more (no proposal, no block, no later round).
constexpr uint32_t kIdleWakeRoundsMax = 1;

// ---------------------------------------------------------------- fast, deterministic crypto

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

uint64_t HashBytes(uint64_t key, ByteView data) {
  uint64_t h = Mix(key ^ 0x9e3779b97f4a7c15ull);
  for (uint8_t byte : data) h = (h ^ byte) * 0x100000001b3ull;
  return Mix(h ^ data.size());
}

Bytes U64Bytes(uint64_t value) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
  return out;
}

// A keyed hash: only the holder of a vote key's secret can produce its
// signatures; the verifier is the simulation's oracle that knows every secret.
// A node holds the secret of each vote key it was given (two around a rotation).
class SimSigner : public consensus::Signer {
 public:
  void Add(const std::string& key_id, uint64_t secret) { secrets_[key_id] = secret; }
  bool Holds(const crypto::PublicKey& vote_key) const override {
    return secrets_.contains(vote_key.key_id());
  }
  Bytes Sign(const crypto::PublicKey& vote_key, ByteView message) override {
    EVIDENCE_CHECK(Holds(vote_key));
    return U64Bytes(HashBytes(secrets_.at(vote_key.key_id()), message));
  }
  // The id of the key of this node that made `signature` over `message`, if any.
  std::optional<std::string> Signed(ByteView message, ByteView signature) const {
    for (const auto& [key_id, secret] : secrets_) {
      Bytes expected = U64Bytes(HashBytes(secret, message));
      if (signature.size() == expected.size() &&
          std::equal(expected.begin(), expected.end(), signature.begin())) {
        return key_id;
      }
    }
    return std::nullopt;
  }

 private:
  std::map<std::string, uint64_t> secrets_;  // by key id
};

class SimVerifier : public consensus::SignatureVerifier {
 public:
  void Add(const std::string& key_id, uint64_t secret) { secrets_[key_id] = secret; }
  bool Verify(const ledger::ValidatorSet& validators, uint32_t index, ByteView message,
              ByteView signature) const override {
    if (index >= validators.size()) return false;
    auto secret = secrets_.find(validators.at(index).vote_key.key_id());
    if (secret == secrets_.end()) return false;
    Bytes expected = U64Bytes(HashBytes(secret->second, message));
    return signature.size() == expected.size() &&
           std::equal(expected.begin(), expected.end(), signature.begin());
  }

 private:
  std::map<std::string, uint64_t> secrets_;  // by key id
};

// ---------------------------------------------------------------- validator sets

// A member of a validator set: its node, power and vote key (VoteKeys number).
struct Member {
  uint32_t node = 0;
  uint64_t power = 1;
  size_t key = 0;
};

// The validators of a run of heights: the set, and which node each member is.
struct Epoch {
  uint64_t since = 1;  // first height it decides (a change committed at since - 2)
  std::shared_ptr<const ledger::ValidatorSet> set;
  std::vector<uint32_t> nodes;  // position in the set -> node
  std::unique_ptr<consensus::ProposerSchedule> proposers;  // the checkers' oracle
};

// The schedule of sets, fixed before the run (docs/governance.md §3: a change
// committed at height h decides from h + 2 on). The oracle for every node.
class SimValidatorSets : public consensus::ValidatorSets {
 public:
  consensus::HeightValidators ForHeight(uint64_t height) const override {
    const Epoch& epoch = At(height);
    return {epoch.set, epoch.since};
  }
  const Epoch& At(uint64_t height) const { return epochs_[IndexAt(height)]; }
  const ledger::ValidatorSet& Set(uint64_t height) const { return *At(height).set; }
  // The member index of `node` at `height`, if it is one.
  std::optional<uint32_t> IndexOf(uint32_t node, uint64_t height) const {
    const Epoch& epoch = At(height);
    for (uint32_t i = 0; i < epoch.nodes.size(); ++i) {
      if (epoch.nodes[i] == node) return i;
    }
    return std::nullopt;
  }
  uint32_t Proposer(uint64_t height, uint32_t round) {
    Epoch& epoch = epochs_[IndexAt(height)];
    return epoch.proposers->ProposerAt(height - epoch.since + 1, round);
  }
  void Add(Epoch epoch) {
    EVIDENCE_CHECK(epochs_.empty() ? epoch.since == 1 : epoch.since > epochs_.back().since);
    epochs_.push_back(std::move(epoch));
  }
  size_t size() const { return epochs_.size(); }

 private:
  size_t IndexAt(uint64_t height) const {
    EVIDENCE_CHECK(height >= 1 && !epochs_.empty());
    size_t i = epochs_.size() - 1;
    while (epochs_[i].since > height) --i;  // epochs_[0].since == 1
    return i;
  }

  std::vector<Epoch> epochs_;
};

// Block: u64 height, u32 proposer, u32 round, u8 valid flag, u64 nonce (25 bytes).
constexpr size_t kBlockBytes = 25;

Bytes MakeBlock(uint64_t height, uint32_t proposer, uint32_t round, bool valid, uint64_t nonce) {
  Bytes out = U64Bytes(height);
  Bytes p = U64Bytes(proposer), r = U64Bytes(round), n = U64Bytes(nonce);
  out.insert(out.end(), p.begin(), p.begin() + 4);
  out.insert(out.end(), r.begin(), r.begin() + 4);
  out.push_back(valid ? 1 : 0);
  out.insert(out.end(), n.begin(), n.end());
  return out;
}

class SimBlocks : public consensus::BlockValidator {
 public:
  crypto::Digest Hash(ByteView block) const override {
    crypto::Digest digest{};
    for (uint64_t word = 0; word < 4; ++word) {
      uint64_t h = HashBytes(word + 1, block);
      for (int i = 0; i < 8; ++i) digest[word * 8 + i] = static_cast<uint8_t>(h >> (8 * i));
    }
    return digest;
  }
  bool IsValid(uint64_t height, ByteView block) override {
    if (block.size() != kBlockBytes || block[16] != 1) return false;
    uint64_t block_height = 0;
    for (int i = 0; i < 8; ++i) block_height |= static_cast<uint64_t>(block[i]) << (8 * i);
    return block_height == height;
  }
};

// Vote keys only name validators here (signatures are simulated), so one set of
// real keys is made per process and reused by every run.
const std::vector<crypto::PublicKey>& VoteKeys(size_t count) {
  EVIDENCE_CHECK(count <= 256);
  static std::vector<crypto::PublicKey> keys;
  while (keys.size() < count) {
    Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
    EVIDENCE_CHECK(key.ok());
    keys.push_back(key->public_key());
  }
  return keys;
}

std::string Hex8(const crypto::Digest& digest) {
  static const char* kDigits = "0123456789abcdef";
  bool nil = std::all_of(digest.begin(), digest.end(), [](uint8_t b) { return b == 0; });
  if (nil) return "nil";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out.push_back(kDigits[digest[i] >> 4]);
    out.push_back(kDigits[digest[i] & 15]);
  }
  return out;
}

std::string Describe(const Message& message) {
  std::ostringstream out;
  if (const auto* p = std::get_if<Proposal>(&message)) {
    out << "proposal h=" << p->height << " r=" << p->round << " pol=" << p->pol_round
        << " block=" << Hex8(p->block_hash) << " by=" << p->proposer_index;
  } else if (const auto* v = std::get_if<Vote>(&message)) {
    out << (v->type == ledger::VoteType::kPrevote ? "prevote" : "precommit") << " h=" << v->height
        << " r=" << v->round << " block=" << Hex8(v->block_hash) << " by=" << v->validator_index;
  } else if (const auto* d = std::get_if<consensus::DecidedBlock>(&message)) {
    out << "decided h=" << d->commit.height << " r=" << d->commit.round
        << " block=" << Hex8(d->commit.block_hash) << " sigs=" << d->commit.signatures.size();
  } else {
    out << "block-request h=" << std::get<consensus::BlockRequest>(message).height;
  }
  return out.str();
}

// ---------------------------------------------------------------- events

enum class EventKind {
  kDeliver, kTimeout, kBlockReady, kRecords, kCrash, kRestart, kPartition, kPartitionEnd,
  kHeal, kReplay, kIdleRestart, kSyncPoll,
};

struct Event {
  int64_t time_ms = 0;
  uint64_t sequence = 0;
  EventKind kind = EventKind::kDeliver;
  uint32_t node = 0;
  uint32_t from = 0;
  uint64_t epoch = 0;
  MessagePtr message;
  uint64_t height = 0;
  uint32_t round = 0;
  TimeoutKind timeout = TimeoutKind::kPropose;
};

struct EventLater {
  bool operator()(const Event& a, const Event& b) const {
    return std::tie(a.time_ms, a.sequence) > std::tie(b.time_ms, b.sequence);
  }
};

// Byzantine behaviours, chosen per seed and validator.
enum Behaviour : uint32_t {
  kSilent = 1,        // sends nothing at all
  kEquivocate = 2,    // proposes different blocks to different peers
  kDoubleVote = 4,    // sends conflicting votes to different peers
  kVoteAll = 8,       // prevotes and precommits every proposal it sees
  kInvalidBlocks = 16,  // proposes blocks that break the rules, and votes for them
  kReplay = 32,       // re-sends old messages it received
};

struct Node {
  bool byzantine = false;
  uint32_t behaviours = 0;
  bool up = true;
  uint64_t epoch = 0;  // bumps at each crash: older timers are dropped
  std::unique_ptr<SimSigner> signer;
  std::unique_ptr<consensus::PlantedDeviations> deviations;  // before `core`, which uses it
  std::unique_ptr<ConsensusCore> core;
  std::optional<consensus::PersistedState> wal;
  std::vector<consensus::DecidedBlock> chain;  // committed blocks, height = index + 1
  int64_t clock_skew_ms = 0;
  uint64_t rounds_before = 0;  // rounds started by earlier incarnations
  uint64_t rounds_mark = 0;    // cumulative rounds at the last commit (after the heal)
  bool pending_block_request = false;
  bool stale_records = false;  // at its next start, a records signal with nothing to propose
  // The (height, round) the application last told the core about waiting
  // records: it tells it again at every new round while records wait.
  std::pair<uint64_t, uint32_t> signalled{0, 0};
  std::deque<MessagePtr> seen;  // Byzantine memory for replays
  // Byzantine: the one alternative proposal per (height, round), and the block
  // hashes proposed at each height (targets for double votes).
  std::map<std::pair<uint64_t, uint32_t>, MessagePtr> alternatives;
  std::map<uint64_t, std::vector<crypto::Digest>> proposed;
};

struct Faults {
  double loss = 0;
  double duplicate = 0;
  int64_t delay_max_ms = 50;
  double mid_outbox_crash = 0;  // per processed outbox
  std::vector<std::vector<bool>> blocked;  // blocked[from][to]
};

class Simulation {
 public:
  Simulation(const SimConfig& config, uint64_t seed);
  SimResult Run();

 private:
  void Setup();
  void SetupPowers(std::vector<uint64_t>& powers);
  void SetupSetChanges(std::vector<Member> members);
  size_t NewKey(uint32_t node);
  Epoch MakeEpoch(uint64_t since, const std::vector<Member>& members) const;
  bool SafeSet(const std::vector<Member>& members) const;
  Bytes SignAs(uint32_t node, uint64_t height, uint32_t validator_index, ByteView message);
  void CheckMembership(uint32_t index, const Message& message, const std::string& key_id);
  void SetupFaultSchedule();
  void Push(Event event);
  void Dispatch(const Event& event);
  void StartNode(uint32_t index);
  void Crash(uint32_t index);
  void Deliver(const Event& event);
  void Process(uint32_t index);
  void ApplyEffect(uint32_t index, const Effect& effect);
  void Send(uint32_t from, uint32_t to, MessagePtr message);
  void Broadcast(uint32_t from, const MessagePtr& message);
  void ByzantineBroadcast(uint32_t from, const MessagePtr& message);
  void ByzantineOnProposal(uint32_t index, const Proposal& proposal);
  MessagePtr ByzantineAlternative(uint32_t from, const Proposal& original);
  Bytes ByzantineSignedVote(uint32_t index, Vote& vote);
  void SignalWork(uint32_t index);
  bool HasWork(const Node& node, uint64_t height) const;
  int64_t RecordsArrivalMs(uint64_t height) const;
  void Heal();
  void RandomPartition();
  void ScheduleIdleRestart();
  void SignalNewRound(uint32_t index);
  void SyncPoll(uint32_t index);

  // Checkers.
  void CheckCommit(uint32_t index, const consensus::CommitEffect& commit);
  void CheckSigned(uint32_t index, const Message& message);
  void CheckLock(uint32_t index, const Vote& prevote);
  void RecordPrevote(const Vote& vote);
  bool PolkaExists(uint64_t height, uint32_t round, const crypto::Digest& hash) const;
  void CheckEvidence(const consensus::EvidenceEffect& evidence);
  void CheckLiveness();
  void Fail(std::string invariant, std::string detail);
  void Trace(std::string line);

  int64_t NodeNow(uint32_t index) const { return now_ms_ + nodes_[index].clock_skew_ms; }
  uint64_t Random(uint64_t bound) { return bound == 0 ? 0 : rng_() % bound; }
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  bool AllHonestDone() const;

  SimConfig config_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  SimResult result_;
  bool failed_ = false;

  SimValidatorSets sets_;
  SimVerifier verifier_;
  size_t keys_used_ = 0;  // vote keys handed out (VoteKeys)
  SimBlocks blocks_;
  consensus::CoreConfig core_config_;
  std::vector<Node> nodes_;

  std::priority_queue<Event, std::vector<Event>, EventLater> events_;
  uint64_t sequence_ = 0;
  int64_t now_ms_ = 0;
  Faults faults_;
  bool healed_ = false;
  int64_t heal_ms_ = 0;
  std::optional<int64_t> idle_since_ms_;
  int64_t record_interval_ms_ = 0;
  uint64_t target_height_ = 0;  // set at the heal
  uint32_t early_node_ = 0;      // the one honest node a kValidatorSetEarly bug is planted on

  std::map<uint64_t, crypto::Digest> committed_;  // height -> block hash
  // (validator, height, round, type) -> hash signed by an honest validator.
  std::unordered_map<std::string, crypto::Digest> signed_;
  // Signers (bit i: validator i) of each (height, round, hash) prevote; lookups only.
  std::unordered_map<std::string, uint64_t> prevotes_;
  // (validator, height) -> the (round, hash) of each non-nil precommit it signed.
  std::map<std::pair<uint32_t, uint64_t>, std::vector<std::pair<uint32_t, crypto::Digest>>> precommitted_;
  std::deque<std::string> trace_;
};

Simulation::Simulation(const SimConfig& config, uint64_t seed)
    : config_(config), seed_(seed), rng_(seed) {}

void Simulation::Fail(std::string invariant, std::string detail) {
  if (failed_) return;
  failed_ = true;
  result_.ok = false;
  result_.invariant = std::move(invariant);
  result_.detail = std::move(detail);
  result_.trace.assign(trace_.begin(), trace_.end());
}

void Simulation::Trace(std::string line) {
  std::string stamped = "t=" + std::to_string(now_ms_) + " " + line;
  if (config_.verbose) std::printf("%s\n", stamped.c_str());
  trace_.push_back(std::move(stamped));
  if (trace_.size() > kTraceEvents) trace_.pop_front();
}

// Unequal powers in half of the runs, so that counting validators instead of
// power, or accepting exactly 2/3, makes a difference. The Byzantine
// validators always hold less than a third of the power.
void Simulation::SetupPowers(std::vector<uint64_t>& powers) {
  uint32_t n = config_.validators;
  powers.assign(n, 1);
  if (Random(2) == 0) return;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint64_t total = 0, byzantine = 0;
    for (uint32_t i = 0; i < n; ++i) {
      powers[i] = 1 + Random(4);
      total += powers[i];
      if (nodes_[i].byzantine) byzantine += powers[i];
    }
    if (3 * byzantine < total) return;
  }
  powers.assign(n, 1);
}

void Simulation::Setup() {
  uint32_t n = config_.validators;
  nodes_.resize(n);
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng_);
  for (uint32_t i = 0; i < config_.byzantine; ++i) {
    Node& node = nodes_[order[i]];
    node.byzantine = true;
    node.behaviours = Random(6) == 0 ? kSilent : static_cast<uint32_t>(Random(64)) & ~kSilent;
  }
  early_node_ = order[config_.byzantine];
  std::vector<uint64_t> powers;
  SetupPowers(powers);
  std::vector<Member> members;
  for (uint32_t i = 0; i < n; ++i) {
    nodes_[i].signer = std::make_unique<SimSigner>();
    nodes_[i].clock_skew_ms = static_cast<int64_t>(Random(1001)) - 500;
    members.push_back({i, powers[i], NewKey(i)});
  }
  sets_.Add(MakeEpoch(1, members));
  if (config_.set_changes > 0) SetupSetChanges(members);

  core_config_.chain_id = "sim";
  core_config_.timeout_propose_ms = 1000;
  core_config_.timeout_propose_delta_ms = 250;
  core_config_.timeout_vote_ms = 500;
  core_config_.timeout_vote_delta_ms = 250;
  core_config_.retransmit_interval_ms = 1000;
  core_config_.fetch_interval_ms = 500;
  core_config_.block_bytes_max = kBlockBytes;  // the core's memory bound counts these
  record_interval_ms_ = Random(3) == 0 ? 0 : static_cast<int64_t>(Random(1500));
  SetupFaultSchedule();
  std::ostringstream about;
  about << "seed " << seed_ << ": powers";
  for (uint64_t p : powers) about << " " << p;
  about << " byzantine";
  for (uint32_t i = 0; i < n; ++i) {
    if (nodes_[i].byzantine) about << " v" << i << "(behaviours " << nodes_[i].behaviours << ")";
  }
  about << " loss " << faults_.loss << " heal at " << heal_ms_ << "ms";
  Trace(about.str());
  for (uint32_t i = 0; i < nodes_.size(); ++i) StartNode(i);
}

// A fresh vote key for `node` (its signer and the verifier learn its secret).
size_t Simulation::NewKey(uint32_t node) {
  size_t key = keys_used_++;
  const std::string& key_id = VoteKeys(keys_used_)[key].key_id();
  uint64_t secret = rng_();
  nodes_[node].signer->Add(key_id, secret);
  verifier_.Add(key_id, secret);
  return key;
}

Epoch Simulation::MakeEpoch(uint64_t since, const std::vector<Member>& members) const {
  const std::vector<crypto::PublicKey>& keys = VoteKeys(keys_used_);
  std::vector<ledger::Validator> list;
  std::vector<uint64_t> powers;
  Epoch epoch;
  epoch.since = since;
  for (const Member& member : members) {
    list.push_back({"n" + std::to_string(member.node), "sim", keys[member.key], member.power});
    powers.push_back(member.power);
    epoch.nodes.push_back(member.node);
  }
  Result<ledger::ValidatorSet> set = ledger::ValidatorSet::Create(std::move(list));
  EVIDENCE_CHECK(set.ok());
  epoch.set = std::make_shared<const ledger::ValidatorSet>(std::move(set).value());
  epoch.proposers = std::make_unique<consensus::ProposerSchedule>(std::move(powers));
  return epoch;
}

// Every set the simulation uses keeps the Byzantine validators below a third
// of its power (the protocol's assumption) and within the simulator's limits.
bool Simulation::SafeSet(const std::vector<Member>& members) const {
  if (members.empty() || members.size() > kSimValidatorsMax) return false;
  uint64_t total = 0, byzantine = 0;
  for (const Member& member : members) {
    total += member.power;
    if (nodes_[member.node].byzantine) byzantine += member.power;
  }
  return 3 * byzantine < total;
}

// Validator set changes committed at heights 1, 2, ... (one or two apart), each
// deciding from two heights later: a new node joins (it runs from the start,
// as an observer until then), an honest member leaves (its node goes on as an
// observer), a member's power changes, or a member's vote key is rotated (its
// node holds both keys). Each set must stay safe (SafeSet).
void Simulation::SetupSetChanges(std::vector<Member> members) {
  const bool unequal =
      std::any_of(members.begin(), members.end(), [](const Member& m) { return m.power != 1; });
  uint64_t changes = 1 + Random(config_.set_changes);
  uint64_t committed_at = 0;
  std::ostringstream about;
  about << "set changes:";
  for (uint64_t c = 0; c < changes; ++c) {
    committed_at += 1 + Random(2);
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::vector<Member> next = members;
      std::string what;
      size_t pick = Random(next.size());
      switch (Random(4)) {
        case 0: {  // add
          if (nodes_.size() >= kSimValidatorsMax) continue;
          uint32_t node = static_cast<uint32_t>(nodes_.size());
          nodes_.emplace_back();
          nodes_.back().signer = std::make_unique<SimSigner>();
          nodes_.back().clock_skew_ms = static_cast<int64_t>(Random(1001)) - 500;
          next.push_back({node, unequal ? 1 + Random(4) : 1, NewKey(node)});
          what = "add n" + std::to_string(node);
          break;
        }
        case 1:  // remove an honest member
          if (nodes_[next[pick].node].byzantine) continue;
          what = "remove n" + std::to_string(next[pick].node);
          next.erase(next.begin() + static_cast<std::ptrdiff_t>(pick));
          break;
        case 2:  // power
          next[pick].power = 1 + Random(4);
          what = "power n" + std::to_string(next[pick].node) + "=" + std::to_string(next[pick].power);
          break;
        default:  // rotate the vote key
          next[pick].key = NewKey(next[pick].node);
          what = "rotate n" + std::to_string(next[pick].node);
          break;
      }
      if (!SafeSet(next)) continue;
      members = std::move(next);
      sets_.Add(MakeEpoch(committed_at + ledger::kGovernanceActivationDelay, members));
      about << " " << what << " (committed at " << committed_at << ")";
      break;
    }
  }
  Trace(about.str());
}

void Simulation::SetupFaultSchedule() {
  const size_t n = nodes_.size();
  faults_.loss = Uniform() * 0.3;
  faults_.duplicate = Uniform() * 0.1;
  faults_.delay_max_ms = 20 + static_cast<int64_t>(Random(2000));
  faults_.mid_outbox_crash = Random(2) == 0 ? 0.0 : 0.02 * Uniform();
  faults_.blocked.assign(n, std::vector<bool>(n, false));
  heal_ms_ = 1000 + static_cast<int64_t>(Random(20000));
  Push(Event{.time_ms = heal_ms_, .kind = EventKind::kHeal});
  uint64_t partitions = Random(5);
  for (uint64_t i = 0; i < partitions; ++i) {
    int64_t start = static_cast<int64_t>(Random(static_cast<uint64_t>(heal_ms_)));
    Push(Event{.time_ms = start, .kind = EventKind::kPartition});
    Push(Event{.time_ms = start + 200 + static_cast<int64_t>(Random(5000)),
               .kind = EventKind::kPartitionEnd});
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (nodes_[i].byzantine) {
      if (nodes_[i].behaviours & kReplay) {
        Push(Event{.time_ms = static_cast<int64_t>(Random(500)), .kind = EventKind::kReplay, .node = i});
      }
      continue;
    }
    uint64_t crashes = Random(4);
    for (uint64_t c = 0; c < crashes; ++c) {
      Push(Event{.time_ms = static_cast<int64_t>(Random(static_cast<uint64_t>(heal_ms_))),
                 .kind = EventKind::kCrash, .node = i});
    }
  }
}

void Simulation::Push(Event event) {
  event.sequence = sequence_++;
  events_.push(std::move(event));
}

SimResult Simulation::Run() {
  Setup();
  while (!events_.empty() && !failed_) {
    Event event = events_.top();
    events_.pop();
    now_ms_ = event.time_ms;
    if (++result_.events > kEventsMax) {
      Fail("liveness", "event budget exhausted");
      break;
    }
    Dispatch(event);
    if (healed_ && !idle_since_ms_ && AllHonestDone()) {
      // No records beyond the target: the cluster must go quiet, no empty blocks.
      idle_since_ms_ = now_ms_;
      Trace("every honest validator reached the target: idle check");
      ScheduleIdleRestart();
    }
    if (idle_since_ms_ && now_ms_ > *idle_since_ms_ + kIdleCheckMs) break;
    if (healed_ && now_ms_ > heal_ms_ + kLivenessTimeLimitMs) {
      Fail("liveness", "honest validators did not reach height " +
                           std::to_string(target_height_) + " within 30 min after the heal");
    }
  }
  if (!failed_ && !(healed_ && AllHonestDone())) {
    Fail("liveness", "the network went quiet before every honest validator reached height " +
                         std::to_string(target_height_));
  }
  if (!failed_) CheckLiveness();
  result_.sim_time_ms = now_ms_;
  for (const Node& node : nodes_) {
    if (!node.byzantine) result_.heights_committed = std::max<uint64_t>(result_.heights_committed, node.chain.size());
  }
  return result_;
}

bool Simulation::AllHonestDone() const {
  for (const Node& node : nodes_) {
    if (!node.byzantine && node.chain.size() < target_height_) return false;
  }
  return true;
}

void Simulation::Dispatch(const Event& event) {
  Node& node = nodes_[event.node];
  switch (event.kind) {
    case EventKind::kDeliver:
      Deliver(event);
      break;
    case EventKind::kTimeout:
      if (!node.up || event.epoch != node.epoch) return;
      node.core->OnTimeout(event.height, event.round, event.timeout, NodeNow(event.node));
      Process(event.node);
      break;
    case EventKind::kBlockReady: {
      if (!node.up || event.epoch != node.epoch) return;
      bool valid = !(node.behaviours & kInvalidBlocks) || Random(2) == 0;
      Bytes block = MakeBlock(event.height, event.node, event.round, valid, rng_());
      node.core->OnBlockReady(event.height, std::move(block), NodeNow(event.node));
      Process(event.node);
      break;
    }
    case EventKind::kRecords:
      if (!node.up || event.epoch != node.epoch) return;
      SignalWork(event.node);
      break;
    case EventKind::kCrash:
      if (!healed_ && node.up) Crash(event.node);
      break;
    case EventKind::kRestart:
      if (!node.up && event.epoch == node.epoch) StartNode(event.node);
      break;
    case EventKind::kIdleRestart:
      if (!node.up) return;
      Crash(event.node);
      node.stale_records = true;
      Push(Event{.time_ms = now_ms_ + 50 + static_cast<int64_t>(Random(450)),
                 .kind = EventKind::kRestart, .node = event.node, .epoch = node.epoch});
      break;
    case EventKind::kPartition:
      if (!healed_) RandomPartition();
      break;
    case EventKind::kPartitionEnd:
      for (auto& row : faults_.blocked) std::fill(row.begin(), row.end(), false);
      Trace("partition healed");
      break;
    case EventKind::kHeal:
      Heal();
      break;
    case EventKind::kSyncPoll:
      if (!node.up || event.epoch != node.epoch) return;
      SyncPoll(event.node);
      break;
    case EventKind::kReplay:
      if (!node.seen.empty()) {
        uint32_t to = static_cast<uint32_t>(Random(nodes_.size()));
        Send(event.node, to, node.seen[Random(node.seen.size())]);
      }
      if (!healed_) Push(Event{.time_ms = now_ms_ + 50 + static_cast<int64_t>(Random(400)),
                               .kind = EventKind::kReplay, .node = event.node});
      break;
  }
}

void Simulation::RandomPartition() {
  const size_t n = nodes_.size();
  std::vector<bool> side(n);
  for (uint32_t i = 0; i < n; ++i) side[i] = Random(2) == 1;
  bool one_way = Random(2) == 0;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      faults_.blocked[a][b] = side[a] != side[b] && (!one_way || side[a]);
    }
  }
  Trace(one_way ? "partition (one-way)" : "partition (symmetric)");
}

// One honest validator restarts during the idle check (kIdleWakeRoundsMax).
void Simulation::ScheduleIdleRestart() {
  std::vector<uint32_t> honest;
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].byzantine) honest.push_back(i);
  }
  Push(Event{.time_ms = now_ms_ + static_cast<int64_t>(Random(kIdleCheckMs / 4)),
             .kind = EventKind::kIdleRestart, .node = honest[Random(honest.size())]});
}

void Simulation::Heal() {
  healed_ = true;
  faults_ = Faults{.loss = 0, .duplicate = 0, .delay_max_ms = kHealDelayMaxMs,
                   .mid_outbox_crash = 0,
                   .blocked = std::vector<std::vector<bool>>(nodes_.size(),
                                                             std::vector<bool>(nodes_.size()))};
  uint64_t highest = 0;
  for (const Node& node : nodes_) {
    if (!node.byzantine) highest = std::max<uint64_t>(highest, node.chain.size());
  }
  target_height_ = highest + config_.heights;
  Trace("heal: faults off, target height " + std::to_string(target_height_));
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    Node& node = nodes_[i];
    if (node.byzantine) continue;
    if (!node.up) StartNode(i);
    node.rounds_mark = node.rounds_before + node.core->rounds_started();
    SignalWork(i);  // records for every height up to the target are waiting now
  }
}

// ---------------------------------------------------------------- nodes

void Simulation::StartNode(uint32_t index) {
  Node& node = nodes_[index];
  node.core.reset();
  PlantedBug bug = node.byzantine ? PlantedBug::kIgnoreLock : config_.bug;
  // A set change applied early is planted on one honest validator only.
  if (bug == PlantedBug::kValidatorSetEarly && index != early_node_) bug = PlantedBug::kNone;
  node.deviations = std::make_unique<consensus::PlantedDeviations>(bug);
  node.core = std::make_unique<ConsensusCore>(core_config_, sets_, node.signer.get(), verifier_,
                                              blocks_, node.deviations->get());
  if (node.wal) node.core->Restore(*node.wal);
  node.up = true;
  node.pending_block_request = false;
  int64_t previous_time =
      node.chain.empty() ? 0
                         : ledger::CommitMedianTimeMs(sets_.Set(node.chain.size()), node.chain.back().commit);
  Trace("start v" + std::to_string(index) + " at height " + std::to_string(node.chain.size() + 1) +
        (node.wal ? " from its WAL" : ""));
  node.core->Start(node.chain.size() + 1, previous_time, NodeNow(index));
  node.signalled = {node.core->height(), node.core->round()};
  if (config_.set_changes > 0) {
    Push(Event{.time_ms = now_ms_ + kSyncPollMs, .kind = EventKind::kSyncPoll, .node = index,
               .epoch = node.epoch});
  }
  Process(index);
  SignalWork(index);
  if (node.stale_records && node.up) {
    node.stale_records = false;
    Trace("v" + std::to_string(index) + " restarted with a stale records signal");
    node.core->OnRecordsPending(NodeNow(index));
    Process(index);
  }
}

void Simulation::Crash(uint32_t index) {
  Node& node = nodes_[index];
  node.up = false;
  ++node.epoch;
  node.rounds_before += node.core->rounds_started();
  node.core.reset();
  Trace("crash v" + std::to_string(index));
  int64_t restart = now_ms_ + 50 + static_cast<int64_t>(Random(3000));
  if (restart < heal_ms_) Push(Event{.time_ms = restart, .kind = EventKind::kRestart, .node = index, .epoch = node.epoch});
}

int64_t Simulation::RecordsArrivalMs(uint64_t height) const {
  int64_t arrival = static_cast<int64_t>(height - 1) * record_interval_ms_;
  return healed_ ? std::min(arrival, heal_ms_) : arrival;
}

bool Simulation::HasWork(const Node& node, uint64_t height) const {
  (void)node;
  if (healed_ && height > target_height_) return false;
  return now_ms_ >= RecordsArrivalMs(height);
}

// Tells the node's core that records wait, now or when they arrive; answers a
// block request that was waiting for records.
void Simulation::SignalWork(uint32_t index) {
  Node& node = nodes_[index];
  if (!node.up) return;
  uint64_t height = node.chain.size() + 1;
  if (HasWork(node, height)) {
    if (node.pending_block_request) {
      node.pending_block_request = false;
      Push(Event{.time_ms = now_ms_ + 1 + static_cast<int64_t>(Random(20)), .kind = EventKind::kBlockReady,
                 .node = index, .epoch = node.epoch, .height = height});
    }
    node.core->OnRecordsPending(NodeNow(index));
    Process(index);
  } else if (!(healed_ && height > target_height_)) {
    Push(Event{.time_ms = RecordsArrivalMs(height), .kind = EventKind::kRecords, .node = index,
               .epoch = node.epoch});
  }
}

void Simulation::Deliver(const Event& event) {
  Node& node = nodes_[event.node];
  if (!node.up) return;
  const Message& message = *event.message;
  if (const auto* request = std::get_if<consensus::BlockRequest>(&message)) {
    if (node.chain.size() >= request->height && !(node.behaviours & kSilent)) {
      Send(event.node, event.from,
           std::make_shared<const Message>(node.chain[request->height - 1]));
    }
    return;
  }
  if (!consensus::ValidateMessage(message, nodes_.size()).ok()) return;
  if (config_.verbose) Trace("v" + std::to_string(event.node) + " <- v" + std::to_string(event.from) + " " + Describe(message));
  if (node.byzantine) {
    if (node.seen.size() >= kByzantineMemory) node.seen.pop_front();
    node.seen.push_back(event.message);
    if (const auto* p = std::get_if<Proposal>(&message)) {
      std::vector<crypto::Digest>& hashes = node.proposed[p->height];
      if (hashes.size() < 8 && std::find(hashes.begin(), hashes.end(), p->block_hash) == hashes.end()) {
        hashes.push_back(p->block_hash);
      }
      if (node.behaviours & kVoteAll) ByzantineOnProposal(event.node, *p);
    }
  }
  node.core->OnMessage(message, NodeNow(event.node), event.from);
  // Whatever the Byzantine validators send, an honest core holds no more than
  // its bound (issue 17, finding 1).
  if (!node.byzantine && node.core->RetainedBytes() > node.core->RetainedBytesBound()) {
    Fail("memory bound", "v" + std::to_string(event.node) + " holds " +
                             std::to_string(node.core->RetainedBytes()) + " bytes, bound " +
                             std::to_string(node.core->RetainedBytesBound()));
  }
  Process(event.node);
}

// Runs the node's outbox in order. A crash may strike between two effects:
// what ran before it happened (a persisted state survives), nothing after.
void Simulation::Process(uint32_t index) {
  Node& node = nodes_[index];
  std::vector<Effect> effects = node.core->TakeEffects();
  std::optional<size_t> crash_at;
  if (!node.byzantine && !healed_ && !effects.empty() && Uniform() < faults_.mid_outbox_crash) {
    crash_at = Random(effects.size());
  }
  for (size_t i = 0; i < effects.size() && !failed_; ++i) {
    if (crash_at && *crash_at == i) {
      Trace("v" + std::to_string(index) + " crashes inside its outbox at effect " + std::to_string(i));
      Crash(index);
      return;
    }
    ApplyEffect(index, effects[i]);
  }
  SignalNewRound(index);
}

// The node's block sync (node/driver/block_sync.h), for a node outside the set
// of its next height: it signs nothing there, so no peer learns from its votes
// that it is behind, and it may miss a decision it saw only part of (a quorum
// that formed without some precommits it got). It asks its peers for its next
// block every kSyncPollMs; whoever has it answers (Deliver).
void Simulation::SyncPoll(uint32_t index) {
  Node& node = nodes_[index];
  const uint64_t next = node.chain.size() + 1;
  if (!sets_.IndexOf(index, next)) {
    Broadcast(index, std::make_shared<const Message>(consensus::BlockRequest{next}));
  }
  Push(Event{.time_ms = now_ms_ + kSyncPollMs, .kind = EventKind::kSyncPoll, .node = index,
             .epoch = node.epoch});
}

// The application's side of OnRecordsPending (consensus/interfaces.h): at every
// new round, while records wait, it says so again.
void Simulation::SignalNewRound(uint32_t index) {
  Node& node = nodes_[index];
  if (!node.up || failed_) return;
  std::pair<uint64_t, uint32_t> now{node.core->height(), node.core->round()};
  if (now == node.signalled) return;
  node.signalled = now;
  if (!HasWork(node, now.first)) return;
  node.core->OnRecordsPending(NodeNow(index));
  Process(index);
}

void Simulation::ApplyEffect(uint32_t index, const Effect& effect) {
  Node& node = nodes_[index];
  std::string who = "v" + std::to_string(index) + " ";
  if (const auto* broadcast = std::get_if<consensus::BroadcastEffect>(&effect)) {
    const auto* vote = std::get_if<Vote>(&broadcast->message);
    if (vote && !(node.behaviours & kSilent)) RecordPrevote(*vote);
    if (!node.byzantine) CheckSigned(index, broadcast->message);
    auto message = std::make_shared<const Message>(broadcast->message);
    if (node.byzantine) {
      ByzantineBroadcast(index, message);
    } else {
      Broadcast(index, message);
    }
  } else if (const auto* persist = std::get_if<consensus::PersistEffect>(&effect)) {
    node.wal = persist->state;
  } else if (const auto* timeout = std::get_if<consensus::ScheduleTimeoutEffect>(&effect)) {
    Push(Event{.time_ms = now_ms_ + timeout->duration_ms, .kind = EventKind::kTimeout, .node = index,
               .epoch = node.epoch, .height = timeout->height, .round = timeout->round,
               .timeout = timeout->kind});
  } else if (const auto* request = std::get_if<consensus::RequestBlockEffect>(&effect)) {
    if (HasWork(node, request->height)) {
      Push(Event{.time_ms = now_ms_ + 1 + static_cast<int64_t>(Random(20)), .kind = EventKind::kBlockReady,
                 .node = index, .epoch = node.epoch, .height = request->height, .round = request->round});
    } else {
      node.pending_block_request = true;
    }
  } else if (const auto* fetch = std::get_if<consensus::FetchBlockEffect>(&effect)) {
    Broadcast(index, std::make_shared<const Message>(consensus::BlockRequest{fetch->height}));
  } else if (const auto* behind = std::get_if<consensus::PeerBehindEffect>(&effect)) {
    if (behind->height >= 1 && behind->height <= node.chain.size() && !(node.behaviours & kSilent)) {
      Send(index, behind->validator_index,
           std::make_shared<const Message>(node.chain[behind->height - 1]));
    }
  } else if (const auto* commit = std::get_if<consensus::CommitEffect>(&effect)) {
    Trace(who + "commits h=" + std::to_string(commit->height) + " r=" +
          std::to_string(commit->commit.round) + " block=" + Hex8(commit->commit.block_hash));
    if (!node.byzantine) CheckCommit(index, *commit);
    if (!node.byzantine && healed_ && commit->height > target_height_) {
      Fail("idle", who + "committed height " + std::to_string(commit->height) +
                       " although no records wait beyond height " + std::to_string(target_height_));
    }
    node.chain.push_back({commit->block, commit->commit});
    if (!node.byzantine && healed_) {
      // Rounds this validator went through for the height: the one it was in
      // (at the heal or when the previous height ended) plus every round change.
      // The core has already started round 0 of the next height.
      uint64_t started = node.rounds_before + node.core->rounds_started();
      uint64_t rounds = started - node.rounds_mark;  // round changes + 1
      result_.max_rounds_after_heal = std::max(result_.max_rounds_after_heal, rounds);
      if (rounds > kLivenessRoundsMax) {
        Fail("liveness", who + "needed " + std::to_string(rounds) + " rounds to commit height " +
                             std::to_string(commit->height) + " after the heal (bound " +
                             std::to_string(kLivenessRoundsMax) + ")");
      }
      node.rounds_mark = started;
    }
    // The next height's records (the core has already moved on to it).
    Push(Event{.time_ms = now_ms_, .kind = EventKind::kRecords, .node = index, .epoch = node.epoch});
  } else if (const auto* evidence = std::get_if<consensus::EvidenceEffect>(&effect)) {
    if (!node.byzantine) CheckEvidence(*evidence);
  }
}

// ---------------------------------------------------------------- network

void Simulation::Send(uint32_t from, uint32_t to, MessagePtr message) {
  if (from == to) return;
  if (faults_.blocked[from][to] || (faults_.loss > 0 && Uniform() < faults_.loss)) return;
  int copies = (faults_.duplicate > 0 && Uniform() < faults_.duplicate) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    int64_t delay = 1 + static_cast<int64_t>(Random(static_cast<uint64_t>(faults_.delay_max_ms)));
    Push(Event{.time_ms = now_ms_ + delay, .kind = EventKind::kDeliver, .node = to, .from = from,
               .message = message});
  }
}

void Simulation::Broadcast(uint32_t from, const MessagePtr& message) {
  if (config_.verbose) Trace("v" + std::to_string(from) + " sends " + Describe(*message));
  for (uint32_t to = 0; to < nodes_.size(); ++to) Send(from, to, message);
}

// A Byzantine node's signature as the member `validator_index` of the set of
// `height` (which must be itself: it holds only its own keys).
Bytes Simulation::SignAs(uint32_t node, uint64_t height, uint32_t validator_index, ByteView message) {
  const ledger::ValidatorSet& set = sets_.Set(height);
  EVIDENCE_CHECK(validator_index < set.size());
  return nodes_[node].signer->Sign(set.at(validator_index).vote_key, message);
}

Bytes Simulation::ByzantineSignedVote(uint32_t index, Vote& vote) {
  vote.signature = SignAs(index, vote.height, vote.validator_index,
                          ledger::VoteSigningBytes(core_config_.chain_id, vote));
  RecordPrevote(vote);
  return vote.signature;
}

std::string PolkaKey(uint64_t height, uint32_t round, const crypto::Digest& hash) {
  std::string key(reinterpret_cast<const char*>(hash.data()), hash.size());
  key.append(reinterpret_cast<const char*>(&height), sizeof(height));
  key.append(reinterpret_cast<const char*>(&round), sizeof(round));
  return key;
}

// Every prevote signed anywhere, by (height, round, hash): the polkas that exist.
void Simulation::RecordPrevote(const Vote& vote) {
  if (vote.type != ledger::VoteType::kPrevote) return;
  prevotes_[PolkaKey(vote.height, vote.round, vote.block_hash)] |= 1ull << vote.validator_index;
}

bool Simulation::PolkaExists(uint64_t height, uint32_t round, const crypto::Digest& hash) const {
  auto it = prevotes_.find(PolkaKey(height, round, hash));
  if (it == prevotes_.end()) return false;
  const ledger::ValidatorSet& set = sets_.Set(height);
  uint64_t power = 0;
  for (uint32_t i = 0; i < set.size(); ++i) {
    if (it->second & (1ull << i)) power += set.at(i).power;
  }
  return set.IsQuorum(power);
}

// Lock safety: an honest validator that precommitted Y at round L prevotes
// another block X at a later round only on the strength of a polka for X at a
// round in [L, now) (Algorithm 1, line 28), and such a polka must exist.
void Simulation::CheckLock(uint32_t index, const Vote& prevote) {
  if (prevote.is_nil()) return;
  auto locks = precommitted_.find({index, prevote.height});
  if (locks == precommitted_.end()) return;
  const std::pair<uint32_t, crypto::Digest>* lock = nullptr;
  for (const auto& entry : locks->second) {
    if (entry.first < prevote.round && (lock == nullptr || entry.first > lock->first)) lock = &entry;
  }
  if (lock == nullptr || lock->second == prevote.block_hash) return;
  for (uint32_t round = lock->first; round < prevote.round; ++round) {
    if (PolkaExists(prevote.height, round, prevote.block_hash)) return;
  }
  Fail("lock", "honest v" + std::to_string(index) + " prevoted " + Hex8(prevote.block_hash) + " at h=" +
                   std::to_string(prevote.height) + " r=" + std::to_string(prevote.round) +
                   " while locked on " + Hex8(lock->second) + " since round " + std::to_string(lock->first) +
                   " with no polka for it since");
}

// The equivocating proposer's second proposal for (height, round): one per
// round, so that the peers it goes to can agree on it.
MessagePtr Simulation::ByzantineAlternative(uint32_t from, const Proposal& original) {
  Node& node = nodes_[from];
  MessagePtr& alternative = node.alternatives[{original.height, original.round}];
  if (!alternative) {
    Proposal other = original;
    bool valid = !(node.behaviours & kInvalidBlocks) || Random(2) == 0;
    other.block = MakeBlock(original.height, from, original.round, valid, rng_());
    other.block_hash = blocks_.Hash(other.block);
    other.pol_round = -1;
    other.signature = SignAs(from, other.height, other.proposer_index,
                             consensus::ProposalSigningBytes(core_config_.chain_id, other));
    node.proposed[original.height].push_back(original.block_hash);
    node.proposed[original.height].push_back(other.block_hash);
    alternative = std::make_shared<const Message>(std::move(other));
    if (node.behaviours & kVoteAll) {
      ByzantineOnProposal(from, original);
      ByzantineOnProposal(from, std::get<Proposal>(*alternative));
    }
  }
  return alternative;
}

// What a Byzantine validator does with a message its (lock-ignoring) core wants to send.
void Simulation::ByzantineBroadcast(uint32_t from, const MessagePtr& message) {
  Node& node = nodes_[from];
  if (node.behaviours & kSilent) return;
  const auto* proposal = std::get_if<Proposal>(message.get());
  MessagePtr alternative;
  // Only its own messages are twisted (its core also relays others' votes and
  // proposals, which it cannot re-sign).
  auto own = [&](uint64_t height, uint32_t index) { return sets_.IndexOf(from, height) == index; };
  if (proposal && (node.behaviours & kEquivocate) && own(proposal->height, proposal->proposer_index)) {
    alternative = ByzantineAlternative(from, *proposal);
  }
  for (uint32_t to = 0; to < nodes_.size(); ++to) {
    if (to == from) continue;
    MessagePtr out = message;
    bool twist = Random(2) == 0;
    if (alternative && twist) {
      out = alternative;
    } else if (const auto* v = std::get_if<Vote>(message.get());
               v && twist && (node.behaviours & kDoubleVote) && own(v->height, v->validator_index)) {
      Vote other = *v;
      const std::vector<crypto::Digest>& hashes = node.proposed[v->height];
      other.block_hash = crypto::Digest{};
      if (!hashes.empty() && Random(3) != 0) other.block_hash = hashes[Random(hashes.size())];
      if (other.block_hash != v->block_hash) {
        ByzantineSignedVote(from, other);
        out = std::make_shared<const Message>(std::move(other));
      }
    }
    Send(from, to, out);
  }
}

// kVoteAll: prevote and precommit every proposal seen, valid or not.
void Simulation::ByzantineOnProposal(uint32_t index, const Proposal& proposal) {
  if (nodes_[index].behaviours & kSilent) return;
  std::optional<uint32_t> member = sets_.IndexOf(index, proposal.height);
  if (!member) return;  // not a validator at that height
  for (ledger::VoteType type : {ledger::VoteType::kPrevote, ledger::VoteType::kPrecommit}) {
    Vote vote{type, proposal.height, proposal.round, proposal.block_hash, NodeNow(index), *member, {}};
    ByzantineSignedVote(index, vote);
    auto message = std::make_shared<const Message>(std::move(vote));
    for (uint32_t to = 0; to < nodes_.size(); ++to) Send(index, to, message);
  }
}

// ---------------------------------------------------------------- checkers

// An honest node signs at a height only as the member it is in the set of that
// height, with the vote key that set gives it, and proposes only in its turn
// under that set's rotation.
void Simulation::CheckMembership(uint32_t index, const Message& message, const std::string& key_id) {
  const uint64_t height = consensus::MessageHeight(message);
  const Epoch& epoch = sets_.At(height);
  const auto* proposal = std::get_if<Proposal>(&message);
  const uint32_t claimed =
      proposal != nullptr ? proposal->proposer_index : std::get<Vote>(message).validator_index;
  std::optional<uint32_t> member = sets_.IndexOf(index, height);
  if (!member || *member != claimed || epoch.set->at(claimed).vote_key.key_id() != key_id) {
    Fail("membership", "honest v" + std::to_string(index) + " signed " + Describe(message) +
                           " with its key " + key_id.substr(0, 8) + ", but at height " +
                           std::to_string(height) + " it is " +
                           (member ? "validator " + std::to_string(*member) + " with key " +
                                         epoch.set->at(*member).vote_key.key_id().substr(0, 8)
                                   : std::string("no validator")) +
                           " (the set from height " + std::to_string(epoch.since) + ")");
    return;
  }
  if (proposal != nullptr) {
    uint32_t expected = sets_.Proposer(height, proposal->round);
    if (expected != claimed) {
      Fail("proposer", "honest v" + std::to_string(index) + " proposed at h=" + std::to_string(height) +
                           " r=" + std::to_string(proposal->round) + " as validator " +
                           std::to_string(claimed) + " but the proposer there is validator " +
                           std::to_string(expected) + " (the set from height " +
                           std::to_string(epoch.since) + ")");
    }
  }
}

void Simulation::CheckSigned(uint32_t index, const Message& message) {
  std::string key;
  crypto::Digest hash{};
  Bytes signing_bytes;
  const Bytes* signature = nullptr;
  if (const auto* v = std::get_if<Vote>(&message)) {
    key = std::to_string(index) + "/" + std::to_string(v->height) + "/" + std::to_string(v->round) +
          (v->type == ledger::VoteType::kPrevote ? "/prevote" : "/precommit");
    hash = v->block_hash;
    signing_bytes = ledger::VoteSigningBytes(core_config_.chain_id, *v);
    signature = &v->signature;
  } else if (const auto* p = std::get_if<Proposal>(&message)) {
    key = std::to_string(index) + "/" + std::to_string(p->height) + "/" + std::to_string(p->round) + "/proposal";
    hash = p->block_hash;
    signing_bytes = consensus::ProposalSigningBytes(core_config_.chain_id, *p);
    signature = &p->signature;
  } else {
    return;
  }
  // Signed with one of the node's own keys, or a relayed message of another validator.
  std::optional<std::string> key_id = nodes_[index].signer->Signed(signing_bytes, *signature);
  if (!key_id) return;
  CheckMembership(index, message, *key_id);
  if (failed_) return;
  if (const auto* v = std::get_if<Vote>(&message)) {
    if (v->type == ledger::VoteType::kPrevote) CheckLock(index, *v);
    if (v->type == ledger::VoteType::kPrecommit && !v->is_nil()) {
      precommitted_[{index, v->height}].emplace_back(v->round, v->block_hash);
    }
  }
  if (healed_ && consensus::MessageHeight(message) > target_height_) {
    // Above the target no records wait: at most a woken round of nil votes.
    const auto* vote = std::get_if<Vote>(&message);
    if (vote == nullptr || !vote->is_nil() || vote->round > kIdleWakeRoundsMax) {
      Fail("idle", "honest v" + std::to_string(index) + " signed " + Describe(message) +
                       " although no records wait beyond height " +
                       std::to_string(target_height_) + " (an idle network keeps running rounds)");
    }
  }
  auto [it, inserted] = signed_.emplace(key, hash);
  if (!inserted && it->second != hash) {
    Fail("vote-safety", "honest v" + std::to_string(index) + " signed two conflicting messages at " +
                            key + ": " + Hex8(it->second) + " and " + Hex8(hash));
  }
}

void Simulation::CheckCommit(uint32_t index, const consensus::CommitEffect& commit) {
  const Node& node = nodes_[index];
  std::string who = "honest v" + std::to_string(index);
  if (commit.height != node.chain.size() + 1) {
    Fail("commit-order", who + " committed height " + std::to_string(commit.height) + " after " +
                             std::to_string(node.chain.size()));
    return;
  }
  auto [it, inserted] = committed_.emplace(commit.height, commit.commit.block_hash);
  if (!inserted && it->second != commit.commit.block_hash) {
    Fail("agreement", who + " committed " + Hex8(commit.commit.block_hash) + " at height " +
                          std::to_string(commit.height) + " where another honest validator committed " +
                          Hex8(it->second));
    return;
  }
  if (!blocks_.IsValid(commit.height, commit.block) || blocks_.Hash(commit.block) != commit.commit.block_hash) {
    Fail("validity", who + " committed an invalid block at height " + std::to_string(commit.height));
    return;
  }
  // The certificate: distinct, valid precommit signatures of more than 2/3 of
  // the power of the set in force at that height.
  const ledger::ValidatorSet& set = sets_.Set(commit.height);
  uint64_t power = 0;
  int64_t last_index = -1;
  for (const ledger::CommitSignature& s : commit.commit.signatures) {
    Vote vote{ledger::VoteType::kPrecommit, commit.height, commit.commit.round, commit.commit.block_hash,
              s.timestamp_ms, s.validator_index, s.signature};
    if (static_cast<int64_t>(s.validator_index) <= last_index ||
        !verifier_.Verify(set, s.validator_index, ledger::VoteSigningBytes(core_config_.chain_id, vote),
                          s.signature)) {
      Fail("certificate", who + " committed height " + std::to_string(commit.height) +
                              " with a bad or repeated signature");
      return;
    }
    last_index = s.validator_index;
    power += set.at(s.validator_index).power;
  }
  if (!set.IsQuorum(power)) {
    Fail("certificate", who + " committed height " + std::to_string(commit.height) + " with " +
                            std::to_string(power) + " of " + std::to_string(set.total_power()) +
                            " power (needs more than 2/3)");
  }
}

void Simulation::CheckEvidence(const consensus::EvidenceEffect& evidence) {
  const Epoch& epoch = sets_.At(evidence.first.height);
  EVIDENCE_CHECK(evidence.first.validator_index < epoch.nodes.size());
  uint32_t accused = epoch.nodes[evidence.first.validator_index];
  if (!nodes_[accused].byzantine) {
    Fail("evidence", "honest v" + std::to_string(accused) + " accused of a duplicate vote at h=" +
                         std::to_string(evidence.first.height) + " r=" + std::to_string(evidence.first.round));
  }
}

void Simulation::CheckLiveness() {
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].byzantine && nodes_[i].chain.size() < target_height_) {
      Fail("liveness", "honest v" + std::to_string(i) + " stopped at height " +
                           std::to_string(nodes_[i].chain.size()));
    }
  }
}

}  // namespace

SimResult RunSimulation(const SimConfig& config, uint64_t seed) {
  EVIDENCE_CHECK(config.validators >= 1 && config.validators <= 64 && config.byzantine < config.validators);
  Simulation simulation(config, seed);
  return simulation.Run();
}

}  // namespace evidence::sim
