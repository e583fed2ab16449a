// PeerIntake: where frames from validator peers enter the node, and where the
// records they gossip are checked and admitted to the mempool.
//
// Threads:
//   - the p2p transport's I/O thread calls OnFrame: the frame is decoded there;
//     gossiped records go to the gossip inbox, every other message to the
//     consensus thread through `to_consensus` (which bounds its own queue);
//   - one gossip thread (owned here) drains the inbox: it takes everything
//     queued at once and has it checked on every core and admitted by
//     `admit` (ChainService::AdmitFromPeer), in slices of kGossipAdmitSlice;
//   - the consensus thread calls AdmitNow for the leaves of a proposal that the
//     mempool does not hold yet: they are checked and admitted at once, ahead of
//     the queued gossip (the drain finishes its slice, then waits), so a record
//     is verified once on this node, whichever way it arrives first.
//
// Bounds: the inbox holds at most kGossipInboxRecordsMax records and
// kGossipInboxBytesMax bytes, and of them at most kGossipInboxRecordsPerPeerMax
// and kGossipInboxBytesPerPeerMax from one peer (limits.h), so a peer that
// floods gossip fills only its share; a gossip frame that does not fit is
// dropped whole and counted in `dropped` (evidence_peer_frames_dropped_total).
// Frames that do not decode are counted too and logged at most a few lines a
// second.
//
// Thread-safety: OnFrame from the transport's thread, AdmitNow from the
// consensus thread, Start and Stop from the controlling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/limits.h"
#include "common/log_throttle.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "node/messages.h"

namespace boost::asio {
class thread_pool;
}

namespace evidence::node {

// Gossiped records waiting for their checks; beyond this a frame is dropped.
inline constexpr size_t kGossipInboxRecordsMax = limits::kGossipInboxRecordsMax;
inline constexpr size_t kGossipInboxBytesMax = limits::kGossipInboxBytesMax;
// Gossiped records checked and admitted together (a few tens of milliseconds).
inline constexpr size_t kGossipAdmitSlice = 512;

class PeerIntake {
 public:
  // Checks records from peers and admits the valid ones (each on its own).
  using AdmitFn = std::function<void(std::vector<std::string> leaves)>;
  // A decoded non-gossip message (`bytes` long on the wire) for the consensus
  // thread or the block server (the driver routes it).
  using ConsensusFn = std::function<void(uint32_t peer, PeerMessage message, size_t bytes)>;
  // A peer's display name, for logs.
  using PeerNameFn = std::function<std::string(uint32_t peer)>;

  // `peers`: the number of validators; `dropped` must outlive the intake.
  PeerIntake(size_t peers, AdmitFn admit, ConsensusFn to_consensus, PeerNameFn peer_name,
             metrics::Counter& dropped);
  ~PeerIntake();  // Stop()
  PeerIntake(const PeerIntake&) = delete;
  PeerIntake& operator=(const PeerIntake&) = delete;

  // Starts the gossip thread.
  void Start();
  // Stops the gossip thread (queued gossip is dropped). Idempotent.
  void Stop();

  // Transport thread: one frame from validator `peer`.
  void OnFrame(uint32_t peer, Bytes frame);
  // Consensus thread: checks and admits `leaves` now, ahead of queued gossip.
  // Blocks until they are admitted (or refused).
  void AdmitNow(std::vector<std::string> leaves) EVIDENCE_EXCLUDES(admission_mutex_);

 private:
  void QueueGossip(uint32_t peer, std::vector<std::string> leaves) EVIDENCE_EXCLUDES(inbox_mutex_);
  void Drain() EVIDENCE_EXCLUDES(inbox_mutex_, admission_mutex_);

  const AdmitFn admit_;
  const ConsensusFn to_consensus_;
  const PeerNameFn peer_name_;
  metrics::Counter& dropped_;
  LogThrottle refusal_log_{5, std::chrono::seconds(1)};
  std::unique_ptr<boost::asio::thread_pool> gossip_thread_;
  std::atomic<bool> stopping_{false};

  Mutex inbox_mutex_;
  std::vector<std::string> inbox_ EVIDENCE_GUARDED_BY(inbox_mutex_);
  size_t inbox_bytes_ EVIDENCE_GUARDED_BY(inbox_mutex_) = 0;
  // Each peer's share of the inbox (reset when the drain takes it all).
  std::vector<size_t> peer_records_ EVIDENCE_GUARDED_BY(inbox_mutex_);
  std::vector<size_t> peer_bytes_ EVIDENCE_GUARDED_BY(inbox_mutex_);
  bool draining_ EVIDENCE_GUARDED_BY(inbox_mutex_) = false;

  // Held while records from peers are checked and admitted (a slice of the
  // drain, or a proposal's unseen leaves), so that a record a proposal brings
  // is not verified again by a drain that had already taken it, and the
  // reverse. A waiting AdmitNow goes first: the drain yields between slices.
  Mutex admission_mutex_;
  CondVar admission_turn_;  // waits hold admission_mutex_
  std::atomic<int> urgent_waiting_{0};
};

}  // namespace evidence::node
