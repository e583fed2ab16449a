#include "node/intake/peer_intake.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/thread.h"

namespace evidence::node {

PeerIntake::PeerIntake(size_t peers, AdmitFn admit, ConsensusFn to_consensus,
                       PeerNameFn peer_name, metrics::Counter& dropped)
    : admit_(std::move(admit)),
      to_consensus_(std::move(to_consensus)),
      peer_name_(std::move(peer_name)),
      dropped_(dropped) {
  EVIDENCE_CHECK(peers >= 1);
  MutexLock lock(&inbox_mutex_);
  peer_records_.assign(peers, 0);
  peer_bytes_.assign(peers, 0);
}

PeerIntake::~PeerIntake() { Stop(); }

void PeerIntake::Start() {
  EVIDENCE_CHECK(!gossip_thread_);
  gossip_thread_ = std::make_unique<boost::asio::thread_pool>(1);
  boost::asio::post(*gossip_thread_, [] { NameCurrentThread("gossip"); });
}

void PeerIntake::Stop() {
  if (stopping_.exchange(true)) return;
  {
    // A drain waiting for its turn wakes up and sees stopping_.
    MutexLock lock(&admission_mutex_);
    admission_turn_.SignalAll();
  }
  if (gossip_thread_) gossip_thread_->join();
}

// Decoded on the transport's thread. Gossip goes straight to the gossip inbox
// (its own bound): under load the consensus thread is busy with blocks, and
// gossip queued behind them would overflow the consensus inbox.
void PeerIntake::OnFrame(uint32_t peer, Bytes frame) {
  const size_t bytes = frame.size();
  Result<PeerMessage> decoded = DecodePeerMessage(frame);
  frame = Bytes();  // the decoded copy is all that is kept
  if (!decoded.ok()) {
    dropped_.Increment();
    if (std::optional<uint64_t> suppressed = refusal_log_.Admit(LogThrottle::Clock::now())) {
      spdlog::warn("event=peer_message_refused peer={} reason=\"{}\" suppressed={}",
                   peer_name_(peer), decoded.status().message(), *suppressed);
    }
    return;
  }
  if (auto* gossip = std::get_if<RecordsGossip>(&*decoded)) {
    QueueGossip(peer, std::move(gossip->leaves));
    return;
  }
  to_consensus_(peer, std::move(decoded).value(), bytes);
}

void PeerIntake::QueueGossip(uint32_t peer, std::vector<std::string> leaves) {
  size_t bytes = 0;
  for (const std::string& leaf : leaves) bytes += leaf.size();
  {
    MutexLock lock(&inbox_mutex_);
    if (stopping_) return;
    EVIDENCE_CHECK(peer < peer_records_.size());
    if (inbox_.size() + leaves.size() > kGossipInboxRecordsMax ||
        inbox_bytes_ + bytes > kGossipInboxBytesMax ||
        peer_records_[peer] + leaves.size() > limits::kGossipInboxRecordsPerPeerMax ||
        peer_bytes_[peer] + bytes > limits::kGossipInboxBytesPerPeerMax) {
      dropped_.Increment();
      return;
    }
    peer_records_[peer] += leaves.size();
    peer_bytes_[peer] += bytes;
    for (std::string& leaf : leaves) inbox_.push_back(std::move(leaf));
    inbox_bytes_ += bytes;
    if (draining_) return;
    draining_ = true;
  }
  boost::asio::post(*gossip_thread_, [this] { Drain(); });
}

void PeerIntake::Drain() {
  for (;;) {
    std::vector<std::string> leaves;
    {
      MutexLock lock(&inbox_mutex_);
      if (inbox_.empty() || stopping_) {
        draining_ = false;
        return;
      }
      leaves.swap(inbox_);
      inbox_bytes_ = 0;
      std::fill(peer_records_.begin(), peer_records_.end(), 0);
      std::fill(peer_bytes_.begin(), peer_bytes_.end(), 0);
    }
    // In slices, so that a proposal whose records are still queued here waits
    // for one slice at most before it checks them itself (the slices after it
    // then find them in the mempool and skip them).
    for (size_t at = 0; at < leaves.size(); at += kGossipAdmitSlice) {
      size_t end = std::min(leaves.size(), at + kGossipAdmitSlice);
      std::vector<std::string> slice(std::make_move_iterator(leaves.begin() + at),
                                     std::make_move_iterator(leaves.begin() + end));
      MutexLock lock(&admission_mutex_);
      // A proposal's records go first: with a mutex alone this loop could take
      // it back slice after slice while the consensus thread waits.
      while (urgent_waiting_.load() != 0 && !stopping_) admission_turn_.Wait(&admission_mutex_);
      if (stopping_) return;
      admit_(std::move(slice));
    }
  }
}

void PeerIntake::AdmitNow(std::vector<std::string> leaves) {
  // Takes the next turn: the drain finishes its slice, then waits.
  urgent_waiting_.fetch_add(1);
  {
    MutexLock lock(&admission_mutex_);
    urgent_waiting_.fetch_sub(1);
    admit_(std::move(leaves));
  }
  admission_turn_.SignalAll();
}

}  // namespace evidence::node
