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
//            the validator a vote names would push blocks to it.
// It prints one summary line (frames and bytes sent, highest height seen) and
// exits 0. Not a test by itself: tests/e2e/e2e_test.py byzantine drives it.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/limits.h"
#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "ledger/vote.h"
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
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "evidence-byzantine-peer: %s\n", what.c_str());
  return 2;
}

class Attacker {
 public:
  Attacker(const Attack& attack, const ledger::Genesis& genesis, crypto::PrivateKey vote_key,
           p2p::Transport& transport)
      : attack_(attack), genesis_(genesis), vote_key_(std::move(vote_key)), transport_(transport) {}

  // Called on the transport's thread for every frame an honest node sends.
  void OnFrame(Bytes frame) {
    Result<node::PeerMessage> message = node::DecodePeerMessage(frame);
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

  void Run() {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(attack_.seconds * 1000));
    const bool future = Has("future"), sync = Has("sync"), amplify = Has("amplify");
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
      // The transport's queues are bounded: a pause lets the sockets drain.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  void PrintSummary() const {
    std::printf("byzantine: frames_sent=%llu bytes_queued=%llu highest_height_seen=%llu\n",
                static_cast<unsigned long long>(frames_),
                static_cast<unsigned long long>(bytes_),
                static_cast<unsigned long long>(height_.load()));
  }

 private:
  bool Has(const std::string& mode) const {
    return std::find(attack_.modes.begin(), attack_.modes.end(), mode) != attack_.modes.end();
  }

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
  const crypto::PrivateKey vote_key_;
  p2p::Transport& transport_;
  std::atomic<uint64_t> height_{0};
  std::mutex mutex_;
  std::vector<ledger::Vote> old_votes_;
  uint64_t frames_ = 0;
  uint64_t bytes_ = 0;
};

int Main(int argc, char** argv) {
  Attack attack;
  CLI::App app{"evidence-byzantine-peer: a Byzantine validator for the e2e tests"};
  app.add_option("--genesis", attack.genesis_path, "genesis.json")->required();
  app.add_option("--node-key", attack.node_key_path, "the validator's node key (PEM)")->required();
  app.add_option("--vote-key", attack.vote_key_path, "the validator's vote key (PEM)")->required();
  app.add_option("--index", attack.self, "the validator's index in genesis");
  app.add_option("--seconds", attack.seconds, "how long to attack");
  app.add_option("--mode", attack.modes, "future, sync, amplify (all by default)");
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
  Attacker attacker(attack, *genesis, std::move(vote_key).value(), **transport);
  (*transport)->OnFrame([&attacker](uint32_t, Bytes frame) { attacker.OnFrame(std::move(frame)); });
  std::atomic<int> connected{0};
  (*transport)->OnPeerConnected([&connected](uint32_t) { ++connected; });
  if (Status started = (*transport)->Start(); !started.ok()) return Fail(started.ToString());
  attacker.Run();
  (*transport)->Stop();
  attacker.PrintSummary();
  std::printf("byzantine: connections=%d\n", connected.load());
  return 0;
}

}  // namespace
}  // namespace evidence

int main(int argc, char** argv) { return evidence::Main(argc, argv); }
