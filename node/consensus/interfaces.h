// The pure interfaces the consensus core is built over, and the effects it emits.
//
// The core never signs, verifies or judges blocks itself: the node plugs in real
// keys and the ledger's block rules (key_signer.h, node/), the simulator plugs in
// a fast keyed hash and its own block rules (tests/sim/). Implementations must be
// deterministic for the simulator and must not call back into the core.
//
// Effects contract (the node's driver executes an outbox in order):
//   - Persist comes before the Broadcast of anything it covers: the driver makes
//     the state durable (WAL append + fsync) before it sends the next messages.
//   - Commit hands a decided block and its commit to the application, which stores
//     it atomically before the core's next input.
//   - ScheduleTimeout asks for OnTimeout(height, round, kind) after duration_ms;
//     stale timeouts are harmless (the core ignores them).
//   - RequestBlock asks the application for a block to propose at (height, round);
//     it answers with OnBlockReady, or not at all while it has nothing to propose.
//   - OnRecordsPending (an input) holds for the current round only: at every new
//     height and round the application calls it again while records wait.
//   - FetchBlock asks peers for the decided block at `height` (BlockRequest);
//     PeerBehind says a peer sends messages for a height we already decided: send
//     it our DecidedBlock for that height.
//
// Thread-safety: the interfaces are called from the core's strand only.
#pragma once

#include <cstdint>
#include <variant>

#include "common/bytes.h"
#include "crypto/hash.h"
#include "ledger/vote.h"
#include "node/consensus/types.h"

namespace evidence::consensus {

// Signs with the validator's own key.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual Bytes Sign(ByteView message) = 0;
};

// Verifies signatures of any validator of the set, by index.
class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  virtual bool Verify(uint32_t validator_index, ByteView message, ByteView signature) const = 0;
};

// Blocks are opaque to the core: this decides their hash and validity.
class BlockValidator {
 public:
  virtual ~BlockValidator() = default;
  virtual crypto::Digest Hash(ByteView block) const = 0;
  // True when `block` may be committed at `height` (the application's rules).
  // The answer depends only on the block and the application's committed
  // state; judging it may do work outside the core (the node checks the
  // block's records it has not seen and admits them to its mempool), but never
  // calls back into the core.
  virtual bool IsValid(uint64_t height, ByteView block) = 0;
};

struct BroadcastEffect {
  Message message;
};
struct PersistEffect {
  PersistedState state;
};
struct ScheduleTimeoutEffect {
  uint64_t height = 0;
  uint32_t round = 0;
  TimeoutKind kind = TimeoutKind::kPropose;
  int64_t duration_ms = 0;
};
struct RequestBlockEffect {
  uint64_t height = 0;
  uint32_t round = 0;
};
struct FetchBlockEffect {
  uint64_t height = 0;
  crypto::Digest block_hash{};  // all zero when unknown
};
struct PeerBehindEffect {
  uint32_t validator_index = 0;
  uint64_t height = 0;  // the height the peer is at; we decided it already
};
struct CommitEffect {
  uint64_t height = 0;
  Bytes block;
  ledger::Commit commit;
  int64_t median_time_ms = 0;  // BFT time of this commit: the next block's time
};
// Two signed votes of one validator for the same (height, round, type) with
// different block hashes.
struct EvidenceEffect {
  ledger::Vote first;
  ledger::Vote second;
};

using Effect = std::variant<BroadcastEffect, PersistEffect, ScheduleTimeoutEffect,
                            RequestBlockEffect, FetchBlockEffect, PeerBehindEffect, CommitEffect,
                            EvidenceEffect>;

}  // namespace evidence::consensus
