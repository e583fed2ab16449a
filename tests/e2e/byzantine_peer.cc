// evidence-byzantine-peer: a Byzantine validator for the e2e tests (issue 17).
// It holds a validator's genesis node key and vote key, connects to the other
// validators over the real p2p transport, and for --seconds replays the attacks
// the security review ran against honest nodes:
//   future   (finding 1): proposals for the next height carrying full-size
//            blocks, unsigned ones in the real proposer's name and signed ones of
//            its own, as fast as the connections take them;
//   sync     (finding 2): 14-byte requests for 64 blocks, and block requests,
//            as fast as they go;
//   amplify  (finding 6): votes for height 1 in another validator's name
//            (unsigned), and its real old votes replayed, so a node that answers
//            the validator a vote names would push blocks to it;
// and, as a validator that breaks the protocol with its real vote key (issue 16):
//   equivocate     for every (height, round) it sees the honest validators vote
//                  at, it signs two prevotes and two precommits for two different
//                  block ids, sends one of each pair to one honest peer, the other
//                  to another, and both to the third (which one rotates), so an
//                  honest node holds the duplicate-vote evidence;
//   invalid-block  it follows the chain (blocks synced from its peers into a store
//                  of its own under --work-dir) and, for every height, proposes in
//                  the round whose turn is its own (round 0 every fourth height
//                  with four equal validators) a block built on the real chain
//                  state and signed with its real key, but invalid in one way,
//                  in turn: a wrong log root, a record with a bad signature, a
//                  wrong height, a last commit without a quorum, and more leaf
//                  bytes than a block may carry.
// Its own memory is bounded: a few dozen gossiped records, the rounds it still
// attacks, one block being built; the chain it follows is on disk.
// It prints summary lines (frames and bytes sent, highest height seen, what each
// mode did) and exits 0. Not a test by itself: tests/e2e/e2e_test.py byzantine
// and byzantine_validator drive it.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/check.h"
#include "common/clock.h"
#include "common/limits.h"
#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/record.h"
#include "ledger/store.h"
#include "ledger/validation.h"
#include "ledger/vote.h"
#include "node/consensus/proposer.h"
#include "node/consensus/types.h"
#include "node/messages.h"
#include "node/p2p/transport.h"

namespace evidence {
namespace p2p = node::p2p;
namespace {

struct Attack {
  std::string genesis_path;
  std::string node_key_path;
  std::string vote_key_path;
  uint32_t self = 3;
  double seconds = 30;
  std::vector<std::string> modes = {"future", "sync", "amplify"};
  size_t block_bytes = limits::kBlockBytesMax - 64 * 1024;
  std::string work_dir;  // invalid-block: the store of the chain it follows
};

const std::vector<std::string> kModes = {"future", "sync", "amplify", "equivocate",
                                         "invalid-block"};

int Fail(const std::string& what) {
  std::fprintf(stderr, "evidence-byzantine-peer: %s\n", what.c_str());
  return 2;
}

class Attacker {
 public:
  Attacker(const Attack& attack, const ledger::Genesis& genesis,
           const crypto::PrivateKey& vote_key, p2p::Transport& transport)
      : attack_(attack), genesis_(genesis), vote_key_(vote_key), transport_(transport) {}

  // Called on the transport's thread for every frame an honest node sends.
  void OnFrame(const Result<node::PeerMessage>& message) {
    if (!message.ok()) return;
    uint64_t height = 0;
    if (const auto* status = std::get_if<node::StatusMessage>(&*message)) {
      height = status->height + 1;
    } else if (const auto* consensus = std::get_if<consensus::Message>(&*message)) {
      height = consensus::MessageHeight(*consensus);
      if (const auto* vote = std::get_if<ledger::Vote>(consensus)) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (old_votes_.size() < 64) old_votes_.push_back(*vote);  // old soon
      }
    }
    uint64_t seen = height_.load();
    while (height > seen && !height_.compare_exchange_weak(seen, height)) {
    }
  }

  // Attacks until --seconds have passed; `step` runs once per turn (the
  // Byzantine validator's modes).
  void Run(const std::function<void()>& step) {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(attack_.seconds * 1000));
    const bool future = Has("future"), sync = Has("sync"), amplify = Has("amplify");
    const bool flood = future || sync || amplify;
    std::mt19937_64 random(42);
    Bytes block(attack_.block_bytes);
    uint64_t round = 0;
    while (std::chrono::steady_clock::now() < end) {
      const uint64_t height = std::max<uint64_t>(height_.load(), 1);
      // This round's frames, the same for every peer (encoded once).
      std::vector<Bytes> common;
      if (future) {
        // More than the sockets take: the transport drops the oldest of ours.
        for (size_t i = 0; i < 8; ++i) block[i] = static_cast<uint8_t>(random() >> (8 * i));
        const uint32_t r = static_cast<uint32_t>(round % 32);
        consensus::Proposal forged{height + 1, r, -1, crypto::Hash(genesis_.hash(), block), block,
                                   0, static_cast<uint32_t>((attack_.self + 1 + round) % 4),
                                   Bytes(64, 0x42)};
        common.push_back(node::EncodePeerMessage(consensus::Message(std::move(forged))));
        common.push_back(
            node::EncodePeerMessage(consensus::Message(SignedProposal(height + 1, r, block))));
      }
      if (sync) {
        for (int i = 0; i < 256; ++i) {
          common.push_back(node::EncodePeerMessage(node::SyncRequest{1, 64}));
          common.push_back(node::EncodePeerMessage(
              consensus::Message(consensus::BlockRequest{1 + (random() % height)})));
        }
      }
      if (amplify) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const ledger::Vote& vote : old_votes_) {
          common.push_back(node::EncodePeerMessage(consensus::Message(vote)));
        }
      }
      for (uint32_t peer = 0; peer < genesis_.validators().size(); ++peer) {
        if (peer == attack_.self) continue;
        for (const Bytes& frame : common) Send(peer, frame);
        if (amplify) {
          // Unsigned votes for height 1 in the name of a validator other than
          // the receiver: a node that answered the named validator would push
          // it blocks it never asked for.
          uint32_t named = (peer + 1) % 4;
          if (named == attack_.self) named = (named + 1) % 4;
          for (uint32_t i = 0; i < 64; ++i) {
            ledger::Vote forged{ledger::VoteType::kPrevote, 1, i, {}, 0, named, Bytes(64, 0x17)};
            Send(peer, node::EncodePeerMessage(consensus::Message(forged)));
          }
        }
      }
      ++round;
      step();
      // The transport's queues are bounded: a pause lets the sockets drain
      // (and paces the Byzantine validator's turns).
      std::this_thread::sleep_for(std::chrono::milliseconds(flood ? 2 : 5));
    }
  }

  bool Has(const std::string& mode) const {
    return std::find(attack_.modes.begin(), attack_.modes.end(), mode) != attack_.modes.end();
  }

  void PrintSummary() const {
    std::printf("byzantine: frames_sent=%llu bytes_queued=%llu highest_height_seen=%llu\n",
                static_cast<unsigned long long>(frames_),
                static_cast<unsigned long long>(bytes_),
                static_cast<unsigned long long>(height_.load()));
  }

 private:
  consensus::Proposal SignedProposal(uint64_t height, uint32_t round, const Bytes& block) {
    consensus::Proposal proposal{height, round, -1, crypto::Hash(genesis_.hash(), block), block,
                                 0, attack_.self, {}};
    Result<Bytes> signature =
        vote_key_.Sign(consensus::ProposalSigningBytes(genesis_.chain_id(), proposal));
    if (signature.ok()) proposal.signature = std::move(signature).value();
    return proposal;
  }

  void Send(uint32_t peer, Bytes frame) {
    bytes_ += frame.size();
    ++frames_;
    (void)transport_.Send(peer, std::move(frame), p2p::Priority::kConsensus);
  }

  const Attack& attack_;
  const ledger::Genesis& genesis_;
  const crypto::PrivateKey& vote_key_;
  p2p::Transport& transport_;
  std::atomic<uint64_t> height_{0};
  std::mutex mutex_;
  std::vector<ledger::Vote> old_votes_;
  uint64_t frames_ = 0;
  uint64_t bytes_ = 0;
};

// The chain as the honest validators committed it, followed through block sync
// into a store of the attacker's own: the state its invalid blocks are built on
// (a block that is wrong in one way only must be right in every other).
// Thread-safety: every method may be called from any thread (one mutex).
class ChainFollower {
 public:
  ChainFollower(const ledger::Genesis& genesis, std::unique_ptr<ledger::Store> store,
                p2p::Transport& transport)
      : genesis_(genesis), store_(std::move(store)), transport_(transport) {}

  // A peer's committed height (its status, or the height before a message of it).
  void OnPeerHeight(uint32_t peer, uint64_t height) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (height > best_height_) {
      best_height_ = height;
      best_peer_ = peer;
    }
  }

  // Blocks a peer sent (an answer to our request, or pushed to us because we
  // sent a message of a height it decided): appended in order, each after its
  // commit is checked.
  void OnBlocks(const std::vector<consensus::DecidedBlock>& blocks) {
    std::lock_guard<std::mutex> lock(mutex_);
    requested_at_.reset();
    for (const consensus::DecidedBlock& decided : blocks) {
      if (decided.commit.height != store_->height() + 1) continue;
      Result<ledger::Block> block = ledger::DecodeBlock(decided.block);
      if (!block.ok() || !ledger::VerifyCommit(genesis_.chain_id(), genesis_.validator_set(),
                                               decided.commit)
                              .ok()) {
        return;
      }
      if (!store_->Append(*block, decided.commit).ok()) return;
    }
  }

  // Asks the best peer for the blocks we lack (one request in flight, re-asked
  // after a second without an answer).
  void MaybeRequest() {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint64_t have = store_->height();
    if (best_height_ <= have) return;
    const auto now = std::chrono::steady_clock::now();
    if (requested_at_ && now - *requested_at_ < std::chrono::seconds(1)) return;
    requested_at_ = now;
    const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(best_height_ - have, 16));
    (void)transport_.Send(best_peer_,
                          node::EncodePeerMessage(node::SyncRequest{have + 1, count}),
                          p2p::Priority::kConsensus);
  }

  uint64_t height() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return store_->height();
  }

  // The store under the lock, for building a block on its head.
  template <class Work>
  auto WithStore(Work work) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return work(*store_);
  }

 private:
  const ledger::Genesis& genesis_;
  mutable std::mutex mutex_;
  std::unique_ptr<ledger::Store> store_;
  p2p::Transport& transport_;
  uint64_t best_height_ = 0;
  uint32_t best_peer_ = 0;
  std::optional<std::chrono::steady_clock::time_point> requested_at_;
};

// The ways an invalid block is wrong, used in turn.
enum class Flaw { kWrongLogRoot, kBadSignature, kWrongHeight, kWrongLastCommit, kOversized };
constexpr std::array<Flaw, 5> kFlaws = {Flaw::kWrongLogRoot, Flaw::kBadSignature,
                                        Flaw::kWrongHeight, Flaw::kWrongLastCommit,
                                        Flaw::kOversized};
const char* FlawName(Flaw flaw) {
  switch (flaw) {
    case Flaw::kWrongLogRoot: return "wrong_log_root";
    case Flaw::kBadSignature: return "bad_signature";
    case Flaw::kWrongHeight: return "wrong_height";
    case Flaw::kWrongLastCommit: return "wrong_last_commit";
    case Flaw::kOversized: return "oversized";
  }
  return "?";
}

// Records kept from the honest nodes' gossip (the leaves of the invalid blocks).
inline constexpr size_t kGossipKept = 64;
// Rounds of one height the invalid proposer proposes ahead of the highest round
// it saw the honest validators at.
inline constexpr uint32_t kRoundsAhead = 4;
// (height, round) pairs remembered as attacked; older heights are forgotten.
inline constexpr size_t kAttackedMax = 1024;

// The equivocate and invalid-block modes: a validator that signs with its real
// vote key what an honest one never would.
// Thread-safety: OnFrame on the transport's thread, Run on the main thread
// (shared state under mutex_).
class ByzantineValidator {
 public:
  ByzantineValidator(const Attack& attack, const ledger::Genesis& genesis,
                     const crypto::PrivateKey& vote_key, p2p::Transport& transport,
                     ChainFollower* follower)
      : attack_(attack),
        genesis_(genesis),
        vote_key_(vote_key),
        transport_(transport),
        follower_(follower),
        proposers_(Powers(genesis)) {
    for (uint32_t i = 0; i < genesis.validators().size(); ++i) {
      if (i != attack.self) honest_.push_back(i);
    }
  }

  void OnFrame(uint32_t peer, const node::PeerMessage& message) {
    if (const auto* status = std::get_if<node::StatusMessage>(&message)) {
      if (follower_ != nullptr) follower_->OnPeerHeight(peer, status->height);
    } else if (const auto* response = std::get_if<node::SyncResponse>(&message)) {
      if (follower_ != nullptr) follower_->OnBlocks(response->blocks);
    } else if (const auto* gossip = std::get_if<node::RecordsGossip>(&message)) {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const std::string& leaf : gossip->leaves) {
        if (gossip_.size() == kGossipKept) gossip_.pop_front();
        gossip_.push_back(leaf);
      }
    } else if (const auto* consensus = std::get_if<consensus::Message>(&message)) {
      uint64_t height = 0;
      uint32_t round = 0;
      if (const auto* vote = std::get_if<ledger::Vote>(consensus)) {
        if (vote->validator_index == attack_.self) return;
        height = vote->height;
        round = vote->round;
      } else if (const auto* proposal = std::get_if<consensus::Proposal>(consensus)) {
        height = proposal->height;
        round = proposal->round;
      } else if (const auto* decided = std::get_if<consensus::DecidedBlock>(consensus)) {
        if (follower_ != nullptr) follower_->OnBlocks({*decided});
        return;
      } else {
        return;
      }
      if (follower_ != nullptr && height > 1) follower_->OnPeerHeight(peer, height - 1);
      std::lock_guard<std::mutex> lock(mutex_);
      if (height > seen_height_ || (height == seen_height_ && round > seen_round_)) {
        seen_height_ = height;
        seen_round_ = round;
      }
      if (height + 2 >= seen_height_) seen_.insert({height, round});
      while (seen_.size() > kAttackedMax) seen_.erase(seen_.begin());
    }
  }

  // One turn of the main loop.
  void Step(bool equivocate, bool invalid_block) {
    if (equivocate) EquivocateWhereSeen();
    if (invalid_block && follower_ != nullptr) {
      follower_->MaybeRequest();
      ProposeInvalid();
    }
  }

  void PrintSummary() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::printf("byzantine: equivocated_rounds=%llu conflicting_votes_signed=%llu "
                "invalid_proposals=%llu",
                static_cast<unsigned long long>(equivocated_rounds_),
                static_cast<unsigned long long>(votes_signed_),
                static_cast<unsigned long long>(invalid_proposals_));
    for (size_t i = 0; i < kFlaws.size(); ++i) {
      std::printf(" %s=%llu", FlawName(kFlaws[i]),
                  static_cast<unsigned long long>(proposals_by_flaw_[i]));
    }
    std::printf(" chain_followed_to=%llu\n",
                static_cast<unsigned long long>(follower_ ? follower_->height() : 0));
  }

 private:
  static std::vector<uint64_t> Powers(const ledger::Genesis& genesis) {
    std::vector<uint64_t> powers;
    for (const ledger::GenesisValidator& validator : genesis.validators()) {
      powers.push_back(validator.power);
    }
    return powers;
  }

  crypto::Digest FakeBlockId(uint64_t height, uint32_t round, char which) const {
    const std::string label = "byzantine-" + std::string(1, which) + "-" +
                              std::to_string(height) + "-" + std::to_string(round);
    return crypto::Hash(genesis_.hash(), AsBytes(label));
  }

  Bytes SignedVote(ledger::VoteType type, uint64_t height, uint32_t round,
                   const crypto::Digest& block_id) {
    ledger::Vote vote{type, height, round, block_id, WallClockMs(), attack_.self, {}};
    Result<Bytes> signature = vote_key_.Sign(ledger::VoteSigningBytes(genesis_.chain_id(), vote));
    EVIDENCE_CHECK_MSG(signature.ok(), "the vote key cannot sign");
    vote.signature = std::move(signature).value();
    return node::EncodePeerMessage(consensus::Message(std::move(vote)));
  }

  // For each (height, round) newly seen: two prevotes and two precommits for
  // two block ids. Honest peer k gets both, k+1 only the first, k+2 only the
  // second (k rotates with height + round).
  void EquivocateWhereSeen() {
    std::vector<std::pair<uint64_t, uint32_t>> todo;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& key : seen_) {
        if (key.first + 1 < seen_height_ || attacked_.contains(key)) continue;
        todo.push_back(key);
        attacked_.insert(key);
      }
      while (attacked_.size() > kAttackedMax) attacked_.erase(attacked_.begin());
    }
    for (const auto& [height, round] : todo) {
      const crypto::Digest a = FakeBlockId(height, round, 'a');
      const crypto::Digest b = FakeBlockId(height, round, 'b');
      const size_t k = static_cast<size_t>(height + round) % honest_.size();
      for (ledger::VoteType type : {ledger::VoteType::kPrevote, ledger::VoteType::kPrecommit}) {
        const Bytes first = SignedVote(type, height, round, a);
        const Bytes second = SignedVote(type, height, round, b);
        for (size_t j = 0; j < honest_.size(); ++j) {
          const uint32_t peer = honest_[(k + j) % honest_.size()];
          if (j != 2) Send(peer, first);
          if (j != 1) Send(peer, second);
        }
      }
      std::lock_guard<std::mutex> lock(mutex_);
      ++equivocated_rounds_;
      votes_signed_ += 4;
    }
  }

  // Proposes, for the height after the chain it followed, in every round up to
  // a few past the honest validators' whose proposer it is.
  void ProposeInvalid() {
    const uint64_t height = follower_->height() + 1;
    uint32_t last_round = kRoundsAhead;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (seen_height_ > height) return;  // still syncing
      if (seen_height_ == height) last_round = seen_round_ + kRoundsAhead;
    }
    for (uint32_t round = 0; round <= last_round; ++round) {
      if (proposers_.ProposerAt(height, round) != attack_.self) continue;
      if (!proposed_.insert({height, round}).second) continue;
      while (proposed_.size() > kAttackedMax) proposed_.erase(proposed_.begin());
      const size_t turn = static_cast<size_t>(invalid_proposals_ % kFlaws.size());
      std::optional<Bytes> block = BuildInvalidBlock(height, kFlaws[turn]);
      if (!block) continue;
      consensus::Proposal proposal{height, round, -1, BlockId(*block), std::move(*block),
                                   WallClockMs(), attack_.self, {}};
      Result<Bytes> signature =
          vote_key_.Sign(consensus::ProposalSigningBytes(genesis_.chain_id(), proposal));
      EVIDENCE_CHECK_MSG(signature.ok(), "the vote key cannot sign");
      proposal.signature = std::move(signature).value();
      const Bytes frame = node::EncodePeerMessage(consensus::Message(std::move(proposal)));
      for (uint32_t peer : honest_) Send(peer, frame);
      std::lock_guard<std::mutex> lock(mutex_);
      ++invalid_proposals_;
      ++proposals_by_flaw_[turn];
    }
  }

  crypto::Digest BlockId(const Bytes& block) const {
    Result<ledger::Block> decoded = ledger::DecodeBlock(block);
    EVIDENCE_CHECK_MSG(decoded.ok(), "the invalid block does not decode");
    return ledger::BlockHash(genesis_.hash(), decoded->header);
  }

  // Gossiped records the chain does not hold yet (what an honest proposer would take).
  std::vector<std::string> FreshLeaves(const ledger::Store& store) {
    std::vector<std::string> leaves;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::string& leaf : gossip_) {
      Result<ledger::Record> record = ledger::ParseRecord(leaf);
      if (!record.ok()) continue;
      Result<bool> known = store.ContainsRecord(ledger::RecordId(genesis_.hash(), *record));
      if (known.ok() && !*known) leaves.push_back(leaf);
      if (leaves.size() == 8) break;
    }
    return leaves;
  }

  // A block for `height` on the followed chain's head, right but for `flaw`.
  std::optional<Bytes> BuildInvalidBlock(uint64_t height, Flaw flaw) {
    return follower_->WithStore([&](const ledger::Store& store) -> std::optional<Bytes> {
      ledger::ChainState state = store.chain_state();
      if (state.height + 1 != height) return std::nullopt;
      ledger::Block block;
      if (height > 1) {
        Result<ledger::Commit> commit = store.GetCommit(height - 1);
        if (!commit.ok()) return std::nullopt;
        block.last_commit = std::move(commit).value();
      }
      block.leaves = FreshLeaves(store);
      if (flaw == Flaw::kBadSignature) {
        if (block.leaves.empty()) return std::nullopt;
        Result<ledger::Record> record = ledger::ParseRecord(block.leaves.front());
        EVIDENCE_CHECK(record.ok() && !record->sig.value.empty());
        record->sig.value[0] ^= 0x01;
        block.leaves.front() = ledger::RecordLeaf(*record);
      } else if (flaw == Flaw::kWrongLastCommit) {
        if (block.last_commit.signatures.size() < 2) return std::nullopt;
        block.last_commit.signatures.resize(1);  // no quorum
      } else if (flaw == Flaw::kOversized) {
        // One leaf more than the protocol's block bytes hold.
        const size_t count = limits::kBlockBytesMax / limits::kRecordJcsBytesMax + 1;
        block.leaves.assign(count, std::string(limits::kRecordJcsBytesMax, 'x'));
      }
      block.header = ledger::MakeBlockHeader(state, block.leaves, block.last_commit,
                                             block.evidence, attack_.self);
      if (flaw == Flaw::kWrongLogRoot) block.header.log_root[0] ^= 0x01;
      if (flaw == Flaw::kWrongHeight) block.header.height += 1;
      return ledger::EncodeBlock(block);
    });
  }

  void Send(uint32_t peer, const Bytes& frame) {
    (void)transport_.Send(peer, frame, p2p::Priority::kConsensus);
  }

  const Attack& attack_;
  const ledger::Genesis& genesis_;
  const crypto::PrivateKey& vote_key_;
  p2p::Transport& transport_;
  ChainFollower* const follower_;
  std::vector<uint32_t> honest_;
  consensus::ProposerSchedule proposers_;  // main thread only
  std::set<std::pair<uint64_t, uint32_t>> proposed_;  // main thread only

  mutable std::mutex mutex_;
  std::deque<std::string> gossip_;
  uint64_t seen_height_ = 0;
  uint32_t seen_round_ = 0;
  std::set<std::pair<uint64_t, uint32_t>> seen_;
  std::set<std::pair<uint64_t, uint32_t>> attacked_;
  uint64_t equivocated_rounds_ = 0;
  uint64_t votes_signed_ = 0;
  uint64_t invalid_proposals_ = 0;
  std::array<uint64_t, kFlaws.size()> proposals_by_flaw_{};
};

int Main(int argc, char** argv) {
  Attack attack;
  CLI::App app{"evidence-byzantine-peer: a Byzantine validator for the e2e tests"};
  app.add_option("--genesis", attack.genesis_path, "genesis.json")->required();
  app.add_option("--node-key", attack.node_key_path, "the validator's node key (PEM)")->required();
  app.add_option("--vote-key", attack.vote_key_path, "the validator's vote key (PEM)")->required();
  app.add_option("--index", attack.self, "the validator's index in genesis");
  app.add_option("--seconds", attack.seconds, "how long to attack");
  app.add_option("--mode", attack.modes,
                 "future, sync, amplify (these three by default), equivocate, invalid-block");
  app.add_option("--work-dir", attack.work_dir,
                 "invalid-block: an empty directory for the store of the chain it follows");
  app.add_option("--block-bytes", attack.block_bytes, "size of the blocks in forged proposals")
      ->check(CLI::Range(size_t{1}, limits::kBlockBytesMax));
  CLI11_PARSE(app, argc, argv);

  Result<ledger::Genesis> genesis = ledger::Genesis::Load(attack.genesis_path);
  if (!genesis.ok()) return Fail(genesis.status().ToString());
  Result<crypto::PrivateKey> node_key = crypto::PrivateKey::LoadPem(attack.node_key_path);
  if (!node_key.ok()) return Fail(node_key.status().ToString());
  Result<crypto::PrivateKey> vote_key = crypto::PrivateKey::LoadPem(attack.vote_key_path);
  if (!vote_key.ok()) return Fail(vote_key.status().ToString());
  if (attack.self >= genesis->validators().size()) return Fail("--index is not a validator");
  for (const std::string& mode : attack.modes) {
    if (std::find(kModes.begin(), kModes.end(), mode) == kModes.end()) {
      return Fail("unknown --mode " + mode);
    }
  }

  p2p::TransportOptions options;
  options.listen_address = "127.0.0.1:0";  // it dials; nobody needs to reach it
  options.self_index = attack.self;
  for (const ledger::GenesisValidator& validator : genesis->validators()) {
    options.peers.push_back({validator.name, validator.node_key, validator.address});
  }
  options.peers[attack.self].address.clear();
  Result<std::unique_ptr<p2p::Transport>> transport =
      p2p::Transport::Create(*node_key, std::move(options));
  if (!transport.ok()) return Fail(transport.status().ToString());
  Attacker attacker(attack, *genesis, *vote_key, **transport);
  const bool equivocate = attacker.Has("equivocate");
  const bool invalid_block = attacker.Has("invalid-block");
  std::unique_ptr<ChainFollower> follower;
  if (invalid_block) {
    if (attack.work_dir.empty()) return Fail("invalid-block needs --work-dir");
    Result<std::unique_ptr<ledger::Store>> store = ledger::Store::Open(attack.work_dir, *genesis);
    if (!store.ok()) return Fail(store.status().ToString());
    follower = std::make_unique<ChainFollower>(*genesis, std::move(store).value(), **transport);
  }
  ByzantineValidator validator(attack, *genesis, *vote_key, **transport, follower.get());
  (*transport)->OnFrame([&](uint32_t peer, Bytes frame) {
    Result<node::PeerMessage> message = node::DecodePeerMessage(frame);
    attacker.OnFrame(message);
    if (message.ok()) validator.OnFrame(peer, *message);
  });
  std::atomic<int> connected{0};
  (*transport)->OnPeerConnected([&connected](uint32_t) { ++connected; });
  if (Status started = (*transport)->Start(); !started.ok()) return Fail(started.ToString());
  attacker.Run([&] { validator.Step(equivocate, invalid_block); });
  (*transport)->Stop();
  attacker.PrintSummary();
  validator.PrintSummary();
  std::printf("byzantine: connections=%d\n", connected.load());
  return 0;
}

}  // namespace
}  // namespace evidence

int main(int argc, char** argv) { return evidence::Main(argc, argv); }
