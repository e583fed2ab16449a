// The pure interfaces the consensus core is built over, and the effects it emits.
//
// The core never signs, verifies or judges blocks itself: the node plugs in real
// keys and the ledger's block rules (key_signer.h, node/), the simulator plugs in
// a fast keyed hash and its own block rules (tests/sim/). Implementations must be
// deterministic for the simulator and must not call back into the core.
//
// Validator sets change with governance (docs/governance.md §3): an action
// committed at height h changes the set from height h + 2 on. ValidatorSets
// gives the set of each height (validator_sets.h has the adapters); the core
// works at height H with the set of H and checks messages of H + 1 against the
// set of H + 1, which is known while H is decided because of the delay.
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
#include <memory>
#include <variant>

#include "common/bytes.h"
#include "crypto/hash.h"
#include "ledger/vote.h"
#include "node/consensus/types.h"

namespace evidence::consensus {

// The validators that decide one height, and the first height of the run of
// heights they have decided unchanged (the proposer rotation restarts there:
// ledger::GovernanceState::validators_since()). Two answers with the same
// `since` are the same set.
struct HeightValidators {
  std::shared_ptr<const ledger::ValidatorSet> set;
  uint64_t since = 1;
};

// The validator set of each height.
class ValidatorSets {
 public:
  virtual ~ValidatorSets() = default;
  // The set in force at `height` (>= 1), never null for the heights the core
  // asks about: its current height H (the application has committed H - 1)
  // and H + 1 — both fixed by blocks up to H - 1 — and, for a signed message
  // of an earlier height, that height (null there means "no longer known":
  // the message is dropped). Asked again at every height: the answer for
  // H + 1 may be found only once the Commit effect of H - 1 has run.
  virtual HeightValidators ForHeight(uint64_t height) const = 0;
};

// Signs with the validator's own vote keys. At each height the core votes as
// the validator of that height's set whose vote key the signer holds, if any:
// a validator whose key is rotated holds both keys around the change.
class Signer {
 public:
  virtual ~Signer() = default;
  // Whether this signer holds the private half of `vote_key`.
  virtual bool Holds(const crypto::PublicKey& vote_key) const = 0;
  // Signs with the private half of `vote_key`; Holds(vote_key) is true.
  virtual Bytes Sign(const crypto::PublicKey& vote_key, ByteView message) = 0;
};

// Verifies a signature of the validator at `validator_index` of `validators`
// (the set of the message's height); false for an index outside the set.
class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  virtual bool Verify(const ledger::ValidatorSet& validators, uint32_t validator_index,
                      ByteView message, ByteView signature) const = 0;
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
