// Validation rules of records and blocks. Every refusal is a Status whose message
// starts with a stable code (ledger/errors.h), e.g. "record.bad_signature: ...".
//
// Records:
//   CheckRecord       stateless and genesis rules: shape and sizes, chain id, time
//                     not later than now + future skew nor earlier than now - past
//                     window, digest format, agency registered, key registered for
//                     that agency, signature (batch signature + path for batched
//                     records).
//   CheckRecordAuthorship  the same without the time window (for copies of
//                     records already held).
//   CheckRecordIsNew  stateful: the record id is not in the log yet. The same
//                     record twice is idempotent ("record.duplicate" tells the
//                     caller to answer with the existing entry, not a second one).
// Blocks: ValidateBlock checks a proposed block against the state of the store
// (see ChainState) in the order listed in its comment.
//
// Thread-safety: pure functions; a BatchSignatureCache argument must not be shared
// between threads.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/merkle.h"
#include "ledger/batch.h"
#include "ledger/block.h"
#include "ledger/errors.h"
#include "ledger/genesis.h"
#include "ledger/record.h"

namespace evidence::ledger {

struct RecordPolicy {
  int64_t future_skew_ms = 5 * 60 * 1000;         // record time at most this ahead
  int64_t past_window_ms = 7 * 24 * 3600 * 1000;  // and at most this behind
};

Status CheckRecord(const Genesis& genesis, const Record& record, int64_t now_ms,
                   const RecordPolicy& policy, BatchSignatureCache* cache = nullptr);

// The rules of CheckRecord that do not depend on time: shape, chain id, agency
// and key registered, signature. For a copy of a record the node already holds
// (the record id does not cover `sig`, so a copy with another or a damaged
// signature has the same id).
Status CheckRecordAuthorship(const Genesis& genesis, const Record& record,
                             BatchSignatureCache* cache = nullptr);

// `contains(id)` answers whether the log holds the record id (a store lookup).
using ContainsRecordFn = std::function<Result<bool>(const crypto::Digest& record_id)>;
Status CheckRecordIsNew(const crypto::Digest& record_id, const ContainsRecordFn& contains);

// What a block is checked against: the state after the last committed block.
struct ChainState {
  uint64_t height = 0;                 // last committed height (0: empty chain)
  crypto::Digest last_block_hash{};    // zeros when height is 0
  int64_t last_block_time_ms = 0;      // genesis time when height is 0
  crypto::CompactRange log{crypto::MerkleHasher(crypto::HashAlgorithm::kSha256)};  // after it
  ContainsRecordFn contains_record;    // log lookup by record id
};

// Checks, in order: chain id; height = state.height + 1; previous hash; validator
// set hash; proposer index; size limits; last commit (empty at height 1, else a
// valid commit of height-1 for the previous block hash) and its hash; block time
// (genesis time at height 1, else the commit's median time, never earlier than the
// previous block); evidence and its hash; every leaf a canonical valid record
// (CheckRecord with the block time as now), no record twice in the block or
// already in the log; leaves root; log size and log root after the block.
Status ValidateBlock(const Genesis& genesis, const ChainState& state, const Block& block,
                     const RecordPolicy& policy, BatchSignatureCache* cache = nullptr);

// A leaf this node checked before (e.g. on admission to its record pool): the
// exact JCS bytes of a record that passed CheckRecord under this genesis (every
// record rule, signature included), with its id and its claimed time.
struct CheckedLeaf {
  crypto::Digest id{};
  int64_t time_ms = 0;
};
// Looks a leaf up by its exact bytes; nullopt when this node has not checked it.
// It must answer only for leaves whose CheckRecord passed under this genesis.
using CheckedLeafFn = std::function<std::optional<CheckedLeaf>(std::string_view leaf)>;

// ValidateBlock, except that a leaf `checked_before` knows is not parsed,
// canonicalised or signature-checked again: only the rules that depend on the
// block apply to it (its time within the window of the block time, not twice in
// the block, not in the log, the roots). Every other leaf is checked in full.
// Adds the signature checks it made to `*signature_checks` when given.
Status ValidateBlock(const Genesis& genesis, const ChainState& state, const Block& block,
                     const RecordPolicy& policy, BatchSignatureCache* cache,
                     const CheckedLeafFn& checked_before, uint64_t* signature_checks);

// The same with the answers already looked up: `checked[i]` for block.leaves[i]
// (same size as the leaves).
Status ValidateBlock(const Genesis& genesis, const ChainState& state, const Block& block,
                     const RecordPolicy& policy, BatchSignatureCache* cache,
                     const std::vector<std::optional<CheckedLeaf>>& checked,
                     uint64_t* signature_checks);

// The header fields a proposer fills from the state and the block's contents
// (everything except proposer), so a valid block is easy to build.
BlockHeader MakeBlockHeader(const Genesis& genesis, const ChainState& state,
                            const std::vector<std::string>& leaves, const Commit& last_commit,
                            const std::vector<DuplicateVoteEvidence>& evidence,
                            uint32_t proposer);

}  // namespace evidence::ledger
