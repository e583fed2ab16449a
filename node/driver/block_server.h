// BlockServer: serves decided blocks (with their commits) to peers that ask —
// SyncRequest and BlockRequest frames, and the blocks the consensus core
// decides to push to a peer that is behind — on a thread of its own, so that
// serving never holds up the consensus thread (issue 17, finding 2: 14-byte
// requests for 64 blocks each, served on the consensus thread, stopped the
// chain for 160 s).
//
// Per peer: at most one request waits (a newer one replaces it; a peer that
// still needs blocks asks again), and a budget of bytes (a token bucket:
// bytes_per_second, at most burst_bytes saved up) bounds what serving it may
// cost. Peers with a request and budget left take turns; a response stops
// growing at kSyncResponseBytesTarget or at the peer's budget, whichever comes
// first, and always holds at least one block (its cost may overdraw the budget,
// which then refills first). So a peer that floods requests costs this node at
// most bytes_per_second of reads and sends, and the others are served as if it
// were quiet. Responses are sent with bulk priority (consensus frames go first,
// node/p2p/transport.h).
//
// ServeQueue is the bookkeeping (pure, clock given); BlockServer runs it on its
// thread over the store.
//
// Thread-safety: BlockServer::Request from any thread; Start and Stop from the
// controlling thread. ServeQueue is not thread-safe (BlockServer locks it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "ledger/store.h"
#include "node/messages.h"

namespace evidence::node {

struct BlockServeOptions {
  size_t bytes_per_second = 0;  // per peer
  size_t burst_bytes = 0;       // per peer; at least one response's target
  static BlockServeOptions Defaults();  // limits.h
};

// One request to serve: from whom, which blocks, and how many bytes at most
// (beyond the first block).
struct ServeJob {
  uint32_t peer = 0;
  uint64_t from_height = 0;
  uint64_t count = 0;
  size_t bytes_target = 0;
};

class ServeQueue {
 public:
  using Clock = std::chrono::steady_clock;

  ServeQueue(size_t peers, BlockServeOptions options, Clock::time_point now);

  // A request from `peer` (replacing the one it had waiting, counted as
  // replaced). count 0 or from_height 0 is ignored.
  void Request(uint32_t peer, uint64_t from_height, uint64_t count);
  // The next peer in turn with a request and budget left, its request taken.
  std::optional<ServeJob> Next(Clock::time_point now);
  // What serving `job` cost (bytes of blocks sent).
  void Charge(uint32_t peer, size_t bytes, Clock::time_point now);
  // When a waiting request will have budget again (nullopt: nothing waits).
  std::optional<Clock::time_point> NextReady(Clock::time_point now) const;

  uint64_t replaced(uint32_t peer) const { return peers_.at(peer).replaced; }
  int64_t budget(uint32_t peer) const { return peers_.at(peer).tokens; }

 private:
  struct Peer {
    std::optional<ServeJob> waiting;
    int64_t tokens = 0;  // bytes; may be negative after a large block
    Clock::time_point refilled_at;
    uint64_t replaced = 0;
  };
  void Refill(Peer& peer, Clock::time_point now) const;

  const BlockServeOptions options_;
  std::vector<Peer> peers_;
  size_t next_peer_ = 0;
};

class BlockServer {
 public:
  // Sends one encoded SyncResponse frame to a peer (bulk priority).
  using SendFn = std::function<void(uint32_t peer, Bytes frame)>;

  // `store` must outlive the server.
  BlockServer(const ledger::Store& store, size_t peers, BlockServeOptions options, SendFn send);
  ~BlockServer();  // Stop()
  BlockServer(const BlockServer&) = delete;
  BlockServer& operator=(const BlockServer&) = delete;

  void Start();
  // Idempotent; waiting requests are dropped.
  void Stop();

  // Any thread: `peer` wants up to `count` decided blocks from `from_height`.
  void Request(uint32_t peer, uint64_t from_height, uint64_t count) EVIDENCE_EXCLUDES(mutex_);

  // Bytes of blocks served so far, and requests replaced before they were
  // served (a peer asking faster than its budget), for metrics and tests.
  uint64_t bytes_served() const EVIDENCE_EXCLUDES(mutex_);
  uint64_t requests_replaced() const EVIDENCE_EXCLUDES(mutex_);

 private:
  void Run() EVIDENCE_EXCLUDES(mutex_);
  // Reads and sends one response; returns the bytes of blocks it held.
  size_t Serve(const ServeJob& job);

  const ledger::Store& store_;
  const size_t peers_;
  const SendFn send_;
  std::thread thread_;

  mutable Mutex mutex_;
  CondVar changed_;  // waits hold mutex_
  ServeQueue queue_ EVIDENCE_GUARDED_BY(mutex_);
  bool stopping_ EVIDENCE_GUARDED_BY(mutex_) = false;
  uint64_t bytes_served_ EVIDENCE_GUARDED_BY(mutex_) = 0;
};

// The blocks of `job` as one SyncResponse: consecutive heights from
// job.from_height up to the store's height, at most job.count and
// kSyncBlocksMax blocks and job.bytes_target bytes of blocks and commits
// (except a first block larger than that, which goes alone). Empty when the
// store has none of them. `block_bytes`: what the response holds.
SyncResponse ReadBlocks(const ledger::Store& store, const ServeJob& job, size_t* block_bytes);

}  // namespace evidence::node
