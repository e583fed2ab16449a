// SyncTracker: decides when and from whom a node that is behind fetches decided
// blocks. Pure bookkeeping (no I/O, no clock of its own): the node feeds it the
// peers' reported heights and the current time, and asks what to request next.
//
// A node is behind when peers holding more than 1/3 of the voting power (so at
// least one honest validator) report a committed height above its own: one
// Byzantine peer cannot keep a node "syncing" by lying about its height. It then
// asks one peer that reports the blocks (the highest, rotating among equals) for
// up to kSyncBlocksMax blocks from its next height; one request is outstanding
// at a time, and it is re-asked of another peer when the answer does not come
// within request_timeout_ms or does not advance the height.
//
// Thread-safety: not thread-safe; the node's consensus thread owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "node/messages.h"

namespace evidence::node {

struct SyncTarget {
  uint32_t peer_index = 0;
  SyncRequest request;
};

class SyncTracker {
 public:
  // `powers`: voting power per peer index (0: a peer that does not vote; the
  // entry of `self_index` counts in the total, never as a report).
  SyncTracker(std::vector<uint64_t> powers, std::optional<uint32_t> self_index,
              int64_t request_timeout_ms = 3000);

  // The set in force changed (governance): new powers per peer index, as many
  // as before. Ignored when they add up to 0.
  void SetPowers(std::vector<uint64_t> powers);

  // A peer said its store holds every block up to `height` (status messages and
  // answers), or showed it is working at `height` + 1 (consensus messages).
  void OnPeerHeight(uint32_t peer_index, uint64_t height);
  void OnPeerDisconnected(uint32_t peer_index);
  // An answer arrived (whatever it held): the outstanding request is settled.
  void OnResponse(uint32_t peer_index);

  // What to ask for now, if anything, given the last committed height.
  std::optional<SyncTarget> Next(uint64_t own_height, int64_t now_ms);

  // Highest committed height any connected peer reported (0: none known).
  uint64_t best_peer_height() const;
  // Highest height that peers with more than 1/3 of the power report reaching.
  uint64_t trusted_height() const;
  bool behind(uint64_t own_height) const { return trusted_height() > own_height; }

 private:
  std::vector<uint64_t> powers_;
  uint64_t total_power_ = 0;
  std::vector<std::optional<uint64_t>> heights_;  // per peer; nullopt: unknown or gone
  std::optional<uint32_t> self_index_;
  int64_t request_timeout_ms_;
  std::optional<uint32_t> outstanding_peer_;
  int64_t outstanding_since_ms_ = 0;
  uint32_t rotation_ = 0;
};

}  // namespace evidence::node
