#include "node/driver/block_sync.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

namespace evidence::node {
namespace {

std::vector<uint64_t> ValidatorPowers(const ledger::Genesis& genesis) {
  std::vector<uint64_t> powers;
  for (const ledger::GenesisValidator& validator : genesis.validators()) {
    powers.push_back(validator.power);
  }
  return powers;
}

}  // namespace

BlockSync::BlockSync(const ledger::Genesis& genesis, const ledger::Store& store,
                     uint32_t node_index, SendFn send)
    : genesis_(genesis),
      store_(store),
      send_(std::move(send)),
      tracker_(ValidatorPowers(genesis), node_index) {}

void BlockSync::MaybeRequest(int64_t now_ms) {
  std::optional<SyncTarget> target = tracker_.Next(store_.height(), now_ms);
  if (!target) return;
  spdlog::info("event=sync_request peer={} from={} count={}",
               genesis_.validators()[target->peer_index].name, target->request.from_height,
               target->request.count);
  send_(target->peer_index, target->request);
}

}  // namespace evidence::node
