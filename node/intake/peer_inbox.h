// PeerInbox: the bounded queue of decoded peer messages waiting for the
// consensus thread (issue 17, findings 1 and 2). Each peer has two lanes —
// consensus (proposals, votes, status) and bulk (sync responses, decided
// blocks) — each bounded in messages and in bytes, so a peer that floods fills
// only its own lanes (the rest of its frames are dropped and counted) while
// every other peer's messages still get in. The consumer takes messages peer by
// peer in turn (round-robin), and from each peer its consensus lane first: a
// vote never waits behind another peer's flood, nor behind a sync response.
//
// Memory: at most peers x (consensus_bytes + bulk_bytes) of queued messages
// (bytes as the frames measured on the wire).
//
// Waking the consumer: Push answers kQueuedWakeConsumer when the consumer must
// be scheduled (it had found the inbox empty); the consumer then Pops until it
// gets nullopt, which re-arms the wake-up. Exactly one wake-up is outstanding.
//
// Thread-safety: Push from any thread (the transport's), Pop from one consumer
// (the consensus thread); an internal mutex guards everything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "common/mutex.h"
#include "node/messages.h"

namespace evidence::node {

class PeerInbox {
 public:
  enum class Lane { kConsensus, kBulk };

  struct Limits {
    size_t consensus_messages = 0;
    size_t consensus_bytes = 0;
    size_t bulk_messages = 0;
    size_t bulk_bytes = 0;
  };
  // The node's: limits.h.
  static Limits Defaults();

  struct Item {
    uint32_t peer = 0;
    PeerMessage message;
    size_t bytes = 0;
  };

  enum class PushResult { kQueued, kQueuedWakeConsumer, kDropped };

  // The lane a message travels in. Requests (SyncRequest, BlockRequest) and
  // gossip never enter the inbox (the block server and the gossip inbox take
  // them); asking for their lane is a bug.
  static Lane LaneOf(const PeerMessage& message);

  PeerInbox(size_t peers, Limits limits);
  PeerInbox(const PeerInbox&) = delete;
  PeerInbox& operator=(const PeerInbox&) = delete;

  // Queues `message` (`bytes` long on the wire) from `peer`, or drops it when
  // that peer's lane is full.
  PushResult Push(uint32_t peer, PeerMessage message, size_t bytes) EVIDENCE_EXCLUDES(mutex_);
  // The next message in turn, or nullopt when the inbox is empty (the next
  // Push then asks for a wake-up).
  std::optional<Item> Pop() EVIDENCE_EXCLUDES(mutex_);

  size_t messages() const EVIDENCE_EXCLUDES(mutex_);
  size_t bytes() const EVIDENCE_EXCLUDES(mutex_);
  uint64_t dropped(uint32_t peer) const EVIDENCE_EXCLUDES(mutex_);

 private:
  struct Queue {
    std::deque<Item> items;
    size_t bytes = 0;
  };
  struct PeerLanes {
    Queue consensus;
    Queue bulk;
    uint64_t dropped = 0;
  };

  const Limits limits_;
  mutable Mutex mutex_;
  std::vector<PeerLanes> peers_ EVIDENCE_GUARDED_BY(mutex_);
  size_t next_peer_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  size_t messages_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  size_t bytes_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  bool consumer_scheduled_ EVIDENCE_GUARDED_BY(mutex_) = false;
};

}  // namespace evidence::node
