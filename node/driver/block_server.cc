#include "node/driver/block_server.h"

#include <algorithm>

#include "common/check.h"
#include "common/limits.h"
#include "common/thread.h"

namespace evidence::node {

BlockServeOptions BlockServeOptions::Defaults() {
  return BlockServeOptions{limits::kSyncServeBytesPerSecondPerPeer,
                           limits::kSyncServeBurstBytesPerPeer};
}

// ---------------------------------------------------------------- ServeQueue

ServeQueue::ServeQueue(size_t peers, BlockServeOptions options, Clock::time_point now)
    : options_(options), peers_(peers) {
  EVIDENCE_CHECK(peers >= 1 && options_.bytes_per_second > 0 && options_.burst_bytes > 0);
  for (Peer& peer : peers_) {
    peer.tokens = static_cast<int64_t>(options_.burst_bytes);
    peer.refilled_at = now;
  }
}

void ServeQueue::Refill(Peer& peer, Clock::time_point now) const {
  if (now <= peer.refilled_at) return;
  const double seconds = std::chrono::duration<double>(now - peer.refilled_at).count();
  const double added = seconds * static_cast<double>(options_.bytes_per_second);
  const double tokens = std::min(static_cast<double>(peer.tokens) + added,
                                 static_cast<double>(options_.burst_bytes));
  peer.tokens = static_cast<int64_t>(tokens);
  peer.refilled_at = now;
}

void ServeQueue::Request(uint32_t peer, uint64_t from_height, uint64_t count) {
  EVIDENCE_CHECK(peer < peers_.size());
  if (from_height == 0 || count == 0) return;
  Peer& state = peers_[peer];
  if (state.waiting) ++state.replaced;
  state.waiting = ServeJob{peer, from_height, std::min<uint64_t>(count, kSyncBlocksMax), 0};
}

std::optional<ServeJob> ServeQueue::Next(Clock::time_point now) {
  for (size_t k = 0; k < peers_.size(); ++k) {
    const size_t index = (next_peer_ + k) % peers_.size();
    Peer& peer = peers_[index];
    if (!peer.waiting) continue;
    Refill(peer, now);
    if (peer.tokens <= 0) continue;
    ServeJob job = *peer.waiting;
    peer.waiting.reset();
    job.bytes_target = std::min<size_t>(kSyncResponseBytesTarget, static_cast<size_t>(peer.tokens));
    next_peer_ = (index + 1) % peers_.size();
    return job;
  }
  return std::nullopt;
}

void ServeQueue::Charge(uint32_t peer, size_t bytes, Clock::time_point now) {
  Peer& state = peers_.at(peer);
  Refill(state, now);
  state.tokens -= static_cast<int64_t>(bytes);
}

std::optional<ServeQueue::Clock::time_point> ServeQueue::NextReady(Clock::time_point now) const {
  std::optional<Clock::time_point> earliest;
  for (const Peer& peer : peers_) {
    if (!peer.waiting) continue;
    Peer refilled = peer;
    Refill(refilled, now);
    Clock::time_point ready = now;
    if (refilled.tokens <= 0) {
      const double seconds = static_cast<double>(1 - refilled.tokens) /
                             static_cast<double>(options_.bytes_per_second);
      ready = now + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(seconds));
    }
    if (!earliest || ready < *earliest) earliest = ready;
  }
  return earliest;
}

// ---------------------------------------------------------------- reading

SyncResponse ReadBlocks(const ledger::Store& store, const ServeJob& job, size_t* block_bytes) {
  SyncResponse response;
  size_t bytes = 0;
  const uint64_t head = store.height();
  for (uint64_t height = job.from_height;
       height <= head && height - job.from_height < job.count &&
       response.blocks.size() < kSyncBlocksMax;
       ++height) {
    Result<ledger::Block> block = store.GetBlock(height);
    Result<ledger::Commit> commit = store.GetCommit(height);
    if (!block.ok() || !commit.ok()) break;
    consensus::DecidedBlock decided{ledger::EncodeBlock(*block), std::move(*commit)};
    size_t size = decided.block.size();
    for (const ledger::CommitSignature& signature : decided.commit.signatures) {
      size += sizeof(signature) + signature.signature.size();
    }
    // The first block always goes (alone it fits a frame); the others only
    // while the response stays within the target, so it fits one too.
    if (!response.blocks.empty() && bytes + size > job.bytes_target) break;
    bytes += size;
    response.blocks.push_back(std::move(decided));
  }
  if (block_bytes != nullptr) *block_bytes = bytes;
  return response;
}

// ---------------------------------------------------------------- BlockServer

BlockServer::BlockServer(const ledger::Store& store, size_t peers, BlockServeOptions options,
                         SendFn send)
    : store_(store),
      peers_(peers),
      send_(std::move(send)),
      queue_(peers, options, ServeQueue::Clock::now()) {}

BlockServer::~BlockServer() { Stop(); }

void BlockServer::Start() {
  EVIDENCE_CHECK(!thread_.joinable());
  thread_ = std::thread([this] {
    NameCurrentThread("sync-serve");
    Run();
  });
}

void BlockServer::Stop() {
  {
    MutexLock lock(&mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  changed_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void BlockServer::Request(uint32_t peer, uint64_t from_height, uint64_t count) {
  if (peer >= peers_) return;
  {
    MutexLock lock(&mutex_);
    if (stopping_) return;
    queue_.Request(peer, from_height, count);
  }
  changed_.Signal();
}

uint64_t BlockServer::bytes_served() const {
  MutexLock lock(&mutex_);
  return bytes_served_;
}

uint64_t BlockServer::requests_replaced() const {
  MutexLock lock(&mutex_);
  uint64_t replaced = 0;
  for (uint32_t peer = 0; peer < peers_; ++peer) replaced += queue_.replaced(peer);
  return replaced;
}

void BlockServer::Run() {
  for (;;) {
    ServeJob job;
    {
      MutexLock lock(&mutex_);
      for (;;) {
        if (stopping_) return;
        const auto now = ServeQueue::Clock::now();
        if (std::optional<ServeJob> next = queue_.Next(now)) {
          job = *next;
          break;
        }
        // Wait for a request, or for a waiting one's budget to refill.
        if (std::optional<ServeQueue::Clock::time_point> ready = queue_.NextReady(now)) {
          changed_.WaitUntil(&mutex_, *ready);
        } else {
          changed_.Wait(&mutex_);
        }
      }
    }
    const size_t bytes = Serve(job);  // outside the lock: reads and encodes
    MutexLock lock(&mutex_);
    queue_.Charge(job.peer, bytes, ServeQueue::Clock::now());
    bytes_served_ += bytes;
  }
}

size_t BlockServer::Serve(const ServeJob& job) {
  size_t bytes = 0;
  SyncResponse response = ReadBlocks(store_, job, &bytes);
  if (!response.blocks.empty()) send_(job.peer, EncodePeerMessage(response));
  return bytes;
}

}  // namespace evidence::node
