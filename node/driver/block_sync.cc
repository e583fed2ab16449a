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

void BlockSync::Serve(uint32_t peer, uint64_t from_height, uint64_t count) {
  uint64_t head = store_.height();
  SyncResponse response;
  size_t bytes = 0;
  for (uint64_t height = from_height;
       height <= head && height < from_height + count && response.blocks.size() < kSyncBlocksMax &&
       bytes < kSyncResponseBytesTarget;
       ++height) {
    Result<ledger::Block> block = store_.GetBlock(height);
    Result<ledger::Commit> commit = store_.GetCommit(height);
    if (!block.ok() || !commit.ok()) break;
    consensus::DecidedBlock decided{ledger::EncodeBlock(*block), std::move(*commit)};
    bytes += decided.block.size();
    response.blocks.push_back(std::move(decided));
  }
  if (!response.blocks.empty()) send_(peer, response);
}

void BlockSync::MaybeRequest(int64_t now_ms) {
  std::optional<SyncTarget> target = tracker_.Next(store_.height(), now_ms);
  if (!target) return;
  spdlog::info("event=sync_request peer={} from={} count={}",
               genesis_.validators()[target->peer_index].name, target->request.from_height,
               target->request.count);
  send_(target->peer_index, target->request);
}

}  // namespace evidence::node
