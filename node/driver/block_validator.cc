#include "node/driver/block_validator.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <vector>

#include "ledger/block.h"
#include "node/intake/peer_intake.h"
#include "node/record_pool.h"

namespace evidence::node {

LedgerBlockValidator::LedgerBlockValidator(const ledger::Genesis& genesis,
                                           const ledger::Store& store, const RecordPool& mempool,
                                           PeerIntake& intake, metrics::Counter& signature_checks)
    : genesis_(genesis),
      store_(store),
      mempool_(mempool),
      intake_(intake),
      signature_checks_(signature_checks) {}

crypto::Digest LedgerBlockValidator::Hash(ByteView block) const {
  Result<ledger::Block> decoded = ledger::DecodeBlock(block);
  if (!decoded.ok()) {
    // Not a block: a hash no header can have (domain-separated from headers).
    crypto::Hasher hasher(genesis_.hash());
    hasher.Update(std::string_view("EVIDENCE-NOT-A-BLOCK\n")).Update(block);
    return hasher.Finish();
  }
  return ledger::BlockHash(genesis_.hash(), decoded->header);
}

bool LedgerBlockValidator::IsValid(uint64_t height, ByteView block) {
  Result<ledger::Block> decoded = ledger::DecodeBlock(block);
  if (!decoded.ok()) {
    spdlog::warn("event=block_refused height={} reason=\"{}\"", height,
                 decoded.status().message());
    return false;
  }
  ledger::ChainState state = store_.chain_state();
  if (state.height + 1 != height) return false;
  // One look-up per leaf; only the leaves admitted just now are looked up again.
  const std::vector<std::string>& leaves = decoded->leaves;
  std::vector<std::optional<ledger::CheckedLeaf>> checked(leaves.size());
  std::vector<size_t> unseen_at;
  for (size_t i = 0; i < leaves.size(); ++i) {
    checked[i] = mempool_.CheckedLeafOf(leaves[i]);
    if (!checked[i]) unseen_at.push_back(i);
  }
  if (!unseen_at.empty()) {
    std::vector<std::string> unseen;
    unseen.reserve(unseen_at.size());
    for (size_t i : unseen_at) unseen.push_back(leaves[i]);
    intake_.AdmitNow(std::move(unseen));
    for (size_t i : unseen_at) checked[i] = mempool_.CheckedLeafOf(leaves[i]);
  }
  ledger::BatchSignatureCache cache;
  uint64_t checks = 0;
  Status status =
      ledger::ValidateBlock(state, *decoded, &cache, checked, &checks);
  signature_checks_.Increment(checks);
  if (!status.ok()) {
    spdlog::warn("event=block_refused height={} reason=\"{}\"", height, status.message());
  }
  return status.ok();
}

}  // namespace evidence::node
