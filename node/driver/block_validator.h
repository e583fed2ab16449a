// LedgerBlockValidator: the ledger's block rules as the consensus core sees them
// (consensus::BlockValidator). Blocks are the cereal bytes of ledger::Block,
// their hash is the header hash, and a block is valid when ledger::ValidateBlock
// accepts it on top of the store's state.
//
// Leaves the mempool checked on admission (the exact bytes it holds) are not
// parsed or verified again; the rules that depend on the block still apply.
// Leaves the mempool does not hold yet (their gossip is still on its way or
// queued) are handed to PeerIntake::AdmitNow first, which checks them on every
// core and admits the valid ones: each is then verified once on this node, not
// once here and once more when its gossip is drained. That admission is the one
// effect of IsValid outside the core (consensus/interfaces.h allows it).
//
// Thread-safety: called by the core, on the consensus thread only.
#pragma once

#include <cstdint>

#include "common/metrics.h"
#include "ledger/genesis.h"
#include "ledger/store.h"
#include "ledger/validation.h"
#include "node/consensus/interfaces.h"

namespace evidence::node {

class PeerIntake;
class RecordPool;

class LedgerBlockValidator : public consensus::BlockValidator {
 public:
  // Every reference must outlive the validator. `signature_checks` counts the
  // signatures verified here (evidence_signature_checks_total).
  LedgerBlockValidator(const ledger::Genesis& genesis, const ledger::Store& store,
                       const RecordPool& mempool, PeerIntake& intake,
                       metrics::Counter& signature_checks);

  crypto::Digest Hash(ByteView block) const override;
  bool IsValid(uint64_t height, ByteView block) override;

 private:
  const ledger::Genesis& genesis_;
  const ledger::Store& store_;
  const RecordPool& mempool_;
  PeerIntake& intake_;
  metrics::Counter& signature_checks_;
};

}  // namespace evidence::node
