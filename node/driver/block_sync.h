// BlockSync: the consensus thread's side of block sync: when this node is
// behind (SyncTracker, node/sync.h: peers with more than 1/3 of the power
// report a higher committed height), it asks one peer at a time for the next
// range. The blocks that come back are checked by the consensus core (commit
// quorum, block rules) before they are stored: the driver feeds them to it.
// Serving blocks to peers is the BlockServer's (block_server.h, its own
// thread).
//
// Thread-safety: the consensus thread only.
#pragma once

#include <cstdint>
#include <functional>

#include "ledger/genesis.h"
#include "node/peer_directory.h"
#include "ledger/store.h"
#include "node/messages.h"
#include "node/sync.h"

namespace evidence::node {

class BlockSync {
 public:
  using SendFn = std::function<void(uint32_t peer, const PeerMessage& message)>;

  // `store` and `peers` must outlive the sync; `powers`: per peer index.
  BlockSync(const PeerDirectory& peers, const ledger::Store& store, uint32_t node_index,
            SendFn send);
  // The powers of the set in force, per peer index (after a set change).
  void SetPowers(std::vector<uint64_t> powers) { tracker_.SetPowers(std::move(powers)); }

  void OnPeerHeight(uint32_t peer, uint64_t height) { tracker_.OnPeerHeight(peer, height); }
  void OnPeerDisconnected(uint32_t peer) { tracker_.OnPeerDisconnected(peer); }
  void OnResponse(uint32_t peer) { tracker_.OnResponse(peer); }

  // Asks one peer for the next range of blocks when this node is behind.
  void MaybeRequest(int64_t now_ms);

  // Whether peers with more than 1/3 of the power report a higher height.
  bool behind() const { return tracker_.behind(store_.height()); }
  // Highest height that peers with more than 1/3 of the power report reaching.
  uint64_t trusted_height() const { return tracker_.trusted_height(); }

 private:
  const PeerDirectory& peers_;
  const ledger::Store& store_;
  const SendFn send_;
  SyncTracker tracker_;
};

}  // namespace evidence::node
