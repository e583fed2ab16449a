#include "node/intake/peer_inbox.h"

#include "common/check.h"
#include "common/limits.h"

namespace evidence::node {

PeerInbox::Limits PeerInbox::Defaults() {
  return Limits{limits::kPeerInboxConsensusMessagesMax, limits::kPeerInboxConsensusBytesMax,
                limits::kPeerInboxBulkMessagesMax, limits::kPeerInboxBulkBytesMax};
}

PeerInbox::Lane PeerInbox::LaneOf(const PeerMessage& message) {
  if (const auto* consensus = std::get_if<consensus::Message>(&message)) {
    EVIDENCE_CHECK_MSG(!std::holds_alternative<consensus::BlockRequest>(*consensus),
                       "block requests go to the block server");
    return std::holds_alternative<consensus::DecidedBlock>(*consensus) ? Lane::kBulk
                                                                       : Lane::kConsensus;
  }
  if (std::holds_alternative<StatusMessage>(message)) return Lane::kConsensus;
  EVIDENCE_CHECK_MSG(std::holds_alternative<SyncResponse>(message) ||
                         std::holds_alternative<GovernanceGossip>(message),
                     "sync requests and gossip never enter the peer inbox");
  return Lane::kBulk;
}

PeerInbox::PeerInbox(size_t peers, Limits limits) : limits_(limits) {
  EVIDENCE_CHECK(peers >= 1);
  EVIDENCE_CHECK(limits_.consensus_messages >= 1 && limits_.bulk_messages >= 1);
  MutexLock lock(&mutex_);
  peers_.resize(peers);
}

PeerInbox::PushResult PeerInbox::Push(uint32_t peer, PeerMessage message, size_t bytes) {
  const Lane lane = LaneOf(message);
  MutexLock lock(&mutex_);
  EVIDENCE_CHECK(peer < peers_.size());
  PeerLanes& lanes = peers_[peer];
  Queue& queue = lane == Lane::kConsensus ? lanes.consensus : lanes.bulk;
  const size_t messages_max =
      lane == Lane::kConsensus ? limits_.consensus_messages : limits_.bulk_messages;
  const size_t bytes_max = lane == Lane::kConsensus ? limits_.consensus_bytes : limits_.bulk_bytes;
  if (queue.items.size() >= messages_max || queue.bytes + bytes > bytes_max) {
    ++lanes.dropped;
    return PushResult::kDropped;
  }
  queue.items.push_back(Item{peer, std::move(message), bytes});
  queue.bytes += bytes;
  ++messages_;
  bytes_ += bytes;
  if (consumer_scheduled_) return PushResult::kQueued;
  consumer_scheduled_ = true;
  return PushResult::kQueuedWakeConsumer;
}

std::optional<PeerInbox::Item> PeerInbox::Pop() {
  MutexLock lock(&mutex_);
  for (size_t k = 0; k < peers_.size(); ++k) {
    const size_t peer = (next_peer_ + k) % peers_.size();
    PeerLanes& lanes = peers_[peer];
    Queue* queue = !lanes.consensus.items.empty() ? &lanes.consensus
                   : !lanes.bulk.items.empty()    ? &lanes.bulk
                                                  : nullptr;
    if (queue == nullptr) continue;
    Item item = std::move(queue->items.front());
    queue->items.pop_front();
    EVIDENCE_CHECK(queue->bytes >= item.bytes && bytes_ >= item.bytes && messages_ > 0);
    queue->bytes -= item.bytes;
    bytes_ -= item.bytes;
    --messages_;
    next_peer_ = (peer + 1) % peers_.size();
    return item;
  }
  EVIDENCE_CHECK(messages_ == 0 && bytes_ == 0);
  consumer_scheduled_ = false;
  return std::nullopt;
}

size_t PeerInbox::messages() const {
  MutexLock lock(&mutex_);
  return messages_;
}

size_t PeerInbox::bytes() const {
  MutexLock lock(&mutex_);
  return bytes_;
}

uint64_t PeerInbox::dropped(uint32_t peer) const {
  MutexLock lock(&mutex_);
  EVIDENCE_CHECK(peer < peers_.size());
  return peers_[peer].dropped;
}

}  // namespace evidence::node
