#include "node/driver/block_sync.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

namespace evidence::node {

BlockSync::BlockSync(const PeerDirectory& peers, const ledger::Store& store,
                     uint32_t node_index, SendFn send)
    : peers_(peers),
      store_(store),
      send_(std::move(send)),
      tracker_(peers.Powers(), node_index) {}

void BlockSync::MaybeRequest(int64_t now_ms) {
  std::optional<SyncTarget> target = tracker_.Next(store_.height(), now_ms);
  if (!target) return;
  spdlog::info("event=sync_request peer={} from={} count={}",
               peers_.Name(target->peer_index), target->request.from_height,
               target->request.count);
  send_(target->peer_index, target->request);
}

}  // namespace evidence::node
